--- Static keys in the config file (~/.aws/config, or AWS_CONFIG_FILE).
-- See static_profile.
-- @module aws.lambda.credentials.config_file
local static_profile = require "aws.lambda.credentials.static_profile"
return { name = "config-file", load = static_profile.config_file }
