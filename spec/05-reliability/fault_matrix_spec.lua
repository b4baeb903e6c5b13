-- The fault matrix: every way a server or network can fail, over real HTTP
-- against tools/lambda-local, and what the client must do about it.  Each
-- case checks the attempts the server saw (its request log), the delays the
-- client chose (sleep is injected and random() fixed at 0.5, so the
-- full-jitter delays are 0.5, 1, 2, 4, 8, 10, 10, ...), the final error's
-- class and fields, and how long the call took.  Sleeps are recorded, not
-- slept, except in the time-budget cases, where they are real.
local ll = require "04-integration.lambda_local_helper"
local lambda = require "aws.lambda"
local core = require "aws.lambda.core"

local X = lambda.exceptions
local monotonic = core.monotonic

local GP = { FunctionName = "my-function", Qualifier = "PROD" }
local RP = { FunctionName = "my-function", Qualifier = "PROD", StatementId = "xaccount" }
local UUID = "^%x%x%x%x%x%x%x%x%-%x%x%x%x%-4%x%x%x%-[89ab]%x%x%x%-%x%x%x%x%x%x%x%x%x%x%x%x$"
-- Under valgrind (tools/valgrind-test) everything is slower: LAM_TIME_SCALE
-- widens the bounds there.  It is 1 everywhere else.
local SCALE = tonumber(os.getenv("LAM_TIME_SCALE")) or 1
local FAST = 1.0 * SCALE  -- seconds: a generous bound for calls whose sleeps are only recorded
local SLACK = 0.1 * SCALE -- no call may outlive its `timeout` by more than this

local srv

