-- One DCM list page, the query in $DCM_QUERY, of the million-customer tenant
-- (benches/dcm_million.sh).
dofile("benches/wrk/common.lua")
wrk.path = "/dcm/api/v1/counterparty/11111111-1111-4111-8111-111111111111/customers?"
  .. (os.getenv("DCM_QUERY") or "limit=20")
wrk.headers["Authorization"] = "bearer sandbox-dcm-token"
wrk.headers["X-Sandbox-Tenant"] = os.getenv("DCM_TENANT") or "bench-dcm-create"
done = report
