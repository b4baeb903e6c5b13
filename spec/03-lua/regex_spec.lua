-- aws.lambda.regex: the model's patterns, matched in full.
local regex = require "aws.lambda.regex"

-- Verbatim from lambda-api.md §1 (M-new), JSON escapes undone.
local P_FN = [=[(arn:(aws[a-zA-Z-]*)?:lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:\d{12}:|(((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?))(function:)?([a-zA-Z0-9-_\.]+)(:(\$LATEST(\.PUBLISHED)?|[a-zA-Z0-9-_]+))?]=] -- luacheck: ignore 631
local P_FN_DOCS = [=[(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_\.]+)(:(\$LATEST(\.PUBLISHED)?|[a-zA-Z0-9-_]+))?]=] -- luacheck: ignore 631
local P_Q = [=[\$(LATEST(\.PUBLISHED)?)|[a-zA-Z0-9-_$]+]=]
local P_ACTION = [=[(lambda:[*]|lambda:[a-zA-Z]+|[*])]=]
local P_ARN = [=[arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\-])+:((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1})?:(\d{12})?:(.*)]=] -- luacheck: ignore 631

local function check(pattern, good, bad)
  local re = regex.compile(pattern)
  for _, s in ipairs(good) do
    assert.is_true(re:full_match(s), ("%q should match %s"):format(s, pattern))
  end
  for _, s in ipairs(bad) do
    assert.is_false(re:full_match(s), ("%q should not match %s"):format(s, pattern))
  end
end

-- Bounds below guard against runaway (exponential) matching, not speed:
-- speed figures live in bench/.  LAM_TIME_SCALE widens them (valgrind).
local SCALE = tonumber(os.getenv("LAM_TIME_SCALE")) or 1

