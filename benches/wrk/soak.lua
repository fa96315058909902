-- The memory soak of benches/soak.py: every provider, each request from one of
-- $SOAK_TENANTS tenants (more than `tenant_cap`), new INNs and ID numbers so provider
-- state grows too, and now and then a 4 KB junk body.
dofile("benches/wrk/common.lua")
local tenants = tonumber(os.getenv("SOAK_TENANTS") or "5000")
local calls = {
  { "POST", "/ubki/b2_api_xml/ubki/auth", '{"doc":{"auth":{"login":"sandbox","pass":"sandbox"}}}' },
  { "POST", "/ubki/bonusservice/discount", '{"sessid":"0123456789ABCDEF0123456789ABCDEF","reptype":"ALB","inn":"%010d"}' },
  { "GET", "/carmachain/auth/getToken", nil },
  { "POST", "/trustdecision?partner_code=sandbox&partner_key=sandbox", '{"id_number":"%010d","id_type":"national_id","country":"MX","name":"Juan","phone_number":"5512345678","package_name":"credit_rating_estimation"}' },
  { "POST", "/sbersafe/api/clients/find", '{"phone":"9161234567","merchantLogin":"sandbox"}' },
  { "GET", "/dcm/kratos/self-service/login/api", nil },
  { "GET", "/dcm/api/v1/counterparty/11111111-1111-4111-8111-111111111111/customers?limit=5", nil },
  { "POST", "/ubki/bonusservice/discount", '{"sessid":"' .. string.rep("x", 200) .. '","junk":"' .. string.rep("y", 4000) .. '"}' },
}
local n = 0
function setup(thread) thread:set("seed", math.random(1, 1e6)) end
function init() math.randomseed(seed) end
function request()
  n = n + 1
  local call = calls[(n % #calls) + 1]
  -- Half the requests from 200 busy tenants, whose journals fill to their own caps
  -- (200 x 2 MiB is over the sandbox's budget), half from all of them.
  local tenant = n % 2 == 0 and math.random(0, 199) or math.random(0, tenants - 1)
  local headers = { ["X-Sandbox-Tenant"] = "soak" .. tenant,
                    ["Authorization"] = "bearer sandbox-dcm-token" }
  if call[3] then headers["Content-Type"] = "application/json" end
  local body = call[3] and string.format(call[3], math.random(0, 2^31 - 2)) or nil
  return wrk.format(call[1], call[2], headers, body)
end
done = report
