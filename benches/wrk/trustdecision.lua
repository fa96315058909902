dofile("benches/wrk/common.lua")
wrk.method = "POST"
wrk.path = "/trustdecision?partner_code=sandbox&partner_key=sandbox"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Sandbox-Tenant"] = "bench-td"
wrk.body = '{"id_number":"PEJU900101HDFRRN01","id_type":"national_id","country":"MX","name":"Juan Perez","phone_number":"5512345678","app_name":"MiApp","package_name":"credit_rating_estimation"}'
done = report
