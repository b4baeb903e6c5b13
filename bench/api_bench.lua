-- api_bench.lua -- remove_permission through the public API
-- (client:remove_permission), against the endpoint of bench/run.sh.
-- A benchmark: it asserts nothing about speed.
--
--   lua5.4 bench/api_bench.lua rate URL N [WARMUP]
--     -> "ours n=<N> rate=<calls/s> p50_us= p99_us= cpu_us=<CPU per call> connections="
--   lua5.4 bench/api_bench.lua rss URL N1 N2
--     -> "rss n1=<N1> rss1_kib= n2=<N2> rss2_kib= heap1_kib= heap2_kib="
--        VmRSS after N1 and after N2 calls in this one process (the Lua heap
--        beside it, after a full collection, tells a Lua leak from a C one)
--   lua5.4 bench/api_bench.lua calls URL N  (N calls, nothing printed: callgrind)
--   lua5.4 bench/api_bench.lua once URL   (one call: the request check)
--   lua5.4 bench/api_bench.lua cold URL   (require, client, one call: cold start)
local lambda = require "aws.lambda"
local core = require "aws.lambda.core"

local mode, url = arg[1], arg[2]
if not (mode and url) then
  io.stderr:write("usage: api_bench.lua rate|rss|calls|once|cold URL ...\n")
  os.exit(2)
end

local client = lambda.new {
  region = "us-east-1", endpoint_url = url, max_attempts = 1,
  credentials = { access_key_id = "AKIDEXAMPLE", secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" },
}
local params = { FunctionName = "my-function", StatementId = "xaccount", Qualifier = "PROD" }

local function vmrss()
  for line in io.lines("/proc/self/status") do
    local kib = line:match("^VmRSS:%s*(%d+)")
    if kib then return tonumber(kib) end
  end
end

if mode == "once" or mode == "cold" then
  local out, meta = client:remove_permission(params)
  if mode == "once" then print(("ours once status=%d output=%s"):format(meta.status, tostring(out))) end
elseif mode == "rate" then
  local n, warm = tonumber(arg[3]) or 20000, tonumber(arg[4]) or 500
  local lat = {}
  for i = 1, n do lat[i] = 0.0 end -- no table growth inside the timed loop
  for _ = 1, warm do client:remove_permission(params) end
  local now, call = core.monotonic, client.remove_permission
  local c0, t0 = os.clock(), now()
  for i = 1, n do
    local s = now()
    call(client, params)
    lat[i] = now() - s
  end
  local wall, cpu = now() - t0, os.clock() - c0
  table.sort(lat)
  print(("ours n=%d rate=%.0f p50_us=%.1f p99_us=%.1f cpu_us=%.2f connections=%d"):format(
    n, n / wall, lat[n // 2 + 1] * 1e6, lat[n * 99 // 100 + 1] * 1e6, cpu / n * 1e6,
    client._http:stats().connections))
elseif mode == "calls" then
  local call = client.remove_permission
  for _ = 1, tonumber(arg[3]) or 1000 do call(client, params) end
elseif mode == "rss" then
  local n1, n2 = tonumber(arg[3]) or 10000, tonumber(arg[4]) or 100000
  local call = client.remove_permission
  for _ = 1, n1 do call(client, params) end
  local rss1 = vmrss()
  collectgarbage("collect")
  local heap1 = collectgarbage("count")
  for _ = n1 + 1, n2 do call(client, params) end
  local rss2 = vmrss()
  collectgarbage("collect")
  local heap2 = collectgarbage("count")
  print(("rss n1=%d rss1_kib=%d n2=%d rss2_kib=%d heap1_kib=%.0f heap2_kib=%.0f"):format(
    n1, rss1, n2, rss2, heap1, heap2))
else
  io.stderr:write("api_bench.lua: unknown mode " .. mode .. "\n")
  os.exit(2)
end
