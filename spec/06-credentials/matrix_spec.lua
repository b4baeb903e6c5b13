-- (config file, credentials file, environment) combinations checked against
-- the rules of lambda-api.md §4 and §6 and the issue:
--   region:   explicit > AWS_REGION > AWS_DEFAULT_REGION > the profile's region
--   profile:  explicit > AWS_PROFILE > AWS_DEFAULT_PROFILE > default
--   endpoint: endpoint_url option > AWS_ENDPOINT_URL_LAMBDA > AWS_ENDPOINT_URL >
--             the profile's services section > the profile's endpoint_url >
--             the partition rules (FIPS, dual-stack); all but the option
--             switched off by the ignore setting
--   credentials: explicit > environment > ... > shared-credentials-file >
--             credential-process > config-file > ...
-- Each expectation was written from those rules, by hand.
local H = require "06-credentials.helper"
local lambda = require "aws.lambda"
local X = lambda.exceptions

local KEYS = "aws_access_key_id = AKFILE\naws_secret_access_key = s\n"
local CFGKEYS = "aws_access_key_id = AKCFG\naws_secret_access_key = s\n"
local ENVKEYS = { AWS_ACCESS_KEY_ID = "AKENV", AWS_SECRET_ACCESS_KEY = "s" }
local PROC = "credential_process = $DIR/proc.sh\n"

local function env(t)
  local e = {}
  for k, v in pairs(ENVKEYS) do e[k] = v end
  for k, v in pairs(t or {}) do e[k] = v end
  return e
end

