--- Credentials from the environment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
-- the token from AWS_SECURITY_TOKEN then AWS_SESSION_TOKEN (botocore's
-- order), and AWS_CREDENTIAL_EXPIRATION, which makes them refreshable
-- (re-read from the environment).
-- @module aws.lambda.credentials.env

local util = require "aws.lambda.credentials.util"
local refreshable = require "aws.lambda.credentials.refreshable"
local errors = require "aws.lambda.errors"

local error = error
local nonempty = util.nonempty

local M = { name = "environment" }

local function read(ctx)
  local getenv = ctx.getenv
  local k, s = nonempty(getenv("AWS_ACCESS_KEY_ID")), nonempty(getenv("AWS_SECRET_ACCESS_KEY"))
  if not k then
    if s then return nil, "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not" end
    return nil, "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set"
  end
  if not s then
    error(errors.new("PartialCredentialsError", { provider = "environment", missing = "AWS_SECRET_ACCESS_KEY",
      message = "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not" }), 0)
  end
  local token = nonempty(getenv("AWS_SECURITY_TOKEN")) or nonempty(getenv("AWS_SESSION_TOKEN"))
  local exp_text = nonempty(getenv("AWS_CREDENTIAL_EXPIRATION"))
  local expires
  if exp_text then
    expires = util.parse_time(exp_text)
    if not expires then
      util.raise("InvalidConfigError", "AWS_CREDENTIAL_EXPIRATION is not an ISO 8601 date-time: " ..
        util.excerpt(exp_text, 40))
    end
  end
  return util.snapshot("environment", k, s, token, expires)
end

--- `ctx.skip_env` (a profile chosen in code, as botocore's
-- Session(profile=...)) turns this provider off.
function M.load(ctx)
  if ctx.skip_env then
    return nil, "not consulted: the profile was chosen with lambda.new{ profile = ... }"
  end
  local snap, why = read(ctx)
  if not snap then return nil, why end
  if not snap.expires then return refreshable.static(M.name, snap) end
  return refreshable.new(M.name, function()
    local s, w = read(ctx)
    if not s then util.retrieval_error(M.name, w) end
    return s
  end, ctx.now, snap)
end

return M
