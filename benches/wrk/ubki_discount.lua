-- The floor's request, to the sandbox: UBKI discount with the never-expiring key.
dofile("benches/wrk/floor.lua")
wrk.path = "/ubki/bonusservice/discount"
wrk.headers["X-Sandbox-Tenant"] = "bench-ubki"
