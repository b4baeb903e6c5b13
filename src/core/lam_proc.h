/*
** lam_proc.h -- run a program without a shell and capture its output
** (credential_process).  argv[0] is looked up in PATH (posix_spawnp); the
** environment and stdin are inherited; stdout and stderr are captured
** through pipes, each bounded.  The child is killed (SIGKILL) when its
** output exceeds a bound or the timeout passes.
*/
#ifndef LAM_PROC_H
#define LAM_PROC_H

#include <stddef.h>

#include "lam_buf.h"

typedef struct {
  size_t max_stdout;  /* bytes; 0 = 1 MiB */
  size_t max_stderr;  /* bytes kept; more is read and dropped; 0 = 64 KiB */
  long timeout_ms;    /* 0 = none */
} lam_proc_opts;

typedef struct {
  int exited;     /* 1: exit_code is valid */
  int exit_code;
  int signal;     /* non-zero: killed by this signal */
  int sys_errno;  /* the errno of a failed spawn/pipe/poll */
} lam_proc_result;

/* LAM_OK when the program ran to its end (whatever its exit status);
** LAM_ERR_SPAWN (res->sys_errno set) when it could not start;
** LAM_ERR_TOOBIG when stdout passed max_stdout; LAM_ERR_TIMEOUT;
** LAM_ERR_NOMEM; LAM_ERR_ARG.  out/err are reset first.  stdout may hold
** secrets: the buffer only grows by copy-and-wipe, free it securely. */
int lam_proc_run(const char *const *argv, const lam_proc_opts *opts, lam_buf *out, lam_buf *err,
                 lam_proc_result *res);

#endif
