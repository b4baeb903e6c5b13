--- Web identity: a token file and a role (AWS_WEB_IDENTITY_TOKEN_FILE +
-- AWS_ROLE_ARN [+ AWS_ROLE_SESSION_NAME], each variable ahead of the
-- profile's web_identity_token_file / role_arn / role_session_name), traded
-- with STS AssumeRoleWithWebIdentity (unsigned).  The token file is re-read
-- on every refresh (EKS rotates it).
-- @module aws.lambda.credentials.web_identity

local util = require "aws.lambda.credentials.util"
local refreshable = require "aws.lambda.credentials.refreshable"
local sts = require "aws.lambda.credentials.sts"
local profiles = require "aws.lambda.profiles"

local open, floor = io.open, math.floor

local M = { name = "web-identity" }

local ENV = { web_identity_token_file = "AWS_WEB_IDENTITY_TOKEN_FILE", role_arn = "AWS_ROLE_ARN",
              role_session_name = "AWS_ROLE_SESSION_NAME" }

local function setting(ctx, key)
  if not ctx.skip_env_vars then
    local v = util.nonempty(ctx.getenv(ENV[key]))
    if v then return v end
  end
  return profiles.value(ctx.profile_config, key)
end

function M.load(ctx)
  local file = setting(ctx, "web_identity_token_file")
  if not file then return nil, "neither AWS_WEB_IDENTITY_TOKEN_FILE nor web_identity_token_file is set" end
  local role = setting(ctx, "role_arn")
  if not role then
    util.raise("InvalidConfigError", "web identity is configured (web_identity_token_file) but no role ARN "
      .. "is (AWS_ROLE_ARN or role_arn)")
  end
  local session = setting(ctx, "role_session_name")
  local function fetch()
    local f = open(file, "rb")
    if not f then util.retrieval_error(M.name, "cannot read the web identity token file " .. file) end
    local token = f:read("a")
    f:close()
    return sts.call(ctx, M.name, "AssumeRoleWithWebIdentity", {
      RoleArn = role, RoleSessionName = session or ("lua-aws-lambda-session-" .. floor(ctx.now())),
      WebIdentityToken = token })
  end
  return refreshable.new(M.name, fetch, ctx.now, fetch())
end

return M
