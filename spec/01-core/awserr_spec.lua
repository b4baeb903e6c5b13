-- core.parse_error(status, headers, body): botocore's rest-json error parse
-- (the full case table is in spec/c/test_awserr.c), plus the fields the
-- binding reads from the lower-cased headers: request_id and retry_after.
local core = require "aws.lambda.core"

describe("parse_error", function()
  it("parses a real Lambda 412", function()
    local e = core.parse_error(412, {
      ["content-type"] = "application/json",
      ["x-amzn-errortype"] = "PreconditionFailedException",
      ["x-amzn-requestid"] = "9f89d509-063e-4b8c-a3ae-1848cc7c0701",
    }, '{"Type":"User","message":"The Revision Id provided does not match the latest Revision Id."}')
    assert.same({
      code = "PreconditionFailedException",
      message = "The Revision Id provided does not match the latest Revision Id.",
      type = "User",
      request_id = "9f89d509-063e-4b8c-a3ae-1848cc7c0701",
    }, e)
  end)

  it("parses a 429 with Reason and Retry-After", function()
    local e = core.parse_error(429, {
      ["x-amzn-errortype"] = "TooManyRequestsException:http://internal.amazon.com/coral/com.amazonaws.awslambda/",
      ["retry-after"] = "3",
    }, '{"Reason":"CallerRateLimitExceeded","Type":"User","message":"Rate exceeded"}')
    assert.same({ code = "TooManyRequestsException", message = "Rate exceeded", type = "User",
                  reason = "CallerRateLimitExceeded", retry_after = 3 }, e)
    assert.equal("integer", math.type(e.retry_after))
  end)

  it("takes the code from the body without the header", function()
    local e = core.parse_error(404, {},
      '{"Type":"User","Message":"Function not found: x","__type":"ns#ResourceNotFoundException"}')
    assert.equal("ResourceNotFoundException", e.code)
    assert.equal("Function not found: x", e.message)
  end)

  it("handles the generic 5xx and invalid JSON", function()
    assert.same({ code = "503", message = "Service Unavailable" }, core.parse_error(503, nil, ""))
    assert.same({ code = "502", message = "Bad Gateway" }, core.parse_error(502, {}, "<html>proxy</html>"))
    assert.same({ code = "504", message = "Gateway Timeout" }, core.parse_error(504))
    assert.same({ code = "400", message = "not json" }, core.parse_error(400, nil, "not json"))
    assert.same({ code = "400", message = "" }, core.parse_error(400, nil, nil))
  end)

  it("keeps bytes exactly (NULs, UTF-8)", function()
    local e = core.parse_error(400, nil, '{"message":"caf\\u00e9\\u0000!"}')
    assert.equal("caf\u{e9}\0!", e.message)
  end)

  describe("request_id", function()
    it("prefers x-amzn-requestid", function()
      local e = core.parse_error(400, { ["x-amzn-requestid"] = "a", ["x-amz-request-id"] = "b" }, "")
      assert.equal("a", e.request_id)
    end)
    it("falls back to x-amz-request-id", function()
      assert.equal("b", core.parse_error(400, { ["x-amz-request-id"] = "b" }, "").request_id)
    end)
    it("is nil when absent or not a string", function()
      assert.is_nil(core.parse_error(400, {}, "").request_id)
      assert.is_nil(core.parse_error(400, { ["x-amzn-requestid"] = 5 }, "").request_id)
      assert.is_nil(core.parse_error(400, nil, "").request_id)
    end)
    it("reads lower-cased names only, as h:request returns them", function()
      assert.is_nil(core.parse_error(400, { ["X-Amzn-RequestId"] = "a" }, "").request_id)
      assert.equal("400", core.parse_error(400, { ["X-Amzn-ErrorType"] = "E" }, "").code)
    end)
  end)

  describe("retry_after", function()
    local function ra(v) return core.parse_error(429, { ["retry-after"] = v }, "").retry_after end
    it("parses non-negative integers and decimals", function()
      assert.equal(0, ra("0"))
      assert.equal(3, ra("3"))
      assert.equal(120, ra(" 120 "))
      assert.equal(1.5, ra("1.5"))
      assert.equal(0.25, ra("0.25"))
      assert.equal("float", math.type(ra("1.5")))
    end)
    it("is nil for anything else", function()
      assert.is_nil(ra(nil))
      assert.is_nil(ra(""))
      assert.is_nil(ra("-1"))
      assert.is_nil(ra("+1"))
      assert.is_nil(ra("1."))
      assert.is_nil(ra(".5"))
      assert.is_nil(ra("1e3"))
      assert.is_nil(ra("0x10"))
      assert.is_nil(ra("1.2.3"))
      assert.is_nil(ra("3 s"))
      assert.is_nil(ra("Wed, 21 Oct 2015 07:28:00 GMT"))
      assert.is_nil(ra(string.rep("9", 100)))
      assert.is_nil(ra(5))
    end)
  end)

  describe("arguments", function()
    it("raises on misuse", function()
      assert.error_matches(function() core.parse_error() end, "bad argument #1")
      assert.error_matches(function() core.parse_error("x") end, "bad argument #1")
      assert.error_matches(function() core.parse_error(1.5) end, "bad argument #1")
      assert.error_matches(function() core.parse_error(99) end, "status out of range")
      assert.error_matches(function() core.parse_error(1000) end, "status out of range")
      assert.error_matches(function() core.parse_error(400, "x") end, "bad argument #2")
      assert.error_matches(function() core.parse_error(400, nil, {}) end, "bad argument #3")
    end)

    it("bounds long outputs", function()
      local e = core.parse_error(400, { ["x-amzn-errortype"] = string.rep("C", 1000) },
                                 '{"message":"' .. string.rep("\u{20ac}", 5000) .. '"}')
      assert.equal(256, #e.code)
      assert.equal(8190, #e.message)
      assert.truthy(utf8.len(e.message))
    end)
  end)
end)
