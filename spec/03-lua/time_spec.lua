-- Date-time text to Unix seconds, independent of the local time zone.
local time = require "aws.lambda.time"

describe("aws.lambda.time", function()
  it("reads ISO 8601 in UTC, with fractions and offsets", function()
    assert.are.equal(1440938160, time.parse_iso8601("2015-08-30T12:36:00Z"))
    assert.are.equal(1440938160, time.parse_iso8601("2015-08-30T12:36:00.123Z"))
    assert.are.equal(1440938160, time.parse_iso8601("2015-08-30T14:36:00+02:00"))
    assert.are.equal(1440938160, time.parse_iso8601("2015-08-30T07:36:00-0500"))
    assert.are.equal(951782400, time.parse_iso8601("2000-02-29T00:00:00Z")) -- a leap day
    assert.are.equal(0, time.parse_iso8601("1970-01-01 00:00:00 UTC"))
  end)

  it("refuses what is not a date-time", function()
    for _, s in ipairs { "2015-08-30", "2015-13-01T00:00:00Z", "2015-08-30T24:00:00Z", "x", "" } do
      assert.is_nil(time.parse_iso8601(s), s)
    end
    assert.is_nil(time.parse_iso8601(5))
  end)

  it("reads HTTP Date headers", function()
    assert.are.equal(1440938160, time.parse_http_date("Sun, 30 Aug 2015 12:36:00 GMT"))
    assert.are.equal(1795677000, time.parse_http_date("Thu, 26 Nov 2026 07:10:00 GMT"))
    assert.is_nil(time.parse_http_date("Sun, 30 Foo 2015 12:36:00 GMT"))
    assert.is_nil(time.parse_http_date("2015-08-30T12:36:00Z"))
    assert.is_nil(time.parse_http_date(nil))
  end)
end)
