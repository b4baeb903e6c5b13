/*
** raw_curl -- the floor for remove_permission: one libcurl easy handle,
** reused, sending the request our client sends (same method, URL, headers,
** Content-Length: 0) with every header built once before the loop,
** including a fixed Authorization (signed once, never again).  Nothing is
** parsed: the response body is dropped, the headers are not read.
** A benchmark, never a test: it prints figures, it asserts nothing.
**
**   raw_curl URL N [easy|multi] [WARMUP]
**     easy   curl_easy_perform on the reused handle (the floor)
**     multi  the handle driven through a multi handle, added and removed per
**            request and waited on with curl_multi_poll, as lam_http does
**            (attributes the cost of that design; still no parsing)
** Prints one line: "<mode> n=<N> rate=<calls/s> p50_us=<..> p99_us=<..>
** cpu_us=<CPU time of this process per call> connections=<..> status=<last
** HTTP status>".
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <curl/curl.h>

#include "lam_sigv4.h"

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static size_t drop(char *p, size_t size, size_t n, void *ud) {
  (void)p; (void)ud;
  return size * n;
}

static int perform_multi(CURLM *m, CURL *e) {
  int running = 1, left;
  CURLMsg *msg;
  CURLcode rc = CURLE_GOT_NOTHING;
  if (curl_multi_add_handle(m, e) != CURLM_OK) return -1;
  for (;;) {
    if (curl_multi_perform(m, &running) != CURLM_OK) return -1;
    if (!running) break;
    if (curl_multi_poll(m, NULL, 0, 1000, NULL) != CURLM_OK) return -1;
  }
  while ((msg = curl_multi_info_read(m, &left)) != NULL)
    if (msg->msg == CURLMSG_DONE) rc = msg->data.result;
  curl_multi_remove_handle(m, e);
  return rc == CURLE_OK ? 0 : -1;
}

/* The Authorization our client would send for this URL, signed once. */
static int sign_once(const char *url, char *amz_date_out, char *auth, size_t auth_cap,
                     char *host, size_t host_cap) {
  lam_sigv4_request req;
  lam_credentials cred = {"AKIDEXAMPLE", 11, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", 40, NULL, 0};
  lam_sigv4_params p;
  lam_sigv4_state st;
  lam_sigv4_ctx *ctx = lam_sigv4_ctx_new();
  int rc;
  if (!ctx) return -1;
  memset(&req, 0, sizeof req);
  req.method = "DELETE"; req.method_len = 6;
  req.url = url; req.url_len = strlen(url);
  req.body = ""; req.body_len = 0;
  memset(&p, 0, sizeof p);
  p.region = "us-east-1"; p.region_len = 9;
  p.service = "lambda"; p.service_len = 6;
  p.normalize_path = 1;
  lam_sigv4_date_from_unix((int64_t)time(NULL), p.amz_date);
  lam_sigv4_state_init(&st);
  rc = lam_sigv4_sign(ctx, &req, &cred, &p, &st);
  if (rc == 0) {
    snprintf(amz_date_out, 17, "%s", p.amz_date);
    snprintf(auth, auth_cap, "%.*s", (int)st.authorization.len, st.authorization.data);
    snprintf(host, host_cap, "%.*s", (int)st.url.host_len, st.url.host);
  }
  lam_sigv4_state_free(&st);
  lam_sigv4_ctx_free(ctx);
  return rc ? -1 : 0;
}

int main(int argc, char **argv) {
  const char *url, *mode;
  long n, warm, i, status = 0, nconn = 0, conns = 0;
  double *lat, t0 = 0, c0 = 0, total, cpu;
  char amz_date[17], auth[512], host[256], line[640];
  struct curl_slist *hdrs = NULL;
  CURL *e;
  CURLM *m = NULL;
  int multi;
  if (argc < 3) {
    fprintf(stderr, "usage: raw_curl URL N [easy|multi] [WARMUP]\n");
    return 2;
  }
  url = argv[1];
  n = atol(argv[2]);
  mode = argc > 3 ? argv[3] : "easy";
  warm = argc > 4 ? atol(argv[4]) : 500;
  multi = strcmp(mode, "multi") == 0;
  if (n <= 0 || warm < 0 || (!multi && strcmp(mode, "easy") != 0)) return 2;
  if (sign_once(url, amz_date, auth, sizeof auth, host, sizeof host)) {
    fprintf(stderr, "raw_curl: cannot sign %s\n", url);
    return 1;
  }
  lat = malloc((size_t)n * sizeof *lat);
  if (!lat || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return 1;

  /* The header set of our client (lua/aws/lambda/client.lua + lam_http):
  ** the signer's Host, X-Amz-Date, Authorization; the SDK headers; and the
  ** suppression of libcurl's Accept / Content-Type / Expect defaults. */
#define ADD(...) do { snprintf(line, sizeof line, __VA_ARGS__); \
                      hdrs = curl_slist_append(hdrs, line); } while (0)
  ADD("Host: %s", host);
  ADD("X-Amz-Date: %s", amz_date);
  ADD("Authorization: %s", auth);
  ADD("User-Agent: lua-aws-lambda/0.1.0 Lua/5.4");
  ADD("amz-sdk-invocation-id: 0d4c0b6e-0f3e-4f4e-9c1a-6b8f1f1d2a3b");
  ADD("amz-sdk-request: attempt=1; max=1");
  ADD("Accept:");
  ADD("Content-Type:");
  ADD("Expect:");
#undef ADD
  e = curl_easy_init();
  if (!e || !hdrs) return 1;
  curl_easy_setopt(e, CURLOPT_URL, url);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
  curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, "DELETE");
  curl_easy_setopt(e, CURLOPT_POSTFIELDS, "");
  curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)0);
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdrs);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, drop);
  if (multi && !(m = curl_multi_init())) return 1;

  for (i = -warm; i < n; i++) {
    double s;
    int bad;
    if (i == 0) {
      c0 = cpu_now();
      t0 = now();
    }
    s = now();
    bad = multi ? perform_multi(m, e) : (curl_easy_perform(e) != CURLE_OK);
    if (bad) {
      fprintf(stderr, "raw_curl: request %ld failed\n", i);
      return 1;
    }
    if (i >= 0) lat[i] = now() - s;
    if (curl_easy_getinfo(e, CURLINFO_NUM_CONNECTS, &nconn) == CURLE_OK) conns += nconn;
  }
  total = now() - t0;
  cpu = cpu_now() - c0;
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
  qsort(lat, (size_t)n, sizeof *lat, cmp_double);
  printf("%s n=%ld rate=%.0f p50_us=%.1f p99_us=%.1f cpu_us=%.2f connections=%ld status=%ld\n", mode, n,
         (double)n / total, lat[n / 2] * 1e6, lat[(n * 99) / 100] * 1e6, cpu / (double)n * 1e6, conns, status);
  curl_easy_cleanup(e);
  if (m) curl_multi_cleanup(m);
  curl_slist_free_all(hdrs);
  curl_global_cleanup();
  free(lat);
  return 0;
}
