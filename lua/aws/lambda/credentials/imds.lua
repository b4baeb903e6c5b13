--- EC2 instance metadata (IMDS), last in the chain.
--
-- IMDSv2: PUT latest/api/token (TTL 21600 s), then GET the role name and
-- its credentials with the token.  A 403/404/405 or a read timeout on the
-- PUT falls back to IMDSv1 unless AWS_EC2_METADATA_V1_DISABLED /
-- ec2_metadata_v1_disabled; a 400 means no credentials.  Timeout 1 s and 1
-- attempt by default (AWS_METADATA_SERVICE_TIMEOUT / _NUM_ATTEMPTS, or the
-- profile's metadata_service_timeout / metadata_service_num_attempts).
-- Off with AWS_EC2_METADATA_DISABLED=true.  Endpoint:
-- AWS_EC2_METADATA_SERVICE_ENDPOINT / ec2_metadata_service_endpoint, else
-- http://169.254.169.254/ or, in ipv6 mode (AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE
-- / ec2_metadata_service_endpoint_mode), http://[fd00:ec2::254]/.
--
-- An unreachable endpoint is remembered (process-wide, per endpoint) for
-- FAILURE_MEMORY seconds of the monotonic clock, so a client outside EC2
-- does not wait for the probe again on every call.  Credentials whose
-- Expiration is near are stretched (botocore's static stability).
-- @module aws.lambda.credentials.imds

local core = require "aws.lambda.core"
local cjson = require "cjson.safe"
local util = require "aws.lambda.credentials.util"
local refreshable = require "aws.lambda.credentials.refreshable"
local profiles = require "aws.lambda.profiles"

local type, tostring, tonumber, format, match, lower = type, tostring, tonumber, string.format,
  string.match, string.lower
local random = math.random

local M = { name = "imds", FAILURE_MEMORY = 60, TOKEN_TTL = 21600 }

-- endpoint -> monotonic time until which it counts as unreachable
local unreachable = {}

--- Forget remembered failures (tests).
function M.reset() unreachable = {} end

local function setting(ctx, env, key)
  local v = util.nonempty(ctx.getenv(env))
  if v then return v, env end
  return profiles.value(ctx.profile_config, key), key
end

local function truthy(v) return v ~= nil and lower(v) == "true" end

local function options(ctx)
  local o = {}
  local ep = setting(ctx, "AWS_EC2_METADATA_SERVICE_ENDPOINT", "ec2_metadata_service_endpoint")
  local mode, from = setting(ctx, "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "ec2_metadata_service_endpoint_mode")
  if mode and lower(mode) ~= "ipv4" and lower(mode) ~= "ipv6" then
    util.raise("InvalidConfigError", format("%s must be ipv4 or ipv6, got %q", from, mode))
  end
  if ep then
    if not match(ep, "^https?://") then
      util.raise("InvalidConfigError", "the instance metadata endpoint must be an http(s) URL")
    end
    if not match(ep, "/$") then ep = ep .. "/" end
    o.base = ep
  elseif (mode and lower(mode) == "ipv6") or truthy(setting(ctx, "AWS_IMDS_USE_IPV6", "imds_use_ipv6")) then
    o.base = "http://[fd00:ec2::254]/"
  else
    o.base = "http://169.254.169.254/"
  end
  local t, tfrom = setting(ctx, "AWS_METADATA_SERVICE_TIMEOUT", "metadata_service_timeout")
  o.timeout = tonumber(t or 1)
  if not o.timeout or o.timeout <= 0 then
    util.raise("InvalidConfigError", tfrom .. " must be a positive number of seconds")
  end
  local a, afrom = setting(ctx, "AWS_METADATA_SERVICE_NUM_ATTEMPTS", "metadata_service_num_attempts")
  o.attempts = tonumber(a or 1)
  if not o.attempts or o.attempts < 1 or o.attempts % 1 ~= 0 then
    util.raise("InvalidConfigError", afrom .. " must be a whole number >= 1")
  end
  o.v1_disabled = truthy(setting(ctx, "AWS_EC2_METADATA_V1_DISABLED", "ec2_metadata_v1_disabled"))
  return o
end

local CONNECT_FAILURES = { EndpointConnectionError = true, ConnectTimeoutError = true }

-- One step, retried within the attempts on errors, non-200 and empty bodies.
-- Returns status, body | nil, kind, reason (the last failure).
local function get(o, method, path, headers)
  local status, kind, body, reason
  for _ = 1, o.attempts do
    status, kind, body = util.http(method, o.base .. path, headers, nil, o.timeout)
    if status == 200 and body ~= "" then return status, body end
    if status then
      reason = format("HTTP %d", status)
      if status == 400 or status == 403 or status == 404 or status == 405 then return status, body end
    else
      reason = kind
      if CONNECT_FAILURES[kind] then return nil, kind, body end
    end
  end
  return status, body, reason
end

-- nil, why: no credentials; raises nothing (IMDS failures are "not found").
local function fetch(ctx, o)
  local hdr = {}
  local status, body = get(o, "PUT", "latest/api/token",
    { ["x-aws-ec2-metadata-token-ttl-seconds"] = tostring(M.TOKEN_TTL) })
  if status == 200 then
    hdr["x-aws-ec2-metadata-token"] = body
  elseif status == nil and CONNECT_FAILURES[body] then
    return nil, format("no instance metadata service at %s (%s)", o.base, body), true
  elseif status == 400 then
    return nil, "the instance metadata service refused the token request (400)"
  elseif o.v1_disabled then
    return nil, "no IMDSv2 token and IMDSv1 is disabled"
  end
  local role_status, role = get(o, "GET", "latest/meta-data/iam/security-credentials/", hdr)
  if role_status ~= 200 then
    if role_status == nil and CONNECT_FAILURES[role] then
      return nil, format("no instance metadata service at %s (%s)", o.base, role), true
    end
    return nil, "the instance has no IAM role (" .. tostring(role_status or role) .. ")"
  end
  role = match(role, "^%s*([^\r\n]-)%s*$") or match(role, "^%s*([^\r\n]+)")
  if not role or role == "" or match(role, "[/%s]") then return nil, "the instance has no IAM role" end
  local st, text = get(o, "GET", "latest/meta-data/iam/security-credentials/" .. role, hdr)
  if st ~= 200 then return nil, "no credentials for the instance role (" .. tostring(st or text) .. ")" end
  local doc = cjson.decode(text)
  if type(doc) ~= "table" or type(doc.AccessKeyId) ~= "string" or type(doc.SecretAccessKey) ~= "string"
     or type(doc.Token) ~= "string" or type(doc.Expiration) ~= "string" then
    return nil, "the instance metadata service answered without usable credentials"
  end
  local expires = util.parse_time(doc.Expiration)
  if not expires then return nil, "the instance credentials have a malformed Expiration" end
  -- static stability: credentials that are (nearly) stale are used a while longer
  local now = ctx.now()
  local stretch = refreshable.ADVISORY + random(120, 600)
  if expires - now < stretch then expires = now + stretch end
  local ok, snap = pcall(util.snapshot, M.name, doc.AccessKeyId, doc.SecretAccessKey, doc.Token, expires)
  if not ok then return nil, "the instance credentials are malformed" end
  return snap
end

function M.load(ctx)
  if truthy(ctx.getenv("AWS_EC2_METADATA_DISABLED")) then
    return nil, "disabled by AWS_EC2_METADATA_DISABLED"
  end
  local o = options(ctx)
  local clock = ctx.clock or core.monotonic
  local until_t = unreachable[o.base]
  if until_t and clock() < until_t then
    return nil, format("no instance metadata service at %s (remembered for %d s)", o.base, M.FAILURE_MEMORY)
  end
  local snap, why, down = fetch(ctx, o)
  if not snap then
    if down then unreachable[o.base] = clock() + M.FAILURE_MEMORY end
    return nil, why
  end
  unreachable[o.base] = nil
  return refreshable.new(M.name, function()
    local s, w = fetch(ctx, o)
    if not s then util.retrieval_error(M.name, w) end
    return s
  end, ctx.now, snap)
end

return M
