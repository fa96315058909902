-- UBKI discount under a 50 ms delay rule (installed by load.sh in tenant bench-delay).
dofile("benches/wrk/ubki_discount.lua")
wrk.headers["X-Sandbox-Tenant"] = "bench-delay"
