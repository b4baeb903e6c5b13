--- Endpoint resolution: the partitions, FIPS and dual-stack variants, the
-- legacy `fips-` pseudo-regions, and configured endpoints (lambda-api.md §4).
-- Pure functions of their arguments: no environment or file reads here.
-- @module aws.lambda.endpoints

local match, format, gsub, lower = string.match, string.format, string.gsub, string.lower
local ipairs, pairs = ipairs, pairs

local endpoints = {}

--- The partitions (partitions.json): region pattern, DNS suffix, dual-stack
-- DNS suffix.  Every partition supports FIPS and dual-stack.  Matched in
-- this order after the explicit region lists; `aws` is the fallback.
endpoints.PARTITIONS = {
  { name = "aws", pattern = { "^us%-%w+%-%d+$", "^eu%-%w+%-%d+$", "^ap%-%w+%-%d+$", "^sa%-%w+%-%d+$",
      "^ca%-%w+%-%d+$", "^me%-%w+%-%d+$", "^af%-%w+%-%d+$", "^il%-%w+%-%d+$", "^mx%-%w+%-%d+$" },
    dns = "amazonaws.com", dualstack = "api.aws" },
  { name = "aws-cn", pattern = { "^cn%-%w+%-%d+$" },
    dns = "amazonaws.com.cn", dualstack = "api.amazonwebservices.com.cn" },
  { name = "aws-us-gov", pattern = { "^us%-gov%-%w+%-%d+$" }, dns = "amazonaws.com", dualstack = "api.aws" },
  { name = "aws-iso", pattern = { "^us%-iso%-%w+%-%d+$" }, dns = "c2s.ic.gov", dualstack = "api.aws.ic.gov" },
  { name = "aws-iso-b", pattern = { "^us%-isob%-%w+%-%d+$" }, dns = "sc2s.sgov.gov", dualstack = "api.aws.scloud" },
  { name = "aws-iso-e", pattern = { "^eu%-isoe%-%w+%-%d+$" }, dns = "cloud.adc-e.uk",
    dualstack = "api.cloud-aws.adc-e.uk" },
  { name = "aws-iso-f", pattern = { "^us%-isof%-%w+%-%d+$" }, dns = "csp.hci.ic.gov",
    dualstack = "api.aws.hci.ic.gov" },
  { name = "aws-eusc", pattern = { "^eusc%-de%-%w+%-%d+$" }, dns = "amazonaws.eu",
    dualstack = "api.amazonwebservices.eu" },
}

local BY_NAME = {}
for _, p in ipairs(endpoints.PARTITIONS) do BY_NAME[p.name] = p end

-- Regions listed explicitly (endpoints.json): they decide before any pattern.
local LISTED = {
  ["aws-cn"] = { "cn-north-1", "cn-northwest-1" },
  ["aws-us-gov"] = { "us-gov-east-1", "us-gov-west-1" },
  ["aws-iso"] = { "us-iso-east-1", "us-iso-west-1" },
  ["aws-iso-b"] = { "us-isob-east-1", "us-isob-west-1" },
  ["aws-iso-e"] = { "eu-isoe-west-1" },
  ["aws-iso-f"] = { "us-isof-east-1", "us-isof-south-1" },
  ["aws-eusc"] = { "eusc-de-east-1" },
}
local REGION_PARTITION = {}
for name, list in pairs(LISTED) do
  for _, r in ipairs(list) do REGION_PARTITION[r] = BY_NAME[name] end
end

-- Lua patterns cannot say "us-" but not "us-gov-", so the more specific
-- partitions are tried first, then aws.
local ORDER = { "aws-us-gov", "aws-iso-b", "aws-iso-f", "aws-iso", "aws-iso-e", "aws-eusc", "aws-cn", "aws" }

--- The partition of a region (botocore's aws.partition): the explicit list,
-- then the patterns, else `aws`.
function endpoints.partition(region)
  local p = REGION_PARTITION[region]
  if p then return p end
  for _, name in ipairs(ORDER) do
    local part = BY_NAME[name]
    for _, pat in ipairs(part.pattern) do
      if match(region, pat) then return part end
    end
  end
  return BY_NAME.aws
end

--- botocore's region check: 1..63 of [A-Za-z0-9-], not all digits, no '-'
-- at either end.
function endpoints.valid_region(r)
  return #r >= 1 and #r <= 63 and not match(r, "[^%w%-]") and not match(r, "^%d+$")
     and not match(r, "^%-") and not match(r, "%-$")
end

--- Legacy pseudo-regions: `fips-us-east-1` or `us-east-1-fips` mean the
-- real region with FIPS on.  Returns region, fips (boolean).
function endpoints.strip_fips(region)
  local r = match(region, "^fips%-(.+)$") or match(region, "^(.+)%-fips$")
  if r then return r, true end
  return region, false
end

--- The rule-set endpoint for `service` (the host prefix, e.g. "lambda",
-- "sts", "portal.sso") in `region`.  Returns url, partition name.
function endpoints.rules(service, region, fips, dualstack)
  local p = endpoints.partition(region)
  local host = service
  if fips then host = host .. "-fips" end
  local suffix = dualstack and p.dualstack or p.dns
  return format("https://%s.%s.%s", host, region, suffix), p.name
end

--- Splits an endpoint URL: scheme://host[:port][/base/path]; the base path
-- keeps no trailing '/' so operation paths append to it.  Returns nil, why
-- for a URL we cannot use.
function endpoints.parse(url)
  local scheme, authority, path = match(url, "^(%a[%w+.-]*)://([^/?#]+)([^?#]*)$")
  if not scheme or (lower(scheme) ~= "http" and lower(scheme) ~= "https") or match(authority, "[%s@]") then
    return nil, "must be http(s)://host[:port][/path], with no query or fragment"
  end
  path = gsub(path, "/+$", "")
  return { url = url, base = lower(scheme) .. "://" .. authority .. path, scheme = lower(scheme),
           authority = authority }
end

--- The service's key in a `[services NAME]` section and the suffix of its
-- AWS_ENDPOINT_URL_<ID> variable, from the serviceId.
function endpoints.service_keys(service_id)
  local env = gsub(service_id, "[%s%-]", "_"):upper()
  local key = gsub(service_id, "[%s%-]", "_"):lower()
  return env, key
end

return endpoints
