-- The client pipeline with a fake transport: outputs, meta, retries
-- (standard mode + Retry-After + clock skew), quota, budget, missing_ok,
-- and the safe flavour.  Real HTTP is covered in spec/04-integration.
local lambda = require "aws.lambda"
local safe = require "aws.lambda.safe"
local cjson = require "cjson"

local CREDS = { access_key_id = "AKIDEXAMPLE", secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" }
local X = lambda.exceptions

local function copy(t)
  local c = {}
  for k, v in pairs(t) do c[k] = v end
  return c
end

-- responses: list of { status, headers, body } or { nil, kind, reason }
local function fake(responses)
  local t = { calls = {} }
  function t.request(self, method, url, headers, body, opts)
    self.calls[#self.calls + 1] = { method = method, url = url, headers = copy(headers), body = body, opts = opts }
    local r = assert(table.remove(responses, 1), "no response left")
    return r[1], r[2], r[3]
  end
  function t.close(self) self.closed = true end
  return t
end

local function err_response(status, code, message, extra)
  local h = { ["x-amzn-errortype"] = code, ["x-amzn-requestid"] = "req-" .. status,
              ["content-type"] = "application/json" }
  for k, v in pairs(extra or {}) do h[k] = v end
  return { status, h, cjson.encode { Type = status >= 500 and "Service" or "User", message = message } }
end

local function client(responses, cfg)
  local t = fake(responses)
  local sleeps = {}
  local c = lambda.new((function()
    local o = { region = "us-east-1", credentials = CREDS, transport = t,
                sleep = function(s) sleeps[#sleeps + 1] = s end, random = function() return 0.5 end }
    for k, v in pairs(cfg or {}) do o[k] = v end
    return o
  end)())
  return c, t, sleeps
end

local RP = { FunctionName = "my-function", StatementId = "xaccount", Qualifier = "PROD" }
local OK204 = { 204, { ["x-amzn-requestid"] = "r-ok" }, "" }

describe("client calls", function()
  it("returns nil and meta for remove_permission", function()
    local c, t = client { OK204 }
    local r, meta = c:remove_permission(RP)
    assert.is_nil(r)
    assert.are.same({ status = 204, attempts = 1, request_id = "r-ok" },
      { status = meta.status, attempts = meta.attempts, request_id = meta.request_id })
    assert.are.equal(1, #t.calls)
    local call = t.calls[1]
    assert.are.equal("DELETE", call.method)
    assert.are.equal("https://lambda.us-east-1.amazonaws.com"
      .. "/2015-03-31/functions/my-function/policy/xaccount?Qualifier=PROD", call.url)
    assert.truthy(call.headers.Authorization:find("SignedHeaders=host;x-amz-date, Signature=", 1, true))
    assert.are.equal("attempt=1; max=3", call.headers["amz-sdk-request"])
    assert.truthy(call.headers["amz-sdk-invocation-id"]:match("^%x+%-%x+%-4%x+%-[89ab]%x+%-%x+$"))
    assert.truthy(call.headers["User-Agent"]:find("lua-aws-lambda/", 1, true))
  end)

  it("decodes GetPolicy's policy, which is JSON inside JSON", function()
    local policy = '{"Version":"2012-10-17","Statement":[{"Sid":"a"}]}'
    local c = client { { 200, {}, cjson.encode { Policy = policy, RevisionId = "rev-1" } } }
    local out, meta = c:get_policy { FunctionName = "f" }
    assert.are.equal(policy, out.Policy)
    assert.are.equal("rev-1", out.RevisionId)
    assert.are.equal("a", out.policy.Statement[1].Sid)
    assert.are.equal(200, meta.status)
  end)

  it("sends AddPermission's JSON body and decodes its statement", function()
    local c, t = client { { 201, {}, cjson.encode { Statement = '{"Sid":"s3"}' } } }
    local out = c:add_permission { FunctionName = "f", StatementId = "s3", Action = "lambda:InvokeFunction",
                                   Principal = "s3.amazonaws.com" }
    assert.are.equal("s3", out.statement.Sid)
    assert.are.equal('{"StatementId": "s3", "Action": "lambda:InvokeFunction", "Principal": "s3.amazonaws.com"}',
      t.calls[1].body)
    assert.are.equal("application/json", t.calls[1].headers["Content-Type"])
  end)

  it("raises ParamValidationError and sends nothing", function()
    local c, t = client {}
    local ok, err = pcall(c.remove_permission, c, { FunctionName = "f", StatementId = "a/b", Qualifer = "x" })
    assert.is_false(ok)
    assert.is_true(X.ParamValidationError:match(err))
    assert.truthy(err.message:find("Qualifer", 1, true))
    assert.are.equal(0, #t.calls)
  end)

  it("treats a 200 body that is not JSON as an error, not as an empty result", function()
    local c = client { { 200, {}, "<html>" } }
    local ok, err = pcall(c.get_policy, c, { FunctionName = "f" })
    assert.is_false(ok)
    assert.are.equal("ResponseParseError", err.code)
  end)
end)

describe("retries", function()
  it("retries ServiceException with full-jitter backoff and the same invocation id", function()
    local c, t, sleeps = client { err_response(500, "ServiceException", "boom"),
                                  err_response(500, "ServiceException", "boom"), OK204 }
    local _, meta = c:remove_permission(RP)
    assert.are.equal(3, meta.attempts)
    assert.are.same({ 0.5, 1.0 }, sleeps) -- random() = 0.5 times 2^0, 2^1
    assert.are.equal(t.calls[1].headers["amz-sdk-invocation-id"], t.calls[3].headers["amz-sdk-invocation-id"])
    assert.are.equal("attempt=3; max=3", t.calls[3].headers["amz-sdk-request"])
  end)

  it("gives up after max_attempts with the last error and its attempts", function()
    local c, t = client({ err_response(503, "ServiceUnavailable", "x"), err_response(503, "ServiceUnavailable", "y") },
      { max_attempts = 2 })
    local ok, err = pcall(c.remove_permission, c, RP)
    assert.is_false(ok)
    assert.are.equal(2, err.attempts)
    assert.are.equal(2, #t.calls)
    assert.are.equal("y", err.message)
  end)

  it("max_attempts = 1 switches retries off", function()
    local c, t = client({ err_response(500, "ServiceException", "x") }, { max_attempts = 1 })
    assert.is_false(pcall(c.remove_permission, c, RP))
    assert.are.equal(1, #t.calls)
  end)

  it("waits what a 429 Retry-After asks instead of the random delay", function()
    local c, _, sleeps = client { err_response(429, "TooManyRequestsException", "Rate exceeded",
      { ["retry-after"] = "2" }), OK204 }
    local _, meta = c:remove_permission(RP)
    assert.are.equal(2, meta.attempts)
    assert.are.same({ 2 }, sleeps)
  end)

  it("raises at once when Retry-After is beyond max_retry_delay", function()
    local c, t, sleeps = client({ err_response(429, "TooManyRequestsException", "Rate exceeded",
      { ["retry-after"] = "30" }) }, { max_retry_delay = 20 })
    local ok, err = pcall(c.remove_permission, c, RP)
    assert.is_false(ok)
    assert.is_true(X.TooManyRequestsException:match(err))
    assert.are.equal(30, err.retry_after)
    assert.is_true(err.retry_after_exceeded)
    assert.are.equal(1, #t.calls)
    assert.are.same({}, sleeps)
  end)

  it("never retries other 4xx", function()
    for _, r in ipairs {
      err_response(404, "ResourceNotFoundException", "nope"),
      err_response(412, "PreconditionFailedException", "stale"),
      err_response(400, "InvalidParameterValueException", "bad"),
      err_response(409, "ResourceConflictException", "dup"),
    } do
      local c, t = client { r }
      assert.is_false(pcall(c.remove_permission, c, RP))
      assert.are.equal(1, #t.calls)
    end
  end)

  it("retries connection failures, and a timeout costs more quota", function()
    local c, t = client { { nil, "ReadTimeoutError", "timed out" }, { nil, "EndpointConnectionError", "refused" },
                          OK204 }
    local before = c.retry.tokens
    local _, meta = c:remove_permission(RP)
    assert.are.equal(3, meta.attempts)
    assert.are.equal(3, #t.calls)
    -- 10 for the timeout, 5 for the refusal, then the success refunds the last cost (5)
    assert.are.equal(before - 10, c.retry.tokens)
  end)

  it("stops retrying when the quota is empty, and says so", function()
    local responses = {}
    for _ = 1, 150 do responses[#responses + 1] = err_response(500, "ServiceException", "x") end
    local c, t = client(responses, { max_attempts = 1000 })
    local ok, err = pcall(c.remove_permission, c, RP)
    assert.is_false(ok)
    assert.is_true(err.retry_quota_exceeded)
    assert.are.equal(101, #t.calls) -- 500 tokens / 5 per retry
    assert.are.equal(101, err.attempts)
  end)

  it("corrects its clock from the Date of a 'Signature expired' answer and retries once", function()
    local ahead = os.time() + 20 * 60
    local date = os.date("!%a, %d %b %Y %H:%M:%S GMT", ahead)
    local c, t = client { err_response(403, "InvalidSignatureException",
      "Signature expired: 20150830T123600Z is now earlier than ...", { date = date }), OK204 }
    local _, meta = c:remove_permission(RP)
    assert.are.equal(2, meta.attempts)
    local amz = t.calls[2].headers["X-Amz-Date"]
    assert.are.equal(os.date("!%Y%m%dT%H%M", ahead), amz:sub(1, 13)) -- signed with the server's time
    assert.truthy(math.abs(c.clock_offset - 1200) < 5)
  end)

  it("a ResourceNotFoundException after a failure that may have applied says so", function()
    local c = client { { nil, "ConnectionClosedError", "reset" }, err_response(404, "ResourceNotFoundException",
      "Statement xaccount is not found in resource policy.") }
    local ok, err = pcall(c.remove_permission, c, RP)
    assert.is_false(ok)
    assert.are.equal(2, err.attempts)
    assert.is_true(err.earlier_attempt_may_have_applied)
    assert.truthy(err.message:find("may have applied", 1, true))
  end)

  it("missing_ok turns a ResourceNotFoundException into success", function()
    local c = client { err_response(404, "ResourceNotFoundException", "Statement xaccount is not found") }
    local r, meta = c:remove_permission(RP, { missing_ok = true })
    assert.is_nil(r)
    assert.is_true(meta.missing)
    assert.are.equal(404, meta.status)
  end)

  it("stops when the next delay would pass the call's time budget", function()
    local now = 100
    local c, t = client({ err_response(500, "ServiceException", "x"), OK204 },
      { timeout = 0.2, clock = function() return now end, random = function() return 0.9 end })
    local ok, err = pcall(c.remove_permission, c, RP)
    assert.is_false(ok)
    assert.is_true(err.timeout_budget_exceeded)
    assert.are.equal(1, #t.calls)
    assert.truthy(math.abs(t.calls[1].opts.timeout - 0.2) < 1e-9)
  end)
end)

describe("aws.lambda.safe", function()
  it("returns true, meta instead of nil on success", function()
    local t = fake { OK204 }
    local c = assert(safe.new { region = "us-east-1", credentials = CREDS, transport = t })
    local ok, meta = c:remove_permission(RP)
    assert.is_true(ok)
    assert.are.equal(204, meta.status)
  end)

  it("returns nil, err with the same error table", function()
    local t = fake { err_response(404, "ResourceNotFoundException", "gone") }
    local c = assert(safe.new { region = "us-east-1", credentials = CREDS, transport = t })
    local r, err = c:remove_permission(RP)
    assert.is_nil(r)
    assert.is_true(X.ResourceNotFoundException:match(err))
    assert.are.equal(404, err.status)
  end)

  it("safe.new returns nil, err on bad options", function()
    local c, err = safe.new { regoin = "x" }
    assert.is_nil(c)
    assert.is_true(X.InvalidConfigError:match(err))
    assert.truthy(err.message:find("regoin", 1, true))
  end)
end)

describe("logging", function()
  it("reports request, response and retry events with secrets redacted", function()
    local events = {}
    local creds = { access_key_id = "ASIAEXAMPLE", secret_access_key = "s3cr3t-Key", session_token = "tok3n-VALUE" }
    local c = client({ err_response(500, "ServiceException", "x"), OK204 },
      { credentials = creds, logger = function(ev) events[#events + 1] = ev end })
    c:remove_permission(RP)
    local kinds = {}
    for _, ev in ipairs(events) do kinds[#kinds + 1] = ev.event end
    assert.are.same({ "request", "response", "retry", "request", "response" }, kinds)
    assert.are.equal(500, events[2].status)
    assert.are.equal(0.5, events[3].delay)
    assert.are.equal(2, events[4].attempt)
    local log = require "aws.lambda.log"
    for _, ev in ipairs(events) do
      local text = log.format(ev)
      assert.falsy(text:find("s3cr3t-Key", 1, true))
      assert.falsy(text:find("tok3n-VALUE", 1, true))
      assert.falsy(text:find("Signature=%x%x%x%x"))
    end
    assert.are.equal("<redacted>", events[1].headers["X-Amz-Security-Token"])
    assert.truthy(events[1].headers.Authorization:find("Credential=ASIAEXAMPLE/", 1, true))
  end)
end)
