#include "lam_util.h"
#include "lam_err.h"

#include <errno.h>
#include <pthread.h>
#include <time.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

double lam_monotonic(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double lam_wallclock(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void lam_sleep(double seconds) {
  struct timespec ts;
  if (!(seconds > 0)) return;
  if (seconds > 86400.0) seconds = 86400.0;
  ts.tv_sec = (time_t)seconds;
  ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
  while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {}
}

/* Random bytes for the ids, drawn from OpenSSL 512 at a time: one
** RAND_bytes call costs as much as formatting ~20 ids.  Per thread, so no
** lock; dropped in a forked child (pthread_atfork), so parent and child never
** hand out the same bytes. */
#define LAM_UUID_POOL 512
static _Thread_local unsigned char lam_uuid_pool[LAM_UUID_POOL];
static _Thread_local size_t lam_uuid_left;
static pthread_once_t lam_uuid_once = PTHREAD_ONCE_INIT;

static void lam_uuid_forget(void) {
  OPENSSL_cleanse(lam_uuid_pool, sizeof lam_uuid_pool);
  lam_uuid_left = 0;
}

static void lam_uuid_init(void) { pthread_atfork(NULL, NULL, lam_uuid_forget); }

int lam_uuid4(char out[37]) {
  static const char hex[] = "0123456789abcdef";
  unsigned char *b;
  int i, k = 0;
  pthread_once(&lam_uuid_once, lam_uuid_init);
  if (lam_uuid_left < 16) {
    if (RAND_bytes(lam_uuid_pool, sizeof lam_uuid_pool) != 1) return LAM_ERR_CRYPTO;
    lam_uuid_left = sizeof lam_uuid_pool;
  }
  b = lam_uuid_pool + (sizeof lam_uuid_pool - lam_uuid_left);
  lam_uuid_left -= 16;
  b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
  b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
  for (i = 0; i < 16; i++) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out[k++] = '-';
    out[k++] = hex[b[i] >> 4];
    out[k++] = hex[b[i] & 15];
  }
  out[36] = '\0';
  return LAM_OK;
}
