--- Error values for aws.lambda: every error the module raises is made here.
--
-- An error is a plain table sharing one metatable (with `__tostring`), so
-- `error(err)` raises it, `pcall` hands the table back, and an uncaught error
-- prints readably.  Classes mirror botocore's exception tree:
--
--     Error
--     ├── ClientError                    (the service answered with an error)
--     │   └── ServiceException, ResourceNotFoundException, ... (modeled codes)
--     ├── ParamValidationError, NoCredentialsError, PartialCredentialsError,
--     │   NoRegionError, InvalidRegionError, InvalidConfigError,
--     │   CredentialRetrievalError
--     └── HTTPClientError                (no usable response)
--         ├── EndpointConnectionError
--         │   └── ConnectTimeoutError
--         ├── ReadTimeoutError, ConnectionClosedError, SSLError
--         └── ResponseTooLargeError
--
-- Error fields never hold credentials: credential-like fields are dropped,
-- Authorization/X-Amz-Security-Token headers are removed, and security tokens
-- echoed inside service messages are redacted.
-- @module aws.lambda.errors

local format, lower, upper, gsub, find, match =
      string.format, string.lower, string.upper, string.gsub, string.find, string.match
local concat = table.concat
local setmetatable, getmetatable, type, pairs, tostring, tonumber, error, rawget =
      setmetatable, getmetatable, type, pairs, tostring, tonumber, error, rawget

local errors = {}

---------------------------------------------------------------------------
-- Classes

local Class = {}
Class.__index = Class
Class.__tostring = function(c) return "aws.lambda.exceptions." .. c.name end

local exceptions = {}
errors.exceptions = exceptions

-- ERROR_MT is defined below; match() only needs it at call time.
local ERROR_MT

local function define(name, parent, category, abstract)
  local is = { [name] = true }
  if parent then
    for k in pairs(parent.is_a) do is[k] = true end
  end
  local cls = setmetatable({
    name = name,
    parent = parent,
    category = category or (parent and parent.category),
    abstract = abstract or false,
    is_a = is,                  -- set of this class's and its ancestors' names
  }, Class)
  exceptions[name] = cls
  return cls
end

--- True when `err` is an error of this class or of a subclass.
-- @param err any value
-- @treturn boolean
function Class:match(err)
  if type(err) ~= "table" or getmetatable(err) ~= ERROR_MT then return false end
  local cls = exceptions[rawget(err, "class")]
  return cls ~= nil and cls.is_a[self.name] == true
end

--- Make an error of this class (same as `errors.new(cls.name, fields)`).
function Class:new(fields)
  return errors.new(self.name, fields)
end

local Error = define("Error", nil, "client", true)
local ClientError = define("ClientError", Error, "service")

-- The service's modeled error shapes used by the permission operations.
local MODELED = {
  "ServiceException", "ResourceNotFoundException", "InvalidParameterValueException",
  "TooManyRequestsException", "PreconditionFailedException", "PublicPolicyException",
  "ResourceConflictException", "PolicyLengthExceededException",
}
for i = 1, #MODELED do define(MODELED[i], ClientError) end

define("ParamValidationError", Error, "client")
define("NoCredentialsError", Error, "client")
define("PartialCredentialsError", Error, "client")
define("NoRegionError", Error, "client")
define("InvalidRegionError", Error, "client")
define("InvalidConfigError", Error, "client")
define("CredentialRetrievalError", Error, "client")
local HTTPClientError = define("HTTPClientError", Error, "network")
local EndpointConnectionError = define("EndpointConnectionError", HTTPClientError)
define("ConnectTimeoutError", EndpointConnectionError)
define("ReadTimeoutError", HTTPClientError)
define("ConnectionClosedError", HTTPClientError)
define("SSLError", HTTPClientError)
define("ResponseTooLargeError", HTTPClientError)

---------------------------------------------------------------------------
-- Retry classification (botocore standard mode, lambda-api.md §3.2)

