-- luacheck: std ngx_lua
-- Fault injection: what a queued fault does to one Lambda request.
--
-- apply(fault, normal) returns a response table (see respond.lua); normal()
-- produces the response the request would get without a fault, for the
-- kinds that only delay or damage the normal answer.

local respond = require "lambda_local.respond"
local json = require "lambda_local.json"

local ngx = ngx
local tostring, tonumber, pairs, type = tostring, tonumber, pairs, type

local M = {}

local REASON_PHRASE = {
  [500] = "Internal Server Error", [502] = "Bad Gateway",
  [503] = "Service Unavailable", [504] = "Gateway Timeout",
}

local function status_of(f, default)
  local s = tonumber(f.status) or default
  if s < 100 or s > 599 then s = default end
  return math.floor(s)
end

-- Each kind: function(fault, normal) -> response.
local KINDS = {}

-- 429 as Lambda sends it; Retry-After only when asked for.
KINDS.throttle = function(f)
  local res = respond.error(429, "TooManyRequestsException", f.message or "Rate exceeded",
                            { Reason = f.reason or "CallerRateLimitExceeded" })
  if f.retry_after ~= nil then res.headers["Retry-After"] = tostring(f.retry_after) end
  return res
end

KINDS.service = function(f)
  return respond.error(500, "ServiceException",
    f.message or "Lambda was unable to complete the request due to an internal error.")
end

-- A bare gateway-style status: empty body or a small HTML page, no
-- x-amzn-ErrorType (what a load balancer in front of AWS may send).
KINDS.status = function(f)
  local status = status_of(f, 503)
  if f.body == "html" then
    local phrase = REASON_PHRASE[status] or "Error"
    return {
      status = status,
      headers = { ["Content-Type"] = "text/html" },
      body = "<html><body><h1>" .. status .. " " .. phrase .. "</h1></body></html>",
    }
  end
  return { status = status, headers = {}, body = "" }
end

KINDS.delay = function(f, normal)
  ngx.sleep(tonumber(f.seconds) or 1)
  return normal()
end

KINDS.drop = function()
  return { mode = "drop", status = 444 }
end

-- Claims JSON, is not JSON.
KINDS.malformed = function(f)
  local res = {
    status = status_of(f, 400),
    headers = { ["Content-Type"] = "application/json" },
    body = type(f.body) == "string" and f.body or '{"message": "truncated',
  }
  if f.code then res.headers["x-amzn-ErrorType"] = f.code end
  return res
end

-- An arbitrary error.  Options: status, code, message, message_key
-- ("message" | "Message"), type ("User" | "Service" | false), header
-- (false = no x-amzn-ErrorType, or a raw value such as
-- "Code:http://internal.amazon.com/coral/..."), extra (body members, e.g.
-- {"__type": "ns#Code"}).
KINDS.code = function(f)
  local status = status_of(f, 400)
  local code = f.code or "SomeException"
  local body = {}
  local t = f.type
  if t == nil then t = status >= 500 and "Service" or "User" end
  if t then body.Type = t end
  body[f.message_key or "message"] = f.message or (code .. " injected by lambda-local")
  if type(f.extra) == "table" then
    for k, v in pairs(f.extra) do body[k] = v end
  end
  local headers = { ["Content-Type"] = "application/json" }
  if f.header ~= false then headers["x-amzn-ErrorType"] = f.header or code end
  return { status = status, headers = headers, body = json.encode(body) }
end

KINDS.public_policy = function(f)
  return respond.error(400, "PublicPolicyException", f.message
    or "The resource-based policy you provided would grant public access to the function, "
    .. "and Block Public Access for Lambda is turned on for this account. Remove the public "
    .. "statement or turn off block public policy.")
end

KINDS.trickle = function(f, normal)
  local res = normal()
  res.mode = "trickle"
  res.seconds = tonumber(f.seconds) or 2
  res.chunks = f.chunks
  return res
end

KINDS.truncate = function(f, normal)
  local res = normal()
  res.mode = "truncate"
  res.bytes = f.bytes
  res.content_length = f.content_length
  return res
end

M.KINDS = KINDS

-- Admin-side check of a fault description; returns nil or an error text.
function M.check(f)
  if type(f) ~= "table" then return "a fault must be a JSON object" end
  if not KINDS[f.kind] then
    local names = {}
    for k in pairs(KINDS) do names[#names + 1] = k end
    table.sort(names)
    return "unknown fault kind '" .. tostring(f.kind) .. "' (known: "
      .. table.concat(names, ", ") .. ")"
  end
  if f.count ~= nil and (type(f.count) ~= "number" or f.count < 1) then
    return "count must be a positive number"
  end
  if f.kind == "status" and f.body ~= nil and f.body ~= "empty" and f.body ~= "html" then
    return "status.body must be \"empty\" or \"html\""
  end
  return nil
end

function M.apply(f, normal)
  return KINDS[f.kind](f, normal)
end

return M
