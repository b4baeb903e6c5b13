-- luacheck: std ngx_lua
-- Building and sending responses.
--
-- Handlers return a plain table instead of writing to ngx directly:
--   { status = n, headers = { Name = value }, body = "...",
--     mode = nil | "drop" | "trickle" | "truncate", ... }
-- so that faults can wrap a normal response (trickle it, truncate it) and
-- the request log can record the status before anything is written.

local json = require "lambda_local.json"
local store = require "lambda_local.store"

local ngx = ngx
local pairs, tonumber, min, max, floor = pairs, tonumber, math.min, math.max, math.floor

local M = {}

-- Body key of the message, per error shape (lambda-api.md 1.4).
local MESSAGE_KEY = {
  ResourceNotFoundException = "Message",
  ServiceException = "Message",
  PublicPolicyException = "Message",
}

-- Errors raised by AWS's front end (Coral) rather than by Lambda itself:
-- their bodies carry only "message", no "Type".
local NO_TYPE = {
  ValidationException = true,
  MissingAuthenticationTokenException = true,
  IncompleteSignatureException = true,
  InvalidSignatureException = true,
  UnrecognizedClientException = true,
  UnknownOperationException = true,
}

M.JSON = "application/json"

-- An AWS-style error.  extra: additional body members (e.g. Reason).
function M.error(status, code, message, extra)
  local body = {}
  if not NO_TYPE[code] then body.Type = status >= 500 and "Service" or "User" end
  body[MESSAGE_KEY[code] or "message"] = message
  for k, v in pairs(extra or {}) do body[k] = v end
  return {
    status = status,
    headers = { ["Content-Type"] = M.JSON, ["x-amzn-ErrorType"] = code },
    body = json.encode(body),
  }
end

function M.json(status, value)
  return { status = status, headers = { ["Content-Type"] = M.JSON }, body = json.encode(value) }
end

function M.empty(status)
  return { status = status, headers = { ["Content-Type"] = M.JSON }, body = "" }
end

local function write_headers(res, request_id)
  ngx.status = res.status
  for k, v in pairs(res.headers or {}) do ngx.header[k] = v end
  if request_id then ngx.header["x-amzn-RequestId"] = request_id end
  -- nginx stamps its own Date; when the clock is shifted for a test,
  -- show the shifted clock, as a skew-correcting client would read it.
  if store.clock_offset() ~= 0 then ngx.header["Date"] = ngx.http_time(store.now()) end
end

-- Writes res and finishes the request.  request_id = nil omits the
-- x-amzn-RequestId header.
function M.send(res, request_id)
  if res.mode == "drop" then
    return ngx.exit(444)    -- nginx closes the connection, sends nothing
  end
  local body = res.body or ""

  if res.mode == "trickle" then
    -- Headers (with the true Content-Length) at once, then the body in
    -- pieces spread over res.seconds.
    write_headers(res, request_id)
    local seconds = tonumber(res.seconds) or 2
    if body == "" then
      ngx.sleep(seconds)
      ngx.send_headers()
      return ngx.exit(ngx.HTTP_OK)
    end
    ngx.header["Content-Length"] = #body
    ngx.send_headers()
    ngx.flush(true)
    local pieces = min(#body, max(1, floor(tonumber(res.chunks) or 20)))
    local size = math.ceil(#body / pieces)
    local i = 1
    while i <= #body do
      ngx.sleep(seconds / pieces)
      local ok = ngx.print(body:sub(i, i + size - 1))
      if not ok then return ngx.exit(444) end
      ngx.flush(true)
      i = i + size
    end
    return ngx.exit(ngx.HTTP_OK)
  end

  if res.mode == "truncate" then
    -- Promise more bytes than we send, then close the connection.  A
    -- body-less response (204) is turned into a 200 promising 64 bytes.
    if body == "" and (res.status == 204 or res.status == 304) then res.status = 200 end
    write_headers(res, request_id)
    local sent = tonumber(res.bytes) or floor(#body / 2)
    sent = max(0, min(sent, #body))
    local claimed = tonumber(res.content_length) or max(#body, sent + 1, 64)
    ngx.header["Content-Length"] = claimed
    ngx.send_headers()
    if sent > 0 then ngx.print(body:sub(1, sent)) end
    ngx.flush(true)
    return ngx.exit(444)
  end

  write_headers(res, request_id)
  if body ~= "" then
    ngx.header["Content-Length"] = #body
    ngx.print(body)
  else
    -- A 204 carries no Content-Length at all (RFC 9110 8.6).
    if res.status ~= 204 and res.status ~= 304 then ngx.header["Content-Length"] = 0 end
    ngx.send_headers()
  end
  return ngx.exit(ngx.HTTP_OK)
end

return M
