/*
** lam_awserr.h -- turns an AWS rest-json error response into the error code
** and message botocore would report (parsers.py, 1.43.67; see lambda-api.md
** section 2.1):
**
**   1. status >= 500 and the body is empty after stripping white space, or
**      starts with "<html>"  ->  code = the status ("503"), message = the
**      standard reason phrase ("Service Unavailable").  Nothing else is read.
**   2. otherwise the body is read as JSON when non-empty:
**        message = body.message, else body.Message, else ""
**        code    = header x-amzn-ErrorType, else body.code, else body.Code,
**                  else body.__type, else the status ("400")
**      then the code is cut at the first ':' and keeps what follows the
**      last '#'.  An invalid JSON body makes message = the raw body text.
**   Also: type = body.Type and reason = body.Reason when they are strings.
**
** Where botocore would crash or keep a non-string value, we differ, on
** purpose:
**   - a member (message, code, ...) that is present but not a string is
**     ignored, and the next source is used;
**   - a body that is valid JSON but not an object (an array, a string,
**     null...) is treated like invalid JSON: message = the raw text;
**   - bodies that are not UTF-8 are used as bytes (botocore raises).
**
** Every output is bounded (see the _MAX constants) and cut at a UTF-8
** character boundary, and each is NUL-terminated (it may also hold NULs
** decoded from "\u0000"; use the _len fields).  Safe on any input.
** The struct is large (about 10 KiB) but holds no heap memory, so a caller
** may keep it on the stack and push its fields into Lua without any risk of
** a leak.
*/
#ifndef LAM_AWSERR_H
#define LAM_AWSERR_H

#include <stddef.h>

#define LAM_AWSERR_CODE_MAX 256
#define LAM_AWSERR_MESSAGE_MAX 8192
#define LAM_AWSERR_TYPE_MAX 256
#define LAM_AWSERR_REASON_MAX 1024

typedef struct {
  char code[LAM_AWSERR_CODE_MAX + 1];
  size_t code_len;
  char message[LAM_AWSERR_MESSAGE_MAX + 1];
  size_t message_len;
  char type[LAM_AWSERR_TYPE_MAX + 1]; /* body "Type" ("User", "Service") */
  size_t type_len;
  int has_type;
  char reason[LAM_AWSERR_REASON_MAX + 1]; /* body "Reason" (throttling cause) */
  size_t reason_len;
  int has_reason;
} lam_awserr;

/* errtype: the x-amzn-ErrorType header value, or NULL when the header is
** absent (an empty value counts as present, as in botocore).
** body may be NULL when body_len is 0.
** Returns LAM_OK, LAM_ERR_ARG (out NULL, or body NULL with a length), or
** LAM_ERR_NOMEM (decoding uses a temporary buffer, freed before returning). */
int lam_awserr_parse(lam_awserr *out, int status, const char *errtype, size_t errtype_len,
                     const char *body, size_t body_len);

/* Python's http.client.responses phrase for status, or "" when unknown. */
const char *lam_awserr_reason_phrase(int status);

#endif