local ROWS = {
  { "AWS_REGION alone", env = env { AWS_REGION = "eu-west-1" },
    region = "eu-west-1", region_source = "env:AWS_REGION", endpoint = "https://lambda.eu-west-1.amazonaws.com",
    endpoint_source = "partition:aws", provider = "environment" },
  { "AWS_REGION beats AWS_DEFAULT_REGION", env = env { AWS_REGION = "eu-west-1", AWS_DEFAULT_REGION = "us-west-2" },
    region = "eu-west-1", region_source = "env:AWS_REGION", provider = "environment" },
  { "AWS_DEFAULT_REGION beats the profile", config = "[default]\nregion = ap-south-1\n",
    env = env { AWS_DEFAULT_REGION = "us-west-2" }, region = "us-west-2", region_source = "env:AWS_DEFAULT_REGION",
    endpoint = "https://lambda.us-west-2.amazonaws.com" },
  { "the default profile's region", config = "[default]\nregion = ap-southeast-2\n",
    credentials = "[default]\n" .. KEYS, region = "ap-southeast-2", region_source = "profile:default",
    endpoint = "https://lambda.ap-southeast-2.amazonaws.com", provider = "shared-credentials-file" },
  { "AWS_PROFILE picks [profile ops] (China)", config = "[default]\nregion = us-east-1\n[profile ops]\n"
    .. "region = cn-north-1\n", credentials = "[ops]\n" .. KEYS, env = { AWS_PROFILE = "ops" },
    region = "cn-north-1", region_source = "profile:ops", endpoint = "https://lambda.cn-north-1.amazonaws.com.cn",
    provider = "shared-credentials-file" },
  { "the credentials file's region beats the config file's", config = "[profile ops]\nregion = eu-west-1\n",
    credentials = "[ops]\nregion = us-west-1\n" .. KEYS, env = { AWS_PROFILE = "ops" },
    region = "us-west-1", region_source = "profile:ops" },
  { "[ops] without 'profile ' in the config file is no profile", config = "[ops]\nregion = eu-west-1\n",
    credentials = "[ops]\n" .. KEYS, env = { AWS_PROFILE = "ops" }, err = "NoRegionError" },
  { "the region option beats everything", config = "[default]\nregion = eu-west-1\n",
    env = env { AWS_REGION = "us-west-2", AWS_DEFAULT_REGION = "us-west-1" }, opts = { region = "sa-east-1" },
    region = "sa-east-1", region_source = "explicit", endpoint = "https://lambda.sa-east-1.amazonaws.com" },
  { "AWS_USE_FIPS_ENDPOINT", env = env { AWS_REGION = "us-east-1", AWS_USE_FIPS_ENDPOINT = "true" },
    endpoint = "https://lambda-fips.us-east-1.amazonaws.com", endpoint_source = "partition:aws" },
  { "use_dualstack_endpoint in the profile", config = "[default]\nregion = eu-west-1\nuse_dualstack_endpoint = true\n",
    env = ENVKEYS, endpoint = "https://lambda.eu-west-1.api.aws" },
  { "FIPS from the environment, dual-stack from the profile, GovCloud",
    config = "[default]\nuse_dualstack_endpoint = true\n",
    env = env { AWS_REGION = "us-gov-west-1", AWS_USE_FIPS_ENDPOINT = "TRUE" },
    endpoint = "https://lambda-fips.us-gov-west-1.api.aws", endpoint_source = "partition:aws-us-gov" },
  { "fips- pseudo-region in AWS_REGION", env = env { AWS_REGION = "fips-us-east-1" },
    region = "us-east-1", endpoint = "https://lambda-fips.us-east-1.amazonaws.com" },
  { "fips- pseudo-region in the profile", config = "[default]\nregion = fips-us-gov-west-1\n", env = ENVKEYS,
    region = "us-gov-west-1", region_source = "profile:default",
    endpoint = "https://lambda-fips.us-gov-west-1.amazonaws.com" },
  { "AWS_USE_FIPS_ENDPOINT=false beats the profile's true",
    config = "[default]\nregion = us-east-2\nuse_fips_endpoint = true\n", env = env { AWS_USE_FIPS_ENDPOINT = "false" },
    endpoint = "https://lambda.us-east-2.amazonaws.com" },
  { "AWS_ENDPOINT_URL_LAMBDA beats AWS_ENDPOINT_URL",
    env = env { AWS_REGION = "us-east-1", AWS_ENDPOINT_URL_LAMBDA = "http://127.0.0.1:1/l",
                AWS_ENDPOINT_URL = "http://127.0.0.1:2" },
    endpoint = "http://127.0.0.1:1/l", endpoint_source = "env:AWS_ENDPOINT_URL_LAMBDA" },
  { "AWS_ENDPOINT_URL beats the services section",
    config = "[default]\nregion = us-east-1\nservices = s\n[services s]\nlambda =\n  endpoint_url = http://svc:1\n",
    env = env { AWS_ENDPOINT_URL = "http://all:2" }, endpoint = "http://all:2",
    endpoint_source = "env:AWS_ENDPOINT_URL" },
  { "the services section beats the profile's endpoint_url",
    config = "[default]\nregion = us-east-1\nservices = s\nendpoint_url = http://prof:3\n[services s]\n"
      .. "lambda =\n  endpoint_url = http://svc:1\n", env = ENVKEYS,
    endpoint = "http://svc:1", endpoint_source = "profile:default services:s" },
  { "the profile's endpoint_url", config = "[profile dev]\nregion = us-east-1\nendpoint_url = http://prof:3/base/\n",
    env = env { AWS_PROFILE = "dev" }, endpoint = "http://prof:3/base/", endpoint_source = "profile:dev" },
  { "a services section for other services only falls through to endpoint_url",
    config = "[default]\nregion = us-east-1\nservices = s\nendpoint_url = http://prof:3\n[services s]\n"
      .. "sts =\n  endpoint_url = http://sts:1\n", env = ENVKEYS, endpoint = "http://prof:3" },
  { "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS turns them all off",
    config = "[default]\nregion = eu-central-1\nservices = s\nendpoint_url = http://prof:3\n[services s]\n"
      .. "lambda =\n  endpoint_url = http://svc:1\n",
    env = env { AWS_ENDPOINT_URL = "http://all:2", AWS_ENDPOINT_URL_LAMBDA = "http://l:2",
                AWS_IGNORE_CONFIGURED_ENDPOINT_URLS = "true" },
    endpoint = "https://lambda.eu-central-1.amazonaws.com", endpoint_source = "partition:aws" },
  { "ignore_configured_endpoint_urls in the profile",
    config = "[default]\nregion = eu-central-1\nignore_configured_endpoint_urls = true\nendpoint_url = http://p:3\n",
    env = env { AWS_ENDPOINT_URL = "http://all:2" }, endpoint = "https://lambda.eu-central-1.amazonaws.com" },
  { "a missing services section is an error", config = "[default]\nregion = us-east-1\nservices = nope\n",
    env = ENVKEYS, err = "InvalidConfigError" },
  { "the endpoint_url option wins even when ignoring",
    env = env { AWS_REGION = "us-east-1", AWS_ENDPOINT_URL_LAMBDA = "http://l:2",
                AWS_IGNORE_CONFIGURED_ENDPOINT_URLS = "true" },
    opts = { endpoint_url = "http://opt:9" }, endpoint = "http://opt:9", endpoint_source = "explicit" },
  { "FIPS from the environment does not stop a configured endpoint",
    env = env { AWS_REGION = "us-east-1", AWS_USE_FIPS_ENDPOINT = "true", AWS_ENDPOINT_URL = "http://all:2" },
    endpoint = "http://all:2" },
  { "environment keys beat the credentials file", config = "[default]\nregion = us-east-1\n",
    credentials = "[default]\n" .. KEYS, env = ENVKEYS, provider = "environment", access_key_id = "AKENV" },
  { "the credentials file beats the config file's keys", config = "[default]\nregion = us-east-1\n" .. CFGKEYS,
    credentials = "[default]\n" .. KEYS, provider = "shared-credentials-file", access_key_id = "AKFILE" },
  { "config file keys alone", config = "[default]\nregion = us-east-1\n" .. CFGKEYS,
    provider = "config-file", access_key_id = "AKCFG" },
  { "credential_process beats the config file's keys", config = "[default]\nregion = us-east-1\n" .. PROC .. CFGKEYS,
    provider = "credential-process", access_key_id = "AKPROC" },
  { "the credentials file beats credential_process", config = "[default]\nregion = us-east-1\n" .. PROC,
    credentials = "[default]\n" .. KEYS, provider = "shared-credentials-file" },
  { "another profile's keys do not count", config = "[profile ops]\nregion = us-east-1\n" .. CFGKEYS,
    credentials = "[default]\n" .. KEYS, env = { AWS_PROFILE = "ops" }, provider = "config-file" },
  { "profile option: the environment's keys are not consulted", config = "[profile ops]\nregion = us-east-1\n",
    credentials = "[ops]\n" .. KEYS, env = ENVKEYS, opts = { profile = "ops" }, provider = "shared-credentials-file" },
  { "AWS_DEFAULT_PROFILE alone selects the profile", config = "[profile b]\nregion = eu-north-1\n",
    env = env { AWS_DEFAULT_PROFILE = "b" }, region = "eu-north-1", region_source = "profile:b" },
  { "AWS_PROFILE beats AWS_DEFAULT_PROFILE", config = "[profile a]\nregion = eu-west-3\n[profile b]\n"
    .. "region = eu-north-1\n", env = env { AWS_PROFILE = "a", AWS_DEFAULT_PROFILE = "b" },
    region = "eu-west-3", region_source = "profile:a" },
  { "no credentials anywhere", config = "[default]\nregion = us-east-1\n", provider = false },
  { "an invalid region in the profile", config = "[default]\nregion = us_east_1\n", err = "InvalidRegionError" },
  { "no region anywhere", credentials = "[default]\n" .. KEYS, err = "NoRegionError" },
  { "a profile that does not exist", env = env { AWS_PROFILE = "ghost", AWS_REGION = "us-east-1" },
    err = "InvalidConfigError" },
  { "EU sovereign cloud, dual-stack", env = env { AWS_REGION = "eusc-de-east-1", AWS_USE_DUALSTACK_ENDPOINT = "true" },
    endpoint = "https://lambda.eusc-de-east-1.api.amazonwebservices.eu", endpoint_source = "partition:aws-eusc" },
  { "an unknown region falls back to aws", env = env { AWS_REGION = "xx-foo-1" },
    endpoint = "https://lambda.xx-foo-1.amazonaws.com", endpoint_source = "partition:aws" },
  { "ISO-B with FIPS from the profile", config = "[default]\nregion = us-isob-east-1\nuse_fips_endpoint = true\n",
    env = ENVKEYS, endpoint = "https://lambda-fips.us-isob-east-1.sc2s.sgov.gov" },
}

