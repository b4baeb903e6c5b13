--- A small regular-expression engine for the Lambda model's member patterns.
--
-- Lua patterns have no alternation, so the model patterns (e.g. P-FN, P-Q)
-- cannot be written as Lua patterns.  This module compiles the subset the
-- model uses (literals, `.`, `\d \s \S \w \D \W`, escaped punctuation,
-- classes with ranges and negation, groups, `|`, and the quantifiers
-- `? * + {n} {n,} {n,m}`, plus `^`/`$`) into an NFA and matches by running a
-- lazily built DFA.  Matching is therefore linear in the input length, with
-- no catastrophic backtracking whatever the pattern or input.
--
-- Only a yes/no full match is offered: the server applies model patterns as
-- full matches, and greedy versus lazy makes no difference to a yes/no answer.
--
-- Input is read as UTF-8 code points, as Java (the server side) reads chars:
-- every class in these patterns is ASCII, so all non-ASCII code points behave
-- alike, except that U+0085, U+2028 and U+2029 are line terminators that `.`
-- does not match (Java semantics).  `\s`, `\d`, `\w` are ASCII-only, as in
-- Java's default mode.
-- @module aws.lambda.regex

local byte, sub, find, format = string.byte, string.sub, string.find, string.format
local concat, sort = table.concat, table.sort
local setmetatable, type, error, tonumber, pairs =
      setmetatable, type, error, tonumber, pairs

local regex = {}

-- Input symbols: 1..128 are the ASCII bytes 0..127 (byte + 1); two more
-- stand for "any other code point" and "a non-ASCII line terminator".
local SYM_OTHER, SYM_LT, NSYM = 129, 130, 130

local MAX_REPEAT = 1000       -- largest {n,m} bound accepted
local MAX_NFA = 20000         -- NFA states per pattern
local MAX_DFA = 4096          -- cached DFA states per pattern before a reset

---------------------------------------------------------------------------
-- Character sets: tables mapping symbol -> true.

local function set_of(str)
  local s = {}
  for i = 1, #str do s[byte(str, i) + 1] = true end
  return s
end

local function set_range(s, lo, hi)
  for b = lo, hi do s[b + 1] = true end
  return s
end

local function set_union(dst, src)
  for k in pairs(src) do dst[k] = true end
  return dst
end

local function set_complement(s)
  local r = {}
  for k = 1, NSYM do
    if not s[k] then r[k] = true end
  end
  return r
end

local DIGIT = set_range({}, 48, 57)
local SPACE = set_of(" \t\n\r\f\v")
local WORD = set_union(set_union(set_range(set_range({}, 65, 90), 97, 122),
                                 DIGIT), set_of("_"))
-- '.' excludes the line terminators, as in Java without DOTALL.
local DOT = set_complement(set_of("\n\r"))
DOT[SYM_LT] = nil

local CLASS_ESCAPES = {
  d = DIGIT, D = set_complement(DIGIT),
  s = SPACE, S = set_complement(SPACE),
  w = WORD,  W = set_complement(WORD),
}
local CHAR_ESCAPES = { t = 9, n = 10, r = 13, f = 12, a = 7, e = 27 }

---------------------------------------------------------------------------
-- Parser: pattern string -> AST.
-- Nodes: {t="set", set=}, {t="cat", ...items}, {t="alt", ...items},
--        {t="rep", node=, min=, max=} (max nil = unbounded), {t="bol"}, {t="eol"}

