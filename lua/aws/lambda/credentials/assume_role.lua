--- Assume-role profiles: role_arn with source_profile or credential_source
-- (Environment, Ec2InstanceMetadata, EcsContainer); external_id,
-- role_session_name and duration_seconds are honoured.  STS AssumeRole is
-- signed with the source's credentials; the result refreshes by assuming
-- the role again.  A source profile with its own role_arn (and no static
-- keys) is assumed first (chains), and loops are refused.
-- @module aws.lambda.credentials.assume_role

local util = require "aws.lambda.credentials.util"
local refreshable = require "aws.lambda.credentials.refreshable"
local sts = require "aws.lambda.credentials.sts"
local profiles = require "aws.lambda.profiles"

local format, tonumber, floor, concat, require = string.format, tonumber, math.floor, table.concat, require

local M = { name = "assume-role" }

local value = profiles.value

local SOURCES = {
  Environment = "aws.lambda.credentials.env",
  Ec2InstanceMetadata = "aws.lambda.credentials.imds",
  EcsContainer = "aws.lambda.credentials.container",
}

local function invalid(msg) util.raise("InvalidConfigError", msg) end

local function source_credentials(ctx, p, path)
  local chain = require "aws.lambda.credentials.chain"
  local sp, cs = value(p, "source_profile"), value(p, "credential_source")
  if cs then
    local modname = SOURCES[cs]
    if not modname then
      invalid(format("credential_source = %s in profile [%s] is not one of Environment, Ec2InstanceMetadata, "
        .. "EcsContainer", cs, ctx.profile))
    end
    local sctx = chain.profile_context(ctx, ctx.profile)
    local src, why = require(modname).load(sctx)
    if not src then
      util.retrieval_error(M.name, format("no credentials from credential_source %s: %s", cs, why))
    end
    return src
  end
  local sctx = chain.profile_context(ctx, sp)
  local sprof = sctx.profile_config
  if value(sprof, "aws_access_key_id") or not value(sprof, "role_arn") or sp == ctx.profile then
    local src = chain.first(sctx, chain.PROFILE_PROVIDERS)
    if not src then invalid(format('The source profile "%s" must have credentials.', sp)) end
    return src
  end
  for _, seen in ipairs(path) do
    if seen == sp then
      path[#path + 1] = sp
      invalid("Infinite loop in assume-role profiles: " .. concat(path, " -> "))
    end
  end
  path[#path + 1] = sp
  return M.load(sctx, path)
end

function M.load(ctx, path)
  local p = ctx.profile_config
  local role = value(p, "role_arn")
  if not role then return nil, "the profile has no role_arn" end
  if value(p, "web_identity_token_file") then return nil, "the profile's role_arn is for web identity" end
  local sp, cs = value(p, "source_profile"), value(p, "credential_source")
  if sp and cs then
    invalid(format("The profile [%s] has both source_profile and credential_source; use one", ctx.profile))
  end
  if not sp and not cs then
    invalid(format("The profile [%s] has role_arn but neither source_profile nor credential_source", ctx.profile))
  end
  if value(p, "mfa_serial") then
    invalid(format("The profile [%s] needs an MFA code (mfa_serial), which this library cannot prompt for",
      ctx.profile))
  end
  local params = { RoleArn = role,
                   RoleSessionName = value(p, "role_session_name") or ("lua-aws-lambda-session-" .. floor(ctx.now())) }
  local ext = value(p, "external_id")
  if ext then params.ExternalId = ext end
  local dur = value(p, "duration_seconds")
  if dur then
    local n = tonumber(dur)
    if not n or n % 1 ~= 0 or n < 1 then invalid("duration_seconds must be a whole number of seconds") end
    params.DurationSeconds = format("%d", n)
  end
  local source = source_credentials(ctx, p, path or { ctx.profile })
  local function fetch()
    return sts.call(ctx, M.name, "AssumeRole", params, source:get())
  end
  return refreshable.new(M.name, fetch, ctx.now, fetch())
end

return M
