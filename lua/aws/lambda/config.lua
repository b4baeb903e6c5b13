--- Client configuration: options checked, region and endpoint resolved,
-- credentials found.  Pure reads of the arguments and the environment:
-- nothing here touches the network or runs a process.
-- @module aws.lambda.config

local errors = require "aws.lambda.errors"
local endpoints = require "aws.lambda.endpoints"
local profiles = require "aws.lambda.profiles"

local type, pairs, tostring, tonumber, error = type, pairs, tostring, tonumber, error
local format, lower = string.format, string.lower

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
  profile = "string", use_fips_endpoint = "boolean", use_dualstack_endpoint = "boolean",
  ignore_configured_endpoint_urls = "boolean", now = "function",
}

local function option_list()
  local names = {}
  for k in pairs(OPTIONS) do names[#names + 1] = k end
  table.sort(names)
  return table.concat(names, ", ")
end

local function nonempty(v) if v ~= nil and v ~= "" then return v end end

-- botocore's ensure_boolean for strings: only "true" (any case) is true
local function truthy(v) return v ~= nil and lower(v) == "true" end

function config.dns_suffix(region) return endpoints.partition(region).dns end
config.valid_region = endpoints.valid_region

--- The profile: explicit option > AWS_PROFILE > AWS_DEFAULT_PROFILE > "default".
-- (botocore reads AWS_DEFAULT_PROFILE first; we follow the SDK reference,
-- where AWS_PROFILE is the variable, and keep AWS_DEFAULT_PROFILE only as
-- a fallback so older setups still work.  docs/configuration.md.)
local function select_profile(cfg)
  if cfg.profile ~= nil then
    if cfg.profile == "" then invalid("option profile must not be empty") end
    return cfg.profile, "explicit"
  end
  local p = nonempty(getenv("AWS_PROFILE"))
  if p then return p, "env:AWS_PROFILE" end
  p = nonempty(getenv("AWS_DEFAULT_PROFILE"))
  if p then return p, "env:AWS_DEFAULT_PROFILE" end
  return "default", "default"
end

local function resolve_region(cfg, c)
  local r, src = cfg.region, "explicit"
  if r == nil then r, src = nonempty(getenv("AWS_REGION")), "env:AWS_REGION" end
  if r == nil then r, src = nonempty(getenv("AWS_DEFAULT_REGION")), "env:AWS_DEFAULT_REGION" end
  if r == nil then r, src = profiles.value(c.profile_config, "region"), "profile:" .. c.profile end
  if r == nil then
    error(errors.new("NoRegionError", { message = format(
      "You must specify a region: lambda.new{ region = \"us-east-1\" }, set AWS_REGION "
      .. "(or AWS_DEFAULT_REGION) in the environment, or add region = ... to the profile [%s] in %s.",
      c.profile == "default" and "default" or "profile " .. c.profile, tostring(c.files.config_path)) }), 0)
  end
  if not endpoints.valid_region(r) then
    error(errors.new("InvalidRegionError", { message = format(
      "Provided region_name '%s' (from %s) doesn't match a supported format.", r, src) }), 0)
  end
  local real, pseudo_fips = endpoints.strip_fips(r)
  if pseudo_fips and not endpoints.valid_region(real) then
    error(errors.new("InvalidRegionError", { message = format(
      "Provided region_name '%s' (from %s) doesn't match a supported format.", r, src) }), 0)
  end
  return real, src, pseudo_fips
end

-- A boolean setting: option > environment variable > profile key.
local function flag(cfg, c, option, env, key)
  if cfg[option] ~= nil then return cfg[option], "explicit" end
  local v = nonempty(getenv(env))
  if v then return truthy(v), "env:" .. env end
  v = profiles.value(c.profile_config, key)
  if v then return truthy(v), "profile:" .. c.profile end
  return false, "default"
end

--- Splits an endpoint URL (see endpoints.parse); raises InvalidConfigError.
function config.parse_endpoint(url, source)
  local e, why = endpoints.parse(url)
  if not e then invalid(format("endpoint_url %q (from %s) %s", url, source, why)) end
  e.source = source
  return e
end

--- A configured endpoint for a service (botocore's order, lambda-api.md
-- §4.4): AWS_ENDPOINT_URL_<ID> > AWS_ENDPOINT_URL > the profile's services
-- section > the profile's endpoint_url; all off when ignore is set.
-- Returns the parsed endpoint or nil.
function config.configured_endpoint(c, service_id)
  if c.ignore_configured_endpoint_urls then return nil end
  local env_id, key = endpoints.service_keys(service_id)
  local name = "AWS_ENDPOINT_URL_" .. env_id
  local v = nonempty(getenv(name))
  if v then return config.parse_endpoint(v, "env:" .. name) end
  v = nonempty(getenv("AWS_ENDPOINT_URL"))
  if v then return config.parse_endpoint(v, "env:AWS_ENDPOINT_URL") end
  local p = c.profile_config
  local svc = profiles.value(p, "services")
  if svc then
    local section = c.files.services[svc]
    if not section then
      invalid(format("The profile [%s] names services = %s, but there is no [services %s] section in %s",
        c.profile, svc, svc, tostring(c.files.config_path)))
    end
    local block = section[key]
    if type(block) == "table" and nonempty(block.endpoint_url) then
      return config.parse_endpoint(block.endpoint_url, format("profile:%s services:%s", c.profile, svc))
    end
  end
  v = profiles.value(p, "endpoint_url")
  if v then return config.parse_endpoint(v, "profile:" .. c.profile) end
  return nil
end

--- The endpoint of any service: configured, else the rule set for the
-- client's region, FIPS and dual-stack settings.  `host` is the rule-set
-- host prefix ("lambda", "sts", "portal.sso").
function config.service_endpoint(c, service_id, host, region)
  local e = config.configured_endpoint(c, service_id)
  if e then return e end
  local url, partition = endpoints.rules(host, region or c.region, c.use_fips_endpoint, c.use_dualstack_endpoint)
  return config.parse_endpoint(url, "partition:" .. partition)
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
  c.profile, c.profile_source = select_profile(cfg)
  c.files = profiles.load(getenv)
  c.profile_config = c.files.profiles[c.profile]
  if not c.profile_config then
    if c.profile_source ~= "default" then
      error(errors.new("InvalidConfigError", { message = format(
        "The config profile (%s) could not be found (from %s; looked in %s and %s)", c.profile,
        c.profile_source, tostring(c.files.config_path), tostring(c.files.credentials_path)) }), 0)
    end
    c.profile_config = {}
  end
  local pseudo_fips
  c.region, c.region_source, pseudo_fips = resolve_region(cfg, c)
  c.use_fips_endpoint = flag(cfg, c, "use_fips_endpoint", "AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint")
  c.use_fips_endpoint = c.use_fips_endpoint or pseudo_fips
  c.use_dualstack_endpoint = flag(cfg, c, "use_dualstack_endpoint", "AWS_USE_DUALSTACK_ENDPOINT",
    "use_dualstack_endpoint")
  c.ignore_configured_endpoint_urls = flag(cfg, c, "ignore_configured_endpoint_urls",
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "ignore_configured_endpoint_urls")
  if cfg.endpoint_url then
    -- the rule set's errors, when the caller asked for both at once
    if cfg.use_fips_endpoint then invalid("Invalid Configuration: FIPS and custom endpoint are not supported") end
    if cfg.use_dualstack_endpoint then
      invalid("Invalid Configuration: Dualstack and custom endpoint are not supported")
    end
    c.endpoint = config.parse_endpoint(cfg.endpoint_url, "explicit")
  else
    -- a configured endpoint wins over FIPS/dual-stack flags, as in botocore
    c.endpoint = config.service_endpoint(c, "Lambda", "lambda")
  end
  c.connect_timeout = cfg.connect_timeout or 60
  c.read_timeout = cfg.read_timeout or 60
  c.ca_bundle = cfg.ca_bundle or nonempty(getenv("AWS_CA_BUNDLE"))
    or profiles.value(c.profile_config, "ca_bundle")
  if c.verify == nil then c.verify = true end
  if c.param_validation == nil then c.param_validation = true end
  -- total attempts: the option > AWS_MAX_ATTEMPTS > the profile's max_attempts
  local ma = cfg.max_attempts
  if ma == nil then
    local text, from = nonempty(getenv("AWS_MAX_ATTEMPTS")), "AWS_MAX_ATTEMPTS"
    if not text then
      text, from = profiles.value(c.profile_config, "max_attempts"), "max_attempts in profile " .. c.profile
    end
    if text then
      ma = tonumber(text)
      if not ma then invalid(format("%s must be a whole number >= 1, got %s", from, text)) end
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

return config
