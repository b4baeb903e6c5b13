--- IAM Identity Center (SSO): the profile names an account and a role, and
-- either an [sso-session NAME] (sso_session = NAME) or the legacy keys
-- sso_start_url / sso_region.  The access token comes from the cache the
-- AWS CLI writes at `aws sso login`: ~/.aws/sso/cache/<sha1>.json, where
-- sha1 is of the session name (or of the start URL, legacy).  The role's
-- credentials come from the portal's GetRoleCredentials
-- (https://portal.sso.<sso_region>.amazonaws.com, or AWS_ENDPOINT_URL_SSO...).
-- The token is not refreshed here: when it has expired, run `aws sso login`.
-- @module aws.lambda.credentials.sso

local core = require "aws.lambda.core"
local cjson = require "cjson.safe"
local config = require "aws.lambda.config"
local util = require "aws.lambda.credentials.util"
local refreshable = require "aws.lambda.credentials.refreshable"
local profiles = require "aws.lambda.profiles"

local type, tostring, format, concat, floor = type, tostring, string.format, table.concat, math.floor
local open = io.open

local M = { name = "sso", TIMEOUT = 10 }

local function fail(msg) util.retrieval_error(M.name, msg) end

local function token(ctx, key, label)
  local dir = profiles.expand("~/.aws/sso/cache", ctx.getenv)
  if not dir then fail("no HOME to find the SSO token cache in") end
  local path = dir .. "/" .. core.sha1_hex(key) .. ".json"
  local f = open(path, "rb")
  if not f then fail(format("no cached SSO token for %s (%s): run `aws sso login`", label, path)) end
  local doc = cjson.decode(f:read("a"))
  f:close()
  if type(doc) ~= "table" or type(doc.accessToken) ~= "string" or doc.accessToken == "" then
    fail(format("the SSO token cache %s is malformed", path))
  end
  local exp = util.parse_time(doc.expiresAt)
  if not exp then fail(format("the SSO token cache %s has no valid expiresAt", path)) end
  if exp <= ctx.now() then fail(format("the SSO token for %s has expired: run `aws sso login`", label)) end
  return doc.accessToken
end

function M.load(ctx)
  local p = ctx.profile_config
  local session = profiles.value(p, "sso_session")
  local start_url, region, key, label
  if session then
    local s = ctx.files.sso_sessions[session]
    if not s then
      util.raise("InvalidConfigError", format("The profile [%s] names sso_session = %s, but there is no "
        .. "[sso-session %s] section", ctx.profile, session, session))
    end
    start_url, region = profiles.value(s, "sso_start_url"), profiles.value(s, "sso_region")
    key, label = session, "sso-session " .. session
  else
    start_url, region = profiles.value(p, "sso_start_url"), profiles.value(p, "sso_region")
    key, label = start_url, tostring(start_url)
  end
  local account, role = profiles.value(p, "sso_account_id"), profiles.value(p, "sso_role_name")
  if not (session or start_url or account or role) then return nil, "the profile has no SSO settings" end
  local missing = {}
  if not start_url then missing[#missing + 1] = "sso_start_url" end
  if not region then missing[#missing + 1] = "sso_region" end
  if not account then missing[#missing + 1] = "sso_account_id" end
  if not role then missing[#missing + 1] = "sso_role_name" end
  if #missing > 0 then
    util.raise("InvalidConfigError", format("The profile [%s] is configured for SSO but is missing: %s",
      ctx.profile, concat(missing, ", ")))
  end
  local function fetch()
    local t = token(ctx, key, label)
    local ep = config.service_endpoint(ctx.c, "SSO", "portal.sso", region)
    local url = format("%s/federation/credentials?role_name=%s&account_id=%s", ep.base,
      util.form_encode(role), util.form_encode(account))
    local status, _, body = util.http("GET", url, { ["x-amz-sso_bearer_token"] = t }, nil, M.TIMEOUT)
    if not status then fail(format("GetRoleCredentials at %s failed: %s", ep.url, tostring(_))) end
    local doc = cjson.decode(body)
    if status ~= 200 then
      local msg = type(doc) == "table" and (doc.message or doc.Message) or nil
      fail(format("GetRoleCredentials answered HTTP %d%s", status,
        type(msg) == "string" and ": " .. util.excerpt(msg, 200) or ""))
    end
    local rc = type(doc) == "table" and doc.roleCredentials
    if type(rc) ~= "table" or type(rc.expiration) ~= "number" then
      fail("GetRoleCredentials answered without roleCredentials")
    end
    return util.snapshot(M.name, rc.accessKeyId, rc.secretAccessKey, rc.sessionToken, floor(rc.expiration / 1000))
  end
  return refreshable.new(M.name, fetch, ctx.now, fetch())
end

return M
