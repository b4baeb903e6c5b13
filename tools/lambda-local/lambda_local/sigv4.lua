-- luacheck: std ngx_lua
-- An independent SigV4 verifier for the Lambda endpoint.
--
-- It rebuilds the canonical request from what arrived on the wire, the way
-- AWS does for non-S3 services (lambda-api.md section 5):
--   * canonical URI: the raw path (before "?"), dot segments removed and
--     "//" collapsed, then percent-encoded AGAIN (so "%3A" becomes "%253A");
--   * canonical query: each raw name/value percent-decoded, re-encoded with
--     the unreserved set only, pairs sorted by name then value;
--   * canonical headers: exactly the SignedHeaders, values trimmed and inner
--     whitespace runs collapsed, repeated headers joined with ",";
--   * payload: hex SHA-256 of the raw body.
-- Nothing here depends on ngx, so it can be exercised from plain LuaJIT too
-- (crypto needs only FFI + libcrypto).

local crypto = require "lambda_local.crypto"

local concat, sort = table.concat, table.sort
local format, byte, char = string.format, string.byte, string.char
local tonumber, type, ipairs = tonumber, type, ipairs
local floor = math.floor

local M = {}

M.ALGORITHM = "AWS4-HMAC-SHA256"
M.SERVICE = "lambda"
M.MAX_SKEW = 15 * 60   -- seconds, as AWS

local EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
M.EMPTY_SHA256 = EMPTY_SHA256

---------------------------------------------------------------------------
-- Encoding helpers
---------------------------------------------------------------------------

local function pct_decode(s)
  return (s:gsub("%%(%x%x)", function(h) return char(tonumber(h, 16)) end))
end
M.pct_decode = pct_decode

-- Encodes every byte outside A-Za-z0-9-_.~ (and "/" when keep_slash).
local function pct_encode(s, keep_slash)
  local pattern = keep_slash and "[^%w%-_%.~/]" or "[^%w%-_%.~]"
  return (s:gsub(pattern, function(c) return format("%%%02X", byte(c)) end))
end
M.pct_encode = pct_encode