--- Codes retried as throttling.  Matched on the error code only.
errors.THROTTLING_CODES = {
  Throttling = true, ThrottlingException = true, ThrottledException = true,
  RequestThrottledException = true, TooManyRequestsException = true,
  ProvisionedThroughputExceededException = true, TransactionInProgressException = true,
  RequestLimitExceeded = true, BandwidthLimitExceeded = true,
  LimitExceededException = true, RequestThrottled = true, SlowDown = true,
  PriorRequestNotComplete = true, EC2ThrottledException = true,
}
--- Codes retried as transient.
errors.TRANSIENT_CODES = {
  RequestTimeout = true, RequestTimeoutException = true, PriorRequestNotComplete = true,
}
--- HTTP statuses retried as transient.
errors.TRANSIENT_STATUS = { [500] = true, [502] = true, [503] = true, [504] = true }

local THROTTLING_CODES, TRANSIENT_CODES, TRANSIENT_STATUS =
      errors.THROTTLING_CODES, errors.TRANSIENT_CODES, errors.TRANSIENT_STATUS

--- Classify a service error response.
-- Standard mode, plus one deliberate difference: any 429 counts as
-- throttling.  botocore standard mode does not retry a 429 whose body gave
-- no code (the code becomes "429"); its legacy mode and §3.5 of our
-- reference say a 429 is throttling whatever the body says, and Lambda's
-- own 429 is always throttling.
-- @tparam number status
-- @tparam string code
-- @treturn boolean retryable
-- @treturn boolean throttling
function errors.classify(status, code)
  local throttling = THROTTLING_CODES[code] == true or status == 429
  local transient = TRANSIENT_CODES[code] == true or TRANSIENT_STATUS[status] == true
  return throttling or transient, throttling
end

---------------------------------------------------------------------------
-- Scrubbing: keep credentials out of error values

-- Field names that may carry credentials (compared lower-cased, '-' as '_').
local SECRET_FIELDS = {
  authorization = true, secret_access_key = true, secret_key = true, secret = true,
  session_token = true, security_token = true, token = true, credentials = true,
  access_key_id = true, access_key = true, password = true,
}
local REDACT_HEADERS = {
  authorization = true, ["proxy-authorization"] = true, ["x-amz-security-token"] = true,
  cookie = true, ["set-cookie"] = true,
}

local function is_secret_field(k)
  return type(k) == "string" and SECRET_FIELDS[gsub(lower(k), "-", "_")] == true
end

local function scrub_headers(h)
  if type(h) ~= "table" then return nil end
  local out = {}
  for k, v in pairs(h) do
    if type(k) ~= "string" or not REDACT_HEADERS[lower(k)] then out[k] = v end
  end
  return out
end

-- "x-amz-security-token" in any letter case, as a Lua pattern.
local TOKEN_NAME = gsub("x-amz-security-token", "%a", function(c)
  return "[" .. lower(c) .. upper(c) .. "]"
end)
TOKEN_NAME = gsub(TOKEN_NAME, "%-", "%%-")

-- An InvalidSignatureException message echoes the canonical request, whose
-- headers include the session token; a presigned URL carries it as a query
-- parameter.  Redact both.
local function scrub_text(s)
  if type(s) ~= "string" then return s end
  if find(s, TOKEN_NAME) then
    s = gsub(s, "(" .. TOKEN_NAME .. "%s*[:=]%s*)[^%s&,;\"']+", "%1<redacted>")
  end
  -- an echoed Authorization header or presigned URL: its signature
  if find(s, "[Ss]ignature=%x") then
    s = gsub(s, "([Ss]ignature=)%x+", "%1<redacted>")
  end
  return s
end

-- Plain (not pattern) replacement of every occurrence of `secret` in s.
local function replace_plain(s, secret)
  local out, i, n = {}, 1, 0
  while true do
    local a, b = find(s, secret, i, true)
    if not a then break end
    n = n + 1; out[n] = s:sub(i, a - 1)
    n = n + 1; out[n] = "<redacted>"
    i = b + 1
  end
  if n == 0 then return s end
  out[n + 1] = s:sub(i)
  return concat(out)
end

