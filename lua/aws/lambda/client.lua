--- The client: validate -> build -> sign -> send -> parse, with retries.
--
-- Signing and request building are separate from sending
-- (`client:build_request`), so another transport (OpenResty cosockets,
-- curl multi) can reuse them.
-- @module aws.lambda.client

local core = require "aws.lambda.core"
local sigv4 = require "aws.lambda.sigv4"
local operations = require "aws.lambda.operations"
local validate = require "aws.lambda.validate"
local errors = require "aws.lambda.errors"
local config = require "aws.lambda.config"
local chain = require "aws.lambda.credentials.chain"
local retry = require "aws.lambda.retry"
local log = require "aws.lambda.log"
local cjson = require "cjson.safe"

local type, ipairs, tostring, setmetatable, error =
      type, ipairs, tostring, setmetatable, error
local format = string.format
local sign_headers = sigv4.sign_headers

local VERSION = "0.1.0"
local USER_AGENT = format("lua-aws-lambda/%s %s", VERSION, (_VERSION:gsub(" ", "/")))

local Client = {}
Client.__index = Client

local function raise(err) error(err, 0) end

--- Lazily resolved pieces: nothing touches the network at `new`.
-- The credential source is found once (the provider chain); each request
-- then gets one frozen snapshot { access_key_id, secret_access_key,
-- session_token }, refreshed first when it is about to expire.
function Client:_credentials()
  local src = self._creds
  if not src then
    src = chain.resolve(self.config, self.sleep, self.clock)
    self._creds = src
  end
  return src:get()
end

function Client:_transport()
  local h = self._http
  if not h then
    h = core.http_new(self.http_options)
    self._http = h
  end
  return h
end

--- Validate and build an operation's request, signed, without sending it.
-- @treturn table `{ method=, url=, headers=, body= }` ready for any HTTP client
function Client:build_request(op, params, time)
  local req, o = self:_build(op, params, time)
  return req, o
end

-- build_request, also returning the credentials snapshot it signed with
-- (kept private: the caller redacts echoed secrets with it).
function Client:_build(op, params, time)
  op = operations.get(op) or raise(errors.new("InvalidConfigError", {
    message = "unknown operation " .. tostring(op) }))
  local problems = validate.check(op, params, self.validation)
  if problems then
    raise(errors.new("ParamValidationError", { problems = problems, operation = op.name }))
  end
  local built = operations.build(op, params)
  local url = self.endpoint.base .. built.path
  if built.query ~= "" then url = url .. "?" .. built.query end
  -- built becomes the request: { method=, url=, headers=, body= } (+ path, query, operation)
  built.url = url
  local creds = self:_credentials()
  local so = self._sign_opts -- reused: sign reads it and keeps nothing
  so.time = time or self:_signing_time()
  built.headers = sign_headers(built, creds, so)
  return built, op, creds
end

-- Whole seconds, corrected by the clock offset learnt from the server.
function Client:_signing_time()
  return math.floor(core.time() + (self.clock_offset or 0))
end

-- Outputs whose members are JSON documents inside JSON get a decoded twin.
local DECODED = { GetPolicy = { "Policy", "policy" }, AddPermission = { "Statement", "statement" } }

local function decode_output(op, body)
  local out = {}
  if #op.output == 0 or body == nil or body == "" then return out end
  local doc = cjson.decode(body)
  if type(doc) ~= "table" then return nil end
  for _, name in ipairs(op.output) do
    local v = doc[name]
    if v ~= cjson.null then out[name] = v end
  end
  local twin = DECODED[op.name]
  if twin and type(out[twin[1]]) == "string" then out[twin[2]] = cjson.decode(out[twin[1]]) end
  return out
end

-- "attempt=1; max=3", made once per (attempt, max)
local sdk_requests = {}
local function sdk_request(attempt, max)
  local by_max = sdk_requests[max]
  if not by_max then by_max = {}; sdk_requests[max] = by_max end
  local v = by_max[attempt]
  if not v then v = format("attempt=%d; max=%d", attempt, max); by_max[attempt] = v end
  return v
end

local function response_meta(status, rh, attempt)
  return { status = status, attempts = attempt, request_id = rh["x-amzn-requestid"], headers = rh }
end