local function parse(p)
  local pos, n = 1, #p

  local function fail(msg)
    error(format("regex: %s at position %d in pattern %q", msg, pos, p), 0)
  end

  local function peek() return sub(p, pos, pos) end

  -- An escape after '\'; returns a set, and the literal byte when it is one.
  local function escape()
    local c = sub(p, pos, pos)
    if c == "" then fail("trailing backslash") end
    pos = pos + 1
    if CLASS_ESCAPES[c] then return CLASS_ESCAPES[c] end
    if CHAR_ESCAPES[c] then
      local b = CHAR_ESCAPES[c]
      return { [b + 1] = true }, b
    end
    if c == "x" then
      local hex = sub(p, pos, pos + 1)
      if not find(hex, "^%x%x$") then fail("bad \\x escape") end
      pos = pos + 2
      local b = tonumber(hex, 16)
      if b > 127 then fail("non-ASCII \\x escape unsupported") end
      return { [b + 1] = true }, b
    end
    if find(c, "^[%w]$") or byte(c) > 127 then
      fail("unsupported escape \\" .. c)
    end
    local b = byte(c)
    return { [b + 1] = true }, b
  end

  local function class()
    -- pos is just past '['
    local negate = false
    if peek() == "^" then negate = true; pos = pos + 1 end
    if peek() == "]" then fail("empty character class") end
    local s = {}
    while true do
      local c = peek()
      if c == "" then fail("unterminated character class") end
      if c == "]" then pos = pos + 1; break end
      if c == "[" or sub(p, pos, pos + 1) == "&&" then
        fail("nested classes and intersections are unsupported")
      end
      local item, lo
      if c == "\\" then
        pos = pos + 1
        item, lo = escape()
      else
        lo = byte(c)
        if lo > 127 then fail("non-ASCII pattern characters are unsupported") end
        item = { [lo + 1] = true }
        pos = pos + 1
      end
      -- A range needs a single character on both sides; a '-' that ends
      -- the class, or follows a range or a class escape, is literal
      -- (Java/PCRE read [a-zA-Z0-9-_] that way).
      if lo and peek() == "-" and sub(p, pos + 1, pos + 1) ~= "]"
         and sub(p, pos + 1, pos + 1) ~= "" then
        pos = pos + 1
        local hc = peek()
        local hi
        if hc == "\\" then
          pos = pos + 1
          local _
          _, hi = escape()
          if not hi then fail("bad range end") end
        else
          hi = byte(hc)
          if hi > 127 then fail("non-ASCII pattern characters are unsupported") end
          pos = pos + 1
        end
        if hi < lo then fail("bad character range") end
        set_range(s, lo, hi)
        -- a '-' straight after a range is literal: consume it as such
        if peek() == "-" then s[45 + 1] = true; pos = pos + 1 end
      else
        set_union(s, item)
      end
    end
    if negate then s = set_complement(s) end
    return { t = "set", set = s }
  end

  local alternation

  local function atom()
    local c = peek()
    if c == "(" then
      pos = pos + 1
      if peek() == "?" then
        if sub(p, pos + 1, pos + 1) ~= ":" then fail("unsupported group construct") end
        pos = pos + 2
      end
      local node = alternation()
      if peek() ~= ")" then fail("missing )") end
      pos = pos + 1
      return node
    elseif c == "[" then
      pos = pos + 1
      return class()
    elseif c == "." then
      pos = pos + 1
      return { t = "set", set = DOT }
    elseif c == "\\" then
      pos = pos + 1
      return { t = "set", set = (escape()) }
    elseif c == "^" then
      pos = pos + 1
      return { t = "bol" }
    elseif c == "$" then
      pos = pos + 1
      return { t = "eol" }
    elseif c == "*" or c == "+" or c == "?" or c == "{" then
      fail("nothing to repeat")
    end
    local b = byte(c)
    if b > 127 then fail("non-ASCII pattern characters are unsupported") end
    pos = pos + 1
    return { t = "set", set = { [b + 1] = true } }
  end

  local function quantified(node)
    local c = peek()
    local min, max
    if c == "*" then min, max = 0, nil
    elseif c == "+" then min, max = 1, nil
    elseif c == "?" then min, max = 0, 1
    elseif c == "{" then
      local a, b, e = p:match("^{(%d+)(,?%d*)}()", pos)
      if not a then fail("bad {n,m} quantifier") end
      min = tonumber(a)
      if b == "" then max = min
      elseif b == "," then max = nil
      else max = tonumber(sub(b, 2)) end
      if min > MAX_REPEAT or (max and (max > MAX_REPEAT or max < min)) then
        fail("bad repetition bounds")
      end
      pos = e - 1
    else
      return node
    end
    pos = pos + 1
    if node.t == "bol" or node.t == "eol" then fail("nothing to repeat") end
    local c2 = peek()
    if c2 == "?" then
      pos = pos + 1               -- lazy: same language, so same answer
    elseif c2 == "+" then
      fail("possessive quantifiers are unsupported")
    end
    return { t = "rep", node = node, min = min, max = max }
  end

  local function sequence()
    local items = { t = "cat" }
    while true do
      local c = peek()
      if c == "" or c == "|" or c == ")" then break end
      items[#items + 1] = quantified(atom())
    end
    return items
  end

  alternation = function()
    local first = sequence()
    if peek() ~= "|" then return first end
    local alt = { t = "alt", first }
    while peek() == "|" do
      pos = pos + 1
      alt[#alt + 1] = sequence()
    end
    return alt
  end

  local ast = alternation()
  if pos <= n then fail("unbalanced )") end
  return ast
end

---------------------------------------------------------------------------
-- NFA: states are tables {k=kind, ...} in an array; built right to left, so
-- every call of build() makes fresh states (which is how {n,m} copies work).

local K_SET, K_SPLIT, K_BOL, K_EOL, K_MATCH = 1, 2, 3, 4, 5

local function build_nfa(ast, pattern)
  local states = {}
  local function new(st)
    local id = #states + 1
    if id > MAX_NFA then
      error(format("regex: pattern %q is too large", pattern), 0)
    end
    states[id] = st
    return id
  end

  local build
  build = function(node, nxt)
    local t = node.t
    if t == "set" then
      return new({ k = K_SET, set = node.set, out = nxt })
    elseif t == "cat" then
      for i = #node, 1, -1 do nxt = build(node[i], nxt) end
      return nxt
    elseif t == "alt" then
      local outs = {}
      for i = 1, #node do outs[i] = build(node[i], nxt) end
      return new({ k = K_SPLIT, outs = outs })
    elseif t == "bol" then
      return new({ k = K_BOL, out = nxt })
    elseif t == "eol" then
      return new({ k = K_EOL, out = nxt })
    end
    -- rep
    local tail
    if node.max == nil then
      local loop = { k = K_SPLIT, outs = { false, nxt } }
      tail = new(loop)
      loop.outs[1] = build(node.node, tail)
    else
      tail = nxt
      for _ = 1, node.max - node.min do
        tail = new({ k = K_SPLIT, outs = { build(node.node, tail), nxt } })
      end
    end
    for _ = 1, node.min do tail = build(node.node, tail) end
    return tail
  end

  local match = new({ k = K_MATCH })
  local start = build(ast, match)
  return states, start
end

---------------------------------------------------------------------------
-- Lazy DFA.  A DFA state is a table indexed by symbol (next DFA state) with
-- the fields `ids` (sorted NFA SET/EOL/MATCH state ids) and `accept`.

local DEAD = { accept = false, ids = {} }
for k = 1, NSYM do DEAD[k] = DEAD end

local Regex = {}
Regex.__index = Regex
Regex.__tostring = function(self) return "regex: " .. self.pattern end

-- Epsilon closure of the seed NFA states.  Keeps SET, MATCH and (blocked)
-- EOL states; passes BOL only at the start, EOL only when at_end.
local function closure(self, seeds, nseeds, at_start, at_end)
  local states = self.nfa
  self.gen = self.gen + 1
  local gen, mark = self.gen, self.mark
  local stack, sp = {}, 0
  local out, nout = {}, 0
  for i = nseeds, 1, -1 do sp = sp + 1; stack[sp] = seeds[i] end
  while sp > 0 do
    local id = stack[sp]
    stack[sp] = nil
    sp = sp - 1
    if mark[id] ~= gen then
      mark[id] = gen
      local st = states[id]
      local k = st.k
      if k == K_SET or k == K_MATCH then
        nout = nout + 1; out[nout] = id
      elseif k == K_SPLIT then
        local outs = st.outs
        for i = #outs, 1, -1 do sp = sp + 1; stack[sp] = outs[i] end
      elseif k == K_BOL then
        if at_start then sp = sp + 1; stack[sp] = st.out end
      elseif k == K_EOL then
        if at_end then sp = sp + 1; stack[sp] = st.out
        else nout = nout + 1; out[nout] = id end
      end
    end
  end
  return out, nout
end

local function dfa_state(self, ids, nids)
  if nids == 0 then return DEAD end
  sort(ids)
  local key = concat(ids, ",")
  local st = self.dfa[key]
  if st then return st end
  -- accepting when MATCH is reachable here with '$' satisfied
  local states = self.nfa
  local accept, eols, neol = false, {}, 0
  for i = 1, nids do
    local k = states[ids[i]].k
    if k == K_MATCH then accept = true
    elseif k == K_EOL then neol = neol + 1; eols[neol] = ids[i] end
  end
  if not accept and neol > 0 then
    local fin, nfin = closure(self, eols, neol, false, true)
    for i = 1, nfin do
      if states[fin[i]].k == K_MATCH then accept = true; break end
    end
  end
  st = { ids = ids, accept = accept }
  self.ndfa = self.ndfa + 1
  if self.ndfa > MAX_DFA then   -- bound memory: drop the whole graph
    self.dfa, self.ndfa, self.start = {}, 1, nil
  end
  self.dfa[key] = st
  return st
end

local function step(self, st, sym)
  local states, ids = self.nfa, st.ids
  local seeds, n = {}, 0
  for i = 1, #ids do
    local s = states[ids[i]]
    if s.k == K_SET and s.set[sym] then n = n + 1; seeds[n] = s.out end
  end
  local next_ids, nn = closure(self, seeds, n, false, false)
  local nxt = dfa_state(self, next_ids, nn)
  st[sym] = nxt
  return nxt
end

local function start_state(self)
  local ids, n = closure(self, { self.nfa_start }, 1, true, false)
  self.start = dfa_state(self, ids, n)
  return self.start
end

--- Compile a pattern.  Raises a string error on unsupported or bad syntax.
-- @tparam string pattern
-- @treturn table a compiled regex with `:full_match(s)`
function regex.new(pattern)
  if type(pattern) ~= "string" then
    error("regex: pattern must be a string, got " .. type(pattern), 2)
  end
  local nfa, start = build_nfa(parse(pattern), pattern)
  local self = setmetatable({
    pattern = pattern, nfa = nfa, nfa_start = start,
    mark = {}, gen = 0, dfa = {}, ndfa = 0,
  }, Regex)
  start_state(self)
  return self
end

local compiled, ncompiled = {}, 0

--- Compile a pattern, reusing an earlier compilation of the same text.
function regex.compile(pattern)
  local re = compiled[pattern]
  if re then return re end
  re = regex.new(pattern)
  ncompiled = ncompiled + 1
  if ncompiled > 256 then compiled, ncompiled = {}, 1 end
  compiled[pattern] = re
  return re
end

-- Symbol of the non-ASCII sequence at i (lead byte b), and the next index.
local function wide(s, i, b)
  local len = b >= 0xF0 and 4 or b >= 0xE0 and 3 or b >= 0xC0 and 2 or 1
  for j = i + 1, i + len - 1 do
    local c = byte(s, j)
    if not c or c < 0x80 or c > 0xBF then return SYM_OTHER, i + 1 end
  end
  local b2 = byte(s, i + 1)
  if (b == 0xC2 and b2 == 0x85)
     or (b == 0xE2 and b2 == 0x80 and (byte(s, i + 2) == 0xA8 or byte(s, i + 2) == 0xA9)) then
    return SYM_LT, i + len
  end
  return SYM_OTHER, i + len
end

--- True when the whole of `s` matches (anchored at both ends).
-- @tparam string s
-- @treturn boolean
function Regex:full_match(s)
  if type(s) ~= "string" then return false end
  local st = self.start or start_state(self)
  local n = #s
  if not find(s, "[\128-\255]") then
    for i = 1, n do
      local c = byte(s, i) + 1
      st = st[c] or step(self, st, c)
      if st == DEAD then return false end
    end
  else
    local i = 1
    while i <= n do
      local b = byte(s, i)
      local c
      if b < 128 then c, i = b + 1, i + 1 else c, i = wide(s, i, b) end
      st = st[c] or step(self, st, c)
      if st == DEAD then return false end
    end
  end
  return st.accept
end

--- Compile (cached) and full-match in one call.
function regex.full_match(pattern, s)
  return regex.compile(pattern):full_match(s)
end

return regex