-- RFC 3986 5.2.4 remove_dot_segments, plus collapsing empty segments
-- ("//"), keeping a leading "/" and a trailing "/" when the input has them
-- (the same normalisation botocore applies before signing).
local function normalize_path(path)
  if path == "" then return "/" end
  local segments = {}
  for seg in path:gmatch("[^/]+") do
    if seg == ".." then
      segments[#segments] = nil
    elseif seg ~= "." then
      segments[#segments + 1] = seg
    end
  end
  local first = path:sub(1, 1) == "/" and "/" or ""
  local last = (path:sub(-1) == "/" and #segments > 0) and "/" or ""
  return first .. concat(segments, "/") .. last
end
M.normalize_path = normalize_path

function M.canonical_uri(raw_path)
  return pct_encode(normalize_path(raw_path), true)
end

function M.canonical_query(raw_query)
  if raw_query == nil or raw_query == "" then return "" end
  local pairs_ = {}
  for part in raw_query:gmatch("[^&]+") do
    local k, v = part:match("^([^=]*)=(.*)$")
    if not k then k, v = part, "" end
    -- "+" is kept literal: SigV4 query values are RFC 3986, not forms.
    pairs_[#pairs_ + 1] = { pct_encode(pct_decode(k)), pct_encode(pct_decode(v)) }
  end
  sort(pairs_, function(a, b)
    if a[1] ~= b[1] then return a[1] < b[1] end
    return a[2] < b[2]
  end)
  local out = {}
  for i, p in ipairs(pairs_) do out[i] = p[1] .. "=" .. p[2] end
  return concat(out, "&")
end

local function trim_value(v)
  v = v:gsub("^%s+", ""):gsub("%s+$", "")
  return (v:gsub("%s+", " "))
end

-- headers: lower-cased name -> string or array of strings (ngx style).
local function header_value(headers, name)
  local v = headers[name]
  if v == nil then return "" end
  if type(v) == "table" then
    local parts = {}
    for i, x in ipairs(v) do parts[i] = trim_value(x) end
    return concat(parts, ",")
  end
  return trim_value(v)
end

function M.canonical_request(r, signed_headers)
  local lines = {}
  for i, name in ipairs(signed_headers) do
    lines[i] = name .. ":" .. header_value(r.headers, name) .. "\n"
  end
  return concat({
    r.method,
    M.canonical_uri(r.path),
    M.canonical_query(r.query),
    concat(lines),
    concat(signed_headers, ";"),
    r.body and r.body ~= "" and crypto.sha256_hex(r.body) or EMPTY_SHA256,
  }, "\n")
end

function M.signing_key(secret, date, region, service)
  local k = crypto.hmac_sha256("AWS4" .. secret, date)
  k = crypto.hmac_sha256(k, region)
  k = crypto.hmac_sha256(k, service)
  return crypto.hmac_sha256(k, "aws4_request")
end

---------------------------------------------------------------------------
-- Time helpers (UTC, no dependence on the process time zone)
---------------------------------------------------------------------------

-- Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's method).
local function days_from_civil(y, m, d)
  y = (m <= 2) and (y - 1) or y
  local era = floor((y >= 0 and y or y - 399) / 400)
  local yoe = y - era * 400
  local mp = (m + 9) % 12
  local doy = floor((153 * mp + 2) / 5) + d - 1
  local doe = yoe * 365 + floor(yoe / 4) - floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
end

-- "20150830T123600Z" -> epoch seconds, or nil.
function M.parse_amz_date(s)
  if type(s) ~= "string" then return nil end
  local y, mo, d, h, mi, se = s:match("^(%d%d%d%d)(%d%d)(%d%d)T(%d%d)(%d%d)(%d%d)Z$")
  if not y then return nil end
  y, mo, d, h, mi, se = tonumber(y), tonumber(mo), tonumber(d),
                        tonumber(h), tonumber(mi), tonumber(se)
  if mo < 1 or mo > 12 or d < 1 or d > 31 or h > 23 or mi > 59 or se > 60 then
    return nil
  end
  return days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se
end

local MONTHS = { Jan = 1, Feb = 2, Mar = 3, Apr = 4, May = 5, Jun = 6,
                 Jul = 7, Aug = 8, Sep = 9, Oct = 10, Nov = 11, Dec = 12 }

local UTC_ZONES = { GMT = true, UTC = true, ["+0000"] = true, ["-0000"] = true }

-- "Sun, 30 Aug 2015 12:36:00 GMT" (RFC 7231; botocore writes "-0000")
-- -> epoch, or nil.
function M.parse_http_date(s)
  if type(s) ~= "string" then return nil end
  local d, mon, y, h, mi, se, zone = s:match(
    "^%a%a%a, (%d%d?) (%a%a%a) (%d%d%d%d) (%d%d):(%d%d):(%d%d) (%S+)$")
  local mo = MONTHS[mon or ""]
  if not mo or not UTC_ZONES[zone] then return nil end
  return days_from_civil(tonumber(y), mo, tonumber(d)) * 86400
    + tonumber(h) * 3600 + tonumber(mi) * 60 + tonumber(se)
end

function M.format_amz_date(t)
  return os.date("!%Y%m%dT%H%M%SZ", t)
end

---------------------------------------------------------------------------
-- Authorization header parsing
---------------------------------------------------------------------------

-- Returns { algorithm=, credential=, signed_headers=, signature= } (any
-- part may be missing) or nil when the header is absent.
function M.parse_authorization(value)
  if type(value) == "table" then value = value[1] end
  if value == nil then return nil end
  local algorithm, rest = value:match("^%s*(%S+)%s*(.*)$")
  local out = { algorithm = algorithm or "" }
  for item in (rest or ""):gmatch("[^,]+") do
    local k, v = item:match("^%s*([%w%-]+)%s*=%s*(.-)%s*$")
    if k == "Credential" then out.credential = v
    elseif k == "SignedHeaders" then out.signed_headers = v
    elseif k == "Signature" then out.signature = v
    end
  end
  return out
end

---------------------------------------------------------------------------
-- Verification
---------------------------------------------------------------------------

-- A failure: HTTP status, AWS error code, message, and a short reason for
-- the request log.
local function fail(code, message, reason)
  return { ok = false, status = 403, code = code, message = message, reason = reason }
end

local MISMATCH = "The request signature we calculated does not match the signature you "
  .. "provided. Check your AWS Secret Access Key and signing method. Consult the "
  .. "service documentation for details."

-- r: { method, path (raw), query (raw, no "?"), headers (lower-cased names),
--      body }
-- opts: { region = seed region, now = epoch seconds,
--         credential = function(access_key_id) -> { secret_access_key,
--                                                    session_token|nil } }
-- Returns { ok = true, access_key_id = } or a failure table.
function M.verify(r, opts)
  local auth_value = r.headers["authorization"]
  local auth = M.parse_authorization(auth_value)
  if not auth then
    return fail("MissingAuthenticationTokenException", "Missing Authentication Token",
                "missing Authorization header")
  end
  if type(auth_value) == "table" then auth_value = auth_value[1] end

  if auth.algorithm ~= M.ALGORITHM then
    return fail("IncompleteSignatureException",
      "Unsupported AWS 'algorithm': '" .. auth.algorithm .. "'",
      "unsupported algorithm")
  end
  local missing = {}
  for _, part in ipairs({ "Credential", "Signature", "SignedHeaders" }) do
    local key = part == "SignedHeaders" and "signed_headers" or part:lower()
    if not auth[key] or auth[key] == "" then
      missing[#missing + 1] = "Authorization header requires '" .. part .. "' parameter."
    end
  end
  -- The request time: X-Amz-Date, else an HTTP Date header (SigV4 allows
  -- either; the string to sign always uses the ISO-8601 basic form).
  local date_header = "x-amz-date"
  local amz_date = r.headers["x-amz-date"]
  if type(amz_date) == "table" then amz_date = amz_date[1] end
  if not amz_date and r.headers["date"] then
    date_header = "date"
    local http_date = r.headers["date"]
    if type(http_date) == "table" then http_date = http_date[1] end
    local t = M.parse_http_date(http_date)
    amz_date = t and M.format_amz_date(t) or http_date
  end
  if not amz_date then
    missing[#missing + 1] = "Authorization header requires existence of either a "
      .. "'X-Amz-Date' or a 'Date' header."
  end
  if #missing > 0 then
    return fail("IncompleteSignatureException",
      concat(missing, " ") .. " Authorization=" .. auth_value:gsub("Signature=%x+", "Signature=..."),
      "incomplete Authorization header")
  end

  local request_time = M.parse_amz_date(amz_date)
  if not request_time then
    return fail("IncompleteSignatureException",
      "Date must be in ISO-8601 'basic format'. Got '" .. amz_date
        .. "'. See http://en.wikipedia.org/wiki/ISO_8601",
      "malformed X-Amz-Date")
  end

  local scope = {}
  for part in (auth.credential .. "/"):gmatch("([^/]*)/") do scope[#scope + 1] = part end
  if #scope ~= 5 then
    return fail("IncompleteSignatureException",
      "Credential must have exactly 5 slash-delimited elements, e.g. "
        .. "keyid/date/region/service/term, got '" .. auth.credential .. "'",
      "malformed Credential")
  end
  local akid, scope_date, scope_region, scope_service, terminator =
    scope[1], scope[2], scope[3], scope[4], scope[5]

  local cred = opts.credential(akid)
  if not cred then
    return fail("UnrecognizedClientException",
      "The security token included in the request is invalid.", "unknown access key")
  end

  -- Temporary credentials: the token must be present, equal, and signed.
  local token = r.headers["x-amz-security-token"]
  if type(token) == "table" then token = token[1] end
  local signed = {}
  local signed_list = {}
  for name in auth.signed_headers:gmatch("[^;]+") do
    signed_list[#signed_list + 1] = name
    signed[name] = true
  end
  if cred.session_token then
    if token ~= cred.session_token then
      return fail("UnrecognizedClientException",
        "The security token included in the request is invalid.",
        token and "wrong session token" or "missing session token")
    end
    if not signed["x-amz-security-token"] then
      return fail("InvalidSignatureException",
        "'X-Amz-Security-Token' must be a 'SignedHeader' in the AWS Authorization.",
        "session token not signed")
    end
  elseif token then
    return fail("UnrecognizedClientException",
      "The security token included in the request is invalid.",
      "session token sent with long-term credentials")
  end

  -- Clock skew, with AWS's wording.
  local now = opts.now
  if request_time < now - M.MAX_SKEW then
    return fail("InvalidSignatureException",
      "Signature expired: " .. amz_date .. " is now earlier than "
        .. M.format_amz_date(now - M.MAX_SKEW) .. " (" .. M.format_amz_date(now)
        .. " - 15 min.)",
      "signature expired")
  elseif request_time > now + M.MAX_SKEW then
    return fail("InvalidSignatureException",
      "Signature not yet current: " .. amz_date .. " is still later than "
        .. M.format_amz_date(now + M.MAX_SKEW) .. " (" .. M.format_amz_date(now)
        .. " + 15 min.)",
      "signature not yet current")
  end

  -- Credential scope.
  if scope_date ~= amz_date:sub(1, 8) then
    return fail("InvalidSignatureException",
      "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
        .. "from HTTP: '" .. scope_date .. "' != '" .. amz_date:sub(1, 8) .. "', from '"
        .. amz_date .. "'.",
      "scope date mismatch")
  end
  if scope_region ~= opts.region then
    return fail("InvalidSignatureException",
      "Credential should be scoped to a valid region, not '" .. scope_region .. "'. ",
      "scope region mismatch")
  end
  if scope_service ~= M.SERVICE then
    return fail("InvalidSignatureException",
      "Credential should be scoped to correct service: '" .. M.SERVICE .. "'. ",
      "scope service mismatch")
  end
  if terminator ~= "aws4_request" then
    return fail("InvalidSignatureException",
      "Credential should be scoped with a valid terminator: 'aws4_request', not '"
        .. terminator .. "'. ",
      "scope terminator mismatch")
  end
  if not signed["host"] then
    return fail("InvalidSignatureException",
      "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
      "host not signed")
  end
  if not signed[date_header] then
    local shown = date_header == "date" and "Date" or "X-Amz-Date"
    return fail("InvalidSignatureException",
      "'" .. shown .. "' must be a 'SignedHeader' in the AWS Authorization.",
      date_header .. " not signed")
  end

  local canonical = M.canonical_request(r, signed_list)
  local credential_scope = concat({ scope_date, scope_region, scope_service, terminator }, "/")
  local string_to_sign = concat({
    M.ALGORITHM, amz_date, credential_scope, crypto.sha256_hex(canonical),
  }, "\n")
  local key = M.signing_key(cred.secret_access_key, scope_date, scope_region, scope_service)
  local expected = crypto.hex(crypto.hmac_sha256(key, string_to_sign))
  if expected ~= auth.signature:lower() then
    return fail("InvalidSignatureException",
      MISMATCH .. "\n\nThe Canonical String for this request should have been\n'"
        .. canonical .. "'\n\nThe String-to-Sign should have been\n'"
        .. string_to_sign .. "'\n",
      "signature mismatch")
  end
  return { ok = true, access_key_id = akid }
end

return M