describe("aws.lambda.regex", function()
  describe("model patterns", function()
    it("P-FN accepts the three FunctionName forms and rejects the rest", function()
      check(P_FN, {
        "my-function", "my_function.v2", "MyFunction",
        "my-function:PROD", "my-function:1", "my-function:$LATEST",
        "my-function:$LATEST.PUBLISHED",
        "123456789012:function:my-function",
        "123456789012:function:my-function:PROD",
        "us-east-1:123456789012:function:my-function",
        "function:my-function",
        "arn:aws:lambda:us-east-1:123456789012:function:my-function",
        "arn:aws:lambda:us-east-1:123456789012:function:my-function:$LATEST",
        "arn:aws:lambda:us-east-1:123456789012:function:my-function:$LATEST.PUBLISHED",
        "arn:aws:lambda:us-east-1:123456789012:function:my-function:PROD",
        "arn:aws:lambda:us-east-1:123456789012:function:my-function:7",
        "arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:f",
        "arn:aws-cn:lambda:cn-north-1:123456789012:function:f",
        "arn:aws-iso-b:lambda:us-isob-east-1:123456789012:function:f",
        "arn:aws-eusc:lambda:eusc-de-east-1:123456789012:function:f",
        "arn::lambda:us-east-1:123456789012:function:f",   -- partition group is optional
      }, {
        "", "arn:aws:lambda:us-east-1:12345:function:x", "my function", "a/b", "../x",
        "f:$LATEST.X", "f:$latest", "f:PROD:1", "arn:aws:s3:us-east-1:123456789012:function:f",
        "arn:aws:lambda:us-east-1:123456789012:function:", "f\n", "f:", "é",
        "arn:aws:lambda:useast1:123456789012:function:f",
      })
    end)

    it("the API reference's older P-FN form behaves the same on common names", function()
      check(P_FN_DOCS, {
        "my-function", "123456789012:function:my-function",
        "arn:aws:lambda:us-west-2:123456789012:function:my-function:$LATEST.PUBLISHED",
      }, { "my function", "a/b" })
    end)

    it("P-Q (Qualifier)", function()
      check(P_Q, { "$LATEST", "$LATEST.PUBLISHED", "PROD", "1", "my-alias_2", "$", "a$b" },
                 { "", "$LATEST.", "$LATEST.X", "v1.2", "a b", "a/b", "$LATEST\n" })
    end)

    it("P-ACTION", function()
      check(P_ACTION, { "lambda:InvokeFunction", "lambda:*", "*", "lambda:GetFunction" },
                      { "", "lambda:", "lambda:Invoke-Function", "s3:GetObject", "**", "lambda:**" })
    end)

    it("P-ARN (SourceArn)", function()
      check(P_ARN, {
        "arn:aws:s3:::my-bucket-1xpuxmplzrlbh",
        "arn:aws:sns:us-east-2:123456789012:my-topic",
        "arn:aws:execute-api:us-east-1:123456789012:a1b2c3/*/GET/",
        "arn:aws-us-gov:events:us-gov-west-1:123456789012:rule/x",
        "arn:aws:sqs:eusc-de-east-1:123456789012:q",
        "arn:aws:s3:::",
      }, {
        "arn:aws:s3::my-bucket", "arn:aws:s3:us-east-1:1234:x", "arn:aws::::x",
        "arn:gcp:s3:::x", "arn:aws:s3:::x\ny",
      })
    end)

    it("the two StatementId patterns differ on '.'", function()
      check([=[([a-zA-Z0-9-_.]+)]=], { "sid.1", "s-3_x", "xaccount", ".." }, { "", "a b", "a/b", "a:b" })
      check([=[([a-zA-Z0-9-_]+)]=], { "s3", "s-3_x" }, { "sid.1", "example.com", "", "a:b" })
    end)

    it("SourceAccount, PrincipalOrgID, Principal and EventSourceToken", function()
      check([=[\d{12}]=], { "123456789012" }, { "12345678901", "1234567890123", "12345678901a", "" })
      check([=[o-[a-z0-9]{10,32}]=],
            { "o-a1b2c3d4e5", "o-" .. ("a"):rep(32) },
            { "o-a1b2c3d4e", "o-" .. ("a"):rep(33), "o-A1B2C3D4E5", "xo-a1b2c3d4e5" })
      check([=[[^\s]+]=], { "s3.amazonaws.com", "*", "123456789012", "é😀" },
            { "", "a b", "a\tb", "a\nb", " " })
      check([=[[a-zA-Z0-9._\-]+]=], { "token-1.2_x" }, { "", "a b", "a/b", "a:b" })
    end)

    it("the older M-old forms: empty alternative and ^...$ anchors", function()
      check([=[(|[a-zA-Z0-9$_-]+)]=], { "", "$LATEST", "a-b" }, { "a.b", "a b" })
      check([=[^o-[a-z0-9]{10,32}$]=], { "o-a1b2c3d4e5" }, { "o-a1b2", "xo-a1b2c3d4e5" })
    end)
  end)

  describe("syntax", function()
    it("reads '-' after a range, at the edges and escaped as a literal", function()
      -- in [a-zA-Z0-9-_] the '-' is literal: '9-_' is no range, so ':' (0x3A),
      -- '@' and 'Z'-'^' punctuation must not match
      check("[a-zA-Z0-9-_]+", { "a-b_c", "-", "_" }, { ":", "@", "[", "^", "a.b" })
      check("[-a]", { "-", "a" }, { "b" })
      check("[a-]", { "-", "a" }, { "b" })
      check([=[[a\-z]]=], { "a", "-", "z" }, { "b" })
      check("[a-c-e]", { "a", "b", "c", "-", "e" }, { "d" })
      check([=[[\w-.]+]=], { "a-b.c" }, { "a,b" })
    end)

    it("supports escapes in and out of classes", function()
      check([=[\d\s\S\w]=], { "1 xy", "9\tå_" }, { "a x y", "1 x!" })
      check([=[\D\W]=], { "a!" }, { "1!", "a_" })
      check([=[\.\$\-\\]=], { ".$-\\" }, { "a$-\\" })
      check([=[[\d.]+]=], { "1.2" }, { "1,2" })
      check([=[[^\d]+]=], { "ab" }, { "a1" })
      check([=[\x41]=], { "A" }, { "B" })
    end)

    it("supports alternation, nested and non-capturing groups", function()
      check("ab|cd|", { "ab", "cd", "" }, { "abcd", "a" })
      check("a(b|c(d|e))f", { "abf", "acdf", "acef" }, { "acf", "af" })
      check("(?:ab)+", { "ab", "abab" }, { "", "aba" })
    end)

    it("supports every quantifier, greedy or lazy", function()
      check("a?b", { "b", "ab" }, { "aab" })
      check("a*b", { "b", "aaab" }, { "ba" })
      check("a+b", { "ab", "aaab" }, { "b" })
      check("a{3}", { "aaa" }, { "aa", "aaaa" })
      check("a{2,}", { "aa", "aaaaaaa" }, { "a" })
      check("a{2,4}", { "aa", "aaa", "aaaa" }, { "a", "aaaaa" })
      check("a{0,2}b", { "b", "ab", "aab" }, { "aaab" })
      check("(ab){2}", { "abab" }, { "ab", "ababab" })
      check("a*?b", { "aab" }, { "aa" })
      check("a{1,2}?", { "a", "aa" }, { "" })
      check("(a*)*b", { "b", "aab" }, { "a" })
    end)

    it("anchors the match at both ends", function()
      check("b", { "b" }, { "ab", "ba", "abc" })
      check(".*", { "", "anything" }, { "a\nb" })
    end)

    it("treats '.' like Java: any code point except line terminators", function()
      check("^.$", { "a", "é", "😀", "\127" }, { "\n", "\r", "\226\128\168", "\194\133", "ab" })
      check(".{2}", { "éé", "a😀" }, { "é", "ééé" })
      check("[^a]", { "é", "\226\128\168" }, { "a", "éé" })
    end)

    it("raises on bad or unsupported syntax", function()
      for _, bad in ipairs({
        "(", "a)", "[abc", "[]", "*a", "a|*", "a{2,1}", "a{1001}", "a{x}", [[\q]], [[a\]],
        "[z-a]", "(?=x)", "(?<n>x)", "a*+", "[a[b]]", "[a&&b]", "é", "^*",
      }) do
        local ok, err = pcall(regex.compile, bad)
        assert.is_false(ok, bad)
        assert.matches("^regex: ", err)
      end
      assert.has_error(function() regex.compile(42) end)
    end)
  end)

  describe("matching", function()
    it("returns false for non-strings", function()
      local re = regex.compile("a*")
      assert.is_false(re:full_match(nil))
      assert.is_false(re:full_match(1))
      assert.is_false(re:full_match({}))
    end)

    it("compiles once per pattern text and offers a one-shot form", function()
      assert.equal(regex.compile(P_Q), regex.compile(P_Q))
      assert.is_true(regex.full_match(P_Q, "$LATEST"))
      assert.is_false(regex.full_match(P_Q, "$LATEST."))
      assert.equal("regex: a|b", tostring(regex.compile("a|b")))
    end)

    it("regex.new gives independent objects that agree", function()
      local a, b = regex.new("x+"), regex.new("x+")
      assert.are_not.equal(a, b)
      assert.is_true(a:full_match("xxx"))
      assert.is_true(b:full_match("xxx"))
    end)

    it("stays linear on the longest SourceArn (10000 chars) and on nested quantifiers", function()
      local re = regex.compile(P_ARN)
      local long = "arn:aws:s3:::" .. ("a"):rep(9987)
      local t = os.clock()
      assert.is_true(re:full_match(long))
      assert.is_false(re:full_match(long .. "\n"))
      assert.is_false(re:full_match("arn:aws:" .. ("a"):rep(9992)))
      assert.is_true(os.clock() - t < 2 * SCALE)

      t = os.clock()
      assert.is_false(regex.compile("(a+)+b"):full_match(("a"):rep(5000)))
      assert.is_false(regex.compile("(a|a)*b"):full_match(("a"):rep(5000)))
      assert.is_false(regex.compile("(.*)*x(.*)*y"):full_match(("x"):rep(3000)))
      assert.is_true(os.clock() - t < 2 * SCALE)
    end)
  end)
end)
