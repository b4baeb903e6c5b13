-- End to end over real HTTP against tools/lambda-local, which verifies
-- every request's SigV4 signature independently of our signer.  Every case
-- runs twice: through aws.lambda (raising) and aws.lambda.safe (returning),
-- which must agree.
local ll = require "04-integration.lambda_local_helper"
local lambda = require "aws.lambda"
local safe = require "aws.lambda.safe"
local X = lambda.exceptions

local UUID = "^%x%x%x%x%x%x%x%x%-%x%x%x%x%-%x%x%x%x%-%x%x%x%x%-%x%x%x%x%x%x%x%x%x%x%x%x$"
local ARN = "arn:aws:lambda:us-east-1:123456789012:function:my-function"
-- xaccount is the only statement of PROD: once it is gone, so is the policy
local STATEMENT_GONE = "No policy is associated with the given resource."

local srv

-- A uniform face over both flavours: ok, result, meta | false, err.
local flavours = {
  raising = function(cfg)
    local c = lambda.new(cfg)
    return function(method, params, opts)
      local ok, r, m = pcall(c[method], c, params, opts)
      if ok then return true, r, m end
      assert.is_table(r) -- raised an error table, not a string
      return false, r
    end, c
  end,
  safe = function(cfg)
    local c = assert(safe.new(cfg))
    return function(method, params, opts)
      local r, m = c[method](c, params, opts)
      if r == nil then
        assert.is_table(m)
        return false, m
      end
      if r == true then r = nil end -- remove_permission's success
      return true, r, m
    end, c
  end,
}

local function config(extra)
  local cfg = { region = ll.region, endpoint_url = srv.endpoint, credentials = ll.credentials, max_attempts = 1 }
  for k, v in pairs(extra or {}) do cfg[k] = v end
  return cfg
end

local function signatures_all_ok()
  for _, entry in ipairs(srv:log()) do
    assert.are.equal("ok", entry.signature, entry.method .. " " .. entry.uri)
  end
end

-- Checks the fields every service error carries.
local function service_error(err, class, status, code, operation)
  assert.is_true(class:match(err), tostring(err))
  assert.is_true(X.ClientError:match(err))
  assert.are.equal(status, err.status)
  assert.are.equal(code, err.code)
  assert.are.equal(operation, err.operation)
  assert.truthy(tostring(err.request_id):match(UUID), tostring(err.request_id))
  assert.are.equal(1, err.attempts)
  assert.is_table(err.headers)
  assert.are.equal(code, err.headers["x-amzn-errortype"])
  local s = tostring(err)
  assert.truthy(s:find(code .. " (" .. status .. "): ", 1, true), s)
  assert.truthy(s:find("[" .. operation .. ", RequestId " .. err.request_id .. "]", 1, true), s)
end

