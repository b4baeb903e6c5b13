--- Retries, "standard" mode (lambda-api.md §3.2) with two additions: a
-- TooManyRequestsException's Retry-After is honoured (bounded by
-- max_retry_delay), and one retry with a corrected clock after a skew error.
--
--   delay   = random() * min(2^(attempt-1), 20) seconds (full jitter)
--   quota   = 500 tokens per client; a retry costs 5 (10 after a timeout);
--             a success refunds 1 (or what its last retry cost)
--   budget  = `timeout`: the whole call, retries and delays included
-- @module aws.lambda.retry

local core = require "aws.lambda.core"

local min = math.min
local format, find = string.format, string.find

local retry = {}

local QUOTA_MAX, RETRY_COST, TIMEOUT_COST, SUCCESS_REFUND = 500, 5, 10, 1
local SKEW_CODES = { RequestExpired = true, RequestTimeTooSkewed = true, RequestInTheFuture = true }

--- Per-client policy and retry quota.
function retry.new_policy(c)
  return { max_attempts = c.max_attempts, max_retry_delay = c.max_retry_delay,
           timeout = c.timeout, tokens = QUOTA_MAX }
end

local State = {}
State.__index = State

--- Starts one call's retry state.
function retry.start(client, call_opts)
  local p = client.retry
  local timeout = call_opts and call_opts.timeout or p.timeout
  -- Only what the first attempt needs: last_cost, skew_fixed and
  -- may_have_applied are set when a retry happens (nil reads as 0 / false),
  -- and the clock is read only when there is a budget.
  return setmetatable({
    client = client, policy = p, attempt = 1, max_attempts = p.max_attempts,
    invocation_id = core.uuid4(), deadline = timeout and client.clock() + timeout or nil,
  }, State)
end

--- Options for the transport: what is left of the call's budget.
function State:request_options()
  if not self.deadline then return nil end
  local left = self.deadline - self.client.clock()
  if left < 0.001 then left = 0.001 end
  return { timeout = left }
end

function State:success()
  local p = self.policy
  local refund = self.attempt == 1 and SUCCESS_REFUND or (self.last_cost or 0)
  p.tokens = min(QUOTA_MAX, p.tokens + refund)
end

-- A signature/date error whose cause is our clock: RequestExpired,
-- RequestTimeTooSkewed, or InvalidSignatureException "Signature expired"
-- (our clock behind) or "Signature not yet current" (our clock ahead).
local function is_skew(err)
  if SKEW_CODES[err.code] then return true end
  return err.code == "InvalidSignatureException" and type(err.message) == "string"
     and (find(err.message, "Signature expired", 1, true) ~= nil
          or find(err.message, "Signature not yet current", 1, true) ~= nil)
end

-- the server's Date header -> Unix seconds
retry.parse_http_date = require("aws.lambda.time").parse_http_date

--- Decides whether to retry after `err`: returns the delay in seconds, or
-- nil to give up (and marks why on err).
function State:next_delay(err)
  local p, client = self.policy, self.client
  -- a failure without an HTTP response may still have reached the server
  if err.retryable or err.status == nil then self.may_have_applied = true end
  if self.attempt >= self.max_attempts then return nil end
  local delay
  if is_skew(err) and not self.skew_fixed then
    local server = retry.parse_http_date(err.headers and err.headers["date"])
    if not server then return nil end
    client.clock_offset = server - core.time()
    self.skew_fixed = true
    err.clock_skew = true
    delay = 0
  elseif not err.retryable then
    return nil
  else
    local cost = err.timeout and TIMEOUT_COST or RETRY_COST
    if p.tokens < cost then
      err.retry_quota_exceeded = true
      return nil
    end
    if err.kind == "StaleConnectionError" then
      delay = 0 -- an idle connection timed out at the server: no backoff needed
    elseif err.retry_after and err.throttling then
      if err.retry_after > p.max_retry_delay then
        err.retry_after_exceeded = true
        return nil
      end
      delay = err.retry_after
    else
      delay = client.random() * min(2 ^ (self.attempt - 1), 20)
    end
    p.tokens = p.tokens - cost
    self.last_cost = cost
  end
  if self.deadline and client.clock() + delay >= self.deadline then
    err.timeout_budget_exceeded = true
    return nil
  end
  self.attempt = self.attempt + 1
  err.delay = delay
  return delay
end

--- The error to raise, annotated with the attempts made.
function State:final(err)
  err.attempts = self.attempt
  if self.attempt > 1 and self.may_have_applied and err.code == "ResourceNotFoundException" then
    err.message = format("%s (after %d attempts: an earlier attempt failed without a clear answer "
      .. "and may have applied the change)", err.message, self.attempt)
    err.earlier_attempt_may_have_applied = true
  end
  return err
end

return retry
