-- luacheck: std ngx_lua
-- Entry point for every non-admin request (content_by_lua).
--
-- Order per request:
--   1. read the raw request (request line as received, headers, body)
--   2. verify its SigV4 signature (result kept, not yet enforced)
--   3. take the next queued fault, if any
--   4. build the response: the fault's, or the normal one (signature
--      failure -> 403, else route to the operation)
--   5. log the request with the status about to be sent, then send.
-- Faults therefore apply before the signature is enforced; the log still
-- records the verification result of every request.

local store = require "lambda_local.store"
local sigv4 = require "lambda_local.sigv4"
local crypto = require "lambda_local.crypto"
local respond = require "lambda_local.respond"
local faults = require "lambda_local.faults"
local ops = require "lambda_local.ops"
local json = require "lambda_local.json"

local ngx = ngx
local type, pairs, tostring, tonumber, pcall = type, pairs, tostring, tonumber, pcall
local concat = table.concat
local pct_decode = sigv4.pct_decode

local M = {}

local ROUTE = [[\A/2015-03-31/functions/([^/]+)/policy(?:/([^/]+))?\z]]

local function read_body()
  ngx.req.read_body()
  local body = ngx.req.get_body_data()
  if body then return body end
  -- Bodies larger than client_body_buffer_size are spooled to a file.
  local path = ngx.req.get_body_file()
  if path then
    local f = io.open(path, "rb")
    if f then
      body = f:read("*a")
      f:close()
      return body
    end
  end
  return ""
end

-- Decoded query parameters; the first occurrence of a name wins.
local function parse_query(raw)
  local q = {}
  for part in raw:gmatch("[^&]+") do
    local k, v = part:match("^([^=]*)=?(.*)$")
    k, v = pct_decode(k), pct_decode(v)
    if q[k] == nil then q[k] = v end
  end
  return q
end

-- Headers for the log: lower-case names, repeats joined, secrets redacted.
local function loggable_headers(headers)
  local out = {}
  for name, value in pairs(headers) do
    if type(value) == "table" then value = concat(value, ",") end
    if name == "authorization" then
      value = value:gsub("Signature=%x+", "Signature=REDACTED")
    elseif name == "x-amz-security-token" then
      value = "REDACTED"
    end
    out[name] = value
  end
  return out
end

local function route(meta, method, path, query_raw, body)
  local m = ngx.re.match(path, ROUTE, "jo")
  if m then
    local function_name = pct_decode(m[1])
    local query = parse_query(query_raw)
    if m[2] then
      if method == "DELETE" then
        return ops.remove_permission(meta, function_name, pct_decode(m[2]), query)
      end
    elseif method == "GET" then
      return ops.get_policy(meta, function_name, query)
    elseif method == "POST" then
      return ops.add_permission(meta, function_name, query, body)
    end
  end
  -- Unknown path, or a known path with a method it does not serve.
  return respond.error(404, "UnknownOperationException",
                       "Unknown operation " .. method .. " " .. path)
end

function M.handle()
  local request_id = crypto.uuid4()
  local method = ngx.req.get_method()
  local raw_uri = ngx.var.request_uri
  local path, query_raw = raw_uri:match("^([^?]*)%??(.*)$")
  local headers = ngx.req.get_headers(0)
  local body = read_body()
  local meta = store.meta()
  local n = store.next_seq()

  local sig = sigv4.verify(
    { method = method, path = path, query = query_raw, headers = headers, body = body },
    {
      region = meta.region,
      now = store.now(),
      credential = function(akid) return meta.credentials[akid] end,
    })
  local fault = store.pop_fault()

  local function normal()
    if not sig.ok then return respond.error(sig.status, sig.code, sig.message) end
    return route(meta, method, path, query_raw, body)
  end

  local ok, res = pcall(function()
    if fault then return faults.apply(fault, normal) end
    return normal()
  end)
  if not ok then
    ngx.log(ngx.ERR, "lambda-local: ", tostring(res))
    res = respond.error(500, "ServiceException", "lambda-local internal error: " .. tostring(res))
  end

  store.append_log({
    n = n,
    time = ngx.now(),
    method = method,
    uri = raw_uri,
    headers = loggable_headers(headers),
    body = body,
    status = res.status,
    connection = tonumber(ngx.var.connection),
    connection_requests = tonumber(ngx.var.connection_requests),
    signature = sig.ok and "ok" or (sig.code .. ": " .. sig.reason),
    access_key_id = sig.access_key_id or json.null,
    fault = fault and fault.kind or json.null,
    request_id = request_id,
  })
  return respond.send(res, request_id)
end

return M