--- Runs one operation: the output table (nil for RemovePermission) and
-- meta `{ status, attempts, request_id, headers }`, or raises an error table.
-- call_opts: `timeout` (seconds, this call), `missing_ok` (RemovePermission:
-- a ResourceNotFoundException counts as success; meta.missing = true).
function Client:call(op, params, call_opts)
  local req, creds
  req, op, creds = self:_build(op, params)
  local http = self:_transport()
  local state = retry.start(self, call_opts)
  while true do
    local attempt = state.attempt
    local headers = req.headers
    headers["User-Agent"] = USER_AGENT
    headers["amz-sdk-invocation-id"] = state.invocation_id
    headers["amz-sdk-request"] = sdk_request(attempt, state.max_attempts)
    local logger, started = self.logger, nil
    if logger then
      started = self.clock()
      logger { event = "request", operation = op.name, attempt = attempt, method = req.method, url = req.url,
               headers = log.redact_headers(headers), body_bytes = req.body and #req.body or 0 }
    end
    local status, rh, body = http:request(req.method, req.url, headers, req.body, state:request_options())
    if logger then
      logger { event = "response", operation = op.name, attempt = attempt, status = status,
               error = not status and rh or nil, request_id = status and rh["x-amzn-requestid"] or nil,
               elapsed = self.clock() - started }
    end
    local err
    if not status then
      err = errors.from_transport(rh, body, {
        operation = op.name, endpoint = self.endpoint.url, attempts = attempt })
    elseif status >= 200 and status < 300 then
      state:success()
      local meta = response_meta(status, rh, attempt)
      if #op.output == 0 then return nil, meta end -- nothing to decode (a 204)
      local out = decode_output(op, body)
      if not out then
        raise(errors.new("ClientError", { code = "ResponseParseError", status = status,
          operation = op.name, request_id = meta.request_id, attempts = attempt,
          message = "the service answered " .. status .. " with a body that is not valid JSON" }))
      end
      return out, meta
    else
      err = errors.from_response(op.name, status, rh, core.parse_error(status, rh, body),
        { attempts = attempt, endpoint = self.endpoint.url })
      -- a server or proxy may echo what it received: never let it through
      errors.redact(err, { creds.secret_access_key, creds.session_token,
                           (headers.Authorization or ""):match("Signature=(%x+)") })
      if call_opts and call_opts.missing_ok and err.code == "ResourceNotFoundException" then
        local meta = response_meta(status, rh, attempt)
        meta.missing = true
        meta.message = err.message
        return nil, meta
      end
    end
    local delay = state:next_delay(err)
    if not delay then raise(state:final(err)) end
    if self.logger then
      self.logger { event = "retry", operation = op.name, attempt = attempt, next_attempt = state.attempt,
                    delay = delay, code = err.code, status = err.status }
    end
    if delay > 0 then self.sleep(delay) end
    -- every attempt is signed afresh (new time, maybe a corrected clock)
    req, op, creds = self:_build(op, params)
  end
end

function Client:close()
  local h = self._http
  self._http = nil
  if h then h:close() end
end

--- What this client uses and where each piece came from; never a secret.
-- Resolves the credentials if no call has yet (it may run a
-- credential_process or ask the instance metadata service).
-- credentials.provider is nil (and credentials.error says why) when no
-- provider yielded.
function Client:describe()
  local creds = {}
  local ok, src = pcall(function()
    self:_credentials()
    return self._creds
  end)
  if ok then
    local snap = src.snapshot
    creds.provider, creds.access_key_id, creds.expires = src.provider, snap.access_key_id, snap.expires
    creds.skipped = {}
    for i, s in ipairs(src.skipped or {}) do creds.skipped[i] = { provider = s.provider, reason = s.reason } end
  else
    creds.error = tostring(src)
    creds.skipped = type(src) == "table" and src.skipped or {}
  end
  return {
    region = self.region, region_source = self.region_source,
    endpoint = self.endpoint.url, endpoint_source = self.endpoint.source,
    credentials = creds,
  }
end

-- client:remove_permission(params) etc., from the operation list
for _, op in ipairs(operations.list) do
  Client[op.snake] = function(self, params, call_opts)
    return self:call(op, params, call_opts)
  end
end

local M = { VERSION = VERSION, USER_AGENT = USER_AGENT }

--- Creates a client.  Raises InvalidConfigError on a bad option,
-- NoRegionError / InvalidRegionError when the region is missing or invalid.
function M.new(cfg)
  local c = config.resolve(cfg)
  local self = setmetatable({}, Client)
  self.config = c
  self.region, self.region_source = c.region, c.region_source
  self._sign_opts = { region = c.region, service = "lambda" }
  self.endpoint = c.endpoint
  self.validation = { param_validation = c.param_validation }
  self.http_options = {
    connect_timeout = c.connect_timeout, read_timeout = c.read_timeout,
    ca_bundle = c.ca_bundle, verify = c.verify, max_response = c.max_response,
  }
  self._http = c.transport -- injected transports (tests, other event loops)
  self.logger = c.logger
  if not self.logger and config.getenv("AWS_LAMBDA_LUA_DEBUG") == "1" then self.logger = log.stderr end
  self.sleep = c.sleep or core.sleep
  self.clock = c.clock or core.monotonic
  self.random = c.random or math.random
  self.retry = retry.new_policy(c)
  return self
end

M.Client = Client
return M
