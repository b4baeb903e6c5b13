-- aws.lambda.validate: every problem, before any I/O.
local validate = require "aws.lambda.validate"
local operations = require "aws.lambda.operations"
local errors = require "aws.lambda.errors"

local LAX = { param_validation = false }
local ARN = "arn:aws:lambda:us-east-1:123456789012:function:my-function:PROD"
local REMOVE_NAMES = "FunctionName, StatementId, Qualifier, RevisionId"

local function with(base, changes)
  local t = {}
  for k, v in pairs(base) do t[k] = v end
  for k, v in pairs(changes) do t[k] = v end
  return t
end

local REMOVE = { FunctionName = ARN, StatementId = "sid.1", Qualifier = "PROD", RevisionId = "abc/+= x" }
local ADD = { FunctionName = "my-function", StatementId = "s3", Action = "lambda:InvokeFunction",
              Principal = "s3.amazonaws.com" }

-- The single problem reported for params (asserts there is exactly one).
local function problem(op, params, opts)
  validate.clear_cache()
  local problems = validate.check(op, params, opts)
  assert.is_table(problems)
  assert.equal(1, #problems, table.concat(problems, "\n"))
  return problems[1]
end

describe("aws.lambda.validate", function()
  before_each(function() validate.clear_cache() end)

  describe("valid input", function()
    it("returns nil for the reference vectors' parameters and full AddPermission input", function()
      assert.is_nil(validate.check("RemovePermission", REMOVE))
      assert.is_nil(validate.check("RemovePermission", { FunctionName = "123456789012:function:my-function",
                                                         StatementId = "xaccount" }))
      assert.is_nil(validate.check("GetPolicy", { FunctionName = "my-function", Qualifier = "$LATEST" }))
      assert.is_nil(validate.check("AddPermission", with(ADD, { Qualifier = "PROD" })))
      assert.is_nil(validate.check("add_permission", with(ADD, {
        SourceArn = "arn:aws:s3:::my-bucket-1xpuxmplzrlbh", SourceAccount = "123456789012",
        EventSourceToken = "tok-1.2_x", RevisionId = "4843f2f6-7c59-4fda-b484-afd0bc0e22b8",
        PrincipalOrgID = "o-a1b2c3d4e5", FunctionUrlAuthType = "AWS_IAM",
        InvokedViaFunctionUrl = true, Qualifier = "1" })))
      assert.is_nil(validate.check(operations.GetPolicy, { FunctionName = "f:$LATEST.PUBLISHED" }))
    end)

    it("gives the same answer from its cache", function()
      for _ = 1, 3 do
        assert.is_nil(validate.check("RemovePermission", REMOVE))
        assert.is_table(validate.check("RemovePermission", with(REMOVE, { StatementId = "a b" })))
      end
    end)

    it("does not let one operation's cached value pass another's pattern", function()
      -- "a.b" is a valid RemovePermission StatementId but not an AddPermission one
      assert.is_nil(validate.check("RemovePermission", with(REMOVE, { StatementId = "a.b" })))
      assert.equal([[Invalid value for parameter StatementId, value: "a.b", must be made of letters, ]]
        .. [[digits, '-' and '_' (pattern: ([a-zA-Z0-9-_]+))]],
        validate.check("AddPermission", with(ADD, { StatementId = "a.b" }))[1])
    end)

    it("raises for an unknown operation", function()
      assert.has_error(function() validate.check("Invoke", {}) end)
    end)
  end)

  describe("structure", function()
    it("rejects params that are not a table", function()
      assert.same({ 'Invalid type for parameters, value: "my-function", type: string, valid types: table' },
                  validate.check("GetPolicy", "my-function"))
      assert.same({ "Invalid type for parameters, value: nil, type: nil, valid types: table" },
                  validate.check("GetPolicy", nil))
    end)

    it("reports missing required members", function()
      assert.same({ 'Missing required parameter in input: "FunctionName"',
                    'Missing required parameter in input: "StatementId"' },
                  validate.check("RemovePermission", {}))
      assert.same({ 'Missing required parameter in input: "Action"',
                    'Missing required parameter in input: "Principal"' },
                  validate.check("AddPermission", { FunctionName = "f", StatementId = "s" }, LAX))
    end)

    it("reports unknown members with the valid names and a suggestion", function()
      assert.equal('Unknown parameter in input: "Qualifer", must be one of: ' .. REMOVE_NAMES
                     .. '; did you mean "Qualifier"?',
                   problem("RemovePermission", with(REMOVE, { Qualifer = "PROD" })))
      assert.equal('Unknown parameter in input: "statement_id", must be one of: ' .. REMOVE_NAMES
                     .. '; did you mean "StatementId"?',
                   problem("RemovePermission", { FunctionName = "f", StatementId = "s",
                                                 statement_id = "s" }))
      assert.equal('Unknown parameter in input: "Force", must be one of: ' .. REMOVE_NAMES,
                   problem("RemovePermission", with(REMOVE, { Force = true }), LAX))
    end)

    it("treats non-string keys as unknown members", function()
      assert.equal("Unknown parameter in input: 1 (a number key; names are strings), must be one of: "
                     .. "FunctionName, Qualifier", problem("GetPolicy", { "my-function", FunctionName = "f" }))
    end)

    it("rejects wrong types, numbers included", function()
      assert.equal("Invalid type for parameter Qualifier, value: 1, type: number, valid types: string",
                   problem("GetPolicy", { FunctionName = "f", Qualifier = 1 }))
      assert.equal("Invalid type for parameter StatementId, value: 42, type: number, valid types: string",
                   problem("RemovePermission", { FunctionName = "f", StatementId = 42 }, LAX))
      assert.equal("Invalid type for parameter FunctionName, value: <table>, type: table, valid types: string",
                   problem("GetPolicy", { FunctionName = {} }))
      assert.equal('Invalid type for parameter InvokedViaFunctionUrl, value: "true", type: string, '
                     .. "valid types: boolean",
                   problem("AddPermission", with(ADD, { InvokedViaFunctionUrl = "true" })))
      assert.equal("Invalid type for parameter SourceArn, value: false, type: boolean, valid types: string",
                   problem("AddPermission", with(ADD, { SourceArn = false })))
    end)

    it("reports every problem, in a stable order", function()
      local problems = validate.check("AddPermission", {
        FunctionName = "my function", Action = "lambda:InvokeFunction", Qualifer = "1",
        SourceAccount = 123456789012, FunctionUrlAuthType = "none", StatementId = "s3",
      })
      assert.same({
        'Missing required parameter in input: "Principal"',
        'Unknown parameter in input: "Qualifer", must be one of: FunctionName, StatementId, Action, '
          .. "Principal, SourceArn, SourceAccount, EventSourceToken, Qualifier, RevisionId, "
          .. 'PrincipalOrgID, FunctionUrlAuthType, InvokedViaFunctionUrl; did you mean "Qualifier"?',
        'Invalid value for parameter FunctionName, value: "my function", must be a function name like '
          .. "my-function, a partial ARN like 123456789012:function:my-function or a function ARN, "
          .. "optionally ending in :version or :alias (pattern: "
          .. operations.AddPermission.members.FunctionName.pattern .. ")",
        "Invalid type for parameter SourceAccount, value: 123456789012, type: number, valid types: string",
        'Invalid value for parameter FunctionUrlAuthType, value: "none", valid values: NONE, AWS_IAM',
      }, problems)
    end)

    it("feeds ParamValidationError's botocore-style message", function()
      local problems = validate.check("RemovePermission", { FunctionName = "f", Qualifer = "PROD" })
      local e = errors.new("ParamValidationError", { problems = problems, operation = "RemovePermission" })
      assert.equal('Parameter validation failed:\nMissing required parameter in input: "StatementId"\n'
        .. 'Unknown parameter in input: "Qualifer", must be one of: ' .. REMOVE_NAMES
        .. '; did you mean "Qualifier"?', e.message)
    end)
  end)

  describe("lengths", function()
    it("enforces min and max, which botocore does not check", function()
      assert.equal("Invalid length for parameter StatementId, length: 101, valid max length: 100",
                   problem("RemovePermission", with(REMOVE, { StatementId = ("s"):rep(101) })))
      assert.is_nil(validate.check("RemovePermission", with(REMOVE, { StatementId = ("s"):rep(100) })))
      assert.equal("Invalid length for parameter FunctionName, length: 257, valid max length: 256",
                   problem("GetPolicy", { FunctionName = ("f"):rep(257) }))
      assert.is_nil(validate.check("GetPolicy", { FunctionName = ("f"):rep(256) }))
      assert.equal("Invalid length for parameter Qualifier, length: 0, valid min length: 1",
                   problem("GetPolicy", { FunctionName = "f", Qualifier = "" }))
      local short = validate.check("AddPermission", with(ADD, { PrincipalOrgID = "o-abc" }))
      assert.equal("Invalid length for parameter PrincipalOrgID, length: 5, valid min length: 12",
                   short[1])
      assert.equal(2, #short)                  -- and the pattern, since the value is not empty
    end)

    it("counts UTF-16 code units, as the service does", function()
      local base = "arn:aws:s3:::"                                   -- 13 units
      assert.is_nil(validate.check("AddPermission", with(ADD, { SourceArn = base .. ("é"):rep(9987) })))
      assert.equal("Invalid length for parameter SourceArn, length: 10001, valid max length: 10000",
                   problem("AddPermission", with(ADD, { SourceArn = base .. ("é"):rep(9988) })))
      -- a code point above U+FFFF is two units
      assert.is_nil(validate.check("AddPermission", with(ADD, { SourceArn = base .. ("😀"):rep(4993) .. "x" })))
      assert.equal("Invalid length for parameter SourceArn, length: 10001, valid max length: 10000",
                   problem("AddPermission", with(ADD, { SourceArn = base .. ("😀"):rep(4994) })))
      assert.equal(3, validate.length("aé😀") - 1)
    end)

    it("rejects an over-long SourceArn quickly", function()
      local t = os.clock()
      local problems = validate.check("AddPermission", with(ADD, { SourceArn = "arn:aws:s3:::" .. ("a"):rep(20000) }))
      assert.equal("Invalid length for parameter SourceArn, length: 20013, valid max length: 10000",
                   problems[1])
      assert.equal(1, #problems)
      assert.is_true(os.clock() - t < 2 * (tonumber(os.getenv("LAM_TIME_SCALE")) or 1))
    end)
  end)

  describe("patterns and enums", function()
    it("apply the model pattern as a full match", function()
      local bad_names = { "../x", "a/b", "my function", "arn:aws:lambda:us-east-1:12345:function:x",
                          "f:$LATEST.X", "x;rm", "f?x=1", "f#x", "%2F" }
      for _, name in ipairs(bad_names) do
        local p = problem("GetPolicy", { FunctionName = name })
        assert.equal('Invalid value for parameter FunctionName, value: "' .. name .. '", must be',
                     p:sub(1, #name + 60), name)
      end
      for _, ok in ipairs({ "my-function", "my-function:PROD", "123456789012:function:my-function",
                            "us-east-1:123456789012:function:f", ARN, ARN:gsub("PROD$", "$LATEST"),
                            "arn:aws:lambda:eusc-de-east-1:123456789012:function:f:$LATEST.PUBLISHED",
                            "arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:f" }) do
        assert.is_nil(validate.check("GetPolicy", { FunctionName = ok }), ok)
      end
    end)

    it("check each AddPermission pattern", function()
      local cases = {
        { "StatementId", "example.com" }, { "Action", "s3:GetObject" }, { "Action", "" },
        { "Principal", "a b" }, { "SourceArn", "arn:aws:s3::x" }, { "SourceAccount", "12345678901" },
        { "SourceAccount", "12345678901a" }, { "EventSourceToken", "a b" },
        { "PrincipalOrgID", "o-ABCDEFGHIJ" }, { "Qualifier", "v1.0" },
      }
      for _, c in ipairs(cases) do
        local problems = validate.check("AddPermission", with(ADD, { [c[1]] = c[2] }))
        assert.is_table(problems, c[1])
        assert.matches("^Invalid value for parameter " .. c[1] .. ", value: ", problems[1])
      end
    end)

    it("check enum membership", function()
      assert.equal('Invalid value for parameter FunctionUrlAuthType, value: "aws_iam", valid values: NONE, AWS_IAM',
                   problem("AddPermission", with(ADD, { FunctionUrlAuthType = "aws_iam" })))
      assert.is_nil(validate.check("AddPermission", with(ADD, { FunctionUrlAuthType = "NONE" })))
    end)

    it("shorten long values in messages", function()
      local p = problem("AddPermission", with(ADD, { Principal = ("x"):rep(100) .. " y" }))
      assert.equal('Invalid value for parameter Principal, value: "' .. ("x"):rep(57)
                     .. '...", must match pattern: [^\\s]+', p)
    end)

    it("are skipped with param_validation = false", function()
      assert.is_nil(validate.check("GetPolicy", { FunctionName = "my function" }, LAX))
      assert.is_nil(validate.check("GetPolicy", { FunctionName = ("f"):rep(300) }, LAX))
      assert.is_nil(validate.check("AddPermission", with(ADD, { FunctionUrlAuthType = "x",
                                                                StatementId = "a.b" }), LAX))
      assert.is_nil(validate.check("RemovePermission", with(REMOVE, { FunctionName = "a/b" }), LAX))
    end)
  end)

  describe("always, even with param_validation = false", function()
    for _, opts in ipairs({ {}, LAX }) do
      local mode = opts.param_validation == false and " (lax)" or ""

      it("rejects control characters" .. mode, function()
        assert.equal("Invalid value for parameter RevisionId: control character 0x0D at byte 4",
                     problem("RemovePermission", with(REMOVE, { RevisionId = "abc\r\nHost: x" }), opts))
        assert.equal("Invalid value for parameter StatementId: control character 0x0A at byte 2",
                     problem("RemovePermission", with(REMOVE, { StatementId = "s\n" }), opts))
        assert.equal("Invalid value for parameter FunctionName: control character 0x00 at byte 2",
                     problem("GetPolicy", { FunctionName = "f\0x" }, opts))
        assert.equal("Invalid value for parameter Principal: control character 0x7F at byte 1",
                     problem("AddPermission", with(ADD, { Principal = "\127" }), opts))
        assert.equal("Invalid value for parameter SourceArn: control character 0x09 at byte 14",
                     problem("AddPermission", with(ADD, { SourceArn = "arn:aws:s3:::\tx" }), opts))
      end)

      it("rejects invalid UTF-8" .. mode, function()
        local bad = {
          { "\255", 1 }, { "a\128", 2 }, { "\192\128", 1 }, { "\224\128\128", 1 },
          { "\237\160\128", 1 },        -- a surrogate
          { "\244\144\128\128", 1 },    -- above U+10FFFF
          { "ab\195", 3 },              -- truncated
          { "\195(", 1 },
        }
        for _, b in ipairs(bad) do
          local p = problem("AddPermission", with(ADD, { RevisionId = b[1] }), opts)
          assert.equal(("Invalid value for parameter RevisionId: invalid UTF-8 (byte 0x%02X at byte %d)")
                         :format(b[1]:byte(b[2]), b[2]), p)
        end
        assert.is_nil(validate.check("AddPermission", with(ADD, { RevisionId = "é€😀\239\191\191" }), opts))
      end)

      it("rejects empty and dot-segment path labels" .. mode, function()
        assert.equal("Invalid length for parameter FunctionName, length: 0, valid min length: 1",
                     problem("GetPolicy", { FunctionName = "" }, opts))
        assert.equal("Invalid length for parameter StatementId, length: 0, valid min length: 1",
                     problem("RemovePermission", { FunctionName = "f", StatementId = "" }, opts))
        -- /policy/.. would resolve to /functions/f: DELETE there is DeleteFunction
        assert.equal('Invalid value for parameter StatementId, value: "..": "." and ".." are not '
                       .. "allowed in a URI path",
                     problem("RemovePermission", { FunctionName = "f", StatementId = ".." }, opts))
        assert.equal('Invalid value for parameter FunctionName, value: ".": "." and ".." are not '
                       .. "allowed in a URI path",
                     problem("GetPolicy", { FunctionName = "." }, opts))
        assert.is_nil(validate.check("RemovePermission", { FunctionName = "f", StatementId = "..." }, opts))
      end)

      it("still checks structure and types" .. mode, function()
        assert.same({ 'Missing required parameter in input: "FunctionName"',
                      'Unknown parameter in input: "Qualifer", must be one of: FunctionName, Qualifier; '
                        .. 'did you mean "Qualifier"?',
                      "Invalid type for parameter Qualifier, value: 1, type: number, valid types: string" },
                    validate.check("GetPolicy", { Qualifer = "x", Qualifier = 1 }, opts))
      end)
    end
  end)

  it("accepts a hand-made operation table", function()
    local op = { name = "GetAlias", members = {
      { name = "FunctionName", location = "uri", required = true, type = "string", max = 3 } } }
    assert.is_nil(validate.check(op, { FunctionName = "abc" }))
    assert.same({ "Invalid length for parameter FunctionName, length: 4, valid max length: 3" },
                validate.check(op, { FunctionName = "abcd" }))
  end)

  it("these pure-Lua modules load without globals and without the C core", function()
    local mods = { "aws.lambda.errors", "aws.lambda.operations", "aws.lambda.regex",
                   "aws.lambda.validate", "aws.lambda.core" }
    local saved = {}
    for _, m in ipairs(mods) do saved[m] = package.loaded[m]; package.loaded[m] = nil end
    local before = {}
    for k in pairs(_G) do before[k] = true end
    for i = 1, 4 do assert.is_table(require(mods[i])) end
    for k in pairs(_G) do assert.is_true(before[k], "new global " .. tostring(k)) end
    assert.is_nil(package.loaded["aws.lambda.core"])
    for _, m in ipairs(mods) do package.loaded[m] = saved[m] end
  end)
end)
