-- UBKI auth, each request from the next of 1,000 tenants (tenant map, tenant build, journal).
dofile("benches/wrk/common.lua")
local body = '{"doc":{"auth":{"login":"sandbox","pass":"sandbox"}}}'
local n = 0
function setup(thread) thread:set("offset", math.random(0, 999)) end
function request()
  n = n + 1
  local headers = { ["Content-Type"] = "application/json",
                    ["X-Sandbox-Tenant"] = "bench-t" .. ((n + offset) % 1000) }
  return wrk.format("POST", "/ubki/b2_api_xml/ubki/auth", headers, body)
end
done = report
