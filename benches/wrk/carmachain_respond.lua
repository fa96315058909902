-- respond by period in a tenant holding a few requests ($CARMA_RESPOND: "tenant key").
dofile("benches/wrk/common.lua")
local k = read_pairs("CARMA_RESPOND")[1]
wrk.method = "POST"
wrk.path = "/carmachain/api/respond"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = k[2]
wrk.headers["X-Sandbox-Tenant"] = k[1]
wrk.body = '{"type_request":["Name","Contacts"],"period":15}'
done = report
