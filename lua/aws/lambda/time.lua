--- Date-time text to Unix seconds, without the local time zone (os.time
-- would apply it): ISO 8601 for credential expirations, HTTP dates for the
-- server's clock.
-- @module aws.lambda.time

local floor, tonumber, type = math.floor, tonumber, type
local match, gsub = string.match, string.gsub

local time = {}

-- days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm)
function time.days_from_civil(y, m, d)
  if m <= 2 then y = y - 1 end
  local era = floor(y / 400)
  local yoe = y - era * 400
  local mp = (m + 9) % 12
  local doy = floor((153 * mp + 2) / 5) + d - 1
  local doe = yoe * 365 + floor(yoe / 4) - floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
end

local days_from_civil = time.days_from_civil

--- ISO 8601 / RFC 3339 date-time -> Unix seconds (fractions dropped), or nil.
-- Accepts "2030-01-02T03:04:05Z", "...05.123Z", "...05+01:00", "...05 UTC".
function time.parse_iso8601(s)
  if type(s) ~= "string" then return nil end
  local y, mo, d, h, mi, sec, rest = match(s, "^(%d%d%d%d)%-(%d%d)%-(%d%d)[Tt ](%d%d):(%d%d):(%d%d)(.*)$")
  if not y then return nil end
  rest = gsub(rest, "^%.%d+", "")
  local offset = 0
  if not (rest == "Z" or rest == "z" or rest == "" or rest == "UTC" or rest == " UTC") then
    local sign, oh, om = match(rest, "^([+-])(%d%d):?(%d%d)$")
    if not sign then return nil end
    offset = (tonumber(oh) * 60 + tonumber(om)) * 60
    if sign == "-" then offset = -offset end
  end
  y, mo, d, h, mi, sec = tonumber(y), tonumber(mo), tonumber(d), tonumber(h), tonumber(mi), tonumber(sec)
  if mo < 1 or mo > 12 or d < 1 or d > 31 or h > 23 or mi > 59 or sec > 60 then return nil end
  return days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset
end

local MONTHS = { Jan = 1, Feb = 2, Mar = 3, Apr = 4, May = 5, Jun = 6, Jul = 7, Aug = 8, Sep = 9,
                 Oct = 10, Nov = 11, Dec = 12 }

--- "Thu, 26 Nov 2026 07:10:00 GMT" (an HTTP Date header) -> Unix seconds, or nil.
function time.parse_http_date(s)
  if type(s) ~= "string" then return nil end
  local d, mon, y, hh, mm, ss = match(s, "^%a+, (%d%d) (%a%a%a) (%d%d%d%d) (%d%d):(%d%d):(%d%d) GMT$")
  mon = MONTHS[mon]
  if not mon then return nil end
  return days_from_civil(tonumber(y), mon, tonumber(d)) * 86400
         + tonumber(hh) * 3600 + tonumber(mm) * 60 + tonumber(ss)
end

return time
