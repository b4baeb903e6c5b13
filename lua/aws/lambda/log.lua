--- Request/response/retry events for `lambda.new{ logger = function(event) end }`
-- and the AWS_LAMBDA_LUA_DEBUG=1 switch, which prints them to stderr.
-- Secrets never reach a logger: the Authorization signature and
-- X-Amz-Security-Token are redacted before an event is built.
-- @module aws.lambda.log

local format, lower, gsub = string.format, string.lower, string.gsub
local concat, sort = table.concat, table.sort

local log = {}

local REDACTED = "<redacted>"

--- A copy of headers safe to show: the signature and the token replaced.
function log.redact_headers(h)
  local out = {}
  for k, v in pairs(h or {}) do
    local lk = lower(k)
    if lk == "authorization" then
      v = gsub(v, "Signature=%x+", "Signature=" .. REDACTED)
    elseif lk == "x-amz-security-token" or lk == "proxy-authorization" or lk == "cookie" then
      v = REDACTED
    end
    out[k] = v
  end
  return out
end

local function line(ev)
  local keys = {}
  for k in pairs(ev) do
    if k ~= "event" and k ~= "headers" then keys[#keys + 1] = k end
  end
  sort(keys)
  local parts = { "aws.lambda", ev.event }
  for _, k in ipairs(keys) do parts[#parts + 1] = format("%s=%s", k, tostring(ev[k])) end
  if ev.headers then
    local names = {}
    for k in pairs(ev.headers) do names[#names + 1] = k end
    sort(names)
    for _, k in ipairs(names) do parts[#parts + 1] = format("\n    %s: %s", k, tostring(ev.headers[k])) end
  end
  return concat(parts, " ")
end

--- The stderr logger behind AWS_LAMBDA_LUA_DEBUG=1.
function log.stderr(ev)
  io.stderr:write(line(ev), "\n")
end

log.format = line

return log
