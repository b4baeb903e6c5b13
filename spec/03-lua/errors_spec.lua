-- aws.lambda.errors: classes, constructors, retry classification, printing.
local errors = require "aws.lambda.errors"
local E = errors.exceptions

local RID = "9f89d509-063e-4b8c-a3ae-1848cc7c0701"

local MODELED = {
  -- code, status, body message key (as in the model), sample message
  { "InvalidParameterValueException", 400, "message", "The provided principal was invalid." },
  { "PolicyLengthExceededException", 400, "message", "The final policy size is bigger than the limit." },
  { "PublicPolicyException", 400, "Message", "The policy would grant public access." },
  { "ResourceNotFoundException", 404, "Message", "Statement xaccount is not found in resource policy." },
  { "ResourceConflictException", 409, "message", "The statement id (s3) provided already exists." },
  { "PreconditionFailedException", 412, "message", "The Revision Id provided does not match." },
  { "TooManyRequestsException", 429, "message", "Rate exceeded" },
  { "ServiceException", 500, "Message", "Internal failure" },
}

describe("aws.lambda.errors", function()
  describe("classes", function()
    it("mirror botocore's tree", function()
      local parents = {
        ClientError = "Error",
        ParamValidationError = "Error", NoCredentialsError = "Error",
        PartialCredentialsError = "Error", NoRegionError = "Error",
        InvalidRegionError = "Error", InvalidConfigError = "Error",
        HTTPClientError = "Error",
        EndpointConnectionError = "HTTPClientError",
        ConnectTimeoutError = "EndpointConnectionError",
        ReadTimeoutError = "HTTPClientError", ConnectionClosedError = "HTTPClientError",
        SSLError = "HTTPClientError", ResponseTooLargeError = "HTTPClientError",
      }
      for _, m in ipairs(MODELED) do parents[m[1]] = "ClientError" end
      for name, parent in pairs(parents) do
        assert.equal(name, E[name].name)
        assert.equal(E[parent], E[name].parent, name)
      end
      assert.is_nil(E.Error.parent)
      assert.equal("aws.lambda.exceptions.ClientError", tostring(E.ClientError))
    end)

    it("match an error of the class or of any subclass", function()
      local cto = errors.from_transport("ConnectTimeoutError", "timed out")
      assert.is_true(E.ConnectTimeoutError:match(cto))
      assert.is_true(E.EndpointConnectionError:match(cto))
      assert.is_true(E.HTTPClientError:match(cto))
      assert.is_true(E.Error:match(cto))
      assert.is_false(E.ReadTimeoutError:match(cto))
      assert.is_false(E.ClientError:match(cto))

      local rnf = errors.from_response("RemovePermission", 404, {}, { code = "ResourceNotFoundException" })
      assert.is_true(E.ResourceNotFoundException:match(rnf))
      assert.is_true(E.ClientError:match(rnf))
      assert.is_true(E.Error:match(rnf))
      assert.is_false(E.ServiceException:match(rnf))
      assert.is_false(E.HTTPClientError:match(rnf))

      local plain = errors.from_response("RemovePermission", 400, {}, { code = "ValidationException" })
      assert.is_true(E.ClientError:match(plain))
      assert.is_false(E.InvalidParameterValueException:match(plain))
    end)

    it("match nothing that is not an error value", function()
      for _, v in ipairs({ "ResourceNotFoundException", 1, true, {}, { class = "ClientError" },
                           setmetatable({ class = "ClientError" }, {}) }) do
        assert.is_false(E.ClientError:match(v))
        assert.is_false(E.Error:match(v))
        assert.is_false(errors.is(v, "ClientError"))
        assert.is_false(errors.is_error(v))
      end
      assert.is_false(E.Error:match(nil))
    end)

    it("errors.is works by class name, class object or unmodeled code", function()
      local rnf = errors.from_response("GetPolicy", 404, {}, { code = "ResourceNotFoundException" })
      assert.is_true(errors.is(rnf, "ResourceNotFoundException"))
      assert.is_true(errors.is(rnf, "ClientError"))
      assert.is_true(errors.is(rnf, E.ClientError))
      assert.is_true(rnf:is("Error"))
      assert.is_false(errors.is(rnf, "ServiceException"))
      local ade = errors.from_response("GetPolicy", 403, {}, { code = "AccessDeniedException" })
      assert.is_true(errors.is(ade, "AccessDeniedException"))
      assert.is_true(ade:is("ClientError"))
      assert.is_false(errors.is(ade, "ValidationException"))
    end)
  end)

  describe("new", function()
    it("fills class, code, category and a default message", function()
      local e = errors.new("NoRegionError")
      assert.equal("NoRegionError", e.class)
      assert.equal("NoRegionError", e.code)
      assert.equal("client", e.category)
      assert.equal("You must specify a region", e.message)
      assert.is_false(e.retryable)
      assert.is_true(errors.is_error(e))
      assert.equal(errors.metatable, getmetatable(e))
      assert.equal("Unable to locate credentials", errors.new("NoCredentialsError").message)
      assert.equal("Partial credentials found in env, missing: AWS_SECRET_ACCESS_KEY",
        errors.new("PartialCredentialsError",
                   { provider = "env", missing = "AWS_SECRET_ACCESS_KEY" }).message)
      assert.equal('Provided region "us_east_1" does not match a supported format',
        errors.new("InvalidRegionError", { region = "us_east_1" }).message)
    end)

    it("raises a plain error for an unknown or abstract class", function()
      assert.has_error(function() errors.new("NoSuchError") end,
                       "aws.lambda.errors: unknown error class NoSuchError")
      assert.has_error(function() errors.new("Error") end,
                       "aws.lambda.errors: unknown error class Error")
      assert.has_error(function() errors.new("NoRegionError", "x") end)
    end)

    it("copies the fields without touching the caller's table", function()
      local fields = { message = "m", operation = "GetPolicy", extra = 1 }
      local e = errors.new("InvalidConfigError", fields)
      assert.equal(1, e.extra)
      assert.equal("GetPolicy", e.operation)
      assert.is_nil(fields.class)
      assert.is_nil(fields.code)
    end)

    it("never keeps credentials", function()
      local e = errors.new("InvalidConfigError", {
        message = "bad profile", secret_access_key = "wJalr", session_token = "AQoD",
        ["Security-Token"] = "x", access_key_id = "AKID", Authorization = "AWS4-HMAC-SHA256 ...",
        headers = { Authorization = "a", ["x-amz-security-token"] = "t",
                    ["X-Amz-Security-Token"] = "t", ["x-amzn-RequestId"] = RID },
      })
      for _, k in ipairs({ "secret_access_key", "session_token", "Security-Token",
                           "access_key_id", "Authorization" }) do
        assert.is_nil(e[k], k)
      end
      assert.same({ ["x-amzn-RequestId"] = RID }, e.headers)
    end)

    it("builds ParamValidationError's message from its problems, one per line", function()
      local e = errors.new("ParamValidationError", {
        problems = {
          'Missing required parameter in input: "StatementId"',
          'Unknown parameter in input: "Qualifer", must be one of: '
            .. "FunctionName, StatementId, Qualifier, RevisionId",
        },
        operation = "RemovePermission",
      })
      assert.equal('Parameter validation failed:\nMissing required parameter in input: "StatementId"\n'
        .. 'Unknown parameter in input: "Qualifer", must be one of: '
        .. "FunctionName, StatementId, Qualifier, RevisionId", e.message)
      assert.equal(2, #e.problems)
      assert.is_false(e.retryable)
    end)

    it("computes retryable for a hand-made service error", function()
      local e = errors.new("TooManyRequestsException", { code = "TooManyRequestsException", status = 429 })
      assert.is_true(e.retryable)
      assert.is_true(e.throttling)
      assert.is_false(errors.new("ClientError", { code = "X", status = 400 }).retryable)
    end)
  end)

  describe("tostring", function()
    it("formats a service error with its operation and request id", function()
      local e = errors.from_response("RemovePermission", 404, { ["x-amzn-requestid"] = RID },
        { code = "ResourceNotFoundException", type = "User",
          message = "Statement xaccount is not found in resource policy." })
      assert.equal("ResourceNotFoundException (404): Statement xaccount is not found in resource "
        .. "policy. [RemovePermission, RequestId " .. RID .. "]", tostring(e))
      e.attempts = 1
      assert.equal("ResourceNotFoundException (404): Statement xaccount is not found in resource "
        .. "policy. [RemovePermission, RequestId " .. RID .. "]", tostring(e))
      e.attempts = 3
      assert.equal("ResourceNotFoundException (404): Statement xaccount is not found in resource "
        .. "policy. [RemovePermission, RequestId " .. RID .. ", attempts 3]", tostring(e))
    end)

    it("omits the parts that are missing", function()
      assert.equal("PreconditionFailedException (412): stale",
        tostring(errors.from_response(nil, 412, nil, { code = "PreconditionFailedException",
                                                      message = "stale" })))
      assert.equal("ValidationException (400): bad [GetPolicy]",
        tostring(errors.from_response("GetPolicy", 400, {}, { code = "ValidationException",
                                                             message = "bad" })))
      assert.equal("HTTP 503: Service Unavailable [GetPolicy, RequestId r1]",
        tostring(errors.from_response("GetPolicy", 503, { ["X-Amzn-RequestId"] = "r1" }, nil)))
    end)

    it("formats client-side errors", function()
      assert.equal("ParamValidationError: Parameter validation failed:\nx",
        tostring(errors.new("ParamValidationError", { problems = { "x" } })))
      assert.equal("ParamValidationError: Parameter validation failed:\nx [RemovePermission]",
        tostring(errors.new("ParamValidationError", { problems = { "x" },
                                                      operation = "RemovePermission" })))
      assert.equal("NoRegionError: You must specify a region", tostring(errors.new("NoRegionError")))
      assert.equal('ConnectTimeoutError: Connect timeout on endpoint URL: '
        .. '"https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/f/policy" '
        .. "(Connection timed out after 3001 milliseconds) [GetPolicy, attempts 3]",
        tostring(errors.from_transport("ConnectTimeoutError",
          "Connection timed out after 3001 milliseconds",
          { endpoint = "https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/f/policy",
            operation = "GetPolicy", attempts = 3 })))
    end)

    it("never prints headers", function()
      local e = errors.from_response("GetPolicy", 500,
        { ["x-amzn-requestid"] = "r", ["x-custom"] = "HEADERVALUE" }, { code = "ServiceException" })
      assert.is_nil(tostring(e):find("HEADERVALUE", 1, true))
    end)

    it("is what error() shows when nothing catches it", function()
      local ok, err = pcall(error, errors.new("NoRegionError"))
      assert.is_false(ok)
      assert.equal("NoRegionError: You must specify a region", tostring(err))
      -- Lua 5.1's lua.c prints "(error object is not a string)" instead
      if _VERSION == "Lua 5.1" then return end
      local lua = (arg and arg[-1]) or "lua5.4"
      local p = io.popen(lua .. [[ -e "package.path='lua/?.lua;'..package.path;]]
        .. [[error(require('aws.lambda.errors').new('NoRegionError'))" 2>&1]])
      local out = p:read("*a")
      p:close()
      assert.matches("NoRegionError: You must specify a region", out, 1, true)
    end)
  end)

  describe("from_response", function()
    it("makes the modeled class for every modeled code, with every field", function()
      for _, m in ipairs(MODELED) do
        local code, status, key, text = m[1], m[2], m[3], m[4]
        local headers = { ["content-type"] = "application/json", ["x-amzn-errortype"] = code,
                          ["x-amzn-requestid"] = RID }
        local e = errors.from_response("AddPermission", status, headers,
          { code = code, message = text, type = "User", request_id = RID })
        assert.equal(code, e.class, code)
        assert.equal(code, e.code)
        assert.equal(status, e.status)
        assert.equal(text, e.message, key)
        assert.equal("User", e.type)
        assert.equal(RID, e.request_id)
        assert.equal("AddPermission", e.operation)
        assert.equal("service", e.category)
        assert.same(headers, e.headers)
        assert.are_not.equal(headers, e.headers)     -- a copy
        assert.is_true(E[code]:match(e))
        local retry = code == "TooManyRequestsException" or code == "ServiceException"
        assert.equal(retry, e.retryable, code)
        assert.equal(code == "TooManyRequestsException", e.throttling, code)
      end
    end)

    it("keeps TooManyRequestsException's Reason and Retry-After", function()
      local e = errors.from_response("RemovePermission", 429,
        { ["Retry-After"] = "3", ["x-amzn-RequestId"] = RID },
        { code = "TooManyRequestsException", message = "Rate exceeded", type = "User",
          reason = "CallerRateLimitExceeded" })
      assert.equal("CallerRateLimitExceeded", e.reason)
      assert.equal(3, e.retry_after)
      assert.equal(RID, e.request_id)
      assert.is_true(e.retryable)
      assert.is_true(e.throttling)
      -- the parser's value wins; junk is ignored
      assert.equal(7, errors.from_response("X", 429, { ["retry-after"] = "3" },
        { code = "TooManyRequestsException", retry_after = "7" }).retry_after)
      assert.is_nil(errors.from_response("X", 429, { ["retry-after"] = "Wed, 21 Oct 2015 07:28:00 GMT" },
        { code = "TooManyRequestsException" }).retry_after)
    end)

    it("keeps an unmodeled code on a plain ClientError", function()
      local e = errors.from_response("RemovePermission", 400, { ["x-amzn-requestid"] = RID },
        { code = "ValidationException",
          message = "1 validation error detected: Value 'x' at 'statementId' failed to satisfy constraint" })
      assert.equal("ClientError", e.class)
      assert.equal("ValidationException", e.code)
      assert.equal("User", e.type)            -- no Type in the body: status < 500
      assert.equal(400, e.status)
      assert.is_false(e.retryable)
      assert.is_false(e.throttling)
      for _, code in ipairs({ "AccessDeniedException", "InvalidSignatureException",
                              "UnrecognizedClientException", "KMSAccessDeniedException" }) do
        local x = errors.from_response("GetPolicy", 403, {}, { code = code })
        assert.equal("ClientError", x.class)
        assert.equal(code, x.code)
      end
    end)

    it("gives a bodiless 503 the code \"503\", type Service and retryable", function()
      local e = errors.from_response("GetPolicy", 503, {}, nil)
      assert.equal("ClientError", e.class)
      assert.equal("503", e.code)
      assert.equal("Service Unavailable", e.message)
      assert.equal("Service", e.type)
      assert.is_true(e.retryable)
      assert.is_false(e.throttling)
    end)

    it("classifies retries as standard mode does, plus any 429 as throttling", function()
      local cases = {
        -- status, code (nil: none came back), retryable, throttling
        { 429, "TooManyRequestsException", true, true },
        { 429, nil, true, true },
        { 500, "ServiceException", true, false },
        { 502, "EC2ThrottledException", true, true },
        { 503, nil, true, false },
        { 504, nil, true, false },
        { 400, "ThrottlingException", true, true },
        { 400, "Throttling", true, true },
        { 400, "RequestTimeoutException", true, false },
        { 408, "RequestTimeout", true, false },
        { 400, "PriorRequestNotComplete", true, true },
        { 409, "ResourceConflictException", false, false },
        { 404, "ResourceNotFoundException", false, false },
        { 412, "PreconditionFailedException", false, false },
        { 400, "InvalidParameterValueException", false, false },
        { 403, "AccessDeniedException", false, false },
        { 501, nil, false, false },
      }
      for _, c in ipairs(cases) do
        local e = errors.from_response("RemovePermission", c[1], {}, c[2] and { code = c[2] } or nil)
        local label = c[1] .. " " .. tostring(c[2])
        assert.equal(c[3], e.retryable, label)
        assert.equal(c[4], e.throttling, label)
        local r, t = errors.classify(c[1], c[2] or tostring(c[1]))
        assert.equal(c[3], r, label)
        assert.equal(c[4], t, label)
      end
    end)

    it("normalizes namespaced and suffixed codes, and falls back to the header", function()
      local e = errors.from_response("RemovePermission", 429, {},
        { code = "aws.lambda#TooManyRequestsException:http://internal.amazon.com/coral/x/" })
      assert.equal("TooManyRequestsException", e.class)
      assert.equal("TooManyRequestsException", e.code)
      e = errors.from_response("RemovePermission", 412,
        { ["X-Amzn-ErrorType"] = "PreconditionFailedException:http://internal.amazon.com/" }, {})
      assert.equal("PreconditionFailedException", e.class)
      assert.equal("Precondition Failed", e.message)   -- no message: the reason phrase
    end)

    it("takes the type from the body, else from the status", function()
      assert.equal("Service", errors.from_response("X", 500, {}, { code = "ServiceException" }).type)
      assert.equal("User", errors.from_response("X", 404, {}, { code = "ResourceNotFoundException" }).type)
      assert.equal("User", errors.from_response("X", 500, {}, { code = "ServiceException",
                                                                type = "User" }).type)
    end)

    it("finds the request id in x-amz-request-id too, in any letter case", function()
      assert.equal("r2", errors.from_response("X", 404, { ["X-Amz-Request-Id"] = "r2" }, {}).request_id)
    end)

    it("accepts extra fields such as attempts", function()
      local e = errors.from_response("X", 500, {}, { code = "ServiceException" }, { attempts = 3 })
      assert.equal(3, e.attempts)
    end)

    it("keeps security tokens out of stored headers and messages", function()
      local e = errors.from_response("GetPolicy", 403,
        { Authorization = "AWS4-HMAC-SHA256 Credential=AKID/...", ["X-Amz-Security-Token"] = "AQoDtok",
          ["x-amzn-requestid"] = RID },
        { code = "InvalidSignatureException",
          message = "The request signature we calculated does not match the signature you provided. "
            .. "The Canonical String for this request should have been\n'GET\n/2015-03-31/functions/f/policy\n\n"
            .. "host:lambda.us-east-1.amazonaws.com\nx-amz-date:20150830T123600Z\n"
            .. "x-amz-security-token:AQoDYXdzEPT//////////wEXAMPLE+/=\n\nhost;x-amz-date;x-amz-security-token\n"
            .. "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'" })
      assert.same({ ["x-amzn-requestid"] = RID }, e.headers)
      assert.is_nil(e.message:find("AQoD", 1, true))
      assert.truthy(e.message:find("x-amz-security-token:<redacted>\n", 1, true))
      assert.truthy(e.message:find("host;x-amz-date;x-amz-security-token\n", 1, true))
      assert.is_nil(tostring(e):find("AQoD", 1, true))
      assert.equal("https://h/p?X-Amz-Security-Token=<redacted>&b=1",
                   errors._scrub_text("https://h/p?X-Amz-Security-Token=AQoD%2Fx&b=1"))
    end)
  end)

  describe("from_transport", function()
    it("maps each kind to its class, with retryable and timeout", function()
      local cases = {
        -- kind, class, retryable, timeout
        { "EndpointConnectionError", "EndpointConnectionError", true, false },
        { "ConnectTimeoutError", "ConnectTimeoutError", true, true },
        { "ReadTimeoutError", "ReadTimeoutError", true, true },
        { "ConnectionClosedError", "ConnectionClosedError", true, false },
        { "SSLError", "SSLError", false, false },
        { "ResponseTooLarge", "ResponseTooLargeError", false, false },
        { "SomethingElse", "HTTPClientError", true, false },
      }
      for _, c in ipairs(cases) do
        local e = errors.from_transport(c[1], "curl says no",
          { endpoint = "https://lambda.us-east-1.amazonaws.com", operation = "RemovePermission" })
        assert.equal(c[2], e.class, c[1])
        assert.equal(c[2], e.code)
        assert.equal(c[3], e.retryable, c[1])
        assert.equal(c[4], e.timeout, c[1])
        assert.equal("curl says no", e.reason)
        assert.equal(c[1], e.kind)
        assert.equal("network", e.category)
        assert.equal("RemovePermission", e.operation)
        assert.equal("https://lambda.us-east-1.amazonaws.com", e.endpoint)
        assert.is_nil(e.status)
        assert.is_true(E.HTTPClientError:match(e))
      end
    end)

    it("writes a message with or without an endpoint and reason", function()
      assert.equal('Could not connect to the endpoint URL: "https://x.test" (Could not resolve host)',
        errors.from_transport("EndpointConnectionError", "Could not resolve host",
                              { endpoint = "https://x.test" }).message)
      assert.equal("Read timeout", errors.from_transport("ReadTimeoutError").message)
      assert.equal("given", errors.from_transport("SSLError", "r", { message = "given" }).message)
    end)

    it("drops user:password from the endpoint", function()
      local e = errors.from_transport("ReadTimeoutError", nil,
        { endpoint = "http://user:secret@localhost:4566/base/" })
      assert.equal("http://localhost:4566/base/", e.endpoint)
      assert.is_nil(tostring(e):find("secret", 1, true))
    end)
  end)
end)
