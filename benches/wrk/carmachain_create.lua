-- createrequest for alice, rotating over the tenants and keys of $CARMA_KEYS (one
-- "tenant key" a line): a tenant holds at most 10,000 requests not yet answered.
dofile("benches/wrk/common.lua")
local keys = read_pairs("CARMA_KEYS")
local body = '{"type_request":["Address","Name"],"value":[{"IdDocument":"AB123456","PhoneNumber":"0501234567"}]}'
local n = 0
function request()
  n = n + 1
  local k = keys[(n % #keys) + 1]
  local headers = { ["Content-Type"] = "application/json", ["Authorization"] = k[2],
                    ["X-Sandbox-Tenant"] = k[1] }
  return wrk.format("POST", "/carmachain/api/createrequest", headers, body)
end
done = report
