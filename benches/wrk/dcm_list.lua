-- A filtered page of the default counterparty's customers.
dofile("benches/wrk/common.lua")
wrk.path = "/dcm/api/v1/counterparty/11111111-1111-4111-8111-111111111111/customers?limit=20&ordering=-balance_allowed"
wrk.headers["Authorization"] = "bearer sandbox-dcm-token"
wrk.headers["X-Sandbox-Tenant"] = "bench-dcm-list"
done = report
