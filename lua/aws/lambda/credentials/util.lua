--- Helpers shared by the credential providers: snapshots, times, small
-- HTTP requests with short timeouts, and errors that never carry secrets.
-- @module aws.lambda.credentials.util

local core = require "aws.lambda.core"
local errors = require "aws.lambda.errors"

local type, tonumber, error, tostring, floor = type, tonumber, error, tostring, math.floor
local format, match, find, gsub, sub, byte = string.format, string.match, string.find, string.gsub,
  string.sub, string.byte

local util = {}

function util.nonempty(v) if type(v) == "string" and v ~= "" then return v end end

function util.raise(class, msg) error(errors.new(class, { message = msg }), 0) end

function util.retrieval_error(provider, msg)
  error(errors.new("CredentialRetrievalError", { provider = provider, message = format(
    "Error when retrieving credentials from %s: %s", provider, msg) }), 0)
end

-- days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm)
local function days_from_civil(y, m, d)
  if m <= 2 then y = y - 1 end
  local era = floor(y / 400)
  local yoe = y - era * 400
  local mp = (m + 9) % 12
  local doy = floor((153 * mp + 2) / 5) + d - 1
  local doe = yoe * 365 + floor(yoe / 4) - floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
end

--- ISO 8601 / RFC 3339 date-time -> Unix seconds (fractions dropped), or nil.
-- Accepts "2030-01-02T03:04:05Z", "...05.123Z", "...05+01:00", "...05 UTC".
function util.parse_time(s)
  if type(s) ~= "string" then return nil end
  local y, mo, d, h, mi, sec, rest = match(s, "^(%d%d%d%d)%-(%d%d)%-(%d%d)[Tt ](%d%d):(%d%d):(%d%d)(.*)$")
  if not y then return nil end
  rest = gsub(rest, "^%.%d+", "")
  local offset = 0
  if not (rest == "Z" or rest == "z" or rest == "" or rest == "UTC" or rest == " UTC") then
    local sign, oh, om = match(rest, "^([+-])(%d%d):?(%d%d)$")
    if not sign then return nil end
    offset = (tonumber(oh) * 60 + tonumber(om)) * 60
    if sign == "-" then offset = -offset end
  end
  y, mo, d, h, mi, sec = tonumber(y), tonumber(mo), tonumber(d), tonumber(h), tonumber(mi), tonumber(sec)
  if mo < 1 or mo > 12 or d < 1 or d > 31 or h > 23 or mi > 59 or sec > 60 then return nil end
  return days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset
end

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
