-- aws.lambda.operations: the model as data, encoding and request building.
local operations = require "aws.lambda.operations"

local HOST = "https://lambda.us-east-1.amazonaws.com"

-- "METHOD https://host/path?query", like the reference vectors' request lines.
local function request_line(req)
  local line = req.method .. " " .. HOST .. req.path
  if req.query ~= "" then line = line .. "?" .. req.query end
  return line
end

local function names(list)
  local out = {}
  for i, m in ipairs(list) do out[i] = m.name end
  return out
end

describe("aws.lambda.operations", function()
  describe("definitions (M-new)", function()
    it("describe RemovePermission", function()
      local op = operations.by_name.RemovePermission
      assert.equal("RemovePermission", op.name)
      assert.equal("remove_permission", op.snake)
      assert.equal("DELETE", op.method)
      assert.equal("/2015-03-31/functions/{FunctionName}/policy/{StatementId}", op.uri)
      assert.equal(204, op.success)
      assert.same({ "FunctionName", "StatementId", "Qualifier", "RevisionId" }, names(op.members))
      assert.same({ "Qualifier", "RevisionId" }, op.query)
      assert.same({ "InvalidParameterValueException", "PublicPolicyException", "ServiceException",
                    "TooManyRequestsException", "ResourceNotFoundException",
                    "PreconditionFailedException" }, op.errors)
      assert.same({}, op.output)
      local sid = op.members.StatementId
      assert.equal(op.members[2], sid)
      assert.equal(sid, op.members_by_name.StatementId)
      assert.same({ "uri", true, "string", 1, 100, "([a-zA-Z0-9-_.]+)" },
                  { sid.location, sid.required, sid.type, sid.min, sid.max, sid.pattern })
      local rev = op.members.RevisionId
      assert.same({ "querystring", "string" }, { rev.location, rev.type })
      assert.is_nil(rev.required)
      assert.is_nil(rev.pattern)
    end)

    it("describe GetPolicy", function()
      local op = operations.by_snake.get_policy
      assert.equal(operations.GetPolicy, op)
      assert.same({ "GET", "/2015-03-31/functions/{FunctionName}/policy", 200 },
                  { op.method, op.uri, op.success })
      assert.same({ "FunctionName", "Qualifier" }, names(op.members))
      assert.same({ "Policy", "RevisionId" }, op.output)
      assert.same({ "InvalidParameterValueException", "ServiceException",
                    "TooManyRequestsException", "ResourceNotFoundException" }, op.errors)
      assert.is_true(op.readonly)
    end)

    it("describe AddPermission", function()
      local op = operations.by_snake.add_permission
      assert.same({ "POST", "/2015-03-31/functions/{FunctionName}/policy", 201 },
                  { op.method, op.uri, op.success })
      assert.same({ "FunctionName", "StatementId", "Action", "Principal", "SourceArn",
                    "SourceAccount", "EventSourceToken", "Qualifier", "RevisionId",
                    "PrincipalOrgID", "FunctionUrlAuthType", "InvokedViaFunctionUrl" },
                  names(op.members))
      assert.same({ "StatementId", "Action", "Principal", "SourceArn", "SourceAccount",
                    "EventSourceToken", "RevisionId", "PrincipalOrgID", "FunctionUrlAuthType",
                    "InvokedViaFunctionUrl" }, names(op.body_members))
      assert.same({ "Qualifier" }, op.query)
      assert.same({ "Statement" }, op.output)
      assert.same({ "InvalidParameterValueException", "ResourceConflictException",
                    "PublicPolicyException", "ServiceException", "TooManyRequestsException",
                    "PolicyLengthExceededException", "ResourceNotFoundException",
                    "PreconditionFailedException" }, op.errors)
      local m = op.members
      for _, name in ipairs({ "FunctionName", "StatementId", "Action", "Principal" }) do
        assert.is_true(m[name].required, name)
      end
      assert.equal("([a-zA-Z0-9-_]+)", m.StatementId.pattern)
      assert.same({ "NONE", "AWS_IAM" }, m.FunctionUrlAuthType.enum)
      assert.equal("boolean", m.InvokedViaFunctionUrl.type)
      assert.same({ 12, 34, "o-[a-z0-9]{10,32}" },
                  { m.PrincipalOrgID.min, m.PrincipalOrgID.max, m.PrincipalOrgID.pattern })
      assert.same({ 12, [[\d{12}]] }, { m.SourceAccount.max, m.SourceAccount.pattern })
      assert.same({ 2048, [[[^\s]+]] }, { m.Principal.max, m.Principal.pattern })
      assert.same({ 256, [[[a-zA-Z0-9._\-]+]] }, { m.EventSourceToken.max, m.EventSourceToken.pattern })
    end)

    it("share the verbatim FunctionName and Qualifier constraints", function()
      local P_FN = [=[(arn:(aws[a-zA-Z-]*)?:lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:\d{12}:|(((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?))(function:)?([a-zA-Z0-9-_\.]+)(:(\$LATEST(\.PUBLISHED)?|[a-zA-Z0-9-_]+))?]=] -- luacheck: ignore 631
      local P_Q = [=[\$(LATEST(\.PUBLISHED)?)|[a-zA-Z0-9-_$]+]=]
      for _, op in ipairs(operations.list) do
        local fn, q = op.members.FunctionName, op.members.Qualifier
        assert.same({ "uri", true, 1, 256, P_FN }, { fn.location, fn.required, fn.min, fn.max, fn.pattern })
        assert.same({ "querystring", 1, 128, P_Q }, { q.location, q.min, q.max, q.pattern })
      end
      local add = operations.AddPermission.members
      assert.equal([=[(lambda:[*]|lambda:[a-zA-Z]+|[*])]=], add.Action.pattern)
      assert.equal([=[arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\-])+:((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1})?:(\d{12})?:(.*)]=], -- luacheck: ignore 631
                   add.SourceArn.pattern)
      assert.equal(10000, add.SourceArn.max)
      assert.equal(10000, add.Action.max)
    end)

    it("list every operation once, in order, under each index", function()
      assert.same({ "RemovePermission", "GetPolicy", "AddPermission" }, names(operations.list))
      for _, op in ipairs(operations.list) do
        assert.equal(op, operations.by_name[op.name])
        assert.equal(op, operations.by_snake[op.snake])
        assert.equal(op, operations.get(op.name))
        assert.equal(op, operations.get(op.snake))
        assert.equal(op, operations.get(op))
        local n = 0
        for _ in pairs(op.members) do n = n + 1 end
        assert.equal(#op.members, n)            -- by-name access adds no keys
      end
      assert.is_nil(operations.get("Invoke"))
    end)
  end)

  describe("encode", function()
    it("percent-encodes every byte outside A-Za-z0-9-._~ with uppercase hex", function()
      local cases = {
        { "my-function_1.x~", "my-function_1.x~" },
        { ":", "%3A" }, { "$LATEST", "%24LATEST" }, { "/", "%2F" }, { " ", "%20" },
        { "+", "%2B" }, { "=", "%3D" }, { "%", "%25" }, { "*", "%2A" }, { "@", "%40" },
        { "?&#", "%3F%26%23" }, { "\0\n", "%00%0A" }, { "é", "%C3%A9" }, { "\255", "%FF" },
        { "abc/+= x", "abc%2F%2B%3D%20x" },
        { "arn:aws:lambda:us-east-1:123456789012:function:my-function:PROD",
          "arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Amy-function%3APROD" },
        { "", "" },
      }
      for _ = 1, 2 do                       -- the second round comes from the cache
        for _, c in ipairs(cases) do assert.equal(c[2], operations.encode(c[1])) end
      end
      assert.equal("true", operations.encode(true))
    end)

    it("stays correct past its cache bound", function()
      for i = 1, 2000 do
        assert.equal("k%3A" .. i, operations.encode("k:" .. i))
      end
      local long = ("a:"):rep(200)
      assert.equal(("a%3A"):rep(200), operations.encode(long))
    end)
  end)

  describe("json_string", function()
    it("matches Python's json.dumps (ensure_ascii) byte for byte", function()
      -- expected values produced with Python 3 json.dumps
      assert.equal('"s3.amazonaws.com"', operations.json_string("s3.amazonaws.com"))
      assert.equal('"a/b"', operations.json_string("a/b"))          -- no "\/"
      assert.equal([["q\"b\\s"]], operations.json_string('q"b\\s'))
      assert.equal([["\n\r\t\b\f\u0001\u001f\u007f"]],
                   operations.json_string("\n\r\t\b\f\1\31\127"))
      assert.equal([["\u00e9\u20ac\ud83d\ude00"]], operations.json_string("é€😀"))
    end)

    it("rejects invalid UTF-8", function()
      for _, bad in ipairs({ "\255", "\128", "\192\128", "\237\160\128", "\244\144\128\128", "a\195" }) do
        assert.has_error(function() operations.json_string(bad) end)
      end
    end)
  end)

  describe("build", function()
    it("reproduces the reference vectors' request lines", function()
      local rp = operations.build("RemovePermission", {
        FunctionName = "arn:aws:lambda:us-east-1:123456789012:function:my-function:PROD",
        StatementId = "sid.1", Qualifier = "PROD", RevisionId = "abc/+= x",
      })
      assert.equal("DELETE https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/"
        .. "arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Amy-function%3APROD"
        .. "/policy/sid.1?Qualifier=PROD&RevisionId=abc%2F%2B%3D%20x", request_line(rp))
      assert.is_nil(rp.body)
      assert.same({}, rp.headers)
      assert.equal("RemovePermission", rp.operation)

      assert.equal("DELETE https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/"
        .. "123456789012%3Afunction%3Amy-function/policy/xaccount",
        request_line(operations.build("RemovePermission", {
          FunctionName = "123456789012:function:my-function", StatementId = "xaccount" })))

      local gp = operations.build("GetPolicy", { FunctionName = "my function" })
      assert.equal("GET https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/my%20function/policy",
                   request_line(gp))
      assert.equal("", gp.query)
      assert.is_nil(gp.body)

      local ap = operations.build("AddPermission", {
        FunctionName = "my-function", StatementId = "s3", Action = "lambda:InvokeFunction",
        Principal = "s3.amazonaws.com", Qualifier = "PROD" })
      assert.equal("POST https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/my-function/policy"
        .. "?Qualifier=PROD", request_line(ap))
      assert.equal('{"StatementId": "s3", "Action": "lambda:InvokeFunction", "Principal": "s3.amazonaws.com"}',
                   ap.body)
      assert.same({ ["Content-Type"] = "application/json" }, ap.headers)
    end)

    it("agrees with every request line and body in the vectors file", function()
      local ok, cjson = pcall(require, "cjson")
      if not ok then return pending("lua-cjson is not installed") end
      local f = assert(io.open("spec/fixtures/sigv4/lambda-vectors.json", "rb"))
      local vectors = cjson.decode(f:read("*a"))
      f:close()
      local op_for = { ["remove-permission"] = "RemovePermission", ["get-policy"] = "GetPolicy",
                       ["add-permission"] = "AddPermission" }
      local checked = 0
      for _, case in ipairs(vectors.cases) do
        local op = op_for[case.name:match("^(%a+%-%a+)")]
        assert.truthy(op, case.name)
        local req = operations.build(op, case.params)
        if case.request_line then
          assert.equal(case.request_line, request_line(req), case.name)
          checked = checked + 1
        end
        if case.body then assert.equal(case.body, req.body, case.name) end
        -- the canonical request's path line is the wire path encoded again
        if case.canonical_request then
          local canon_path = case.canonical_request:match("^[A-Z]+\n([^\n]*)")
          assert.equal(canon_path, (req.path:gsub("%%", "%%25")), case.name)
        end
      end
      assert.equal(4, checked)
    end)

    it("reproduces the API reference examples", function()
      -- aws lambda remove-permission --function-name my-function --statement-id xaccount
      assert.equal("DELETE " .. HOST .. "/2015-03-31/functions/my-function/policy/xaccount",
        request_line(operations.build("RemovePermission",
                                      { FunctionName = "my-function", StatementId = "xaccount" })))
      -- aws lambda get-policy --function-name my-function
      assert.equal("GET " .. HOST .. "/2015-03-31/functions/my-function/policy",
        request_line(operations.build("GetPolicy", { FunctionName = "my-function" })))
      -- aws lambda add-permission (S3 example, examples-1.json)
      local s3 = operations.build("AddPermission", {
        SourceAccount = "123456789012", SourceArn = "arn:aws:s3:::my-bucket-1xpuxmplzrlbh",
        Principal = "s3.amazonaws.com", Action = "lambda:InvokeFunction",
        StatementId = "s3", FunctionName = "my-function" })
      assert.equal("POST " .. HOST .. "/2015-03-31/functions/my-function/policy", request_line(s3))
      assert.equal('{"StatementId": "s3", "Action": "lambda:InvokeFunction", '
        .. '"Principal": "s3.amazonaws.com", "SourceArn": "arn:aws:s3:::my-bucket-1xpuxmplzrlbh", '
        .. '"SourceAccount": "123456789012"}', s3.body)
      -- cross-account example
      local xa = operations.build("AddPermission", {
        FunctionName = "my-function", StatementId = "xaccount", Action = "lambda:GetFunction",
        Principal = "223456789012" })
      assert.equal('{"StatementId": "xaccount", "Action": "lambda:GetFunction", '
        .. '"Principal": "223456789012"}', xa.body)
    end)

    it("encodes $LATEST, aliases and partial ARNs in the path", function()
      local req = operations.build("GetPolicy", { FunctionName = "f:$LATEST", Qualifier = "$LATEST" })
      assert.equal("/2015-03-31/functions/f%3A%24LATEST/policy", req.path)
      assert.equal("Qualifier=%24LATEST", req.query)
    end)

    it("puts every body member in model order with JSON booleans", function()
      local req = operations.build(operations.AddPermission, {
        InvokedViaFunctionUrl = true, FunctionUrlAuthType = "AWS_IAM",
        PrincipalOrgID = "o-a1b2c3d4e5", RevisionId = "r1", Qualifier = "1",
        EventSourceToken = "tok", SourceAccount = "123456789012",
        SourceArn = "arn:aws:execute-api:us-east-1:123456789012:api/*/GET/é",
        Principal = "*", Action = "lambda:*", StatementId = "all", FunctionName = "f" })
      assert.equal('{"StatementId": "all", "Action": "lambda:*", "Principal": "*", '
        .. '"SourceArn": "arn:aws:execute-api:us-east-1:123456789012:api/*/GET/\\u00e9", '
        .. '"SourceAccount": "123456789012", "EventSourceToken": "tok", "RevisionId": "r1", '
        .. '"PrincipalOrgID": "o-a1b2c3d4e5", "FunctionUrlAuthType": "AWS_IAM", '
        .. '"InvokedViaFunctionUrl": true}', req.body)
      assert.equal("Qualifier=1", req.query)
      local f = operations.build("AddPermission", { FunctionName = "f", StatementId = "s",
        Action = "*", Principal = "*", InvokedViaFunctionUrl = false })
      assert.equal('{"StatementId": "s", "Action": "*", "Principal": "*", '
        .. '"InvokedViaFunctionUrl": false}', f.body)
    end)

    it("sends {} when body members exist but none is set", function()
      assert.equal("{}", operations.build("AddPermission", { FunctionName = "f" }).body)
    end)

    it("keeps query order by the model, not by the caller, and omits nil", function()
      assert.equal("Qualifier=1&RevisionId=r",
        operations.build("RemovePermission", { RevisionId = "r", Qualifier = "1",
                                               FunctionName = "f", StatementId = "s" }).query)
      assert.equal("RevisionId=r",
        operations.build("RemovePermission", { RevisionId = "r", FunctionName = "f",
                                               StatementId = "s" }).query)
    end)

    it("returns fresh tables each call", function()
      local p = { FunctionName = "f", StatementId = "s", Action = "*", Principal = "*" }
      local a = operations.build("AddPermission", p)
      a.headers["X-Amz-Date"] = "20150830T123600Z"
      local b = operations.build("AddPermission", p)
      assert.same({ ["Content-Type"] = "application/json" }, b.headers)
      assert.are_not.equal(a, b)
    end)

    it("refuses path labels that would change the resource, and non-strings", function()
      for _, bad in ipairs({ "", ".", ".." }) do
        assert.has_error(function()
          operations.build("RemovePermission", { FunctionName = "f", StatementId = bad })
        end)
        assert.has_error(function() operations.build("GetPolicy", { FunctionName = bad }) end)
      end
      assert.has_error(function() operations.build("GetPolicy", {}) end)
      assert.has_error(function() operations.build("GetPolicy", { FunctionName = 1 }) end)
      assert.has_error(function() operations.build("Invoke", { FunctionName = "f" }) end)
      -- "..." is an ordinary segment
      assert.equal("/2015-03-31/functions/.../policy",
                   operations.build("GetPolicy", { FunctionName = "..." }).path)
    end)

    it("builds a hand-made operation table", function()
      local op = operations.finish({
        name = "GetAlias", method = "GET", uri = "/2015-03-31/functions/{FunctionName}/aliases/{Name}",
        members = { { name = "FunctionName", location = "uri", type = "string" },
                    { name = "Name", location = "uri", type = "string" } },
      })
      local req = operations.build(op, { FunctionName = "f", Name = "a b" })
      assert.equal("/2015-03-31/functions/f/aliases/a%20b", req.path)
      assert.equal("", req.query)
      assert.is_nil(req.body)
    end)
  end)
end)
