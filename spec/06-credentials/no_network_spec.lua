-- Nothing touches the network or runs a process at require or lambda.new:
-- a fake instance metadata service counts connections, a credential_process
-- leaves a marker when it runs.
local H = require "06-credentials.helper"

describe("laziness", function()
  local srv, dir
  setup(function() srv = H.start() end)
  teardown(function() srv:stop() end)
  before_each(function() dir = H.tmpdir() end)
  after_each(function() H.rmdir(dir) end)

  it("connects to nothing at require or new, only at the first call that needs credentials", function()
    local FUT = os.time() + 3600 * 6
    srv:set({
      H.route("PUT", "/latest/api/token", { status = 200, body = "tok" }),
      H.route("GET", "/latest/meta-data/iam/security-credentials/", { status = 200, body = "role" }),
      H.route("GET", "/latest/meta-data/iam/security-credentials/role", { status = 200, body = string.format(
        '{"AccessKeyId": "ASIA", "SecretAccessKey": "s", "Token": "t", "Expiration": "%s"}', H.iso(FUT)) }),
    })
    srv:clear()
    -- a fresh interpreter: require, new and the default client, with the real environment
    local code = "package.path = 'lua/?.lua;lua/?/init.lua;' .. package.path; "
      .. "local l = require 'aws.lambda'; l.new(); l.default_client(); print('done')"
    local p = io.popen(string.format("cd %s/../.. && env HOME=%s AWS_EC2_METADATA_SERVICE_ENDPOINT=%s "
      .. "AWS_REGION=us-east-1 AWS_CONFIG_FILE=/nonexistent AWS_SHARED_CREDENTIALS_FILE=/nonexistent "
      .. "lua5.4 -e %s 2>&1", H.sh_quote(H.dir), H.sh_quote(dir), H.sh_quote(srv.url), H.sh_quote(code)))
    local out = p:read("a")
    p:close()
    assert.are.equal("done\n", out)
    assert.are.equal(0, srv:connections())
    H.with_env(H.env(dir, { AWS_EC2_METADATA_DISABLED = false, AWS_EC2_METADATA_SERVICE_ENDPOINT = srv.url,
                            AWS_REGION = "us-east-1" }), function()
      local lambda = require "aws.lambda"
      require("aws.lambda.credentials.imds").reset()
      local c = lambda.new()
      assert.are.equal(0, srv:connections())
      c:build_request("GetPolicy", { FunctionName = "f" })
      assert.are.equal(3, srv:connections())
      c:build_request("GetPolicy", { FunctionName = "f" })
      assert.are.equal(3, srv:connections()) -- resolved once
    end)
  end)

  it("runs no credential_process at new", function()
    local marker = dir .. "/ran"
    H.script(dir .. "/p.sh", "#!/bin/sh\ntouch " .. marker
      .. "\necho '{\"Version\": 1, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"s\"}'\n")
    H.write(dir .. "/config", "[default]\nregion = us-east-1\ncredential_process = " .. dir .. "/p.sh\n")
    H.with_env(H.env(dir), function()
      local c = require("aws.lambda").new()
      assert.is_nil(H.read(marker))
      c:build_request("GetPolicy", { FunctionName = "f" })
      assert.are.equal("", H.read(marker))
    end)
  end)
end)
