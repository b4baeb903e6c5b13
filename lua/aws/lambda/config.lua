--- Client configuration: options checked, region and endpoint resolved,
-- credentials found.  Pure reads of the arguments and the environment:
-- nothing here touches the network or runs a process.
-- @module aws.lambda.config

local errors = require "aws.lambda.errors"

local type, pairs, tostring, tonumber, error = type, pairs, tostring, tonumber, error
local format, match = string.format, string.match

local config = {}

-- Every environment read goes through config.getenv, so tests (and
-- embedders with their own environment) can replace it.
config.getenv = os.getenv
local function getenv(k) return config.getenv(k) end

local function invalid(msg) error(errors.new("InvalidConfigError", { message = msg }), 0) end

-- option -> expected Lua type
local OPTIONS = {
  region = "string", endpoint_url = "string", credentials = "table",
  connect_timeout = "number", read_timeout = "number", timeout = "number",
  ca_bundle = "string", verify = "boolean", max_response = "number",
  param_validation = "boolean", max_attempts = "number", max_retry_delay = "number",
  logger = "function", sleep = "function", clock = "function", random = "function",
  transport = "transport",
}

local function option_list()
  local names = {}
  for k in pairs(OPTIONS) do names[#names + 1] = k end
  table.sort(names)
  return table.concat(names, ", ")
end

-- Partitions: region pattern (Lua) -> DNS suffix (lambda-api.md §4.2);
-- an unknown region falls back to the aws partition, as botocore does.
local PARTITIONS = {
  { "^cn%-%w+%-%d+$", "amazonaws.com.cn" },
  { "^us%-gov%-%w+%-%d+$", "amazonaws.com" },
  { "^us%-iso%-%w+%-%d+$", "c2s.ic.gov" },
  { "^us%-isob%-%w+%-%d+$", "sc2s.sgov.gov" },
  { "^eu%-isoe%-%w+%-%d+$", "cloud.adc-e.uk" },
  { "^us%-isof%-%w+%-%d+$", "csp.hci.ic.gov" },
  { "^eusc%-de%-%w+%-%d+$", "amazonaws.eu" },
}

function config.dns_suffix(region)
  for _, p in ipairs(PARTITIONS) do
    if match(region, p[1]) then return p[2] end
  end
  return "amazonaws.com"
end

-- botocore's rule: 1..63 of [A-Za-z0-9-], not all digits, no '-' at either end
function config.valid_region(r)
  return #r >= 1 and #r <= 63 and not match(r, "[^%w%-]") and not match(r, "^%d+$")
     and not match(r, "^%-") and not match(r, "%-$")
end

local function nonempty(v) if v ~= nil and v ~= "" then return v end end

local function resolve_region(cfg)
  local r, src = cfg.region, "explicit"
  if r == nil then r, src = nonempty(getenv("AWS_REGION")), "env:AWS_REGION" end
  if r == nil then r, src = nonempty(getenv("AWS_DEFAULT_REGION")), "env:AWS_DEFAULT_REGION" end
  if r == nil then
    error(errors.new("NoRegionError", { message =
      "You must specify a region: lambda.new{ region = \"us-east-1\" }, or set AWS_REGION "
      .. "(or AWS_DEFAULT_REGION) in the environment." }), 0)
  end
  if not config.valid_region(r) then
    error(errors.new("InvalidRegionError", { message = format(
      "Provided region_name '%s' (from %s) doesn't match a supported format.", r, src) }), 0)
  end
  return r, src
end

--- Splits an endpoint URL: scheme://host[:port][/base/path]; the base path
-- keeps no trailing '/' so operation paths append to it.
function config.parse_endpoint(url, source)
  local scheme, authority, path = match(url, "^(%a[%w+.-]*)://([^/?#]+)([^?#]*)$")
  if not scheme or (scheme:lower() ~= "http" and scheme:lower() ~= "https")
     or match(authority, "[%s@]") then
    invalid(format("endpoint_url %q (from %s) must be http(s)://host[:port][/path], "
      .. "with no query or fragment", url, source))
  end
  path = path:gsub("/+$", "")
  return { url = url, base = scheme:lower() .. "://" .. authority .. path, source = source }
end

local function positive(cfg, k)
  local v = cfg[k]
  if v ~= nil and (v ~= v or v <= 0) then invalid(format("%s must be a positive number", k)) end
end

--- Checks `cfg` and returns the resolved configuration.
function config.resolve(cfg)
  if cfg == nil then cfg = {} end
  if type(cfg) ~= "table" then invalid("lambda.new expects a table of options, got " .. type(cfg)) end
  for k, v in pairs(cfg) do
    local want = OPTIONS[k]
    if not want then
      invalid(format("unknown option %s; valid options: %s", tostring(k), option_list()))
    end
    if want == "transport" then
      -- anything with request(self, method, url, headers, body, opts) and close(self)
      local pok, has = pcall(function()
        return type(v.request) == "function" and type(v.close) == "function"
      end)
      if not (pok and has) then invalid("option transport must have request and close methods") end
    elseif type(v) ~= want then
      invalid(format("option %s must be a %s, got %s", k, want, type(v)))
    end
  end
  positive(cfg, "connect_timeout")
  positive(cfg, "read_timeout")
  positive(cfg, "timeout")
  positive(cfg, "max_response")
  if cfg.max_retry_delay ~= nil and cfg.max_retry_delay < 0 then invalid("max_retry_delay must be >= 0") end
  local c = {}
  for k, v in pairs(cfg) do c[k] = v end
  c.region, c.region_source = resolve_region(cfg)
  local ignore = (getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS") or ""):lower() == "true"
  local env_lambda = not ignore and nonempty(getenv("AWS_ENDPOINT_URL_LAMBDA"))
  local env_any = not ignore and nonempty(getenv("AWS_ENDPOINT_URL"))
  if cfg.endpoint_url then
    c.endpoint = config.parse_endpoint(cfg.endpoint_url, "explicit")
  elseif env_lambda then
    c.endpoint = config.parse_endpoint(env_lambda, "env:AWS_ENDPOINT_URL_LAMBDA")
  elseif env_any then
    c.endpoint = config.parse_endpoint(env_any, "env:AWS_ENDPOINT_URL")
  else
    c.endpoint = config.parse_endpoint(
      format("https://lambda.%s.%s", c.region, config.dns_suffix(c.region)), "default")
  end
  c.connect_timeout = cfg.connect_timeout or 60
  c.read_timeout = cfg.read_timeout or 60
  c.ca_bundle = cfg.ca_bundle or nonempty(getenv("AWS_CA_BUNDLE"))
  if c.verify == nil then c.verify = true end
  if c.param_validation == nil then c.param_validation = true end
  local ma = cfg.max_attempts
  if ma == nil then
    local env = nonempty(getenv("AWS_MAX_ATTEMPTS"))
    if env then
      ma = tonumber(env)
      if not ma then invalid("AWS_MAX_ATTEMPTS must be a whole number >= 1, got " .. env) end
    end
  end
  ma = ma or 3
  if ma < 1 or ma ~= math.floor(ma) then invalid("max_attempts must be a whole number >= 1") end
  c.max_attempts = ma
  c.max_retry_delay = cfg.max_retry_delay or 20
  if cfg.credentials then config.check_credentials(cfg.credentials, "credentials") end
  return c
end

function config.check_credentials(t, where)
  local k, s, tok = t.access_key_id, t.secret_access_key, t.session_token
  if type(k) ~= "string" or k == "" or type(s) ~= "string" or s == "" then
    error(errors.new("PartialCredentialsError", { message = format(
      "%s must hold access_key_id and secret_access_key (non-empty strings)", where) }), 0)
  end
  if tok ~= nil and (type(tok) ~= "string" or tok == "") then
    error(errors.new("PartialCredentialsError", { message = format(
      "%s.session_token must be a non-empty string when given", where) }), 0)
  end
end

--- The credentials to sign with: explicit, else the environment.
-- Returns a fresh table { access_key_id, secret_access_key, session_token, source }.
function config.credentials(c)
  local t = c.credentials
  if t then
    return { access_key_id = t.access_key_id, secret_access_key = t.secret_access_key,
             session_token = t.session_token, source = "explicit" }
  end
  local k, s = nonempty(getenv("AWS_ACCESS_KEY_ID")), nonempty(getenv("AWS_SECRET_ACCESS_KEY"))
  if k and not s then
    error(errors.new("PartialCredentialsError", { message =
      "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not" }), 0)
  end
  if k then
    return { access_key_id = k, secret_access_key = s,
             -- botocore's order: the legacy AWS_SECURITY_TOKEN first
             session_token = nonempty(getenv("AWS_SECURITY_TOKEN")) or nonempty(getenv("AWS_SESSION_TOKEN")),
             source = "env" }
  end
  error(errors.new("NoCredentialsError", { message =
    "Unable to locate credentials: pass credentials = { access_key_id = ..., secret_access_key = ... } "
    .. "or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY." }), 0)
end

return config
