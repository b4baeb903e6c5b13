-- lambda.new's options, region and endpoint resolution, credentials from
-- the environment: nothing here touches the network.
local lambda = require "aws.lambda"
local with_env = require("helpers.env").with_env
local X = lambda.exceptions

local CREDS = { access_key_id = "AKID", secret_access_key = "secret" }

describe("lambda.new", function()
  it("resolves region explicit > AWS_REGION > AWS_DEFAULT_REGION", function()
    with_env({ AWS_REGION = "eu-west-1", AWS_DEFAULT_REGION = "us-west-2" }, function()
      assert.are.equal("ap-south-1", lambda.new({ region = "ap-south-1" }).region)
      local c = lambda.new()
      assert.are.equal("eu-west-1", c.region)
      assert.are.equal("env:AWS_REGION", c:describe().region_source)
    end)
    with_env({ AWS_DEFAULT_REGION = "us-west-2" }, function()
      assert.are.equal("us-west-2", lambda.new().region)
    end)
  end)

  it("raises NoRegionError with a helpful message when there is none", function()
    with_env({}, function()
      local ok, err = pcall(lambda.new)
      assert.is_false(ok)
      assert.is_true(X.NoRegionError:match(err))
      assert.truthy(err.message:find("AWS_REGION", 1, true))
    end)
  end)

  it("rejects invalid region names", function()
    for _, r in ipairs { "us_east_1", "-us-east-1", "us-east-1-", "123", ("a"):rep(64), "" } do
      local ok, err = pcall(lambda.new, { region = r })
      assert.is_false(ok, r)
      assert.is_true(X.InvalidRegionError:match(err), r)
    end
  end)

  it("builds the endpoint from the region's partition", function()
    with_env({}, function()
      assert.are.equal("https://lambda.us-east-1.amazonaws.com", lambda.new({ region = "us-east-1" }).endpoint.url)
      assert.are.equal("https://lambda.cn-north-1.amazonaws.com.cn", lambda.new({ region = "cn-north-1" }).endpoint.url)
      assert.are.equal("https://lambda.us-iso-east-1.c2s.ic.gov", lambda.new({ region = "us-iso-east-1" }).endpoint.url)
      assert.are.equal("https://lambda.eusc-de-east-1.amazonaws.eu",
        lambda.new({ region = "eusc-de-east-1" }).endpoint.url)
      assert.are.equal("https://lambda.xx-foo-1.amazonaws.com", lambda.new({ region = "xx-foo-1" }).endpoint.url)
    end)
  end)

  it("keeps an endpoint_url's port and base path in the signed request", function()
    local c = lambda.new { region = "us-east-1", endpoint_url = "http://localhost:4566/base/", credentials = CREDS }
    local req = c:build_request("RemovePermission", { FunctionName = "f", StatementId = "s" })
    assert.are.equal("http://localhost:4566/base/2015-03-31/functions/f/policy/s", req.url)
    assert.are.equal("localhost:4566", req.headers.Host)
  end)

  it("takes AWS_ENDPOINT_URL_LAMBDA over AWS_ENDPOINT_URL, unless ignored; explicit always wins", function()
    with_env({ AWS_ENDPOINT_URL_LAMBDA = "http://a:1", AWS_ENDPOINT_URL = "http://b:2" }, function()
      assert.are.equal("http://a:1", lambda.new({ region = "us-east-1" }).endpoint.url)
      assert.are.equal("http://c:3", lambda.new({ region = "us-east-1", endpoint_url = "http://c:3" }).endpoint.url)
    end)
    with_env({ AWS_ENDPOINT_URL = "http://b:2" }, function()
      assert.are.equal("http://b:2", lambda.new({ region = "us-east-1" }).endpoint.url)
    end)
    with_env({ AWS_ENDPOINT_URL = "http://b:2", AWS_IGNORE_CONFIGURED_ENDPOINT_URLS = "true" }, function()
      assert.are.equal("https://lambda.us-east-1.amazonaws.com", lambda.new({ region = "us-east-1" }).endpoint.url)
    end)
  end)

  it("refuses unknown options, naming the valid ones", function()
    local ok, err = pcall(lambda.new, { region = "us-east-1", regoin = "x" })
    assert.is_false(ok)
    assert.is_true(X.InvalidConfigError:match(err))
    assert.truthy(err.message:find("regoin", 1, true))
    assert.truthy(err.message:find("endpoint_url", 1, true))
  end)

  it("refuses options of the wrong type or range", function()
    for _, cfg in ipairs {
      { region = 5 }, { region = "us-east-1", connect_timeout = -1 }, { region = "us-east-1", timeout = 0 },
      { region = "us-east-1", max_attempts = 0 }, { region = "us-east-1", max_attempts = 1.5 },
      { region = "us-east-1", endpoint_url = "ftp://x" }, { region = "us-east-1", endpoint_url = "http://h/?q" },
      { region = "us-east-1", transport = {} },
    } do
      local ok, err = pcall(lambda.new, cfg)
      assert.is_false(ok)
      assert.is_true(X.InvalidConfigError:match(err) or X.InvalidRegionError:match(err))
    end
  end)

  it("finds credentials in the environment only when a call needs them", function()
    with_env({ AWS_ACCESS_KEY_ID = "AKIDENV", AWS_SECRET_ACCESS_KEY = "s", AWS_SESSION_TOKEN = "tok" }, function()
      local c = lambda.new { region = "us-east-1" }
      assert.is_nil(c._creds) -- nothing resolved at new
      local req = c:build_request("GetPolicy", { FunctionName = "f" })
      assert.truthy(req.headers.Authorization:find("Credential=AKIDENV/", 1, true))
      assert.are.equal("tok", req.headers["X-Amz-Security-Token"])
      assert.are.equal("environment", c:describe().credentials.provider)
    end)
  end)

  it("raises NoCredentialsError, or PartialCredentialsError for a key without a secret", function()
    with_env({}, function()
      local c = lambda.new { region = "us-east-1" }
      local ok, err = pcall(c.build_request, c, "GetPolicy", { FunctionName = "f" })
      assert.is_false(ok)
      assert.is_true(X.NoCredentialsError:match(err))
    end)
    with_env({ AWS_ACCESS_KEY_ID = "AKID" }, function()
      local c = lambda.new { region = "us-east-1" }
      local ok, err = pcall(c.build_request, c, "GetPolicy", { FunctionName = "f" })
      assert.is_false(ok)
      assert.is_true(X.PartialCredentialsError:match(err))
    end)
  end)

  it("refuses explicit credentials without a secret, never echoing it", function()
    local ok, err = pcall(lambda.new, { region = "us-east-1", credentials = { access_key_id = "AKID" } })
    assert.is_false(ok)
    assert.is_true(X.PartialCredentialsError:match(err))
  end)
end)
