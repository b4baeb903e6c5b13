-- luacheck: std ngx_lua
-- SHA-256, HMAC-SHA256 and random bytes through LuaJIT FFI to OpenSSL's
-- libcrypto.  Deliberately independent of the project's C signer: the
-- endpoint is only a useful judge of signatures if it shares no code with
-- the thing it judges.

local ffi = require "ffi"
local bit = require "bit"

local ffi_new, ffi_str = ffi.new, ffi.string
local format, byte, char = string.format, string.byte, string.char

ffi.cdef [[
const void *EVP_sha256(void);
unsigned char *SHA256(const unsigned char *d, size_t n, unsigned char *md);
unsigned char *HMAC(const void *evp_md, const void *key, int key_len,
                    const unsigned char *d, size_t n,
                    unsigned char *md, unsigned int *md_len);
int RAND_bytes(unsigned char *buf, int num);
]]

-- nginx links libcrypto itself, so ffi.C usually works; the explicit names
-- come first so that a statically linked nginx still finds a library.
local function load_libcrypto()
  local candidates = { "libcrypto.so.3", "crypto", "libcrypto.so.1.1" }
  for _, name in ipairs(candidates) do
    local ok, lib = pcall(ffi.load, name)
    if ok and pcall(function() return lib.SHA256 and lib.HMAC end) then
      return lib
    end
  end
  if pcall(function() return ffi.C.SHA256 end) then return ffi.C end
  error("lambda-local: cannot load OpenSSL libcrypto through FFI")
end

local C = load_libcrypto()
local EVP_SHA256 = C.EVP_sha256()

local md_buf = ffi_new("unsigned char[32]")
local md_len = ffi_new("unsigned int[1]")

local M = {}

-- Raw 32-byte digest.
function M.sha256(s)
  C.SHA256(s, #s, md_buf)
  return ffi_str(md_buf, 32)
end

-- Raw 32-byte HMAC-SHA256(key, data).
function M.hmac_sha256(key, data)
  if C.HMAC(EVP_SHA256, key, #key, data, #data, md_buf, md_len) == nil then
    error("HMAC failed")
  end
  return ffi_str(md_buf, md_len[0])
end

function M.hex(s)
  return (s:gsub(".", function(c) return format("%02x", byte(c)) end))
end

function M.sha256_hex(s)
  return M.hex(M.sha256(s))
end

function M.random_bytes(n)
  local buf = ffi_new("unsigned char[?]", n)
  if C.RAND_bytes(buf, n) ~= 1 then error("RAND_bytes failed") end
  return ffi_str(buf, n)
end

-- RFC 4122 version 4 UUID, lower-case, as AWS prints RequestIds/RevisionIds.
function M.uuid4()
  local b = { byte(M.random_bytes(16), 1, 16) }
  b[7] = bit.bor(bit.band(b[7], 0x0f), 0x40)   -- version 4
  b[9] = bit.bor(bit.band(b[9], 0x3f), 0x80)   -- RFC 4122 variant
  local h = M.hex(char(unpack(b)))
  return h:sub(1, 8) .. "-" .. h:sub(9, 12) .. "-" .. h:sub(13, 16) .. "-"
      .. h:sub(17, 20) .. "-" .. h:sub(21, 32)
end

return M
