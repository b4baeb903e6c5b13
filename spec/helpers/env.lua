-- Runs code with exactly the given environment variables, as the module
-- sees them (every read goes through aws.lambda.config.getenv).
local config = require "aws.lambda.config"

local M = {}

--- Runs f with config.getenv answering from `vars` only; returns f's results.
function M.with_env(vars, f)
  local real = config.getenv
  config.getenv = function(k) return vars[k] end
  local ok, a, b = pcall(f)
  config.getenv = real
  if not ok then error(a, 0) end
  return a, b
end

return M
