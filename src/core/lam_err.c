#include "lam_err.h"

static const char *const lam_err_names[] = {
#define LAM_ERR_NAME(name, msg) #name,
  LAM_ERR_LIST(LAM_ERR_NAME)
#undef LAM_ERR_NAME
};

static const char *const lam_err_messages[] = {
#define LAM_ERR_MSG(name, msg) msg,
  LAM_ERR_LIST(LAM_ERR_MSG)
#undef LAM_ERR_MSG
};

const char *lam_err_name(int code) {
  if (code < 0 || code >= LAM_ERR__COUNT) return "UNKNOWN";
  return lam_err_names[code];
}

const char *lam_err_message(int code) {
  if (code < 0 || code >= LAM_ERR__COUNT) return "unknown error";
  return lam_err_messages[code];
}
