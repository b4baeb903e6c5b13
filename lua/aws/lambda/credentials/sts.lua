--- STS AssumeRole / AssumeRoleWithWebIdentity over the query protocol.
-- The endpoint is configurable like Lambda's (AWS_ENDPOINT_URL_STS >
-- AWS_ENDPOINT_URL > the profile's services section > endpoint_url), else
-- the regional https://sts.<region>.<dns suffix>.  Answers are XML, read by
-- the C core (core.xml_leaves).
-- @module aws.lambda.credentials.sts

local core = require "aws.lambda.core"
local sigv4 = require "aws.lambda.sigv4"
local config = require "aws.lambda.config"
local util = require "aws.lambda.credentials.util"

local pairs, ipairs, tostring, format, sort, concat = pairs, ipairs, tostring, string.format, table.sort,
  table.concat
local sub = string.sub

local sts = {}

local function suffix_lookup(leaves, suffix)
  for path, v in pairs(leaves) do
    if sub(path, -#suffix - 1) == "/" .. suffix then return v end
  end
end

--- Calls `action` with `params`; signs with `creds` when given (AssumeRole),
-- unsigned otherwise (AssumeRoleWithWebIdentity).  Returns a snapshot.
function sts.call(ctx, provider, action, params, creds)
  local c = ctx.c
  local ep = config.service_endpoint(c, "STS", "sts")
  local keys = {}
  for k in pairs(params) do keys[#keys + 1] = k end
  sort(keys)
  local parts = { "Action=" .. action, "Version=2011-06-15" }
  for _, k in ipairs(keys) do parts[#parts + 1] = k .. "=" .. util.form_encode(tostring(params[k])) end
  local body = concat(parts, "&")
  local url = ep.base .. "/"
  local headers = { ["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8" }
  if creds then
    local r = sigv4.sign({ method = "POST", url = url, headers = headers, body = body }, creds,
      { region = c.region, service = "sts", time = math.floor(ctx.now()) })
    headers = r.headers
  end
  local h = core.http_new { connect_timeout = c.connect_timeout, read_timeout = c.read_timeout }
  local status, rh, rbody = h:request("POST", url, headers, body, { timeout = c.connect_timeout + c.read_timeout })
  h:close()
  if not status then
    util.retrieval_error(provider, format("STS %s at %s failed: %s (%s)", action, ep.url, tostring(rh),
      tostring(rbody)))
  end
  local leaves, why = core.xml_leaves(rbody)
  if not leaves then
    util.retrieval_error(provider, format("STS %s answered HTTP %d with a body that is not XML (%s)",
      action, status, why))
  end
  if status ~= 200 then
    util.retrieval_error(provider, format("STS %s answered HTTP %d: %s: %s", action, status,
      tostring(suffix_lookup(leaves, "Error/Code")), util.excerpt(suffix_lookup(leaves, "Error/Message"), 300)))
  end
  local exp = suffix_lookup(leaves, "Credentials/Expiration")
  local expires = util.parse_time(exp)
  if not expires then util.retrieval_error(provider, "STS " .. action .. " answered without a valid Expiration") end
  return util.snapshot(provider, suffix_lookup(leaves, "Credentials/AccessKeyId"),
    suffix_lookup(leaves, "Credentials/SecretAccessKey"), suffix_lookup(leaves, "Credentials/SessionToken"),
    expires)
end

return sts
