-- Customer creation, a fresh login each request (the tenant is reset before the run).
-- $DCM_LOGIN_PREFIX (default "w") keeps logins fresh across runs on one tenant.
dofile("benches/wrk/common.lua")
local path = "/dcm/api/v1/counterparty/11111111-1111-4111-8111-111111111111/customers"
local headers = { ["Content-Type"] = "application/json",
                  ["Authorization"] = "bearer sandbox-dcm-token",
                  ["X-Sandbox-Tenant"] = "bench-dcm-create" }
local prefix = os.getenv("DCM_LOGIN_PREFIX") or "w"
local n = 0
local counter = 0
function setup(thread) counter = counter + 1; thread:set("id", counter) end
function request()
  n = n + 1
  local body = string.format('{"asset_code":"UAH","asset_issuer":"GDQQY7WXGK5JZJQHLY7GMNZOCJ2QVG3ZNHDT4WYCNJU6ZG53RVXZPN2E","login":"%s%d-%d@bank.test","name":"Name%d","kyc_level":%d,"balance_allowed":%d,"segment":"PL"}',
    prefix, id, n, n % 997, n % 4, n % 5000)
  return wrk.format("POST", path, headers, body)
end
done = report
