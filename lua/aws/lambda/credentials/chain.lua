--- The credential provider chain, botocore's order; the first provider that
-- yields wins:
--   explicit (lambda.new{ credentials = ... }) > environment > assume-role >
--   web-identity > sso > shared-credentials-file > credential-process >
--   config-file > container > imds
-- A provider that is not configured is skipped with a reason (kept for
-- client:describe() and NoCredentialsError); one that is configured but
-- broken raises.
-- @module aws.lambda.credentials.chain

local core = require "aws.lambda.core"
local config = require "aws.lambda.config"
local errors = require "aws.lambda.errors"
local refreshable = require "aws.lambda.credentials.refreshable"
local util = require "aws.lambda.credentials.util"

local require, ipairs, pairs, format, concat, error, tostring =
      require, ipairs, pairs, string.format, table.concat, error, tostring

local chain = {}

local function mod(name) return require("aws.lambda.credentials." .. name) end

chain.ORDER = { "env", "assume_role", "web_identity", "sso", "shared_file", "process", "config_file",
                "container", "imds" }
--- The providers a source_profile is resolved with (no environment).
chain.PROFILE_PROVIDERS = { "web_identity", "sso", "shared_file", "process", "config_file" }

--- The context the providers read: the resolved client config, the
-- environment, clocks, and the profile.
function chain.context(c, sleep, clock)
  return {
    c = c,
    getenv = function(k) return config.getenv(k) end,
    now = util.now_fn(c),
    sleep = sleep or core.sleep,
    clock = clock or core.monotonic,
    files = c.files,
    profile = c.profile,
    profile_config = c.profile_config,
    skip_env = c.profile_source == "explicit",
  }
end

--- The same context for another profile (a source_profile), environment
-- variables off.
function chain.profile_context(ctx, name)
  local p = ctx.files.profiles[name]
  if not p then
    util.raise("InvalidConfigError", format("The source profile %q could not be found", tostring(name)))
  end
  local n = {}
  for k, v in pairs(ctx) do n[k] = v end
  n.profile, n.profile_config, n.skip_env, n.skip_env_vars = name, p, false, true
  return n
end

--- The first provider of `names` that yields, or nil; skipped reasons are
-- appended to `skipped` when given.
function chain.first(ctx, names, skipped)
  for _, name in ipairs(names) do
    local m = mod(name)
    local src, why = m.load(ctx)
    if src then return src end
    if skipped then skipped[#skipped + 1] = { provider = m.name, reason = why } end
  end
end

--- Resolves the credentials of a client: a source object with :get()
-- (the frozen snapshot to sign with), .provider and .skipped.  Raises
-- NoCredentialsError listing every provider and why it was skipped.
function chain.resolve(c, sleep, clock)
  if c.credentials then
    local t = c.credentials
    local s = refreshable.static("explicit", { access_key_id = t.access_key_id,
      secret_access_key = t.secret_access_key, session_token = t.session_token })
    s.skipped = {}
    return s
  end
  local ctx = chain.context(c, sleep, clock)
  local skipped = {}
  local src = chain.first(ctx, chain.ORDER, skipped)
  if src then
    src.skipped = skipped
    return src
  end
  local lines = {}
  for i, s in ipairs(skipped) do lines[i] = format("  %s: %s", s.provider, s.reason) end
  error(errors.new("NoCredentialsError", { skipped = skipped, message =
    "Unable to locate credentials; every provider was tried:\n" .. concat(lines, "\n")
    .. "\nPass lambda.new{ credentials = { access_key_id = ..., secret_access_key = ... } }, set "
    .. "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or configure a profile (docs/configuration.md)." }), 0)
end

return chain