describe("configuration matrix", function()
  local dir
  before_each(function() dir = H.tmpdir() end)
  after_each(function() H.rmdir(dir) end)

  it("has at least 30 combinations", function() assert.is_true(#ROWS >= 30) end)

  for i, row in ipairs(ROWS) do
    it(string.format("%02d %s", i, row[1]), function()
      H.script(dir .. "/proc.sh",
        "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"AKPROC\", \"SecretAccessKey\": \"s\"}'\n")
      if row.config then H.write(dir .. "/config", (row.config:gsub("%$DIR", dir))) end
      if row.credentials then H.write(dir .. "/credentials", row.credentials) end
      H.with_env(H.env(dir, row.env), function()
        local ok, c = pcall(lambda.new, row.opts)
        if row.err then
          assert.is_false(ok)
          assert.is_true(X[row.err]:match(c), tostring(c))
          return
        end
        assert.is_true(ok, tostring(c))
        local d = c:describe()
        if row.region then assert.are.equal(row.region, d.region) end
        if row.region_source then assert.are.equal(row.region_source, d.region_source) end
        if row.endpoint then assert.are.equal(row.endpoint, d.endpoint) end
        if row.endpoint_source then assert.are.equal(row.endpoint_source, d.endpoint_source) end
        if row.provider == false then
          assert.is_nil(d.credentials.provider)
          assert.truthy(d.credentials.error:find("NoCredentialsError", 1, true))
        elseif row.provider then
          assert.are.equal(row.provider, d.credentials.provider, d.credentials.error)
        end
        if row.access_key_id then assert.are.equal(row.access_key_id, d.credentials.access_key_id) end
      end)
    end)
  end
end)
