std = "max"
max_line_length = 120
files["spec/**/*_spec.lua"] = { std = "+busted" }
files["tools/lambda-local/**/*.lua"] = { std = "luajit", globals = { "ngx" } }
exclude_files = { "build/**", "build-asan/**" }
