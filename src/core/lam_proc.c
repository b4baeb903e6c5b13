/*
** lam_proc.c -- posix_spawnp with captured, bounded stdout/stderr.
*/
#include "lam_proc.h"
#include "lam_err.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <openssl/crypto.h>

extern char **environ;

static long long lam_proc_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Appends without leaving a copy behind: growth copies into a new block
** and wipes the old one (realloc could leave the secret in freed memory). */
static int lam_proc_append(lam_buf *b, const char *p, size_t n) {
  if (b->data && b->cap - b->len > n) return lam_buf_append(b, p, n);
  {
    lam_buf nb = LAM_BUF_INIT;
    size_t want = b->cap ? b->cap * 2 : 4096;
    int rc;
    while (want - b->len <= n) want *= 2;
    if ((rc = lam_buf_reserve(&nb, want - 1)) != LAM_OK) return rc;
    if (b->len && (rc = lam_buf_append(&nb, b->data, b->len)) != LAM_OK) {
      lam_buf_free_secure(&nb);
      return rc;
    }
    if ((rc = lam_buf_append(&nb, p, n)) != LAM_OK) {
      lam_buf_free_secure(&nb);
      return rc;
    }
    lam_buf_free_secure(b);
    *b = nb;
  }
  return LAM_OK;
}

static int lam_proc_pipe(int fds[2]) {
  if (pipe(fds) != 0) return -1;
  if (fcntl(fds[0], F_SETFD, FD_CLOEXEC) != 0 || fcntl(fds[1], F_SETFD, FD_CLOEXEC) != 0) {
    close(fds[0]);
    close(fds[1]);
    return -1;
  }
  return 0;
}

static void lam_proc_reap(pid_t pid, lam_proc_result *res) {
  int status = 0;
  pid_t r;
  do r = waitpid(pid, &status, 0); while (r < 0 && errno == EINTR);
  if (r != pid) return; /* reaped elsewhere (a SIGCHLD handler): status unknown */
  if (WIFEXITED(status)) {
    res->exited = 1;
    res->exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    res->signal = WTERMSIG(status);
  }
}

/* execvp's search: a name with '/' is used as it is, else each PATH entry
** (an empty entry is the current directory).  0 with the path in out. */
static int lam_proc_executable(const char *p) {
  struct stat st;
  return stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0;
}

static int lam_proc_find(const char *name, char *out, size_t outlen) {
  const char *path, *seg;
  size_t nlen = strlen(name);
  if (nlen == 0) return -1;
  if (strchr(name, '/')) {
    if (nlen >= outlen || !lam_proc_executable(name)) return -1;
    memcpy(out, name, nlen + 1);
    return 0;
  }
  path = getenv("PATH");
  if (!path) path = "/usr/local/bin:/usr/bin:/bin";
  for (seg = path;; seg++) {
    const char *end = strchr(seg, ':');
    size_t dlen = end ? (size_t)(end - seg) : strlen(seg);
    if (dlen == 0) {
      if (nlen + 3 <= outlen) {
        memcpy(out, "./", 2);
        memcpy(out + 2, name, nlen + 1);
        if (lam_proc_executable(out)) return 0;
      }
    } else if (dlen + 1 + nlen < outlen) {
      memcpy(out, seg, dlen);
      out[dlen] = '/';
      memcpy(out + dlen + 1, name, nlen + 1);
      if (lam_proc_executable(out)) return 0;
    }
    if (!end) break;
    seg = end;
  }
  return -1;
}

int lam_proc_run(const char *const *argv, const lam_proc_opts *opts, lam_buf *out, lam_buf *err,
                 lam_proc_result *res) {
  size_t max_out = opts && opts->max_stdout ? opts->max_stdout : (size_t)1024 * 1024;
  size_t max_err = opts && opts->max_stderr ? opts->max_stderr : (size_t)64 * 1024;
  long timeout = opts ? opts->timeout_ms : 0;
  int po[2], pe[2], rc = LAM_OK, open_fds = 2;
  posix_spawn_file_actions_t fa;
  pid_t pid;
  long long deadline;
  struct pollfd pfd[2];
  char chunk[4096];
  char path[4096];
  if (!argv || !argv[0] || !out || !err || !res) return LAM_ERR_ARG;
  memset(res, 0, sizeof *res);
  /* Resolve the program ourselves: whether posix_spawnp reports a missing
  ** program or leaves it to the child's exit status varies (valgrind,
  ** older libcs); an explicit search answers the same everywhere. */
  if (lam_proc_find(argv[0], path, sizeof path) != 0) {
    res->sys_errno = ENOENT;
    return LAM_ERR_SPAWN;
  }
  lam_buf_reset(out);
  lam_buf_reset(err);
  if (lam_proc_pipe(po) != 0) { res->sys_errno = errno; return LAM_ERR_SPAWN; }
  if (lam_proc_pipe(pe) != 0) {
    res->sys_errno = errno;
    close(po[0]); close(po[1]);
    return LAM_ERR_SPAWN;
  }
  if (posix_spawn_file_actions_init(&fa) != 0) {
    close(po[0]); close(po[1]); close(pe[0]); close(pe[1]);
    return LAM_ERR_NOMEM;
  }
  posix_spawn_file_actions_adddup2(&fa, po[1], 1);
  posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
  rc = posix_spawn(&pid, path, &fa, NULL, (char *const *)argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  close(po[1]);
  close(pe[1]);
  if (rc != 0) {
    res->sys_errno = rc;
    close(po[0]);
    close(pe[0]);
    return LAM_ERR_SPAWN;
  }
  rc = LAM_OK;
  deadline = timeout > 0 ? lam_proc_now_ms() + timeout : 0;
  pfd[0].fd = po[0];
  pfd[1].fd = pe[0];
  pfd[0].events = pfd[1].events = POLLIN;
  while (open_fds > 0) {
    int wait_ms = -1, n, i;
    if (deadline) {
      long long left = deadline - lam_proc_now_ms();
      if (left <= 0) { rc = LAM_ERR_TIMEOUT; break; }
      wait_ms = left > 60000 ? 60000 : (int)left;
    }
    n = poll(pfd, 2, wait_ms);
    if (n < 0) {
      if (errno == EINTR) continue;
      res->sys_errno = errno;
      rc = LAM_ERR_SPAWN;
      break;
    }
    for (i = 0; i < 2 && rc == LAM_OK; i++) {
      ssize_t got;
      if (pfd[i].fd < 0 || !(pfd[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      got = read(pfd[i].fd, chunk, sizeof chunk);
      if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (got <= 0) {
        close(pfd[i].fd);
        pfd[i].fd = -1;
        open_fds--;
        continue;
      }
      if (i == 0) {
        if (out->len + (size_t)got > max_out) rc = LAM_ERR_TOOBIG;
        else rc = lam_proc_append(out, chunk, (size_t)got);
      } else if (err->len < max_err) {
        size_t keep = (size_t)got;
        if (keep > max_err - err->len) keep = max_err - err->len;
        rc = lam_buf_append(err, chunk, keep);
      }
    }
    if (rc != LAM_OK) break;
  }
  OPENSSL_cleanse(chunk, sizeof chunk); /* may have held a secret */
  if (pfd[0].fd >= 0) close(pfd[0].fd);
  if (pfd[1].fd >= 0) close(pfd[1].fd);
  if (rc != LAM_OK) kill(pid, SIGKILL);
  lam_proc_reap(pid, res);
  return rc;
}
