--- Static keys from a profile: the shared credentials file provider and the
-- config file provider share this (aws_access_key_id, aws_secret_access_key,
-- the token from aws_security_token then aws_session_token).
-- @module aws.lambda.credentials.static_profile

local util = require "aws.lambda.credentials.util"
local refreshable = require "aws.lambda.credentials.refreshable"
local errors = require "aws.lambda.errors"

local error, format, tostring = error, string.format, tostring
local nonempty = util.nonempty

local M = {}

--- Credentials from a profile's table, or nil and why.
function M.from(provider, values, where)
  local k = nonempty(values.aws_access_key_id)
  local s = nonempty(values.aws_secret_access_key)
  if not k then
    return nil, format("%s has no aws_access_key_id", where)
  end
  if not s then
    error(errors.new("PartialCredentialsError", { provider = provider, missing = "aws_secret_access_key",
      message = format("%s has aws_access_key_id but no aws_secret_access_key", where) }), 0)
  end
  local token = nonempty(values.aws_security_token) or nonempty(values.aws_session_token)
  return refreshable.static(provider, util.snapshot(provider, k, s, token))
end

--- The shared credentials file: the [NAME] section of ~/.aws/credentials.
function M.shared_file(ctx)
  local f = ctx.files
  local values = f.credential_profiles[ctx.profile]
  if not values then
    return nil, format("%s has no [%s] section", tostring(f.credentials_path), ctx.profile)
  end
  return M.from("shared-credentials-file", values, format("[%s] in %s", ctx.profile, f.credentials_path))
end

--- The config file: the [default] / [profile NAME] section of ~/.aws/config.
function M.config_file(ctx)
  local f = ctx.files
  local values = f.config_profiles[ctx.profile]
  local label = ctx.profile == "default" and "[default]" or "[profile " .. ctx.profile .. "]"
  if not values then
    return nil, format("%s has no %s section", tostring(f.config_path), label)
  end
  return M.from("config-file", values, format("%s in %s", label, f.config_path))
end

return M
