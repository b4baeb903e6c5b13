-- Refresh windows (15 min advisory, 10 min mandatory) with an injected
-- clock, frozen snapshots, one refresh at a time, expired credentials.
local H = require "06-credentials.helper"
local lambda = require "aws.lambda"
local refreshable = require "aws.lambda.credentials.refreshable"
local X = lambda.exceptions

local T0 = 2000000000 -- a fixed "now"

describe("refreshable credentials", function()
  local dir, clock, client

  -- the process prints dir/out.json, exits with dir/code, counts its runs
  local function answer(ak, expires, code)
    H.write(dir .. "/out.json", string.format(
      '{"Version": 1, "AccessKeyId": "%s", "SecretAccessKey": "S-%s", "SessionToken": "T-%s"%s}', ak, ak, ak,
      expires and string.format(', "Expiration": "%s"', H.iso(expires)) or ""))
    H.write(dir .. "/code", tostring(code or 0))
  end
  local function runs() return #(H.read(dir .. "/runs") or "") end
  local function sign()
    local req = client:build_request("GetPolicy", { FunctionName = "f" })
    return req.headers.Authorization:match("Credential=([^/]+)/"), req.headers["X-Amz-Security-Token"]
  end

  before_each(function()
    dir = H.tmpdir()
    H.script(dir .. "/proc.sh", "#!/bin/sh\nprintf x >> " .. dir .. "/runs\ncat " .. dir .. "/out.json\n"
      .. "exit $(cat " .. dir .. "/code)\n")
    H.write(dir .. "/config", "[default]\ncredential_process = " .. dir .. "/proc.sh\n")
    clock = { t = T0 }
  end)
  after_each(function() H.rmdir(dir) end)

  local function run(f)
    H.with_env(H.env(dir), function()
      client = lambda.new { region = "us-east-1", now = function() return clock.t end }
      f()
    end)
  end

  it("does nothing while more than 15 minutes remain", function()
    answer("AK1", T0 + 3600)
    run(function()
      assert.are.equal("AK1", (sign()))
      clock.t = T0 + 3600 - 901
      assert.are.equal("AK1", (sign()))
      assert.are.equal(1, runs())
      assert.are.equal(T0 + 3600, client:describe().credentials.expires)
    end)
  end)

  it("refreshes under 15 minutes, keeping the old ones when that fails", function()
    answer("AK1", T0 + 3600)
    run(function()
      sign()
      clock.t = T0 + 3600 - 899
      answer("AK2", T0 + 7200, 1) -- the refresh fails
      assert.are.equal("AK1", (sign()))
      assert.are.equal(2, runs())
      assert.are.equal("AK1", (sign())) -- no new attempt within 10 s
      assert.are.equal(2, runs())
      clock.t = clock.t + 11
      answer("AK2", T0 + 7200)
      local ak, tok = sign()
      assert.are.equal("AK2", ak)
      assert.are.equal("T-AK2", tok)
      assert.are.equal(3, runs())
    end)
  end)

  it("must refresh under 10 minutes: a failure raises", function()
    answer("AK1", T0 + 3600)
    run(function()
      sign()
      clock.t = T0 + 3600 - 599
      answer("AK2", T0 + 7200, 1)
      local ok, err = pcall(sign)
      assert.is_false(ok)
      assert.is_true(X.CredentialRetrievalError:match(err))
      answer("AK2", T0 + 7200)
      assert.are.equal("AK2", (sign()))
    end)
  end)

  it("refuses credentials that are still expired after a refresh", function()
    answer("AK1", T0 - 60)
    run(function()
      local ok, err = pcall(sign)
      assert.is_false(ok)
      assert.is_true(X.CredentialRetrievalError:match(err))
      assert.truthy(err.message:find("still expired", 1, true))
      assert.is_false(H.holds(err, "S-AK1"))
    end)
  end)

  it("re-reads AWS_CREDENTIAL_EXPIRATION credentials from the environment", function()
    local env = H.env(dir, { AWS_ACCESS_KEY_ID = "AKE1", AWS_SECRET_ACCESS_KEY = "s",
                             AWS_CREDENTIAL_EXPIRATION = H.iso(T0 + 3600) })
    H.with_env(env, function()
      client = lambda.new { region = "us-east-1", now = function() return clock.t end }
      assert.are.equal("AKE1", (sign()))
      env.AWS_ACCESS_KEY_ID, env.AWS_CREDENTIAL_EXPIRATION = "AKE2", H.iso(T0 + 7200)
      assert.are.equal("AKE1", (sign()))
      clock.t = T0 + 3600 - 100
      assert.are.equal("AKE2", (sign()))
      assert.are.equal(T0 + 7200, client:describe().credentials.expires)
    end)
  end)

  it("gives each request one frozen snapshot and runs one refresh at a time", function()
    local n = 0
    local src
    local first = { access_key_id = "A0", secret_access_key = "s", expires = T0 + 3600 }
    src = refreshable.new("test", function()
      n = n + 1
      -- a second caller while the refresh runs (a yielding transport) gets the old snapshot
      assert.are.equal(first, src:get())
      return { access_key_id = "A" .. n, secret_access_key = "s", expires = T0 + 7200 }
    end, function() return clock.t end, first)
    local held = src:get()
    assert.are.equal(first, held)
    clock.t = T0 + 3600 - 100
    local new = src:get()
    assert.are.equal("A1", new.access_key_id)
    assert.are.equal(1, n)
    assert.are.equal("A0", held.access_key_id) -- the old snapshot was not changed
    assert.are.equal(new, src:get())
    -- mandatory and expired while a refresh is in progress: raise
    local s2
    s2 = refreshable.new("test", function() return s2:get() end, function() return T0 end,
      { access_key_id = "B", secret_access_key = "s", expires = T0 - 1 })
    local ok, err = pcall(s2.get, s2)
    assert.is_false(ok)
    assert.truthy(err.message:find("in progress", 1, true))
  end)
end)
