-- Bad input never reaches the network: for each of the three operations,
-- every kind of bad parameter raises ParamValidationError (or returns it,
-- through aws.lambda.safe) and lambda-local sees zero requests.
--
-- Limits and patterns below are the botocore model's (lambda-api.md §1),
-- written out here rather than read from aws.lambda.operations, so a wrong
-- model in the module cannot make this spec pass.
local ll = require "04-integration.lambda_local_helper"
local lambda = require "aws.lambda"
local safe = require "aws.lambda.safe"

local X = lambda.exceptions

local srv
local base -- the endpoint's request count when the case started

-- Valid parameters for each operation (the calls would succeed).
local VALID = {
  remove_permission = { FunctionName = "my-function", StatementId = "xaccount", Qualifier = "PROD",
                        RevisionId = "11111111-2222-4333-8444-555555555555" },
  get_policy = { FunctionName = "my-function", Qualifier = "PROD" },
  add_permission = { FunctionName = "my-function", StatementId = "new-sid", Action = "lambda:InvokeFunction",
                     Principal = "s3.amazonaws.com", SourceArn = "arn:aws:s3:::my-bucket",
                     SourceAccount = "123456789012", EventSourceToken = "token-1", Qualifier = "PROD",
                     PrincipalOrgID = "o-a1b2c3d4e5", FunctionUrlAuthType = "AWS_IAM" },
}
local OPERATION = { remove_permission = "RemovePermission", get_policy = "GetPolicy",
                    add_permission = "AddPermission" }
local REQUIRED = {
  remove_permission = { "FunctionName", "StatementId" },
  get_policy = { "FunctionName" },
  add_permission = { "FunctionName", "StatementId", "Action", "Principal" },
}
-- Members whose pattern allows neither '/' nor a lone "." / ".." segment
-- (the ones that name a resource or end up in the URI path).
local NAMES = {
  remove_permission = { "FunctionName", "StatementId", "Qualifier" },
  get_policy = { "FunctionName", "Qualifier" },
  add_permission = { "FunctionName", "StatementId", "Qualifier" },
}
-- member -> a value one unit longer than the model's maximum, valid otherwise
local TOO_LONG = {
  FunctionName = ("f"):rep(257), StatementId = ("s"):rep(101), Qualifier = ("q"):rep(129),
  Action = "lambda:" .. ("A"):rep(10001 - 7), Principal = ("p"):rep(2049),
  SourceArn = "arn:aws:s3:::" .. ("b"):rep(10001 - 13), SourceAccount = ("1"):rep(13),
  EventSourceToken = ("t"):rep(257), PrincipalOrgID = "o-" .. ("a"):rep(33),
}
local TOO_LONG_BY_OP = {
  remove_permission = { "FunctionName", "StatementId", "Qualifier" },
  get_policy = { "FunctionName", "Qualifier" },
  add_permission = { "FunctionName", "StatementId", "Qualifier", "Action", "Principal", "SourceArn",
                     "SourceAccount", "EventSourceToken", "PrincipalOrgID" },
}

-- Values that no string member accepts, whatever the validation mode.
local ALWAYS_BAD = {
  { "CR/LF", "my\r\nX-Injected: 1" },
  { "a bare LF", "line1\nline2" },
  { "a bare CR", "a\rb" },
  { "NUL", "my\0function" },
  { "a trailing NUL", "my-function\0" },
  { "DEL", "my\127function" },
  { "a tab", "my\tfunction" },
  { "invalid UTF-8 (a lone 0xFF)", "my\255function" },
  { "invalid UTF-8 (a truncated sequence)", "my\195" },
  { "invalid UTF-8 (an overlong '/')", "a\192\175b" },
  { "invalid UTF-8 (a UTF-16 surrogate)", "a\237\160\128b" },
  { "invalid UTF-8 (above U+10FFFF)", "a\244\144\128\128b" },
  { "a number", 42 },
  { "a float", 1.5 },
  { "a boolean", true },
  { "a table", { "my-function" } },
  { "a function", print },
}
-- Path-like values, refused for NAMES members.
local PATHS = {
  { "../", "../my-function" },
  { "a trailing ../", "my-function/.." },
  { "'..'", ".." },
  { "'.'", "." },
  { "/", "my/function" },
  { "a lone /", "/" },
  { "an encoded /", "my%2Ffunction" },
  { "an empty string", "" },
  { "a space", "my function" },
  { "'?'", "my-function?Qualifier=1" },
  { "'#'", "my-function#x" },
}

local function copy(t)
  local c = {}
  for k, v in pairs(t) do c[k] = v end
  return c
end

local function with(t, k, v)
  local c = copy(t)
  c[k] = v
  return c
end

