dofile("benches/wrk/common.lua")
wrk.method = "POST"
wrk.path = "/sbersafe/api/clients"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json; version=1.0"
wrk.headers["Authorization"] = "000000000000000.SandboxPresetTokenForCiUseOnlyMainClient0000000000000000"
wrk.headers["X-Sandbox-Tenant"] = "bench-sber"
wrk.body = '{"responseType":"contacts,contactsExtra,bindings,permissions"}'
done = report
