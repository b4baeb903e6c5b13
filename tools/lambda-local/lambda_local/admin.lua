-- luacheck: std ngx_lua
-- Unsigned admin API under /__admin/ (never logged, never faulted).
--
--   GET    /__admin/ping            -> "ok"
--   POST   /__admin/faults          {"count":N,"kind":K,...} or an array of them
--   GET    /__admin/faults          pending faults, one entry per request
--   DELETE /__admin/faults          clear them
--   GET    /__admin/log[?since=N]   Lambda requests since the last reset
--   DELETE /__admin/log             clear the log (and the stats)
--   GET    /__admin/stats           {"requests":n,"connections":m}
--   POST   /__admin/reset[?seed=P]  reload the seed (a path, "default", or
--                                   a JSON seed as the body); clears the log,
--                                   the faults and the clock offset
--   GET    /__admin/state           functions, policies, revision ids
--   GET    /__admin/clock           {"offset":s,"now":"..."}
--   POST   /__admin/clock           {"offset":s} or {"now":"YYYYMMDDTHHMMSSZ"}

local store = require "lambda_local.store"
local faults = require "lambda_local.faults"
local json = require "lambda_local.json"
local sigv4 = require "lambda_local.sigv4"

local ngx = ngx
local type, tostring, tonumber, pcall, ipairs = type, tostring, tonumber, pcall, ipairs

local M = {}

local function reply(status, value)
  local body = type(value) == "string" and value or json.encode(value)
  ngx.status = status
  ngx.header["Content-Type"] = type(value) == "string" and "text/plain" or "application/json"
  ngx.header["Content-Length"] = #body
  ngx.print(body)
  return ngx.exit(ngx.HTTP_OK)
end

local function bad_request(message)
  return reply(400, { error = message })
end

local function read_body()
  ngx.req.read_body()
  local body = ngx.req.get_body_data()
  if body then return body end
  local path = ngx.req.get_body_file()
  if not path then return "" end
  local f = io.open(path, "rb")
  if not f then return "" end
  body = f:read("*a")
  f:close()
  return body
end

local function clock_view()
  return { offset = store.clock_offset(), now = sigv4.format_amz_date(store.now()) }
end

local ROUTES = {}

ROUTES["GET ping"] = function() return reply(200, "ok") end

ROUTES["POST faults"] = function(body)
  local list, err = json.decode(body)
  if list == nil then return bad_request("invalid JSON: " .. tostring(err)) end
  if type(list) ~= "table" then return bad_request("expected a JSON object or array") end
  if list.kind ~= nil or #list == 0 then list = { list } end
  for _, f in ipairs(list) do
    local problem = faults.check(f)
    if problem then return bad_request(problem) end
  end
  local total = 0
  for _, f in ipairs(list) do
    local count = math.min(math.floor(f.count or 1), store.FAULT_COUNT_MAX)
    f.count = nil
    total = store.push_fault(f, count)
  end
  return reply(200, { queued = total })
end

ROUTES["GET faults"] = function()
  return reply(200, json.array(store.pending_faults()))
end

ROUTES["DELETE faults"] = function()
  return reply(200, { cleared = store.clear_faults() })
end

ROUTES["GET log"] = function()
  local since = tonumber(ngx.var.arg_since)
  return reply(200, json.array(store.log_entries(since)))
end

ROUTES["DELETE log"] = function()
  store.clear_log()
  return reply(200, { cleared = true })
end

ROUTES["GET stats"] = function()
  return reply(200, store.stats())
end

ROUTES["POST reset"] = function(body)
  local seed = ngx.var.arg_seed
  local ok, err
  if body ~= "" then
    ok, err = pcall(store.reset, body)
  elseif seed and seed ~= "" then
    seed = ngx.unescape_uri(seed)
    if seed == "default" then
      ok, err = pcall(store.reset, "default")
    else
      ok, err = pcall(store.reset_from_file, seed)
    end
  else
    ok, err = pcall(store.reset)
  end
  if not ok then return bad_request(tostring(err)) end
  return reply(200, { reset = true })
end

ROUTES["GET state"] = function()
  return reply(200, store.dump())
end

ROUTES["GET clock"] = function()
  return reply(200, clock_view())
end

ROUTES["POST clock"] = function(body)
  local v = json.decode(body)
  if type(v) ~= "table" then return bad_request("expected {\"offset\": s} or {\"now\": ...}") end
  if v.now ~= nil then
    local t = sigv4.parse_amz_date(v.now)
    if not t then return bad_request("now must look like 20150830T123600Z") end
    store.set_clock_offset(t - ngx.time())
  elseif type(v.offset) == "number" then
    store.set_clock_offset(math.floor(v.offset))
  else
    return bad_request("expected {\"offset\": s} or {\"now\": ...}")
  end
  return reply(200, clock_view())
end

function M.handle()
  local name = ngx.var.uri:match("^/__admin/([%w_-]+)/?$")
  local handler = name and ROUTES[ngx.req.get_method() .. " " .. name]
  if not handler then
    return reply(404, { error = "unknown admin route " .. ngx.req.get_method() .. " "
                                  .. ngx.var.uri })
  end
  return handler(read_body())
end

return M
