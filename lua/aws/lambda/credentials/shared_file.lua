--- The shared credentials file provider (~/.aws/credentials, or
-- AWS_SHARED_CREDENTIALS_FILE).  See static_profile.
-- @module aws.lambda.credentials.shared_file
local static_profile = require "aws.lambda.credentials.static_profile"
return { name = "shared-credentials-file", load = static_profile.shared_file }
