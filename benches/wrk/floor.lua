dofile("benches/wrk/common.lua")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"sessid":"0123456789ABCDEF0123456789ABCDEF","reptype":"ALB","inn":"3241500301"}'
done = report
