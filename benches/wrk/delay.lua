-- UBKI discount under a 50 ms delay rule (installed by load.sh in tenant bench-delay).
dofile("benches/wrk/common.lua")
wrk.method = "POST"
wrk.path = "/ubki/bonusservice/discount"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Sandbox-Tenant"] = "bench-delay"
wrk.body = '{"sessid":"0123456789ABCDEF0123456789ABCDEF","reptype":"ALB","inn":"3241500301"}'
done = report
