-- Every credential provider through loopback fakes and temporary files,
-- and the precedence between each adjacent pair of the chain:
-- explicit > environment > assume-role > web-identity > sso >
-- shared-credentials-file > credential-process > config-file > container > imds
local H = require "06-credentials.helper"
local lambda = require "aws.lambda"
local core = require "aws.lambda.core"
local imds = require "aws.lambda.credentials.imds"
local X = lambda.exceptions

local FUTURE = os.time() + 6 * 3600

describe("credential providers", function()
  local srv, dir

  setup(function() srv = H.start() end)
  teardown(function() srv:stop() end)
  before_each(function()
    dir = H.tmpdir()
    srv:set({})
    srv:clear()
    imds.reset()
  end)
  after_each(function() H.rmdir(dir) end)

  local function files(config, credentials)
    if config then H.write(dir .. "/config", config) end
    if credentials then H.write(dir .. "/credentials", credentials) end
  end

  -- describe() of a client made with `opts` under the environment `extra`
  local function described(extra, opts)
    return H.with_env(H.env(dir, extra), function()
      local c = lambda.new(opts or { region = "us-east-1" })
      return c:describe(), c
    end)
  end

  local function raised(extra, opts)
    return H.with_env(H.env(dir, extra), function()
      local c = lambda.new(opts or { region = "us-east-1" })
      local ok, err = pcall(c.build_request, c, "GetPolicy", { FunctionName = "f" })
      assert.is_false(ok)
      return err
    end)
  end

  local function sts_route(ak, sk, token, exp)
    return H.route("POST", "/", { status = 200, body = H.sts_xml("AssumeRole", ak, sk, token, exp or FUTURE) })
  end

  local function proc_script(name, json, code)
    return H.script(dir .. "/" .. name, "#!/bin/sh\ncat <<'JSON'\n" .. json .. "\nJSON\nexit " .. (code or 0) .. "\n")
  end

  describe("explicit and environment", function()
    it("explicit credentials win over the environment", function()
      local d = described({ AWS_ACCESS_KEY_ID = "AKENV", AWS_SECRET_ACCESS_KEY = "s" },
        { region = "us-east-1", credentials = { access_key_id = "AKEXP", secret_access_key = "s" } })
      assert.are.equal("explicit", d.credentials.provider)
      assert.are.equal("AKEXP", d.credentials.access_key_id)
      assert.are.same({}, d.credentials.skipped)
    end)

    it("reads the environment; AWS_SECURITY_TOKEN beats AWS_SESSION_TOKEN", function()
      H.with_env(H.env(dir, { AWS_ACCESS_KEY_ID = "AKENV", AWS_SECRET_ACCESS_KEY = "SECRETENV",
                             AWS_SECURITY_TOKEN = "legacy", AWS_SESSION_TOKEN = "modern" }), function()
        local c = lambda.new { region = "us-east-1" }
        local req = c:build_request("GetPolicy", { FunctionName = "f" })
        assert.are.equal("legacy", req.headers["X-Amz-Security-Token"])
        local d = c:describe()
        assert.are.equal("environment", d.credentials.provider)
        assert.is_nil(d.credentials.expires)
        assert.is_false(H.holds(d, "SECRETENV"))
      end)
    end)

    it("a key without a secret is a PartialCredentialsError", function()
      local err = raised({ AWS_ACCESS_KEY_ID = "AKENV" })
      assert.is_true(X.PartialCredentialsError:match(err))
    end)

    it("environment beats an assume-role profile", function()
      files("[default]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = default\n"
        .. "aws_access_key_id = AKSRC\naws_secret_access_key = s\n")
      local d = described({ AWS_ACCESS_KEY_ID = "AKENV", AWS_SECRET_ACCESS_KEY = "s" })
      assert.are.equal("environment", d.credentials.provider)
      assert.are.same({}, srv:requests())
    end)

    it("is skipped when the profile is chosen in code (botocore's Session(profile=))", function()
      files(nil, "[ops]\naws_access_key_id = AKOPS\naws_secret_access_key = s\n")
      local d = described({ AWS_ACCESS_KEY_ID = "AKENV", AWS_SECRET_ACCESS_KEY = "s" },
        { region = "us-east-1", profile = "ops" })
      assert.are.equal("shared-credentials-file", d.credentials.provider)
      assert.are.equal("environment", d.credentials.skipped[1].provider)
      -- but not when it comes from AWS_PROFILE
      d = described({ AWS_ACCESS_KEY_ID = "AKENV", AWS_SECRET_ACCESS_KEY = "s", AWS_PROFILE = "ops" })
      assert.are.equal("environment", d.credentials.provider)
    end)
  end)

  describe("assume-role", function()
    it("signs AssumeRole with the source profile's keys and uses the answer", function()
      srv:set({ sts_route("ASIAROLE", "ROLESECRET", "ROLETOKEN") })
      files("[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/dev\nsource_profile = base\n"
        .. "external_id = ext-1\nrole_session_name = me\nduration_seconds = 1800\n",
        "[base]\naws_access_key_id = AKSRC\naws_secret_access_key = SRCSECRET\n")
      local d = described({ AWS_PROFILE = "dev", AWS_ENDPOINT_URL_STS = srv.url })
      assert.are.equal("assume-role", d.credentials.provider)
      assert.are.equal("ASIAROLE", d.credentials.access_key_id)
      assert.are.equal(FUTURE, d.credentials.expires)
      assert.is_false(H.holds(d, "ROLESECRET") or H.holds(d, "ROLETOKEN"))
      local reqs = srv:requests()
      assert.are.equal(1, #reqs)
      local form = H.form(reqs[1].body)
      assert.are.equal("AssumeRole", form.Action)
      assert.are.equal("arn:aws:iam::123456789012:role/dev", form.RoleArn)
      assert.are.equal("ext-1", form.ExternalId)
      assert.are.equal("me", form.RoleSessionName)
      assert.are.equal("1800", form.DurationSeconds)
      assert.truthy(reqs[1].headers.authorization:find("Credential=AKSRC/%d+/us%-east%-1/sts/aws4_request"))
    end)

    it("follows a chain of roles and refuses a loop", function()
      srv:set({ sts_route("ASIAROLE", "s", "t") })
      files("[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n"
        .. "[profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = c\n",
        "[c]\naws_access_key_id = AKC\naws_secret_access_key = s\n")
      local d = described({ AWS_PROFILE = "a", AWS_ENDPOINT_URL_STS = srv.url })
      assert.are.equal("assume-role", d.credentials.provider)
      local reqs = srv:requests()
      assert.are.equal(2, #reqs)
      assert.are.equal("arn:aws:iam::1:role/b", H.form(reqs[1].body).RoleArn)
      assert.truthy(reqs[1].headers.authorization:find("Credential=AKC/", 1, true))
      assert.are.equal("arn:aws:iam::1:role/a", H.form(reqs[2].body).RoleArn)
      assert.truthy(reqs[2].headers.authorization:find("Credential=ASIAROLE/", 1, true))

      files("[profile a]\nrole_arn = r\nsource_profile = b\n[profile b]\nrole_arn = r\nsource_profile = a\n", "")
      local err = raised({ AWS_PROFILE = "a", AWS_ENDPOINT_URL_STS = srv.url })
      assert.is_true(X.InvalidConfigError:match(err))
      assert.truthy(err.message:find("a -> b -> a", 1, true))
    end)

    it("takes credential_source = Environment, and refuses bad combinations", function()
      srv:set({ sts_route("ASIAROLE", "s", "t") })
      files("[default]\nrole_arn = arn:aws:iam::1:role/r\ncredential_source = Environment\n")
      -- the env provider itself needs no env keys here: they feed the role
      local d = described({ AWS_ENDPOINT_URL_STS = srv.url, AWS_ACCESS_KEY_ID = "AKE", AWS_SECRET_ACCESS_KEY = "s",
                            AWS_PROFILE = false })
      assert.are.equal("environment", d.credentials.provider) -- env comes first in the chain
      d = described({ AWS_ENDPOINT_URL_STS = srv.url, AWS_ACCESS_KEY_ID = "AKE", AWS_SECRET_ACCESS_KEY = "s" },
        { region = "us-east-1", profile = "default" })
      assert.are.equal("assume-role", d.credentials.provider)
      assert.truthy(srv:requests()[1].headers.authorization:find("Credential=AKE/", 1, true))
      files("[default]\nrole_arn = r\ncredential_source = Environment\nsource_profile = x\n")
      assert.is_true(X.InvalidConfigError:match(raised({})))
      files("[default]\nrole_arn = r\ncredential_source = Nowhere\n")
      assert.is_true(X.InvalidConfigError:match(raised({})))
      files("[default]\nrole_arn = r\n")
      assert.is_true(X.InvalidConfigError:match(raised({})))
    end)

    it("reports STS errors and malformed answers without secrets", function()
      files("[default]\nrole_arn = r\nsource_profile = base\n",
        "[base]\naws_access_key_id = AKSRC\naws_secret_access_key = SRCSECRET\n")
      srv:set({ H.route("POST", "/", { status = 403, body = "<ErrorResponse><Error><Type>Sender</Type>"
        .. "<Code>AccessDenied</Code><Message>not allowed</Message></Error></ErrorResponse>" }) })
      local err = raised({ AWS_ENDPOINT_URL_STS = srv.url })
      assert.is_true(X.CredentialRetrievalError:match(err))
      assert.truthy(tostring(err):find("AccessDenied: not allowed", 1, true))
      assert.is_false(H.holds(err, "SRCSECRET"))
      srv:set({ H.route("POST", "/", { status = 200, body = "<AssumeRoleResponse><oops>" }) })
      assert.is_true(X.CredentialRetrievalError:match(raised({ AWS_ENDPOINT_URL_STS = srv.url })))
      srv:set({ H.route("POST", "/", { status = 200, body = "<AssumeRoleResponse/>" }) })
      assert.is_true(X.CredentialRetrievalError:match(raised({ AWS_ENDPOINT_URL_STS = srv.url })))
    end)

    it("beats web identity", function()
      srv:set({ sts_route("ASIAROLE", "s", "t") })
      H.write(dir .. "/token", "jwt")
      files("[default]\nrole_arn = r\nsource_profile = base\n",
        "[base]\naws_access_key_id = AKSRC\naws_secret_access_key = s\n")
      local d = described({ AWS_ENDPOINT_URL_STS = srv.url, AWS_WEB_IDENTITY_TOKEN_FILE = dir .. "/token",
                            AWS_ROLE_ARN = "arn:aws:iam::1:role/w" })
      assert.are.equal("assume-role", d.credentials.provider)
    end)
  end)

  describe("web identity", function()
    it("trades the token file for credentials, unsigned, and re-reads it on refresh", function()
      local now = os.time()
      local clock = { t = now }
      srv:set({ H.route("POST", "/", { status = 200,
        body = H.sts_xml("AssumeRoleWithWebIdentity", "ASIAWEB", "s", "t", now + 3600) }) })
      H.write(dir .. "/token", "jwt-one")
      H.with_env(H.env(dir, { AWS_ENDPOINT_URL_STS = srv.url, AWS_WEB_IDENTITY_TOKEN_FILE = dir .. "/token",
                              AWS_ROLE_ARN = "arn:aws:iam::1:role/w", AWS_ROLE_SESSION_NAME = "sess" }), function()
        local c = lambda.new { region = "us-east-1", now = function() return clock.t end }
        assert.are.equal("web-identity", c:describe().credentials.provider)
        local r = srv:requests()[1]
        assert.is_nil(r.headers.authorization)
        local form = H.form(r.body)
        assert.are.equal("AssumeRoleWithWebIdentity", form.Action)
        assert.are.equal("jwt-one", form.WebIdentityToken)
        assert.are.equal("sess", form.RoleSessionName)
        H.write(dir .. "/token", "jwt-two")
        clock.t = now + 3600 - 300 -- inside the mandatory window
        c:build_request("GetPolicy", { FunctionName = "f" })
        assert.are.equal("jwt-two", H.form(srv:requests()[2].body).WebIdentityToken)
      end)
    end)

    it("takes the profile's keys; a token file without a role is an error", function()
      srv:set({ H.route("POST", "/", { status = 200,
        body = H.sts_xml("AssumeRoleWithWebIdentity", "ASIAWEB", "s", "t", FUTURE) }) })
      H.write(dir .. "/token", "jwt")
      files("[default]\nweb_identity_token_file = " .. dir .. "/token\nrole_arn = arn:aws:iam::1:role/p\n")
      local d = described({ AWS_ENDPOINT_URL_STS = srv.url })
      assert.are.equal("web-identity", d.credentials.provider)
      files("[default]\nregion = us-east-1\n")
      assert.is_true(X.InvalidConfigError:match(raised({ AWS_WEB_IDENTITY_TOKEN_FILE = dir .. "/token" })))
    end)

    it("beats SSO", function()
      srv:set({ H.route("POST", "/", { status = 200,
        body = H.sts_xml("AssumeRoleWithWebIdentity", "ASIAWEB", "s", "t", FUTURE) }) })
      H.write(dir .. "/token", "jwt")
      files("[default]\nsso_start_url = https://x\nsso_region = us-east-1\nsso_account_id = 1\nsso_role_name = r\n")
      local d = described({ AWS_ENDPOINT_URL_STS = srv.url, AWS_WEB_IDENTITY_TOKEN_FILE = dir .. "/token",
                            AWS_ROLE_ARN = "arn:aws:iam::1:role/w" })
      assert.are.equal("web-identity", d.credentials.provider)
    end)
  end)

  describe("sso", function()
    local function cache(key, token, expires)
      H.mkdir(dir .. "/.aws/sso/cache")
      H.write(dir .. "/.aws/sso/cache/" .. core.sha1_hex(key) .. ".json",
        string.format('{"accessToken": "%s", "expiresAt": "%s", "region": "us-east-1"}', token, H.iso(expires)))
    end
    local function portal(ak)
      return H.route("GET", "/federation/credentials", { status = 200, body = string.format(
        '{"roleCredentials": {"accessKeyId": "%s", "secretAccessKey": "SSOSECRET", "sessionToken": "t", '
        .. '"expiration": %d}}', ak, FUTURE * 1000) })
    end

    it("uses an sso-session's cached token with GetRoleCredentials", function()
      srv:set({ portal("ASIASSO") })
      cache("my-sso", "bearer-1", FUTURE)
      files("[default]\nsso_session = my-sso\nsso_account_id = 111122223333\nsso_role_name = Admin\n"
        .. "[sso-session my-sso]\nsso_start_url = https://example.awsapps.com/start\nsso_region = eu-west-1\n")
      local d = described({ AWS_ENDPOINT_URL_SSO = srv.url })
      assert.are.equal("sso", d.credentials.provider)
      assert.are.equal("ASIASSO", d.credentials.access_key_id)
      assert.are.equal(FUTURE, d.credentials.expires)
      local r = srv:requests()[1]
      assert.are.equal("/federation/credentials?role_name=Admin&account_id=111122223333", r.path)
      assert.are.equal("bearer-1", r.headers["x-amz-sso_bearer_token"])
    end)

    it("supports the legacy keys, and fails clearly on an expired or missing token", function()
      srv:set({ portal("ASIALEGACY") })
      cache("https://legacy.awsapps.com/start", "bearer-2", FUTURE)
      files("[default]\nsso_start_url = https://legacy.awsapps.com/start\nsso_region = us-east-1\n"
        .. "sso_account_id = 1\nsso_role_name = r\n")
      assert.are.equal("ASIALEGACY", described({ AWS_ENDPOINT_URL_SSO = srv.url }).credentials.access_key_id)
      cache("https://legacy.awsapps.com/start", "bearer-2", os.time() - 10)
      local err = raised({ AWS_ENDPOINT_URL_SSO = srv.url })
      assert.is_true(X.CredentialRetrievalError:match(err))
      assert.truthy(err.message:find("aws sso login", 1, true))
      files("[default]\nsso_start_url = https://legacy.awsapps.com/start\nsso_account_id = 1\n")
      err = raised({ AWS_ENDPOINT_URL_SSO = srv.url })
      assert.is_true(X.InvalidConfigError:match(err))
      assert.truthy(err.message:find("sso_region, sso_role_name", 1, true))
    end)

    it("beats the shared credentials file", function()
      srv:set({ portal("ASIASSO") })
      cache("s", "b", FUTURE)
      files("[default]\nsso_session = s\nsso_account_id = 1\nsso_role_name = r\n"
        .. "[sso-session s]\nsso_start_url = https://x\nsso_region = us-east-1\n",
        "[default]\naws_access_key_id = AKFILE\naws_secret_access_key = s\n")
      assert.are.equal("sso", described({ AWS_ENDPOINT_URL_SSO = srv.url }).credentials.provider)
    end)
  end)

  describe("files and credential_process", function()
    it("the shared credentials file beats credential_process", function()
      local marker = dir .. "/ran"
      H.script(dir .. "/p.sh", "#!/bin/sh\ntouch " .. marker .. "\necho '{}'\n")
      files("[default]\ncredential_process = " .. dir .. "/p.sh\n",
        "[default]\naws_access_key_id = AKFILE\naws_secret_access_key = s\naws_session_token = tok\n")
      local d = described({})
      assert.are.equal("shared-credentials-file", d.credentials.provider)
      assert.are.equal("AKFILE", d.credentials.access_key_id)
      assert.is_nil(H.read(marker))
    end)

    it("credential_process beats the config file's keys, and runs without a shell", function()
      proc_script("p.sh", '{"Version": 1, "AccessKeyId": "AKPROC", "SecretAccessKey": "PROCSECRET"}')
      H.script(dir .. "/args.sh", "#!/bin/sh\nprintf '%s|' \"$@\" > " .. dir .. "/args\n"
        .. "echo '{\"Version\": 1, \"AccessKeyId\": \"AKARGS\", \"SecretAccessKey\": \"s\"}'\n")
      files("[default]\ncredential_process = " .. dir .. "/p.sh\naws_access_key_id = AKCFG\n"
        .. "aws_secret_access_key = s\n")
      local d = described({})
      assert.are.equal("credential-process", d.credentials.provider)
      assert.are.equal("AKPROC", d.credentials.access_key_id)
      assert.is_nil(d.credentials.expires)
      files("[default]\ncredential_process = " .. dir .. [[/args.sh "two words" '$HOME;x' a\"b `id`]] .. "\n")
      d = described({})
      assert.are.equal("AKARGS", d.credentials.access_key_id)
      assert.are.equal([[two words|$HOME;x|a"b|`id`|]], H.read(dir .. "/args"))
    end)

    it("reports a failing or misbehaving process without leaking what it printed", function()
      proc_script("fail.sh", "PROCSECRET-on-stdout", 3)
      H.script(dir .. "/err.sh", "#!/bin/sh\necho 'token expired' >&2\nexit 2\n")
      local cases = {
        { dir .. "/err.sh", "status 2: token expired" },
        { dir .. "/fail.sh", "status 3" },
        { proc_script("v2.sh", '{"Version": 2, "AccessKeyId": "A", "SecretAccessKey": "PROCSECRET"}'), "Version" },
        { proc_script("vs.sh", '{"Version": "1", "AccessKeyId": "A", "SecretAccessKey": "PROCSECRET"}'), "Version" },
        { proc_script("nokey.sh", '{"Version": 1, "SecretAccessKey": "PROCSECRET"}'), "lacks" },
        { proc_script("junk.sh", 'PROCSECRET not json'), "not a JSON object" },
        { proc_script("exp.sh", '{"Version": 1, "AccessKeyId": "A", "SecretAccessKey": "PROCSECRET", '
          .. '"Expiration": "soon"}'), "Expiration" },
        { dir .. "/missing-program", "could not run" },
      }
      for _, case in ipairs(cases) do
        files("[default]\ncredential_process = " .. case[1] .. "\n")
        local err = raised({})
        assert.is_true(X.CredentialRetrievalError:match(err), case[1])
        assert.truthy(tostring(err):find(case[2], 1, true), tostring(err))
        assert.is_false(H.holds(err, "PROCSECRET"), case[1])
      end
      files("[default]\ncredential_process = 'unclosed\n")
      assert.is_true(X.InvalidConfigError:match(raised({})))
    end)

    it("the config file's keys beat the container provider", function()
      files("[default]\naws_access_key_id = AKCFG\naws_secret_access_key = s\n")
      local d = described({ AWS_CONTAINER_CREDENTIALS_FULL_URI = srv.url .. "/creds" })
      assert.are.equal("config-file", d.credentials.provider)
      assert.are.same({}, srv:requests())
      files("[default]\naws_access_key_id = AKCFG\n")
      assert.is_true(X.PartialCredentialsError:match(raised({})))
    end)
  end)

  describe("container", function()
    local function creds_route(ak, status)
      return H.route("GET", "/creds", { status = status or 200, body = string.format(
        '{"AccessKeyId": "%s", "SecretAccessKey": "CSECRET", "Token": "t", "Expiration": "%s"}', ak, H.iso(FUTURE)) })
    end

    it("GETs the full URI with the token file, re-read at every fetch", function()
      srv:set({ creds_route("ASIACONT") })
      H.write(dir .. "/tok", "token-one")
      local clock = { t = os.time() }
      H.with_env(H.env(dir, { AWS_CONTAINER_CREDENTIALS_FULL_URI = srv.url .. "/creds",
                              AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE = dir .. "/tok",
                              AWS_CONTAINER_AUTHORIZATION_TOKEN = "env-token" }), function()
        local c = lambda.new { region = "us-east-1", now = function() return clock.t end }
        local d = c:describe()
        assert.are.equal("container", d.credentials.provider)
        assert.are.equal(FUTURE, d.credentials.expires)
        local r = srv:requests()[1]
        assert.are.equal("token-one", r.headers.authorization)
        assert.are.equal("application/json", r.headers.accept)
        H.write(dir .. "/tok", "token-two")
        clock.t = FUTURE - 60
        c:build_request("GetPolicy", { FunctionName = "f" })
        assert.are.equal("token-two", srv:requests()[2].headers.authorization)
      end)
    end)

    it("uses AWS_CONTAINER_AUTHORIZATION_TOKEN without a file; refuses CR/LF and foreign hosts", function()
      srv:set({ creds_route("ASIACONT") })
      described({ AWS_CONTAINER_CREDENTIALS_FULL_URI = srv.url .. "/creds",
                  AWS_CONTAINER_AUTHORIZATION_TOKEN = "env-token" })
      assert.are.equal("env-token", srv:requests()[1].headers.authorization)
      local err = raised({ AWS_CONTAINER_CREDENTIALS_FULL_URI = srv.url .. "/creds",
                           AWS_CONTAINER_AUTHORIZATION_TOKEN = "bad\r\nX-Injected: 1" })
      assert.is_true(X.CredentialRetrievalError:match(err))
      err = raised({ AWS_CONTAINER_CREDENTIALS_FULL_URI = "http://example.com/creds" })
      assert.is_true(X.InvalidConfigError:match(err))
      assert.truthy(err.message:find("example.com", 1, true))
    end)

    it("retries 3 times, 1 s apart, then fails; a malformed answer fails", function()
      srv:set({ creds_route("X", 500) })
      local slept = {}
      local err = raised({ AWS_CONTAINER_CREDENTIALS_FULL_URI = srv.url .. "/creds" },
        { region = "us-east-1", sleep = function(s) slept[#slept + 1] = s end })
      assert.is_true(X.CredentialRetrievalError:match(err))
      assert.are.same({ 1, 1 }, slept)
      assert.are.equal(3, #srv:requests())
      srv:set({ H.route("GET", "/creds", { status = 200, body = '{"AccessKeyId": "A"}' }) })
      err = raised({ AWS_CONTAINER_CREDENTIALS_FULL_URI = srv.url .. "/creds" })
      assert.is_true(X.CredentialRetrievalError:match(err))
    end)

    it("beats instance metadata", function()
      srv:set({ creds_route("ASIACONT") })
      local d = described({ AWS_CONTAINER_CREDENTIALS_FULL_URI = srv.url .. "/creds",
                            AWS_EC2_METADATA_DISABLED = false, AWS_EC2_METADATA_SERVICE_ENDPOINT = srv.url })
      assert.are.equal("container", d.credentials.provider)
      for _, r in ipairs(srv:requests()) do assert.are.equal("/creds", r.path) end
    end)
  end)

  describe("instance metadata", function()
    local ROLE_PATH = "/latest/meta-data/iam/security-credentials/"
    local function imds_routes(token_status, delay, role_delay)
      return {
        H.route("PUT", "/latest/api/token", { status = token_status or 200, body = "imds-token", delay = delay }),
        H.route("GET", ROLE_PATH, { status = 200, body = "my-role", delay = role_delay }),
        H.route("GET", ROLE_PATH .. "my-role", { status = 200, body = string.format(
          '{"Code": "Success", "AccessKeyId": "ASIAIMDS", "SecretAccessKey": "ISECRET", "Token": "t", '
          .. '"Expiration": "%s"}', H.iso(FUTURE)) }),
      }
    end
    local function env(extra)
      local e = { AWS_EC2_METADATA_DISABLED = false, AWS_EC2_METADATA_SERVICE_ENDPOINT = srv.url }
      for k, v in pairs(extra or {}) do e[k] = v end
      return e
    end

    it("IMDSv2: a token PUT with a TTL, then the role and its credentials with the token", function()
      srv:set(imds_routes())
      local d = described(env())
      assert.are.equal("imds", d.credentials.provider)
      assert.are.equal("ASIAIMDS", d.credentials.access_key_id)
      assert.are.equal(FUTURE, d.credentials.expires)
      local reqs = srv:requests()
      assert.are.equal(3, #reqs)
      assert.are.equal("PUT", reqs[1].method)
      assert.are.equal("21600", reqs[1].headers["x-aws-ec2-metadata-token-ttl-seconds"])
      assert.are.equal("imds-token", reqs[2].headers["x-aws-ec2-metadata-token"])
      assert.are.equal(ROLE_PATH .. "my-role", reqs[3].path)
      assert.are.equal("imds-token", reqs[3].headers["x-aws-ec2-metadata-token"])
    end)

    it("falls back to IMDSv1 on 403/404/405 unless v1 is disabled; a 400 means none", function()
      srv:set(imds_routes(403))
      local d = described(env())
      assert.are.equal("imds", d.credentials.provider)
      assert.is_nil(srv:requests()[2].headers["x-aws-ec2-metadata-token"])
      srv:set(imds_routes(404))
      local err = raised(env { AWS_EC2_METADATA_V1_DISABLED = "true" })
      assert.is_true(X.NoCredentialsError:match(err))
      assert.truthy(err.message:find("IMDSv1 is disabled", 1, true))
      srv:set(imds_routes(400))
      assert.is_true(X.NoCredentialsError:match(raised(env())))
    end)

    it("does not stall: 1 s timeout, 1 attempt, and a dead endpoint is remembered", function()
      srv:set(imds_routes(200, nil, 3))
      local t0 = core.monotonic()
      local err = raised(env())
      assert.is_true(X.NoCredentialsError:match(err))
      assert.is_true(core.monotonic() - t0 < 1.8)
      -- a token PUT that times out falls back to v1 (botocore), still within the bound
      srv:set(imds_routes(200, 3))
      t0 = core.monotonic()
      assert.are.equal("imds", described(env()).credentials.provider)
      assert.is_true(core.monotonic() - t0 < 1.8)
      -- a closed port: connection refused, remembered for a while
      local dead = "http://127.0.0.1:9"
      err = raised(env { AWS_EC2_METADATA_SERVICE_ENDPOINT = dead })
      assert.truthy(err.message:find("no instance metadata service", 1, true))
      err = raised(env { AWS_EC2_METADATA_SERVICE_ENDPOINT = dead })
      assert.truthy(err.message:find("remembered", 1, true))
      assert.truthy(err.message:find("imds:", 1, true))
    end)

    it("honours AWS_EC2_METADATA_DISABLED, and treats a malformed answer as none", function()
      srv:set(imds_routes())
      local err = raised(env { AWS_EC2_METADATA_DISABLED = "TRUE" })
      assert.truthy(err.message:find("disabled by AWS_EC2_METADATA_DISABLED", 1, true))
      assert.are.same({}, srv:requests())
      local routes = imds_routes()
      routes[3] = H.route("GET", ROLE_PATH .. "my-role", { status = 200, body = '{"Code": "Failure"}' })
      srv:set(routes)
      assert.is_true(X.NoCredentialsError:match(raised(env())))
    end)
  end)

  it("NoCredentialsError names every provider and why it was skipped", function()
    local err = raised({})
    assert.is_true(X.NoCredentialsError:match(err))
    local names = {}
    for i, s in ipairs(err.skipped) do names[i] = s.provider end
    assert.are.same({ "environment", "assume-role", "web-identity", "sso", "shared-credentials-file",
                      "credential-process", "config-file", "container", "imds" }, names)
    for _, n in ipairs(names) do assert.truthy(err.message:find(n .. ": ", 1, true), n) end
    local d = described({})
    assert.is_nil(d.credentials.provider)
    assert.are.equal(9, #d.credentials.skipped)
  end)
end)
