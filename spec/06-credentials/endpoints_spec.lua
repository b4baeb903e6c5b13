-- Partition rules, FIPS/dual-stack variants and their errors, pseudo-regions,
-- and the endpoints of the other services the providers call.
local H = require "06-credentials.helper"
local lambda = require "aws.lambda"
local endpoints = require "aws.lambda.endpoints"
local config = require "aws.lambda.config"
local X = lambda.exceptions

describe("endpoints", function()
  it("knows the 8 partitions, their DNS and dual-stack suffixes", function()
    local cases = {
      { "us-east-1", "aws", "https://lambda.us-east-1.amazonaws.com", "https://lambda-fips.us-east-1.api.aws" },
      { "cn-northwest-1", "aws-cn", "https://lambda.cn-northwest-1.amazonaws.com.cn",
        "https://lambda-fips.cn-northwest-1.api.amazonwebservices.com.cn" },
      { "us-gov-east-1", "aws-us-gov", "https://lambda.us-gov-east-1.amazonaws.com",
        "https://lambda-fips.us-gov-east-1.api.aws" },
      { "us-iso-east-1", "aws-iso", "https://lambda.us-iso-east-1.c2s.ic.gov",
        "https://lambda-fips.us-iso-east-1.api.aws.ic.gov" },
      { "us-isob-east-1", "aws-iso-b", "https://lambda.us-isob-east-1.sc2s.sgov.gov",
        "https://lambda-fips.us-isob-east-1.api.aws.scloud" },
      { "eu-isoe-west-1", "aws-iso-e", "https://lambda.eu-isoe-west-1.cloud.adc-e.uk",
        "https://lambda-fips.eu-isoe-west-1.api.cloud-aws.adc-e.uk" },
      { "us-isof-south-1", "aws-iso-f", "https://lambda.us-isof-south-1.csp.hci.ic.gov",
        "https://lambda-fips.us-isof-south-1.api.aws.hci.ic.gov" },
      { "eusc-de-east-1", "aws-eusc", "https://lambda.eusc-de-east-1.amazonaws.eu",
        "https://lambda-fips.eusc-de-east-1.api.amazonwebservices.eu" },
      { "il-central-1", "aws", "https://lambda.il-central-1.amazonaws.com",
        "https://lambda-fips.il-central-1.api.aws" },
    }
    for _, c in ipairs(cases) do
      local url, p = endpoints.rules("lambda", c[1], false, false)
      assert.are.equal(c[2], p)
      assert.are.equal(c[3], url)
      assert.are.equal(c[4], (endpoints.rules("lambda", c[1], true, true)))
    end
  end)

  it("maps fips- and -fips pseudo-regions to the real region with FIPS on", function()
    H.with_env({}, function()
      for _, r in ipairs { "fips-us-west-2", "us-west-2-fips" } do
        local c = lambda.new { region = r }
        assert.are.equal("us-west-2", c.region)
        assert.are.equal("https://lambda-fips.us-west-2.amazonaws.com", c.endpoint.url)
      end
      local ok, err = pcall(lambda.new, { region = "fips-" })
      assert.is_false(ok)
      assert.is_true(X.InvalidRegionError:match(err))
    end)
  end)

  it("refuses FIPS or dual-stack together with an explicit endpoint_url (the rule set's errors)", function()
    H.with_env({}, function()
      local ok, err = pcall(lambda.new, { region = "us-east-1", endpoint_url = "http://x", use_fips_endpoint = true })
      assert.is_false(ok)
      assert.are.equal("Invalid Configuration: FIPS and custom endpoint are not supported", err.message)
      ok, err = pcall(lambda.new, { region = "us-east-1", endpoint_url = "http://x", use_dualstack_endpoint = true })
      assert.is_false(ok)
      assert.are.equal("Invalid Configuration: Dualstack and custom endpoint are not supported", err.message)
      -- the options alone work
      local c = lambda.new { region = "us-east-1", use_fips_endpoint = true, use_dualstack_endpoint = true }
      assert.are.equal("https://lambda-fips.us-east-1.api.aws", c.endpoint.url)
      -- an explicit false beats the environment
      H.with_env({ AWS_USE_FIPS_ENDPOINT = "true" }, function()
        assert.are.equal("https://lambda.us-east-1.amazonaws.com",
          lambda.new({ region = "us-east-1", use_fips_endpoint = false }).endpoint.url)
      end)
    end)
  end)

  it("resolves STS and the SSO portal like Lambda", function()
    local dir = H.tmpdir()
    H.write(dir .. "/config", "[default]\nservices = s\n[services s]\nsts =\n  endpoint_url = http://sts.local:1\n")
    H.with_env(H.env(dir, { AWS_REGION = "eu-west-1" }), function()
      local c = lambda.new()
      assert.are.equal("http://sts.local:1", config.service_endpoint(c.config, "STS", "sts").url)
      assert.are.equal("https://portal.sso.ap-south-1.amazonaws.com",
        config.service_endpoint(c.config, "SSO", "portal.sso", "ap-south-1").url)
      assert.are.equal("https://lambda.eu-west-1.amazonaws.com", c.endpoint.url)
    end)
    H.with_env(H.env(dir, { AWS_REGION = "eu-west-1", AWS_ENDPOINT_URL_STS = "http://env-sts:2" }), function()
      assert.are.equal("http://env-sts:2", config.service_endpoint(lambda.new().config, "STS", "sts").url)
    end)
    H.with_env(H.env(dir, { AWS_REGION = "cn-north-1", AWS_USE_FIPS_ENDPOINT = "true",
                            AWS_CONFIG_FILE = "/nonexistent" }), function()
      assert.are.equal("https://sts-fips.cn-north-1.amazonaws.com.cn",
        config.service_endpoint(lambda.new().config, "STS", "sts").url)
    end)
    H.rmdir(dir)
  end)

  it("rejects unusable endpoint URLs from any source", function()
    H.with_env({ AWS_ENDPOINT_URL = "ftp://x" }, function()
      local ok, err = pcall(lambda.new, { region = "us-east-1" })
      assert.is_false(ok)
      assert.is_true(X.InvalidConfigError:match(err))
      assert.truthy(err.message:find("env:AWS_ENDPOINT_URL", 1, true))
    end)
  end)
end)
