--- Helpers shared by the credential providers: snapshots, times, small
-- HTTP requests with short timeouts, and errors that never carry secrets.
-- @module aws.lambda.credentials.util

local core = require "aws.lambda.core"
local errors = require "aws.lambda.errors"

local type, error, tostring, floor = type, error, tostring, math.floor
local format, find, gsub, sub, byte = string.format, string.find, string.gsub,
  string.sub, string.byte

local util = {}

function util.nonempty(v) if type(v) == "string" and v ~= "" then return v end end

function util.raise(class, msg) error(errors.new(class, { message = msg }), 0) end

function util.retrieval_error(provider, msg)
  error(errors.new("CredentialRetrievalError", { provider = provider, message = format(
    "Error when retrieving credentials from %s: %s", provider, msg) }), 0)
end

--- ISO 8601 / RFC 3339 date-time -> Unix seconds, or nil (aws.lambda.time).
util.parse_time = require("aws.lambda.time").parse_iso8601

--- Unix seconds -> "2030-01-02T03:04:05Z".
function util.format_time(t)
  return os.date("!%Y-%m-%dT%H:%M:%SZ", floor(t))
end

local function printable(v)
  -- a header-safe credential: no CR, LF, NUL or other control bytes
  return not find(v, "[%z\1-\31\127]")
end

--- A frozen snapshot { access_key_id, secret_access_key, session_token,
-- expires }.  Raises CredentialRetrievalError (naming the provider, never
-- the values) when the pieces are not usable.
function util.snapshot(provider, ak, sk, token, expires)
  if not util.nonempty(ak) or not util.nonempty(sk) then
    util.retrieval_error(provider, "the response lacks an access key id or a secret access key")
  end
  if token ~= nil and not util.nonempty(token) then token = nil end
  if not printable(ak) or not printable(sk) or (token and not printable(token)) then
    util.retrieval_error(provider, "a credential holds control characters")
  end
  return { access_key_id = ak, secret_access_key = sk, session_token = token, expires = expires }
end

--- One HTTP request with its own short-lived handle.
-- Returns status, headers, body | nil, kind, reason.
function util.http(method, url, headers, body, timeout)
  local h = core.http_new { connect_timeout = timeout, read_timeout = timeout }
  local status, rh, rbody = h:request(method, url, headers or {}, body, { timeout = timeout * 2 })
  h:close()
  return status, rh, rbody
end

--- application/x-www-form-urlencoded value (RFC 3986 unreserved kept).
function util.form_encode(s)
  return (gsub(s, "[^%w%-%._~]", function(c) return format("%%%02X", byte(c)) end))
end

--- The first `n` bytes of a text for an error message, on one line.
function util.excerpt(s, n)
  s = gsub(tostring(s or ""), "%s+", " ")
  if #s > n then s = sub(s, 1, n) .. "..." end
  return s
end

--- The wall clock of a client (injectable with lambda.new{ now = ... }).
function util.now_fn(c) return c.now or core.time end

return util