--- Removes the given secret strings (the secret key, the session token,
-- the request's signature) wherever they appear in err's string fields,
-- nested tables included: a server or proxy may echo what it received.
-- Secrets shorter than 8 bytes are skipped (they would match by chance).
function errors.redact(err, secrets)
  local list = {}
  for _, v in pairs(secrets) do
    if type(v) == "string" and #v >= 8 then list[#list + 1] = v end
  end
  if #list == 0 then return err end
  local seen = {}
  local function clean(t)
    if seen[t] then return end
    seen[t] = true
    for k, v in pairs(t) do
      if type(v) == "string" then
        for _, secret in ipairs(list) do v = replace_plain(v, secret) end
        t[k] = v
      elseif type(v) == "table" then
        clean(v)
      end
    end
  end
  clean(err)
  return err
end

-- Drop user:password@ from a URL.
local function scrub_url(u)
  if type(u) ~= "string" then return u end
  return scrub_text((gsub(u, "^(%a[%w+.-]*://)[^/@]*@", "%1")))
end

local function header(headers, name)
  if type(headers) ~= "table" then return nil end
  local v = headers[name]
  if v ~= nil then return v end
  for k, val in pairs(headers) do
    if type(k) == "string" and lower(k) == name then return val end
  end
  return nil
end

---------------------------------------------------------------------------
-- Error values

local REASON_PHRASES = {
  [400] = "Bad Request", [401] = "Unauthorized", [403] = "Forbidden",
  [404] = "Not Found", [405] = "Method Not Allowed", [408] = "Request Timeout",
  [409] = "Conflict", [412] = "Precondition Failed", [413] = "Payload Too Large",
  [415] = "Unsupported Media Type", [429] = "Too Many Requests",
  [500] = "Internal Server Error", [501] = "Not Implemented", [502] = "Bad Gateway",
  [503] = "Service Unavailable", [504] = "Gateway Timeout",
}

local function num(n)
  if type(n) == "number" and n == n and n % 1 == 0 and n > -2^53 and n < 2^53 then
    return format("%d", n)
  end
  return tostring(n)
end

local function describe(err)
  local code, status = err.code, err.status
  local head
  if status ~= nil and tostring(code) == num(status) then
    head = "HTTP " .. num(status)          -- no code came back: say so once
  elseif status ~= nil then
    head = tostring(code) .. " (" .. num(status) .. ")"
  else
    head = tostring(code or err.class or "Error")
  end
  local msg = err.message
  if msg ~= nil and msg ~= "" then head = head .. ": " .. tostring(msg) end
  local extra, n = {}, 0
  if err.operation ~= nil then n = n + 1; extra[n] = tostring(err.operation) end
  if err.request_id ~= nil then n = n + 1; extra[n] = "RequestId " .. tostring(err.request_id) end
  if type(err.attempts) == "number" and err.attempts > 1 then
    n = n + 1; extra[n] = "attempts " .. num(err.attempts)
  end
  if n > 0 then head = head .. " [" .. concat(extra, ", ") .. "]" end
  return head
end

local methods = {}

--- `err:is(name)`: same as `errors.is(err, name)`.
function methods.is(err, name) return errors.is(err, name) end

ERROR_MT = {
  __name = "aws.lambda.error",
  __tostring = describe,
  __index = methods,
}
--- The metatable every error value shares.
errors.metatable = ERROR_MT

local DEFAULT_MESSAGES = {
  NoCredentialsError = "Unable to locate credentials",
  NoRegionError = "You must specify a region",
  InvalidConfigError = "Invalid configuration",
}

local function default_message(cls, e)
  local name = cls.name
  if name == "ParamValidationError" then
    if type(e.problems) == "table" and #e.problems > 0 then
      return "Parameter validation failed:\n" .. concat(e.problems, "\n")
    end
    return "Parameter validation failed"
  elseif name == "PartialCredentialsError" then
    local m = "Partial credentials found"
    if e.provider then m = m .. " in " .. tostring(e.provider) end
    if e.missing then m = m .. ", missing: " .. tostring(e.missing) end
    return m
  elseif name == "InvalidRegionError" and e.region ~= nil then
    return format("Provided region %q does not match a supported format", tostring(e.region))
  elseif cls.is_a.ClientError then
    return REASON_PHRASES[e.status] or ""
  end
  return DEFAULT_MESSAGES[name] or name
end

--- True when `v` is an error value made by this module.
function errors.is_error(v)
  return type(v) == "table" and getmetatable(v) == ERROR_MT
end

--- Make an error value.
-- @tparam string class_name one of `errors.exceptions` (not the abstract `Error`)
-- @tparam[opt] table fields copied into the error (credential-like fields are dropped)
-- @treturn table the error (raise it with `error(err)`)
function errors.new(class_name, fields)
  local cls = exceptions[class_name]
  if cls == nil or cls.abstract then
    error("aws.lambda.errors: unknown error class " .. tostring(class_name), 2)
  end
  local e = {}
  if fields ~= nil then
    if type(fields) ~= "table" then
      error("aws.lambda.errors: fields must be a table", 2)
    end
    for k, v in pairs(fields) do
      if not is_secret_field(k) then e[k] = v end
    end
  end
  e.class = class_name
  e.category = cls.category
  if e.code == nil then e.code = class_name end
  if e.headers ~= nil then e.headers = scrub_headers(e.headers) end
  if e.endpoint ~= nil then e.endpoint = scrub_url(e.endpoint) end
  if e.message == nil then e.message = default_message(cls, e) end
  e.message = scrub_text(e.message)
  if e.retryable == nil then
    if cls.is_a.ClientError then
      local status = tonumber(e.status)
      e.retryable, e.throttling = errors.classify(status, e.code)
    else
      e.retryable = false
    end
  end
  return setmetatable(e, ERROR_MT)
end

--- Raise a new error (`error(errors.new(class_name, fields), level)`).
function errors.raise(class_name, fields, level)
  error(errors.new(class_name, fields), (level or 1) + 1)
end

--- True when `err` is an error of class `name` (or a subclass).  For a name
-- that is no class (an unmodeled service code such as "ValidationException")
-- it compares the error's `code` instead.
-- @param err any value
-- @tparam string|table name a class name or class object
-- @treturn boolean
function errors.is(err, name)
  if type(err) ~= "table" or getmetatable(err) ~= ERROR_MT then return false end
  local cls = exceptions[rawget(err, "class")]
  if cls == nil then return false end
  if getmetatable(name) == Class then name = name.name end
  if exceptions[name] then return cls.is_a[name] == true end
  return rawget(err, "code") == name
end

-- Keep the shape name: "ns#Name:uri" -> "Name" (lambda-api.md §2).
local function normalize_code(code)
  if type(code) ~= "string" then return nil end
  code = match(code, "^[^:]*")
  code = match(code, "([^#]*)$")
  code = match(code, "^%s*(.-)%s*$")
  if code == "" then return nil end
  return code
end

-- Seconds from Retry-After (delta-seconds only; an HTTP-date is ignored).
local function seconds(v)
  if type(v) == "number" then
    if v >= 0 and v < math.huge then return v end
    return nil
  end
  if type(v) ~= "string" then return nil end
  local s = match(v, "^%s*(%d+%.?%d*)%s*$")
  return s and tonumber(s) or nil
end

-- A shallow copy of the caller's extra fields (nil or not a table: none),
-- so the constructors never write into the caller's table.
local function copy_fields(t)
  local out = {}
  if type(t) == "table" then
    for k, v in pairs(t) do out[k] = v end
  end
  return out
end

--- Make the error for a service error response.
-- @tparam string operation e.g. "RemovePermission"
-- @tparam number status HTTP status
-- @tparam[opt] table headers response headers (any letter case)
-- @tparam[opt] table parsed `{code=, message=, type=, reason=, request_id=, retry_after=}`
--   from the C error parser
-- @tparam[opt] table extra more fields (e.g. `attempts`, `endpoint`)
-- @treturn table the error value: the modeled class for a modeled code, else ClientError
function errors.from_response(operation, status, headers, parsed, extra)
  status = tonumber(status)
  if type(parsed) ~= "table" then parsed = {} end
  local code = normalize_code(parsed.code)
            or normalize_code(header(headers, "x-amzn-errortype"))
            or (status and num(status)) or "Unknown"
  local cls = exceptions[code]
  local class_name = (cls and cls.parent == ClientError) and code or "ClientError"
  local retryable, throttling = errors.classify(status, code)
  local fields = copy_fields(extra)
  fields.code = code
  fields.status = status
  fields.operation = operation
  local message = parsed.message
  if message == nil or message == "" then message = REASON_PHRASES[status] or "" end
  fields.message = tostring(message)
  local etype = parsed.type
  if etype == nil or etype == "" then
    etype = (status and status >= 500) and "Service" or "User"
  end
  fields.type = etype
  fields.reason = parsed.reason
  fields.request_id = parsed.request_id
                   or header(headers, "x-amzn-requestid")
                   or header(headers, "x-amz-request-id")
  fields.retry_after = seconds(parsed.retry_after) or seconds(header(headers, "retry-after"))
  fields.retryable = retryable
  fields.throttling = throttling
  fields.headers = headers
  return errors.new(class_name, fields)
end

-- transport kind -> class name
local TRANSPORT = {
  EndpointConnectionError = "EndpointConnectionError",
  ConnectTimeoutError = "ConnectTimeoutError",
  ReadTimeoutError = "ReadTimeoutError",
  ConnectionClosedError = "ConnectionClosedError",
  -- a kept-alive connection found closed when reused: the request may or
  -- may not have been read, so it is not re-sent behind the caller's back
  StaleConnectionError = "ConnectionClosedError",
  SSLError = "SSLError",
  ResponseTooLarge = "ResponseTooLargeError",
  ResponseTooLargeError = "ResponseTooLargeError",
}
-- message with an endpoint (%s), and without one
local TRANSPORT_TEXT = {
  EndpointConnectionError = { "Could not connect to the endpoint URL: %s", "Could not connect" },
  ConnectTimeoutError = { "Connect timeout on endpoint URL: %s", "Connect timeout" },
  ReadTimeoutError = { "Read timeout on endpoint URL: %s", "Read timeout" },
  ConnectionClosedError = {
    "Connection was closed before a complete response was received from endpoint URL: %s",
    "Connection was closed before a complete response was received" },
  SSLError = { "SSL/TLS failure on endpoint URL: %s", "SSL/TLS failure" },
  ResponseTooLargeError = { "Response too large from endpoint URL: %s", "Response too large" },
  HTTPClientError = { "HTTP client error on endpoint URL: %s", "HTTP client error" },
}
-- No response came back: a retry may succeed, except when TLS failed
-- (certificate problems do not heal) or the response was too large.
local TRANSPORT_RETRYABLE = {
  EndpointConnectionError = true, ConnectTimeoutError = true, ReadTimeoutError = true,
  ConnectionClosedError = true, HTTPClientError = true,
  SSLError = false, ResponseTooLargeError = false,
}

--- Make the error for a failed transfer (no HTTP response).
-- @tparam string kind "EndpointConnectionError" | "ConnectTimeoutError" |
--   "ReadTimeoutError" | "ConnectionClosedError" | "SSLError" |
--   "ResponseTooLarge"; anything else gives HTTPClientError
-- @tparam[opt] string reason the transport's text (e.g. libcurl's)
-- @tparam[opt] table fields more fields (`endpoint`, `operation`, `attempts`, ...)
-- @treturn table the error value
function errors.from_transport(kind, reason, fields)
  local class_name = TRANSPORT[kind] or "HTTPClientError"
  local f = copy_fields(fields)
  f.kind = kind
  f.reason = reason
  f.retryable = TRANSPORT_RETRYABLE[class_name]
  f.timeout = class_name == "ConnectTimeoutError" or class_name == "ReadTimeoutError"
  if f.message == nil then
    local text, endpoint = TRANSPORT_TEXT[class_name], scrub_url(f.endpoint)
    local m
    if endpoint ~= nil then
      m = format(text[1], '"' .. tostring(endpoint) .. '"')
    else
      m = text[2]
    end
    if reason ~= nil and reason ~= "" then m = m .. " (" .. tostring(reason) .. ")" end
    f.message = m
  end
  return errors.new(class_name, f)
end

-- exported for tests and for the C binding's error pushing
errors._scrub_text = scrub_text
errors._normalize_code = normalize_code
errors.REASON_PHRASES = REASON_PHRASES

return errors
