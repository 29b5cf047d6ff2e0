-- wrk: send every request as a POST with this content-type and body (one request built up front).
-- Usage: wrk -s bench/wrk-post.lua URL -- application/json '{"id":1}'
init = function(args)
  req = wrk.format("POST", nil, { ["Content-Type"] = args[1] }, args[2])
end

request = function()
  return req
end
