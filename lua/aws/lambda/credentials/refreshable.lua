--- Credentials that expire: botocore's RefreshableCredentials windows.
--
-- * more than 15 min left: the current snapshot, nothing else (one clock
--   read and a comparison per request);
-- * under 15 min (advisory): refresh; on failure keep the current snapshot
--   and try again no sooner than 10 s later;
-- * under 10 min (mandatory): refresh; a failure raises.  A refresh that
--   still returns expired credentials raises too.
-- Only one refresh runs at a time: a caller that finds one in progress (an
-- event-loop transport may yield mid-refresh) keeps the current snapshot
-- while it has not expired.  Each snapshot is a new table, never changed
-- afterwards, so a request signs with one consistent key/secret/token.
-- @module aws.lambda.credentials.refreshable

local errors = require "aws.lambda.errors"

local setmetatable, pcall, error, type = setmetatable, pcall, error, type

local M = {}

M.ADVISORY = 15 * 60
M.MANDATORY = 10 * 60
M.RETRY_AFTER_FAILURE = 10

local Source = {}
Source.__index = Source

--- Credentials that never expire.
function M.static(provider, snapshot)
  return setmetatable({ provider = provider, snapshot = snapshot }, Source)
end

--- Refreshable credentials: `fetch()` returns a new snapshot (with
-- `expires`, Unix seconds) or raises; `now()` is the wall clock.
function M.new(provider, fetch, now, first)
  return setmetatable({ provider = provider, fetch = fetch, now = now, snapshot = first,
                        not_before = nil, refreshing = false }, Source)
end

local function expired_error(provider, why)
  return errors.new("CredentialRetrievalError", { provider = provider, message =
    "Credentials from " .. provider .. " need a refresh (under 10 minutes left), and " .. why })
end

function Source:_refresh(left)
  local mandatory = left < M.MANDATORY
  local now = self.now
  if self.refreshing then
    if left > 0 then return self.snapshot end
    error(expired_error(self.provider, "a refresh is already in progress"), 0)
  end
  if not mandatory and self.not_before and now() < self.not_before then return self.snapshot end
  self.refreshing = true
  local ok, new = pcall(self.fetch)
  self.refreshing = false
  if ok and type(new) == "table" then
    self.snapshot = new
    self.not_before = nil
    self.last_error = nil
    if mandatory and new.expires and new.expires - now() <= 0 then
      error(expired_error(self.provider, "the refreshed credentials are still expired"), 0)
    end
    return new
  end
  self.last_error = new
  if mandatory then
    if errors.is_error(new) then error(new, 0) end
    error(expired_error(self.provider, "the refresh failed"), 0)
  end
  self.not_before = now() + M.RETRY_AFTER_FAILURE
  return self.snapshot
end

--- The snapshot to sign one request with.
function Source:get()
  local s = self.snapshot
  local exp = s.expires
  if not exp or not self.fetch then return s end
  local left = exp - self.now()
  if left >= M.ADVISORY then return s end
  return self:_refresh(left)
end

return M