local function show(v)
  if type(v) == "string" then return ("%q"):format(#v > 40 and v:sub(1, 37) .. "..." or v) end
  return type(v)
end

local function config(extra)
  local cfg = { region = ll.region, endpoint_url = srv.endpoint, credentials = ll.credentials }
  for k, v in pairs(extra or {}) do cfg[k] = v end
  return cfg
end

local function client(extra) return lambda.new(config(extra)) end

-- Checks a ParamValidationError and that nothing was sent.
local function refused(method, err)
  assert.is_true(X.ParamValidationError:match(err), tostring(err))
  assert.are.equal("ParamValidationError", err.code)
  assert.are.equal("client", err.category)
  assert.is_false(err.retryable)
  assert.are.equal(OPERATION[method], err.operation)
  assert.is_table(err.problems)
  assert.is_true(#err.problems >= 1)
  local text = tostring(err)
  assert.truthy(text:find("Parameter validation failed", 1, true), text)
  -- the bad value never reaches a message raw: no CR, NUL or invalid bytes
  assert.is_nil(text:find("[%z\r]"), text)
  assert.truthy(utf8.len(text), "the message is not valid UTF-8")
end

-- Calls `method` with params on both flavours; both must refuse it.
local function expect_refused(method, params, cfg)
  local c = client(cfg)
  local ok, err = pcall(c[method], c, params)
  assert.is_false(ok, "accepted " .. method)
  refused(method, err)
  local sc = assert(safe.new(config(cfg)))
  local r, serr = sc[method](sc, params)
  assert.is_nil(r)
  refused(method, serr)
end

-- Requests that reached the endpoint since the case started.
local function sent() return srv:stats().requests - base end
local function none_sent() assert.are.equal(0, sent(), "a request reached the endpoint") end

describe("bad input (lambda-local)", function()
  setup(function() srv = ll.start() end)
  teardown(function() if srv then srv:stop() end end)
  -- one stats call per case rather than a reset: the cases are many
  before_each(function() base = srv:stats().requests end)
  -- every case below but the control ones must leave the endpoint untouched
  local function check(name, fn)
    it(name, function()
      fn()
      none_sent()
    end)
  end

  for method, valid in pairs(VALID) do
    describe(OPERATION[method], function()
      check("is refused for parameters that are nil, not a table, or empty", function()
        for _, params in ipairs { false, "FunctionName=my-function", 42, {} } do
          expect_refused(method, params)
        end
        local c = client()
        local ok, err = pcall(c[method], c)
        assert.is_false(ok)
        refused(method, err)
      end)

      check("is refused when a required member is missing", function()
        for _, name in ipairs(REQUIRED[method]) do
          expect_refused(method, with(valid, name, nil))
        end
      end)

      check("is refused for unknown keys, misspelt names and non-string keys", function()
        expect_refused(method, with(valid, "Unknown", "x"))
        expect_refused(method, with(valid, "functionName", "my-function"))
        expect_refused(method, with(valid, "function_name", "my-function"))
        expect_refused(method, with(valid, 1, "my-function"))
        expect_refused(method, with(valid, true, "x"))
      end)

      for _, case in ipairs(ALWAYS_BAD) do
        check("is refused when any string member holds " .. case[1], function()
          for name, v in pairs(valid) do
            if type(v) == "string" then
              expect_refused(method, with(valid, name, case[2]))
              -- the model checks off: still refused, these break the request
              expect_refused(method, with(valid, name, case[2]), { param_validation = false })
            end
          end
        end)
      end

      check("is refused for a string where a boolean belongs, and a number where a string belongs", function()
        if method == "add_permission" then
          expect_refused(method, with(valid, "InvokedViaFunctionUrl", "true"))
          expect_refused(method, with(valid, "InvokedViaFunctionUrl", 1))
        end
        expect_refused(method, with(valid, "FunctionName", 123456789012))
        expect_refused(method, with(valid, "Qualifier", 1))
      end)

      for _, case in ipairs(PATHS) do
        check("is refused when a resource name holds " .. case[1], function()
          for _, name in ipairs(NAMES[method]) do
            expect_refused(method, with(valid, name, case[2]))
          end
        end)
      end

      check("refuses '.', '..' and '' in a URI label even with param_validation = false", function()
        for _, v in ipairs { ".", "..", "" } do
          expect_refused(method, with(valid, "FunctionName", v), { param_validation = false })
          if method == "remove_permission" then
            expect_refused(method, with(valid, "StatementId", v), { param_validation = false })
          end
        end
      end)

      check("is refused for values one past the model's maximum length", function()
        for _, name in ipairs(TOO_LONG_BY_OP[method]) do
          expect_refused(method, with(valid, name, TOO_LONG[name]))
        end
      end)

      check("reports every problem at once", function()
        local bad = with(with(valid, "FunctionName", "a/b"), "Qualifier", "x\ny")
        bad.Bogus = 1
        local c = client()
        local ok, err = pcall(c[method], c, bad)
        assert.is_false(ok)
        refused(method, err)
        assert.are.equal(3, #err.problems, table.concat(err.problems, "\n"))
      end)

      it("accepts the valid parameters (the control case)", function()
        local c = client()
        local ok, err = pcall(c[method], c, copy(valid))
        -- the server may refuse them (RevisionId, existing Sid): what
        -- matters is that the request was sent
        assert.is_true(ok or X.ClientError:match(err), tostring(err))
        assert.are.equal(1, sent())
      end)

      it("accepts a value exactly at the maximum length (no off-by-one)", function()
        for _, name in ipairs(TOO_LONG_BY_OP[method]) do
          local v = TOO_LONG[name]
          v = v:sub(1, #v - 1)
          local c = client { max_attempts = 1 }
          local ok, err = pcall(c[method], c, with(valid, name, v))
          assert.is_true(ok or X.ClientError:match(err), name .. " " .. show(v) .. ": " .. tostring(err))
        end
      end)
    end)
  end

  check("an over-long multi-byte value is measured in UTF-16 units, as the service does", function()
    -- 128 four-byte characters: 512 bytes but 256 units; 129 of them: 258
    local c = client()
    local ok, err = pcall(c.remove_permission, c,
      { FunctionName = ("\240\159\152\128"):rep(129), StatementId = "sid" })
    assert.is_false(ok)
    refused("remove_permission", err)
    assert.truthy(tostring(err):find("length: 258", 1, true), tostring(err))
  end)
end)