-- A client for srv.  opts: more lambda.new options, plus real_sleep = true
-- to sleep for real (the time-budget cases).  Returns the client and the
-- list its sleeps are recorded in.
local function client(opts)
  local delays = {}
  local real = opts and opts.real_sleep
  local cfg = {
    region = ll.region, endpoint_url = srv.endpoint, credentials = ll.credentials,
    random = function() return 0.5 end,
    sleep = function(s)
      delays[#delays + 1] = s
      if real then core.sleep(s) end
    end,
  }
  for k, v in pairs(opts or {}) do
    if k ~= "real_sleep" then cfg[k] = v end
  end
  return lambda.new(cfg), delays
end

-- Runs one call: ok, result or error, meta, elapsed seconds.
local function timed(c, method, params, call_opts)
  local t0 = monotonic()
  local ok, r, meta = pcall(c[method], c, params, call_opts)
  local elapsed = monotonic() - t0
  if not ok then assert.is_table(r, "raised a " .. type(r) .. ": " .. tostring(r)) end
  return ok, r, meta, elapsed
end

-- The Lambda requests the server has logged.  A request held by a `delay`
-- fault is logged only when the server answers it, so wait (up to `wait`
-- seconds) for at least `n` of them to show.
local function requests(n, wait)
  local deadline = monotonic() + (wait or 0)
  local log = srv:log()
  while n and #log < n and monotonic() < deadline do
    core.sleep(0.05)
    log = srv:log()
  end
  return log
end

-- The server saw exactly n attempts of one call: one invocation id, and
-- amz-sdk-request counting 1..n out of max.
local function attempts_seen(n, max, wait)
  local log = requests(n, wait)
  assert.are.equal(n, #log, "requests at the server")
  assert.are.equal(n, srv:stats().requests)
  local id
  for i, entry in ipairs(log) do
    local h = entry.headers
    assert.are.equal(("attempt=%d; max=%d"):format(i, max or 3), h["amz-sdk-request"])
    id = id or h["amz-sdk-invocation-id"]
    assert.truthy(tostring(id):match(UUID), tostring(id))
    assert.are.equal(id, h["amz-sdk-invocation-id"])
  end
  return log
end

-- A free TCP port on 127.0.0.1 with nothing listening (as lambda-local
-- picks its own port: bind port 0, read it, close).
local function free_port()
  local p = assert(io.popen("python3 -c 'import socket\n"
    .. "s = socket.socket(); s.bind((\"127.0.0.1\", 0)); print(s.getsockname()[1]); s.close()'"))
  local port = tonumber(p:read("a"))
  p:close()
  return assert(port, "no free port")
end

-- The fields every retried-then-failed service error has.
local function service_error(err, class, status, code, attempts)
  assert.is_true(class:match(err), tostring(err))
  assert.is_true(X.ClientError:match(err))
  assert.are.equal(status, err.status)
  assert.are.equal(code, err.code)
  assert.are.equal("GetPolicy", err.operation)
  assert.are.equal(attempts, err.attempts)
  assert.truthy(tostring(err.request_id):match(UUID))
end

describe("fault matrix (lambda-local)", function()
  setup(function() srv = ll.start() end)
  teardown(function() if srv then srv:stop() end end)
  before_each(function() srv:reset() end)

  describe("throttling", function()
    it("429 without Retry-After: 3 attempts with full-jitter delays, then TooManyRequestsException", function()
      srv:fault { count = 3, kind = "throttle" }
      local c, delays = client()
      local ok, err, _, elapsed = timed(c, "get_policy", GP)
      assert.is_false(ok)
      service_error(err, X.TooManyRequestsException, 429, "TooManyRequestsException", 3)
      assert.is_true(err.throttling)
      assert.is_true(err.retryable)
      assert.are.equal("CallerRateLimitExceeded", err.reason)
      assert.are.equal("Rate exceeded", err.message)
      assert.is_nil(err.retry_after)
      assert.is_nil(err.retry_quota_exceeded)
      assert.are.same({ 0.5, 1.0 }, delays)
      attempts_seen(3)
      assert.is_true(elapsed < FAST, elapsed)
    end)

    it("429 without Retry-After twice, then the answer on the third attempt", function()
      srv:fault { count = 2, kind = "throttle" }
      local c, delays = client()
      local ok, out, meta, elapsed = timed(c, "get_policy", GP)
      assert.is_true(ok, tostring(out))
      assert.are.equal("xaccount", out.policy.Statement[1].Sid)
      assert.are.equal(3, meta.attempts)
      assert.are.same({ 0.5, 1.0 }, delays)
      attempts_seen(3)
      assert.is_true(elapsed < FAST, elapsed)
    end)

    it("429 with Retry-After: waits exactly what the server asked, instead of the random delay", function()
      srv:fault { count = 2, kind = "throttle", retry_after = 3 }
      local c, delays = client()
      local ok, out, meta, elapsed = timed(c, "get_policy", GP)
      assert.is_true(ok, tostring(out))
      assert.are.equal(3, meta.attempts)
      assert.are.same({ 3, 3 }, delays)
      attempts_seen(3)
      assert.is_true(elapsed < FAST, elapsed)
    end)

    it("429 with Retry-After on every attempt: the last error carries it", function()
      srv:fault { count = 3, kind = "throttle", retry_after = 2 }
      local c, delays = client()
      local ok, err = timed(c, "get_policy", GP)
      assert.is_false(ok)
      service_error(err, X.TooManyRequestsException, 429, "TooManyRequestsException", 3)
      assert.are.equal(2, err.retry_after)
      assert.are.same({ 2, 2 }, delays)
      attempts_seen(3)
    end)

    it("429 with Retry-After beyond max_retry_delay: raises at once, without waiting", function()
      srv:fault { count = 3, kind = "throttle", retry_after = 30 }
      local c, delays = client { max_retry_delay = 5 }
      local ok, err, _, elapsed = timed(c, "get_policy", GP)
      assert.is_false(ok)
      service_error(err, X.TooManyRequestsException, 429, "TooManyRequestsException", 1)
      assert.are.equal(30, err.retry_after)
      assert.is_true(err.retry_after_exceeded)
      assert.are.same({}, delays)
      attempts_seen(1)
      assert.is_true(elapsed < FAST, elapsed)
    end)

    it("429 with Retry-After beyond the default max_retry_delay (20 s): raises at once", function()
      srv:fault { count = 3, kind = "throttle", retry_after = 21 }
      local c, delays = client()
      local ok, err = timed(c, "get_policy", GP)
      assert.is_false(ok)
      assert.is_true(err.retry_after_exceeded)
      assert.are.equal(1, err.attempts)
      assert.are.same({}, delays)
      attempts_seen(1)
    end)

    it("max_attempts = 1 switches retries off", function()
      srv:fault { count = 3, kind = "throttle" }
      local c, delays = client { max_attempts = 1 }
      local ok, err = timed(c, "get_policy", GP)
      assert.is_false(ok)
      service_error(err, X.TooManyRequestsException, 429, "TooManyRequestsException", 1)
      assert.are.same({}, delays)
      attempts_seen(1, 1)
    end)
  end)

  describe("server errors", function()
    it("500 ServiceException: 3 attempts, then ServiceException", function()
      srv:fault { count = 3, kind = "service", message = "internal trouble" }
      local c, delays = client()
      local ok, err, _, elapsed = timed(c, "get_policy", GP)
      assert.is_false(ok)
      service_error(err, X.ServiceException, 500, "ServiceException", 3)
      assert.are.equal("internal trouble", err.message)
      assert.are.equal("Service", err.type)
      assert.is_true(err.retryable)
      assert.is_false(err.throttling)
      assert.are.same({ 0.5, 1.0 }, delays)
      attempts_seen(3)
      assert.is_true(elapsed < FAST, elapsed)
    end)

    local PHRASE = { [502] = "Bad Gateway", [503] = "Service Unavailable", [504] = "Gateway Timeout" }
    for _, status in ipairs { 502, 503, 504 } do
      for _, body in ipairs { "empty", "html" } do
        it(("%d with an %s body: retried, then a ClientError named after the status"):format(status, body), function()
          srv:fault { count = 3, kind = "status", status = status, body = body }
          local c, delays = client()
          local ok, err, _, elapsed = timed(c, "get_policy", GP)
          assert.is_false(ok)
          service_error(err, X.ClientError, status, tostring(status), 3)
          assert.are.equal("ClientError", err.class)
          assert.are.equal(PHRASE[status], err.message)
          assert.are.equal("Service", err.type)
          assert.is_true(err.retryable)
          assert.are.same({ 0.5, 1.0 }, delays)
          assert.are.equal(("HTTP %d: %s [GetPolicy, RequestId %s, attempts 3]"):format(
            status, PHRASE[status], err.request_id), tostring(err))
          attempts_seen(3)
          assert.is_true(elapsed < FAST, elapsed)
        end)
      end
    end

    it("503 with an HTML body once, then the answer", function()
      srv:fault { count = 1, kind = "status", status = 503, body = "html" }
      local c, delays = client()
      local ok, out, meta = timed(c, "get_policy", GP)
      assert.is_true(ok, tostring(out))
      assert.are.equal(2, meta.attempts)
      assert.are.same({ 0.5 }, delays)
      attempts_seen(2)
    end)
  end)

  describe("the network", function()
    it("connection refused: EndpointConnectionError after 3 attempts, nothing reaches any server", function()
      local port = free_port()
      local c, delays = client { endpoint_url = "http://127.0.0.1:" .. port }
      local ok, err, _, elapsed = timed(c, "get_policy", GP)
      assert.is_false(ok)
      assert.is_true(X.EndpointConnectionError:match(err), tostring(err))
      assert.are.equal("EndpointConnectionError", err.code)
      assert.are.equal("network", err.category)
      assert.is_true(err.retryable)
      assert.is_false(err.timeout)
      assert.is_nil(err.status)
      assert.are.equal(3, err.attempts)
      assert.are.equal("http://127.0.0.1:" .. port, err.endpoint)
      assert.truthy(err.message:find("Could not connect to the endpoint URL", 1, true))
      assert.are.same({ 0.5, 1.0 }, delays)
      assert.are.equal(0, srv:stats().requests)
      assert.is_true(elapsed < FAST, elapsed)
    end)

    it("connection dropped before the headers: ConnectionClosedError after 3 attempts", function()
      srv:fault { count = 3, kind = "drop" }
      local c, delays = client()
      local ok, err, _, elapsed = timed(c, "get_policy", GP)
      assert.is_false(ok)
      assert.is_true(X.ConnectionClosedError:match(err), tostring(err))
      assert.is_true(X.HTTPClientError:match(err))
      assert.is_true(err.retryable)
      assert.is_nil(err.status)
      assert.are.equal(3, err.attempts)
      assert.are.same({ 0.5, 1.0 }, delays)
      for _, entry in ipairs(attempts_seen(3)) do assert.are.equal(444, entry.status) end
      assert.is_true(elapsed < FAST, elapsed)
    end)

    it("connection dropped on a kept-alive connection: every send is an attempt the caller is told of", function()
      -- libcurl re-sends a request, unasked, when a reused connection dies
      -- before any answer; for RemovePermission/AddPermission (not
      -- idempotent) the caller must learn that a second send happened
      local c, delays = client()
      assert.is_true((timed(c, "get_policy", GP))) -- opens the connection
      srv:reset()
      srv:fault { count = 1, kind = "drop" }
      local ok, r, meta = timed(c, "remove_permission", RP)
      assert.is_true(ok, tostring(r))
      local log = srv:log()
      assert.are.equal(2, #log)
      assert.are.equal(444, log[1].status)
      assert.are.equal(#log, meta.attempts, "requests sent vs attempts reported")
      -- a connection the server closed while idle is retried at once: no backoff
      assert.are.same({}, delays)
    end)

    it("connection dropped after the headers: ConnectionClosedError after 3 attempts", function()
      srv:fault { count = 3, kind = "truncate", bytes = 0 }
      local c, delays = client()
      local ok, err, _, elapsed = timed(c, "get_policy", GP)
      assert.is_false(ok)
      assert.is_true(X.ConnectionClosedError:match(err), tostring(err))
      assert.is_true(err.retryable)
      assert.are.equal(3, err.attempts)
      assert.truthy(tostring(err.reason):find("remaining", 1, true), tostring(err.reason))
      assert.are.same({ 0.5, 1.0 }, delays)
      attempts_seen(3)
      assert.is_true(elapsed < FAST, elapsed)
    end)

    it("a truncated body once: retried, and the second answer is used whole", function()
      srv:fault { count = 1, kind = "truncate" }
      local c, delays = client()
      local ok, out, meta, elapsed = timed(c, "get_policy", GP)
      assert.is_true(ok, tostring(out))
      assert.are.equal("xaccount", out.policy.Statement[1].Sid)
      assert.are.equal(2, meta.attempts)
      assert.are.same({ 0.5 }, delays)
      attempts_seen(2)
      assert.is_true(elapsed < FAST, elapsed)
    end)

    it("a truncated body on every attempt: ConnectionClosedError", function()
      srv:fault { count = 3, kind = "truncate" }
      local c, delays = client()
      local ok, err = timed(c, "get_policy", GP)
      assert.is_false(ok)
      assert.is_true(X.ConnectionClosedError:match(err), tostring(err))
      assert.are.equal(3, err.attempts)
      assert.are.same({ 0.5, 1.0 }, delays)
      attempts_seen(3)
    end)

    it("RemovePermission whose answer is cut off: the retry's 404 says the first may have applied", function()
      -- the server removes the statement, then cuts the response (a 204
      -- becomes a 200 promising 64 bytes); the retry finds nothing to remove
      srv:fault { count = 1, kind = "truncate" }
      local c, delays = client()
      local ok, err = timed(c, "remove_permission", RP)
      assert.is_false(ok)
      assert.is_true(X.ResourceNotFoundException:match(err), tostring(err))
      assert.are.equal(2, err.attempts)
      assert.is_true(err.earlier_attempt_may_have_applied)
      assert.truthy(err.message:find("may have applied", 1, true), err.message)
      assert.are.same({ 0.5 }, delays)
      attempts_seen(2)
      assert.is_nil(srv:state().functions["my-function"].policies.PROD)
    end)

    it("RemovePermission cut off, with missing_ok: success, and meta says the statement was missing", function()
      srv:fault { count = 1, kind = "truncate" }
      local c = client()
      local ok, r, meta = timed(c, "remove_permission", RP, { missing_ok = true })
      assert.is_true(ok, tostring(r))
      assert.is_nil(r)
      assert.is_true(meta.missing)
      assert.are.equal(404, meta.status)
      assert.are.equal(2, meta.attempts)
      attempts_seen(2)
    end)
  end)

  describe("time budget", function()
    it("headers never sent: ReadTimeoutError within read_timeout and the whole-call timeout", function()
      srv:fault { count = 3, kind = "delay", seconds = 2 }
      local c, delays = client { read_timeout = 0.3, timeout = 1.0, real_sleep = true }
      local ok, err, _, elapsed = timed(c, "get_policy", GP)
      assert.is_false(ok)
      assert.is_true(X.ReadTimeoutError:match(err), tostring(err))
      assert.is_true(err.timeout)
      assert.is_true(err.retryable)
      -- 0.3 s read timeout, 0.5 s delay, then 0.2 s left for attempt 2;
      -- a third attempt would start after the budget
      assert.are.equal(2, err.attempts)
      assert.is_true(err.timeout_budget_exceeded)
      assert.are.same({ 0.5 }, delays)
      assert.is_true(elapsed >= 0.9 and elapsed <= 1.0 + SLACK, elapsed)
      assert.are.equal(2, #requests(2, 3))
    end)

    it("headers never sent, no read_timeout: the whole-call timeout alone ends the call", function()
      srv:fault { count = 3, kind = "delay", seconds = 2 }
      local c, delays = client { timeout = 0.6, real_sleep = true }
      local ok, err, _, elapsed = timed(c, "get_policy", GP)
      assert.is_false(ok)
      assert.is_true(X.ReadTimeoutError:match(err), tostring(err))
      assert.are.equal(1, err.attempts)
      assert.are.same({}, delays)
      assert.is_true(elapsed >= 0.55 and elapsed <= 0.6 + SLACK, elapsed)
      assert.are.equal(1, #requests(1, 3))
    end)

    it("a per-call timeout overrides the client's", function()
      srv:fault { count = 3, kind = "delay", seconds = 2 }
      local c = client { timeout = 30, real_sleep = true }
      local ok, err, _, elapsed = timed(c, "get_policy", GP, { timeout = 0.4 })
      assert.is_false(ok)
      assert.is_true(X.ReadTimeoutError:match(err), tostring(err))
      assert.is_true(elapsed <= 0.4 + SLACK, elapsed)
      requests(1, 3)
    end)

    it("a trickling body: each gap is under read_timeout, but the call still ends at its timeout", function()
      srv:fault { count = 3, kind = "trickle", seconds = 3, chunks = 30 }
      local c, delays = client { read_timeout = 0.3, timeout = 1.0, real_sleep = true }
      local ok, err, _, elapsed = timed(c, "get_policy", GP)
      assert.is_false(ok)
      assert.is_true(X.ReadTimeoutError:match(err), tostring(err))
      assert.is_true(err.timeout)
      assert.are.equal(1, err.attempts)
      assert.are.same({}, delays)
      assert.is_true(elapsed >= 0.95 and elapsed <= 1.0 + SLACK, elapsed)
      attempts_seen(1)
    end)

    it("a trickling body that ends within the budget is a success", function()
      srv:fault { count = 1, kind = "trickle", seconds = 0.5, chunks = 5 }
      local c = client { read_timeout = 0.3, timeout = 3, real_sleep = true }
      local ok, out, meta, elapsed = timed(c, "get_policy", GP)
      assert.is_true(ok, tostring(out))
      assert.are.equal("xaccount", out.policy.Statement[1].Sid)
      assert.are.equal(1, meta.attempts)
      assert.is_true(elapsed >= 0.4 and elapsed < 3, elapsed)
    end)

    it("a body cut off on every attempt: no retry is started that its delay would push past the budget", function()
      srv:fault { count = 3, kind = "truncate" }
      local c, delays = client { read_timeout = 0.5, timeout = 1.0, real_sleep = true }
      local ok, err, _, elapsed = timed(c, "get_policy", GP)
      assert.is_false(ok)
      assert.is_true(X.ConnectionClosedError:match(err), tostring(err))
      -- delays 0.5 then 1 s would pass the 1 s budget: 2 attempts
      assert.are.equal(2, err.attempts)
      assert.is_true(err.timeout_budget_exceeded)
      assert.are.same({ 0.5 }, delays)
      assert.is_true(elapsed <= 1.0 + SLACK, elapsed)
    end)
  end)

  describe("error bodies and codes", function()
    it("a malformed JSON error body (400): not retried, the raw text is the message", function()
      srv:fault { count = 3, kind = "malformed" }
      local c, delays = client()
      local ok, err, _, elapsed = timed(c, "get_policy", GP)
      assert.is_false(ok)
      service_error(err, X.ClientError, 400, "400", 1)
      assert.are.equal('{"message": "truncated', err.message)
      assert.is_false(err.retryable)
      assert.are.same({}, delays)
      attempts_seen(1)
      assert.is_true(elapsed < FAST, elapsed)
    end)

    it("a malformed JSON error body on a 500: retried by its status", function()
      srv:fault { count = 3, kind = "malformed", status = 500 }
      local c, delays = client()
      local ok, err = timed(c, "get_policy", GP)
      assert.is_false(ok)
      service_error(err, X.ClientError, 500, "500", 3)
      assert.are.equal('{"message": "truncated', err.message)
      assert.are.same({ 0.5, 1.0 }, delays)
      attempts_seen(3)
    end)

    it("a malformed JSON body with a throttling x-amzn-ErrorType: retried as throttling", function()
      srv:fault { count = 3, kind = "malformed", code = "ThrottlingException" }
      local c, delays = client()
      local ok, err = timed(c, "get_policy", GP)
      assert.is_false(ok)
      service_error(err, X.ClientError, 400, "ThrottlingException", 3)
      assert.is_true(err.throttling)
      assert.are.same({ 0.5, 1.0 }, delays)
      attempts_seen(3)
    end)

    it("an unknown error code: a ClientError with that code, not retried", function()
      srv:fault { count = 3, kind = "code", code = "BrandNewException", message = "something new" }
      local c, delays = client()
      local ok, err, _, elapsed = timed(c, "get_policy", GP)
      assert.is_false(ok)
      service_error(err, X.ClientError, 400, "BrandNewException", 1)
      assert.are.equal("ClientError", err.class)
      assert.are.equal("something new", err.message)
      assert.is_true(err:is("BrandNewException"))
      assert.is_false(err.retryable)
      assert.are.same({}, delays)
      attempts_seen(1)
      assert.is_true(elapsed < FAST, elapsed)
    end)

    it("an unknown code in a coral-style header or a namespaced __type keeps the shape name", function()
      srv:fault { count = 1, kind = "code", code = "BrandNewException",
                  header = "BrandNewException:http://internal.amazon.com/coral/com.amazon.coral.service/" }
      srv:fault { count = 1, kind = "code", code = "Ignored", header = false,
                  extra = { __type = "com.amazonaws.lambda#OtherNewException" } }
      local c = client()
      local _, e1 = timed(c, "get_policy", GP)
      local _, e2 = timed(c, "get_policy", GP)
      assert.are.equal("BrandNewException", e1.code)
      assert.are.equal("OtherNewException", e2.code)
      assert.are.equal(2, srv:stats().requests)
    end)

    it("an unknown code on a 503: retried by its status", function()
      srv:fault { count = 3, kind = "code", status = 503, code = "NewOutageException" }
      local c, delays = client()
      local ok, err = timed(c, "get_policy", GP)
      assert.is_false(ok)
      service_error(err, X.ClientError, 503, "NewOutageException", 3)
      assert.are.same({ 0.5, 1.0 }, delays)
      attempts_seen(3)
    end)
  end)

  describe("signatures and clocks", function()
    it("403 InvalidSignatureException (a wrong secret): not retried", function()
      local c, delays = client { credentials = { access_key_id = ll.credentials.access_key_id,
                                                 secret_access_key = "not-the-right-secret" } }
      local ok, err, _, elapsed = timed(c, "get_policy", GP)
      assert.is_false(ok)
      service_error(err, X.ClientError, 403, "InvalidSignatureException", 1)
      assert.truthy(err.message:find("The Canonical String for this request should have been", 1, true))
      assert.is_false(err.retryable)
      assert.is_nil(err.clock_skew)
      assert.is_nil(c.clock_offset)
      assert.are.same({}, delays)
      local log = attempts_seen(1)
      assert.truthy(log[1].signature:find("InvalidSignatureException", 1, true))
      assert.is_true(elapsed < FAST, elapsed)
    end)

    it("a server clock 20 minutes ahead: one corrected retry from the Date header, then success", function()
      srv:clock(1200)
      local c, delays = client()
      local ok, out, meta, elapsed = timed(c, "get_policy", GP)
      assert.is_true(ok, tostring(out))
      assert.are.equal("xaccount", out.policy.Statement[1].Sid)
      assert.are.equal(2, meta.attempts)
      assert.are.same({}, delays) -- the corrected retry goes at once
      assert.is_true(math.abs(c.clock_offset - 1200) <= 5, tostring(c.clock_offset))
      local log = attempts_seen(2)
      assert.truthy(log[1].signature:find("expired", 1, true), log[1].signature)
      assert.are.equal("ok", log[2].signature)
      assert.is_true(elapsed < FAST, elapsed)
      -- the client keeps the offset: the next call needs one attempt
      local ok2, _, meta2 = timed(c, "get_policy", GP)
      assert.is_true(ok2)
      assert.are.equal(1, meta2.attempts)
      assert.are.equal(3, srv:stats().requests)
    end)

    it("a server clock 20 minutes behind: one corrected retry, then success", function()
      -- the server answers "Signature not yet current: ... is still later
      -- than ..." (our clock is ahead); that is clock skew as well
      srv:clock(-1200)
      local c, delays = client()
      local ok, out, meta = timed(c, "get_policy", GP)
      assert.is_true(ok, tostring(out))
      assert.are.equal(2, meta.attempts)
      assert.are.same({}, delays)
      assert.is_true(math.abs(c.clock_offset + 1200) <= 5, tostring(c.clock_offset))
      attempts_seen(2)
    end)

    it("corrects the clock once per call, not again when the server still says expired", function()
      local msg = "Signature expired: 20150830T123600Z is now earlier than 20261126T065500Z "
        .. "(20261126T071000Z - 15 min.)"
      srv:fault { count = 3, kind = "code", status = 403, code = "InvalidSignatureException",
                  message = msg, type = false }
      local c, delays = client()
      local ok, err = timed(c, "get_policy", GP)
      assert.is_false(ok)
      service_error(err, X.ClientError, 403, "InvalidSignatureException", 2)
      assert.are.same({}, delays)
      attempts_seen(2)
    end)
  end)

  describe("retry quota", function()
    it("500 tokens, 5 per retry: the 101st attempt raises at once with retry_quota_exceeded", function()
      srv:fault { count = 200, kind = "throttle" }
      local c, delays = client { max_attempts = 200 }
      local ok, err, _, elapsed = timed(c, "get_policy", GP)
      assert.is_false(ok)
      assert.is_true(X.TooManyRequestsException:match(err), tostring(err))
      assert.is_true(err.retry_quota_exceeded)
      assert.are.equal(101, err.attempts)
      assert.are.equal(100, #delays)
      assert.are.same({ 0.5, 1, 2, 4, 8, 10, 10 }, { table.unpack(delays, 1, 7) })
      assert.are.equal(10, delays[100])
      attempts_seen(101, 200)
      assert.is_true(elapsed < 5 * SCALE, elapsed)
      srv:clear_faults()

      -- the quota is per client: the next failure is not retried at all
      srv:reset()
      srv:fault { count = 3, kind = "service" }
      local ok2, err2 = timed(c, "get_policy", GP)
      assert.is_false(ok2)
      service_error(err2, X.ServiceException, 500, "ServiceException", 1)
      assert.is_true(err2.retry_quota_exceeded)
      assert.are.equal(100, #delays)
      assert.are.equal(1, srv:stats().requests)

      -- a success refunds one token: still short of the 5 a retry costs
      srv:clear_faults()
      assert.is_true((timed(c, "get_policy", GP)))
      srv:fault { count = 3, kind = "throttle" }
      local _, err3 = timed(c, "get_policy", GP)
      assert.is_true(err3.retry_quota_exceeded)
      assert.are.equal(1, err3.attempts)

      -- another client has its own full quota
      local c2, delays2 = client()
      srv:clear_faults()
      srv:fault { count = 1, kind = "throttle" }
      local ok4, _, meta4 = timed(c2, "get_policy", GP)
      assert.is_true(ok4)
      assert.are.equal(2, meta4.attempts)
      assert.are.same({ 0.5 }, delays2)
    end)
  end)
end)
