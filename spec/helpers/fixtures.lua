-- Paths and reads under spec/fixtures, wherever busted was started from.
local M = {}

local here = debug.getinfo(1, "S").source:match("^@(.*)/helpers/fixtures%.lua$") or "spec"
M.root = here .. "/fixtures"

function M.path(rel) return M.root .. "/" .. rel end

function M.read(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

-- sorted names in a directory (no lfs needed: ls is everywhere we run)
function M.list(dir)
  local names = {}
  local p = assert(io.popen('ls -1 "' .. dir .. '"'))
  for line in p:lines() do names[#names + 1] = line end
  p:close()
  table.sort(names)
  return names
end

return M
