/*
** coldstart -- runs a command once and prints its wall time and peak RSS,
** measured from outside: "wall_s=<seconds> maxrss_kib=<KiB> status=<exit>".
** Wall time runs from just before fork to the child's exit (clock_gettime,
** CLOCK_MONOTONIC); the peak RSS is the child's ru_maxrss (getrusage RUSAGE_CHILDREN,
** after waitpid: it is the only child).  Used
** by bench/run.sh for the cold-start figures (no dependency on GNU time).
** A benchmark helper, never a test.
**
**   coldstart CMD [ARGS...]
*/
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  struct rusage ru;
  double t0, t;
  pid_t pid;
  int status = 0;
  if (argc < 2) {
    fprintf(stderr, "usage: coldstart CMD [ARGS...]\n");
    return 2;
  }
  fflush(NULL);
  t0 = now();
  pid = fork();
  if (pid < 0) {
    perror("coldstart: fork");
    return 1;
  }
  if (pid == 0) {
    execvp(argv[1], argv + 1);
    perror("coldstart: exec");
    _exit(127);
  }
  if (waitpid(pid, &status, 0) < 0) {
    perror("coldstart: waitpid");
    return 1;
  }
  t = now() - t0;
  /* the only child: the children's peak RSS is its own */
  if (getrusage(RUSAGE_CHILDREN, &ru) < 0) {
    perror("coldstart: getrusage");
    return 1;
  }
  printf("wall_s=%.4f maxrss_kib=%ld status=%d\n", t, ru.ru_maxrss,
         WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
  return 0;
}
