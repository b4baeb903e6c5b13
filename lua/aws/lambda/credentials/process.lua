--- credential_process: a command from the profile, split shell-style and
-- run without a shell (posix_spawnp in the C core); stdout is JSON
-- { "Version": 1, "AccessKeyId", "SecretAccessKey", "SessionToken"?,
--   "Expiration"? }.  An Expiration makes the credentials refreshable (the
-- command runs again).  A non-zero exit raises with (an excerpt of) stderr.
-- @module aws.lambda.credentials.process

local core = require "aws.lambda.core"
local cjson = require "cjson.safe"
local util = require "aws.lambda.credentials.util"
local refreshable = require "aws.lambda.credentials.refreshable"
local profiles = require "aws.lambda.profiles"

local type, tostring, format = type, tostring, string.format

local M = { name = "credential-process", TIMEOUT = 60, MAX_STDOUT = 64 * 1024 }

local function fail(msg) util.retrieval_error(M.name, msg) end

local function run(argv)
  local r, kind, reason = core.spawn(argv, { timeout = M.TIMEOUT, max_stdout = M.MAX_STDOUT })
  if not r then
    if kind == "TIMEOUT" then fail(format("the command did not finish within %d s", M.TIMEOUT)) end
    if kind == "TOOBIG" then fail(format("the command wrote more than %d bytes", M.MAX_STDOUT)) end
    fail(format("could not run %q: %s", argv[1], tostring(reason)))
  end
  if r.signal then fail(format("the command was killed by signal %d", r.signal)) end
  if r.exit_code and r.exit_code ~= 0 then
    fail(format("the command exited with status %d: %s", r.exit_code, util.excerpt(r.stderr, 300)))
  end
  local doc = cjson.decode(r.stdout)
  if type(doc) ~= "table" then fail("the command's output is not a JSON object") end
  if doc.Version ~= 1 then
    fail("unsupported Version in the command's output (only the number 1 is supported)")
  end
  local function str(k)
    local v = doc[k]
    if v == nil or v == cjson.null then return nil end
    if type(v) ~= "string" then fail(k .. " must be a string") end
    return v
  end
  local ak, sk = str("AccessKeyId"), str("SecretAccessKey")
  if not util.nonempty(ak) or not util.nonempty(sk) then
    fail("the command's output lacks AccessKeyId or SecretAccessKey")
  end
  local expires
  local exp_text = str("Expiration")
  if exp_text then
    expires = util.parse_time(exp_text)
    if not expires then fail("Expiration is not an ISO 8601 date-time") end
  end
  return util.snapshot(M.name, ak, sk, str("SessionToken"), expires)
end

function M.load(ctx)
  local cmd = profiles.value(ctx.profile_config, "credential_process")
  if not cmd then return nil, "the profile has no credential_process" end
  local argv, why = profiles.shlex_split(cmd)
  if not argv or #argv == 0 then
    util.raise("InvalidConfigError", "credential_process cannot be split into words: " .. (why or "it is empty"))
  end
  local snap = run(argv)
  if not snap.expires then return refreshable.static(M.name, snap) end
  return refreshable.new(M.name, function() return run(argv) end, ctx.now, snap)
end

return M