describe("lambda-local end to end", function()
  setup(function() srv = ll.start() end)
  teardown(function() if srv then srv:stop() end end)
  before_each(function() srv:reset() end)

  for name, make in pairs(flavours) do
    describe("(" .. name .. ")", function()
      it("removes xaccount from alias PROD, as in the AWS documentation", function()
        local call = make(config())
        local ok, out = call("get_policy", { FunctionName = "my-function", Qualifier = "PROD" })
        assert.is_true(ok)
        assert.are.equal("xaccount", out.policy.Statement[1].Sid)
        assert.truthy(out.RevisionId:match(UUID))
        local ok2, r, meta = call("remove_permission",
          { FunctionName = "my-function", Qualifier = "PROD", StatementId = "xaccount" })
        assert.is_true(ok2)
        assert.is_nil(r)
        assert.are.equal(204, meta.status)
        assert.are.equal(1, meta.attempts)
        assert.truthy(meta.request_id:match(UUID))
        local ok3, err = call("get_policy", { FunctionName = "my-function", Qualifier = "PROD" })
        assert.is_false(ok3)
        service_error(err, X.ResourceNotFoundException, 404, "ResourceNotFoundException", "GetPolicy")
        assert.are.equal("The resource you requested does not exist.", err.message)
        signatures_all_ok()
      end)

      local forms = {
        { "name + Qualifier", { FunctionName = "my-function", Qualifier = "PROD" } },
        { "name:alias suffix", { FunctionName = "my-function:PROD" } },
        { "partial ARN + Qualifier", { FunctionName = "123456789012:function:my-function", Qualifier = "PROD" } },
        { "partial ARN:alias", { FunctionName = "123456789012:function:my-function:PROD" } },
        { "full ARN:alias", { FunctionName = ARN .. ":PROD" } },
        { "full ARN:alias + the same Qualifier", { FunctionName = ARN .. ":PROD", Qualifier = "PROD" } },
        { "full ARN + Qualifier", { FunctionName = ARN, Qualifier = "PROD" } },
      }
      for _, form in ipairs(forms) do
        it("accepts the FunctionName form: " .. form[1], function()
          local call = make(config())
          local p = { StatementId = "xaccount" }
          for k, v in pairs(form[2]) do p[k] = v end
          local ok, err = call("remove_permission", p)
          assert.is_true(ok, tostring(err))
          local again_ok, again = call("remove_permission", p)
          assert.is_false(again_ok)
          service_error(again, X.ResourceNotFoundException, 404, "ResourceNotFoundException", "RemovePermission")
          assert.are.equal(STATEMENT_GONE, again.message)
          signatures_all_ok()
        end)
      end

      it("keeps policies per version: the :1 policy is not the unqualified one", function()
        local call = make(config())
        local ok, out = call("get_policy", { FunctionName = "with-policy:1" })
        assert.is_true(ok)
        assert.are.equal("v1-only", out.policy.Statement[1].Sid)
        assert.is_true((call("remove_permission", { FunctionName = "with-policy", Qualifier = "1",
                                                     StatementId = "v1-only" })))
        local ok2, unq = call("get_policy", { FunctionName = "with-policy" })
        assert.is_true(ok2)
        assert.are.equal(2, #unq.policy.Statement)
        -- a statement id with dots, allowed by RemovePermission's pattern
        assert.is_true((call("remove_permission", { FunctionName = "with-policy", StatementId = "sid.with.dots" })))
      end)

      it("removes with the current RevisionId and raises PreconditionFailedException on a stale one", function()
        local call = make(config())
        local _, before = call("get_policy", { FunctionName = "with-policy" })
        local ok = call("remove_permission", { FunctionName = "with-policy", StatementId = "s3-invoke",
                                               RevisionId = before.RevisionId })
        assert.is_true(ok)
        local ok2, err = call("remove_permission", { FunctionName = "with-policy", StatementId = "sid.with.dots",
                                                     RevisionId = before.RevisionId })
        assert.is_false(ok2)
        service_error(err, X.PreconditionFailedException, 412, "PreconditionFailedException", "RemovePermission")
        assert.truthy(err.message:find("The Revision Id provided does not match the latest Revision Id", 1, true))
        assert.are.equal("User", err.type)
        assert.is_false(err.retryable)
      end)

      it("raises InvalidParameterValueException when the ARN's qualifier and Qualifier disagree", function()
        local call = make(config())
        local ok, err = call("remove_permission", { FunctionName = "my-function:PROD", Qualifier = "1",
                                                    StatementId = "xaccount" })
        assert.is_false(ok)
        service_error(err, X.InvalidParameterValueException, 400, "InvalidParameterValueException",
          "RemovePermission")
        assert.are.equal("The derived qualifier from the function name does not match the specified qualifier.",
          err.message)
        assert.is_false(err.retryable)
      end)

      it("raises TooManyRequestsException with Reason and Retry-After", function()
        local call = make(config())
        srv:fault { count = 1, kind = "throttle", retry_after = 3 }
        local ok, err = call("remove_permission", { FunctionName = "my-function", Qualifier = "PROD",
                                                    StatementId = "xaccount" })
        assert.is_false(ok)
        service_error(err, X.TooManyRequestsException, 429, "TooManyRequestsException", "RemovePermission")
        assert.are.equal("Rate exceeded", err.message)
        assert.are.equal("CallerRateLimitExceeded", err.reason)
        assert.are.equal(3, err.retry_after)
        assert.is_true(err.retryable)
        assert.is_true(err.throttling)
      end)

      it("raises ServiceException for a 500", function()
        local call = make(config())
        srv:fault { count = 1, kind = "service" }
        local ok, err = call("get_policy", { FunctionName = "my-function", Qualifier = "PROD" })
        assert.is_false(ok)
        service_error(err, X.ServiceException, 500, "ServiceException", "GetPolicy")
        assert.are.equal("Service", err.type)
        assert.is_true(err.retryable)
      end)

      it("raises PublicPolicyException", function()
        local call = make(config())
        local ok, err = call("add_permission", { FunctionName = "public-blocked", StatementId = "pub",
                                                 Action = "lambda:InvokeFunction", Principal = "*" })
        assert.is_false(ok)
        service_error(err, X.PublicPolicyException, 400, "PublicPolicyException", "AddPermission")
      end)

      it("keeps unmodeled codes as ClientError: ValidationException from the server's own check", function()
        local call = make(config { param_validation = false })
        local ok, err = call("add_permission", { FunctionName = "my-function", StatementId = "example.com",
                                                 Action = "lambda:InvokeFunction", Principal = "s3.amazonaws.com" })
        assert.is_false(ok)
        assert.are.equal("ClientError", err.class)
        assert.are.equal("ValidationException", err.code)
        assert.are.equal(400, err.status)
        assert.truthy(err.message:find("'example.com' at 'statementId'", 1, true), err.message)
      end)

      it("keeps unmodeled codes as ClientError: InvalidSignatureException, with no secret shown", function()
        local bad = { access_key_id = ll.credentials.access_key_id, secret_access_key = "not-the-secret-key" }
        local call = make(config { credentials = bad })
        local ok, err = call("remove_permission", { FunctionName = ARN .. ":PROD", StatementId = "xaccount" })
        assert.is_false(ok)
        assert.are.equal("ClientError", err.class)
        assert.are.equal("InvalidSignatureException", err.code)
        assert.are.equal(403, err.status)
        assert.truthy(err.message:find("The Canonical String for this request should have been", 1, true))
        -- the server expected the double-encoded ARN path
        assert.truthy(err.message:find("arn%253Aaws%253Alambda", 1, true))
        assert.falsy(tostring(err):find("not-the-secret-key", 1, true))
        assert.falsy(tostring(err):find(ll.credentials.secret_access_key, 1, true))
      end)

      it("adds a permission, refuses a duplicate with ResourceConflictException", function()
        local call = make(config())
        local p = { FunctionName = "no-policy", StatementId = "acct", Action = "lambda:InvokeFunction",
                    Principal = "210987654321", Qualifier = "LIVE" }
        local ok, out, meta = call("add_permission", p)
        assert.is_true(ok)
        assert.are.equal(201, meta.status)
        assert.are.equal("arn:aws:iam::210987654321:root", out.statement.Principal.AWS)
        local ok2, err = call("add_permission", p)
        assert.is_false(ok2)
        service_error(err, X.ResourceConflictException, 409, "ResourceConflictException", "AddPermission")
        local _, pol = call("get_policy", { FunctionName = "no-policy", Qualifier = "LIVE" })
        assert.are.equal("acct", pol.policy.Statement[1].Sid)
        signatures_all_ok()
      end)

      it("signs session tokens the endpoint accepts", function()
        local call = make(config { credentials = ll.temp_credentials })
        assert.is_true((call("remove_permission", { FunctionName = ARN .. ":PROD", StatementId = "xaccount" })))
        local log = srv:log()
        assert.are.equal(1, #log)
        assert.are.equal("ok", log[1].signature)
        assert.truthy(log[1].headers.authorization:find("x-amz-security-token", 1, true))
      end)

      it("raises ParamValidationError listing every problem, and sends nothing", function()
        local call = make(config())
        local bad = {
          {},
          { FunctionName = "my-function" },
          { FunctionName = "my-function", StatementId = "x", Qualifer = "PROD" },
          { FunctionName = "my-function", StatementId = "a/b" },
          { FunctionName = "../x", StatementId = "s" },
          { FunctionName = "my-function", StatementId = "s\r\nX-Evil: 1" },
          { FunctionName = "my-function", StatementId = "s\0" },
          { FunctionName = ("f"):rep(300), StatementId = "s" },
          { FunctionName = "my-function", StatementId = "s", Qualifier = 1 },
          { FunctionName = "my-function", StatementId = "\xff\xfe" },
        }
        for _, p in ipairs(bad) do
          local ok, err = call("remove_permission", p)
          assert.is_false(ok)
          assert.is_true(X.ParamValidationError:match(err), tostring(err))
        end
        local ok, err = call("remove_permission", { StatementId = "a b", Qualifer = "x" })
        assert.is_false(ok)
        assert.truthy(err.message:find("FunctionName", 1, true))
        assert.truthy(err.message:find("Qualifer", 1, true))
        assert.truthy(err.message:find("StatementId", 1, true))
        assert.are.equal(0, srv:stats().requests)
      end)

      it("serves many calls of one client over one TCP connection", function()
        local call, client = make(config())
        for _ = 1, 25 do
          assert.is_true((call("get_policy", { FunctionName = "with-policy" })))
        end
        local stats = srv:stats()
        assert.are.equal(25, stats.requests)
        assert.are.equal(1, stats.connections)
        client:close()
      end)
    end)
  end
end)
