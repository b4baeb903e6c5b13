/*
** lam_xml.h -- a minimal, bounded XML reader for the few STS answers we
** need (AssumeRole, AssumeRoleWithWebIdentity and their ErrorResponse).
**
** It reports every leaf element (one with no child elements) as its path of
** local names joined by '/', e.g.
**   "AssumeRoleResponse/AssumeRoleResult/Credentials/AccessKeyId"
** with its text decoded (the five predefined entities, numeric character
** references, CDATA).  Namespace prefixes are dropped, attributes skipped,
** comments and processing instructions ignored.  A DOCTYPE (and so any
** entity declaration) is refused.  Nesting is limited to LAM_XML_MAX_DEPTH
** and a path to LAM_XML_MAX_PATH bytes; mismatched or unclosed tags are
** errors.  Linear time, no recursion.
*/
#ifndef LAM_XML_H
#define LAM_XML_H

#include <stddef.h>

#include "lam_buf.h"

#define LAM_XML_MAX_DEPTH 32
#define LAM_XML_MAX_PATH 1024
#define LAM_XML_MAX_INPUT ((size_t)4 * 1024 * 1024)

/* Called for each leaf; non-zero stops the walk and is returned as is.
** Pointers are valid only during the call. */
typedef int (*lam_xml_cb)(void *ud, const char *path, size_t path_len, const char *text,
                          size_t text_len);

/* LAM_OK, LAM_ERR_PARSE (*why set to a static text), LAM_ERR_TOOBIG,
** LAM_ERR_NOMEM or the callback's code.  scratch holds decoded text (it may
** be a secret: free it with lam_buf_free_secure). */
int lam_xml_leaves(const char *xml, size_t len, lam_buf *scratch, lam_xml_cb cb, void *ud,
                   const char **why);

#endif
