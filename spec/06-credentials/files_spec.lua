-- The config and credentials files: the C parser through core.parse_ini,
-- profile naming, merging, malformed files; and the XML and process helpers.
local H = require "06-credentials.helper"
local core = require "aws.lambda.core"
local lambda = require "aws.lambda"
local profiles = require "aws.lambda.profiles"
local X = lambda.exceptions

describe("core.parse_ini", function()
  it("gives sections, lower-cased keys, continuations and nested blocks", function()
    local s, order = core.parse_ini(table.concat({
      "# comment", "; comment", "[default]", "Region = eu-west-1", "multi = a", "  b", "",
      "[services dev]", "lambda =", "  endpoint_url = http://localhost:4566", "  # c", "",
      "  Other = 1", "[profile ops]", "key: v = w", "" }, "\r\n"))
    assert.are.same({ "default", "services dev", "profile ops" }, order)
    assert.are.same({ region = "eu-west-1", multi = "a\nb" }, s.default)
    assert.are.same({ lambda = { endpoint_url = "http://localhost:4566", Other = "1" } }, s["services dev"])
    assert.are.same({ key = "v = w" }, s["profile ops"])
  end)

  it("refuses what botocore refuses, naming the line but not the content", function()
    for text, line in pairs {
      ["k = v\n"] = 1, ["[a]\nsecretvalue\n"] = 2, ["[a]\n= v\n"] = 2, ["[a]\nx =\n  nested-no-equals\n"] = 2,
      ["[a]\n[a]\n"] = 2, ["[a]\nk = 1\nK = 2\n"] = 3,
    } do
      local s, why, l = core.parse_ini(text)
      assert.is_nil(s, text)
      assert.are.equal(line, l, text)
      assert.is_false(why:find("secretvalue", 1, true) ~= nil)
    end
    -- a repeated [DEFAULT] header is fine (configparser)
    assert.truthy(core.parse_ini("[DEFAULT]\na = 1\n[DEFAULT]\nb = 2\n"))
  end)

  it("survives hostile input", function()
    math.randomseed(4)
    local alphabet = { "[", "]", "=", ":", " ", "\t", "\n", "\r", "#", ";", "a", "\0", "\255", "profile " }
    for _ = 1, 300 do
      local parts = {}
      for i = 1, math.random(0, 200) do parts[i] = alphabet[math.random(#alphabet)] end
      local s, why = core.parse_ini(table.concat(parts))
      assert.is_true(type(s) == "table" or type(why) == "string")
    end
  end)
end)

describe("profiles", function()
  local dir
  before_each(function() dir = H.tmpdir() end)
  after_each(function() H.rmdir(dir) end)

  local function load(config, credentials)
    if config then H.write(dir .. "/config", config) end
    if credentials then H.write(dir .. "/credentials", credentials) end
    local env = H.env(dir)
    return profiles.load(function(k) return env[k] end)
  end

  it("names profiles as botocore does", function()
    local f = load('[default]\na = 1\n[profile "my ops"]\na = 2\n[ops]\na = 3\n[profileX]\na = 4\n'
      .. "[profile  spaced]\na = 5\n[sso-session s]\nsso_region = x\n[services v]\nsts =\n  endpoint_url = u\n")
    assert.are.same({ "default", "my ops", "spaced" }, (function()
      local names = {}
      for k in pairs(f.config_profiles) do names[#names + 1] = k end
      table.sort(names)
      return names
    end)())
    assert.are.equal("x", f.sso_sessions.s.sso_region)
    assert.are.equal("u", f.services.v.sts.endpoint_url)
  end)

  it("merges the credentials file over the config file; [DEFAULT] feeds every section", function()
    local f = load("[profile p]\nregion = eu-west-1\noutput = json\n",
      "[DEFAULT]\nshared = yes\n[p]\nregion = us-west-2\naws_access_key_id = A\n[profile q]\nx = 1\n")
    assert.are.same({ region = "us-west-2", output = "json", aws_access_key_id = "A", shared = "yes" },
      f.profiles.p)
    assert.truthy(f.profiles["profile q"]) -- the credentials file takes bare names only
    assert.is_nil(f.profiles.q)
  end)

  it("expands ~ and $VARS in file paths; a missing file is no file", function()
    local env = { HOME = "/h", AWS_CONFIG_FILE = "~/x/$NAME/${NAME}.cfg", NAME = "n" }
    local function getenv(k) return env[k] end
    assert.are.equal("/h/x/n/n.cfg", profiles.expand(env.AWS_CONFIG_FILE, getenv))
    assert.are.equal("$UNSET/x", profiles.expand("$UNSET/x", getenv))
    assert.is_nil(profiles.expand("~/x", function() end))
    local f = load(nil, nil)
    assert.are.same({}, f.profiles)
  end)

  it("raises InvalidConfigError for a malformed file, with its path and line", function()
    H.write(dir .. "/config", "[default]\nregion = us-east-1\nwhat is this\n")
    local ok, err = pcall(H.with_env, H.env(dir), function() return lambda.new() end)
    assert.is_false(ok)
    assert.is_true(X.InvalidConfigError:match(err))
    assert.truthy(err.message:find(dir .. "/config", 1, true))
    assert.truthy(err.message:find("line 3", 1, true))
    assert.is_nil(err.message:find("what is this", 1, true))
  end)

  it("raises for a named profile that does not exist, not for a missing default", function()
    H.write(dir .. "/config", "[default]\nregion = us-east-1\n")
    local ok, err = pcall(H.with_env, H.env(dir, { AWS_PROFILE = "nope" }), function() return lambda.new() end)
    assert.is_false(ok)
    assert.truthy(err.message:find("(nope)", 1, true))
    H.write(dir .. "/config", "")
    assert.truthy(H.with_env(H.env(dir), function() return lambda.new { region = "us-east-1" } end))
  end)

  it("splits commands like shlex", function()
    assert.are.same({ "a", "b c", "d'e", "f\\g", "h" }, profiles.shlex_split([[a "b c" d\'e 'f\g' h]]))
    assert.are.same({ "" }, profiles.shlex_split([[""]]))
    assert.are.same({ 'x"y$' }, profiles.shlex_split([["x\"y\$"]]))
    assert.is_nil(profiles.shlex_split([["open]]))
    assert.is_nil(profiles.shlex_split([[trailing\]]))
  end)
end)

describe("core.xml_leaves", function()
  it("reads an STS answer and refuses DOCTYPEs and broken documents", function()
    local t = core.xml_leaves(H.sts_xml("AssumeRole", "AK", "S&amp;K", "T", 0))
    assert.are.equal("AK", t["AssumeRoleResponse/AssumeRoleResult/Credentials/AccessKeyId"])
    assert.are.equal("S&K", t["AssumeRoleResponse/AssumeRoleResult/Credentials/SecretAccessKey"])
    assert.is_nil(core.xml_leaves('<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'))
    assert.is_nil(core.xml_leaves("<a><b></a>"))
    assert.is_nil(core.xml_leaves(("<a>"):rep(100)))
  end)
end)

describe("core.spawn", function()
  it("runs argv without a shell and reports exit codes and signals", function()
    local r = core.spawn({ "printf", "%s", "$HOME;|" })
    assert.are.equal("$HOME;|", r.stdout)
    assert.are.equal(0, r.exit_code)
    r = core.spawn({ "sh", "-c", "echo e >&2; exit 7" })
    assert.are.equal(7, r.exit_code)
    assert.are.equal("e\n", r.stderr)
    local ok, kind = core.spawn({ "/no/such/program" })
    assert.is_nil(ok)
    assert.are.equal("SPAWN", kind)
    ok, kind = core.spawn({ "sleep", "3" }, { timeout = 0.2 })
    assert.is_nil(ok)
    assert.are.equal("TIMEOUT", kind)
    assert.has_error(function() core.spawn({}) end)
    assert.has_error(function() core.spawn({ "a\0b" }) end)
  end)
end)

describe("retry and TLS settings from the profile", function()
  it("takes max_attempts and ca_bundle from the profile, after the option and the environment", function()
    local dir = H.tmpdir()
    local cfgfile = H.write(dir .. "/config",
      "[profile ops]\nregion = eu-west-1\nmax_attempts = 5\nca_bundle = /etc/ops-ca.pem\n")
    local env = { AWS_CONFIG_FILE = cfgfile, AWS_SHARED_CREDENTIALS_FILE = dir .. "/none" }
    H.with_env(env, function()
      local c = lambda.new { profile = "ops" }
      assert.are.equal(5, c.retry.max_attempts)
      assert.are.equal("/etc/ops-ca.pem", c.http_options.ca_bundle)
      assert.are.equal(2, lambda.new({ profile = "ops", max_attempts = 2 }).retry.max_attempts)
    end)
    env.AWS_MAX_ATTEMPTS = "4"
    env.AWS_CA_BUNDLE = "/etc/env-ca.pem"
    H.with_env(env, function()
      local c = lambda.new { profile = "ops" }
      assert.are.equal(4, c.retry.max_attempts)
      assert.are.equal("/etc/env-ca.pem", c.http_options.ca_bundle)
    end)
    H.write(cfgfile, "[profile ops]\nregion = eu-west-1\nmax_attempts = many\n")
    H.with_env({ AWS_CONFIG_FILE = cfgfile }, function()
      local ok, err = pcall(lambda.new, { profile = "ops" })
      assert.is_false(ok)
      assert.is_true(X.InvalidConfigError:match(err))
      assert.truthy(err.message:find("max_attempts in profile ops", 1, true))
    end)
    H.rmdir(dir)
  end)
end)
