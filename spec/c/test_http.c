/*
** test_http -- lam_http against a tiny HTTP/1.1 server forked on
** 127.0.0.1:<ephemeral> (one child process per connection, keep-alive).
** Paths choose the behaviour: /echo returns the raw request it received,
** /hang never answers, /close drops the connection, /truncated cuts the
** body short, /drip sends one byte every 100 ms, /big and /bigchunked are
** 5000-byte bodies, /hugeheaders sends ~300 KiB of headers, /continue
** sends a 100 Continue first, /connclose asks to close, /status/503.
*/
#include "lam_test.h"
#include "lam_err.h"
#include "lam_http.h"

#include <curl/curl.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SRV_BUF (4 * 1024 * 1024)

/* ---- helpers -------------------------------------------------------------- */

static long long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms) {
  struct timespec ts;
  ts.tv_sec = ms / 1000;
  ts.tv_nsec = (ms % 1000) * 1000000L;
  while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {}
}

static int listen_on(int backlog, int *port) {
  struct sockaddr_in a;
  socklen_t alen = sizeof a;
  int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  if (bind(fd, (struct sockaddr *)&a, sizeof a) || listen(fd, backlog) ||
      getsockname(fd, (struct sockaddr *)&a, &alen)) {
    close(fd);
    return -1;
  }
  *port = ntohs(a.sin_port);
  return fd;
}

static int write_all(int fd, const char *p, size_t n) {
  while (n) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return -1;
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

static int write_str(int fd, const char *s) { return write_all(fd, s, strlen(s)); }

/* ---- the server ------------------------------------------------------------- */

static size_t content_length(const char *head, size_t hlen) {
  size_t i;
  for (i = 0; i + 17 < hlen; i++) {
    static const char key[] = "\r\ncontent-length:";
    size_t k;
    for (k = 0; k < sizeof key - 1; k++) {
      char c = head[i + k];
      if (c >= 'A' && c <= 'Z') c = (char)(c + 32);
      if (c != key[k]) break;
    }
    if (k == sizeof key - 1) return (size_t)strtoul(head + i + k, NULL, 10);
  }
  return 0;
}

/* Reads one request into buf.  0: EOF/error; 1: request; 2: TLS hello. */
static int read_request(int fd, char *buf, size_t cap, size_t *len, char *method, char *path) {
  size_t n = 0, head = 0, cl;
  char *end = NULL;
  while (!end) {
    ssize_t r;
    if (n >= cap - 1) return 0;
    r = read(fd, buf + n, cap - 1 - n);
    if (r <= 0) return 0;
    n += (size_t)r;
    buf[n] = '\0';
    if ((unsigned char)buf[0] == 0x16) return 2;
    end = strstr(buf, "\r\n\r\n");
  }
  head = (size_t)(end - buf) + 4;
  cl = content_length(buf, head);
  while (n < head + cl && n < cap - 1) {
    ssize_t r = read(fd, buf + n, cap - 1 - n);
    if (r <= 0) return 0;
    n += (size_t)r;
  }
  buf[n] = '\0';
  *len = n;
  if (sscanf(buf, "%15s %255s", method, path) != 2) return 0;
  return 1;
}

static void serve_conn(int fd) {
  char *buf = malloc(SRV_BUF), method[16], path[256], head[512];
  size_t len;
  int rc;
  if (!buf) return;
  while ((rc = read_request(fd, buf, SRV_BUF, &len, method, path)) != 0) {
    if (rc == 2) { /* TLS ClientHello on a plain socket */
      write_str(fd, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
      break;
    }
    if (strcmp(path, "/echo") == 0) {
      snprintf(head, sizeof head,
               "HTTP/1.1 200 OK\r\nX-Reply: 1\r\nX-Multi: a\r\nX-Multi: b\r\n"
               "Content-Type: text/plain\r\nContent-Length: %zu\r\n\r\n", len);
      if (write_str(fd, head)) break;
      if (strcmp(method, "HEAD") != 0 && write_all(fd, buf, len)) break;
    } else if (strcmp(path, "/continue") == 0) {
      write_str(fd, "HTTP/1.1 100 Continue\r\nX-Interim: yes\r\n\r\n"
                    "HTTP/1.1 201 Created\r\nX-Final: yes\r\nX-Fold: a\r\n  b\r\n"
                    "Content-Length: 2\r\n\r\nok");
    } else if (strcmp(path, "/big") == 0) {
      memset(buf, 'x', 5000);
      write_str(fd, "HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n");
      write_all(fd, buf, 5000);
    } else if (strcmp(path, "/bigchunked") == 0) {
      int i;
      memset(buf, 'x', 1000);
      write_str(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
      for (i = 0; i < 5; i++) {
        write_str(fd, "3e8\r\n");
        write_all(fd, buf, 1000);
        write_str(fd, "\r\n");
      }
      write_str(fd, "0\r\n\r\n");
    } else if (strcmp(path, "/hugeheaders") == 0) {
      int i;
      write_str(fd, "HTTP/1.1 200 OK\r\n");
      memset(buf, 'v', 1000);
      for (i = 0; i < 300; i++) {
        if (write_str(fd, "X-Pad: ") || write_all(fd, buf, 1000) || write_str(fd, "\r\n")) break;
      }
      write_str(fd, "Content-Length: 0\r\n\r\n");
    } else if (strcmp(path, "/hang") == 0) {
      while (read(fd, buf, 1) > 0) {} /* until the client gives up */
      break;
    } else if (strcmp(path, "/close") == 0) {
      break;
    } else if (strcmp(path, "/truncated") == 0) {
      write_str(fd, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789");
      break;
    } else if (strcmp(path, "/drip") == 0) {
      int i;
      if (write_str(fd, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n")) break;
      for (i = 0; i < 10; i++) {
        sleep_ms(100);
        if (write_str(fd, "d")) break;
      }
    } else if (strcmp(path, "/connclose") == 0) {
      write_str(fd, "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok");
      break;
    } else if (strcmp(path, "/status/503") == 0) {
      write_str(fd, "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n");
    } else {
      write_str(fd, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
    }
  }
  free(buf);
  close(fd);
}

static pid_t start_server(int *port) {
  int lfd = listen_on(64, port);
  pid_t pid;
  if (lfd < 0) return -1;
  pid = fork();
  if (pid == 0) {
    setpgid(0, 0);
    signal(SIGCHLD, SIG_IGN); /* no zombies */
    signal(SIGPIPE, SIG_IGN);
    for (;;) {
      int c = accept(lfd, NULL, NULL);
      if (c < 0) continue;
      if (fork() == 0) {
        close(lfd);
        serve_conn(c);
        _exit(0);
      }
      close(c);
    }
  }
  if (pid > 0) setpgid(pid, pid);
  close(lfd);
  return pid;
}

/* ---- client helpers ------------------------------------------------------------ */

static int port;

static const char *url(const char *path) {
  static char u[128];
  snprintf(u, sizeof u, "http://127.0.0.1:%d%s", port, path);
  return u;
}

static int req(lam_http *h, const char *method, const char *path, const lam_http_header *hd,
               size_t nh, const char *body, size_t blen, long timeout_ms, lam_http_result *res) {
  lam_http_request r;
  memset(&r, 0, sizeof r);
  r.method = method;
  r.url = path[0] == '/' ? url(path) : path;
  r.headers = hd;
  r.nheaders = nh;
  r.body = body;
  r.body_len = blen;
  r.timeout_ms = timeout_ms;
  return lam_http_perform(h, &r, res);
}

static int has(const lam_http_result *res, const char *needle) {
  size_t n = strlen(needle), i;
  for (i = 0; i + n <= res->body_len; i++)
    if (memcmp(res->body + i, needle, n) == 0) return 1;
  return 0;
}

/* The value of response header name (case-insensitive), or NULL. */
static const char *resp_header(lam_http *h, const lam_http_result *res, const char *name,
                               size_t *vlen) {
  size_t i, j;
  for (i = 0; i < res->nheaders; i++) {
    lam_http_header hd;
    if (lam_http_header_at(h, i, &hd)) return NULL;
    if (hd.name_len != strlen(name)) continue;
    for (j = 0; j < hd.name_len; j++) {
      char a = hd.name[j], b = name[j];
      if (a >= 'A' && a <= 'Z') a = (char)(a + 32);
      if (b >= 'A' && b <= 'Z') b = (char)(b + 32);
      if (a != b) break;
    }
    if (j == hd.name_len) {
      *vlen = hd.value_len;
      return hd.value;
    }
  }
  return NULL;
}

static lam_http *new_handle(long connect_ms, long read_ms, size_t max_response) {
  lam_http_config cfg;
  lam_http *h = NULL;
  lam_http_config_init(&cfg);
  cfg.connect_timeout_ms = connect_ms;
  cfg.read_timeout_ms = read_ms;
  cfg.max_response = max_response;
  CHECK(lam_http_new(&h, &cfg) == LAM_OK && h != NULL);
  return h;
}

/* ---- tests ------------------------------------------------------------------------ */

static void test_keepalive(void) {
  lam_http *h = new_handle(2000, 2000, 0);
  lam_http_result res;
  lam_http_stats st;
  int i;
  if (!h) return;
  for (i = 0; i < 3; i++) {
    CHECK(req(h, "GET", "/echo", NULL, 0, NULL, 0, 0, &res) == LAM_OK);
    CHECK(res.status == 200 && res.kind == NULL && res.reason == NULL);
  }
  lam_http_get_stats(h, &st);
  CHECK(st.connections == 1);
  CHECK(st.requests == 3);
  CHECK(st.total_us > 0 && st.starttransfer_us > 0);
  /* the server asks to close: the next request needs a new connection */
  CHECK(req(h, "GET", "/connclose", NULL, 0, NULL, 0, 0, &res) == LAM_OK);
  CHECK_STR(res.body, res.body_len, "ok");
  CHECK(req(h, "GET", "/echo", NULL, 0, NULL, 0, 0, &res) == LAM_OK);
  lam_http_get_stats(h, &st);
  CHECK(st.connections == 2 && st.requests == 5);
  lam_http_free(h);
}

static void test_roundtrip(void) {
  static const lam_http_header hd[] = {
    {"X-Custom", 8, "v1", 2},
    {"X-Dup", 5, "a", 1},
    {"X-Dup", 5, "b", 1},
    {"X-Empty", 7, "", 0},
  };
  static const lam_http_header json[] = {{"Content-Type", 12, "application/json", 16}};
  lam_http *h = new_handle(2000, 2000, 0);
  lam_http_result res;
  const char *v;
  size_t vl, i;
  char line[64];
  if (!h) return;
  /* POST: headers exactly, body, Content-Length; no libcurl defaults */
  CHECK(req(h, "POST", "/echo", hd, 4, "hello", 5, 0, &res) == LAM_OK);
  CHECK(res.status == 200);
  CHECK(res.body_len > 0 && memcmp(res.body, "POST /echo HTTP/1.1\r\n", 21) == 0);
  snprintf(line, sizeof line, "\r\nHost: 127.0.0.1:%d\r\n", port);
  CHECK(has(&res, line));
  CHECK(has(&res, "\r\nX-Custom: v1\r\n"));
  CHECK(has(&res, "\r\nX-Dup: a\r\nX-Dup: b\r\n"));
  CHECK(has(&res, "\r\nX-Empty:\r\n"));
  CHECK(has(&res, "\r\nContent-Length: 5\r\n"));
  CHECK(has(&res, "\r\n\r\nhello"));
  CHECK(!has(&res, "Accept"));
  CHECK(!has(&res, "Content-Type"));
  CHECK(!has(&res, "Expect"));
  CHECK(!has(&res, "User-Agent"));
  /* response headers: all lines of the final response, in order */
  CHECK(res.nheaders == 5);
  {
    lam_http_header a, b;
    CHECK(lam_http_header_at(h, 1, &a) == LAM_OK && lam_http_header_at(h, 2, &b) == LAM_OK);
    CHECK_STR(a.name, a.name_len, "X-Multi");
    CHECK_STR(a.value, a.value_len, "a");
    CHECK_STR(b.value, b.value_len, "b");
    CHECK(lam_http_header_at(h, 5, &a) == LAM_ERR_ARG);
  }
  v = resp_header(h, &res, "content-type", &vl);
  CHECK(v && vl == 10 && memcmp(v, "text/plain", 10) == 0);
  /* a caller's Content-Type is sent once, as given */
  CHECK(req(h, "POST", "/echo", json, 1, "{}", 2, 0, &res) == LAM_OK);
  CHECK(has(&res, "\r\nContent-Type: application/json\r\n"));
  CHECK(!has(&res, "x-www-form-urlencoded"));
  /* DELETE: Content-Length: 0, like botocore */
  CHECK(req(h, "DELETE", "/echo", NULL, 0, NULL, 0, 0, &res) == LAM_OK);
  CHECK(memcmp(res.body, "DELETE /echo HTTP/1.1\r\n", 23) == 0);
  CHECK(has(&res, "\r\nContent-Length: 0\r\n"));
  /* GET: no body, no Content-Length */
  CHECK(req(h, "GET", "/echo", NULL, 0, NULL, 0, 0, &res) == LAM_OK);
  CHECK(memcmp(res.body, "GET /echo HTTP/1.1\r\n", 20) == 0);
  CHECK(!has(&res, "Content-Length"));
  /* HEAD, then a POST on the same handle (NOBODY must be undone) */
  CHECK(req(h, "HEAD", "/echo", NULL, 0, NULL, 0, 0, &res) == LAM_OK);
  CHECK(res.status == 200 && res.body_len == 0 && res.body && res.body[0] == '\0');
  CHECK(req(h, "PUT", "/echo", NULL, 0, "x", 1, 0, &res) == LAM_OK);
  CHECK(memcmp(res.body, "PUT /echo HTTP/1.1\r\n", 20) == 0 && has(&res, "\r\n\r\nx"));
  CHECK(req(h, "POST", "/echo", NULL, 0, "y", 1, 0, &res) == LAM_OK);
  CHECK(memcmp(res.body, "POST /echo HTTP/1.1\r\n", 21) == 0 && has(&res, "\r\n\r\ny"));
  /* a 2 MiB body: no "Expect: 100-continue" from libcurl */
  {
    size_t n = 2 * 1024 * 1024;
    char *big = malloc(n);
    CHECK(big != NULL);
    if (big) {
      memset(big, 'b', n);
      CHECK(req(h, "POST", "/echo", NULL, 0, big, n, 0, &res) == LAM_OK);
      CHECK(res.status == 200 && res.body_len > n);
      CHECK(!has(&res, "Expect"));
      free(big);
    }
  }
  /* a non-2xx status is a response, not a failure */
  CHECK(req(h, "GET", "/status/503", NULL, 0, NULL, 0, 0, &res) == LAM_OK);
  CHECK(res.status == 503 && res.body_len == 0);
  /* 100 Continue: only the final response's headers; folded lines joined */
  CHECK(req(h, "GET", "/continue", NULL, 0, NULL, 0, 0, &res) == LAM_OK);
  CHECK(res.status == 201);
  CHECK_STR(res.body, res.body_len, "ok");
  CHECK(resp_header(h, &res, "x-final", &vl) != NULL);
  CHECK(resp_header(h, &res, "x-interim", &vl) == NULL);
  v = resp_header(h, &res, "x-fold", &vl);
  CHECK(v != NULL);
  if (v) CHECK_STR(v, vl, "a b");
  for (i = 0; i < res.nheaders; i++) {
    lam_http_header a;
    CHECK(lam_http_header_at(h, i, &a) == LAM_OK);
  }
  lam_http_free(h);
}

static void test_bad_input(void) {
  static const lam_http_header bad_name[] = {{"Bad Name", 8, "v", 1}};
  static const lam_http_header bad_value[] = {{"X-A", 3, "v\r\nX-Injected: 1", 17}};
  static const lam_http_header nul_value[] = {{"X-A", 3, "a\0b", 3}};
  lam_http *h = new_handle(2000, 2000, 0);
  lam_http_result res;
  lam_http_stats st;
  if (!h) return;
  CHECK(req(h, "GET", "/echo", bad_name, 1, NULL, 0, 0, &res) == LAM_ERR_HEADER);
  CHECK(res.kind != NULL && res.reason != NULL);
  CHECK(req(h, "GET", "/echo", bad_value, 1, NULL, 0, 0, &res) == LAM_ERR_HEADER);
  CHECK(req(h, "GET", "/echo", nul_value, 1, NULL, 0, 0, &res) == LAM_ERR_HEADER);
  CHECK(req(h, "GE T", "/echo", NULL, 0, NULL, 0, 0, &res) == LAM_ERR_ARG);
  CHECK(req(h, "", "/echo", NULL, 0, NULL, 0, 0, &res) == LAM_ERR_ARG);
  CHECK(req(h, "GET", "/echo", NULL, 0, NULL, 0, -1, &res) == LAM_ERR_ARG);
  CHECK(lam_http_perform(h, NULL, &res) == LAM_ERR_ARG);
  CHECK(lam_http_perform(NULL, NULL, &res) == LAM_ERR_CLOSED);
  lam_http_get_stats(h, &st);
  CHECK(st.requests == 0); /* nothing was sent */
  CHECK(req(h, "GET", "ftp://127.0.0.1/x", NULL, 0, NULL, 0, 0, &res) == LAM_ERR_URL);
  CHECK(res.kind && strcmp(res.kind, "HTTPClientError") == 0);
  CHECK(req(h, "GET", "not a url", NULL, 0, NULL, 0, 0, &res) != LAM_OK);
  /* and the handle still works */
  CHECK(req(h, "GET", "/echo", NULL, 0, NULL, 0, 0, &res) == LAM_OK && res.status == 200);
  lam_http_free(h);
  lam_http_free(NULL);
}

static void test_refused(void) {
  int p, fd = listen_on(1, &p);
  char u[64];
  lam_http *h = new_handle(2000, 2000, 0);
  lam_http_result res;
  if (!h || fd < 0) return;
  close(fd); /* nobody listens there now */
  snprintf(u, sizeof u, "http://127.0.0.1:%d/x", p);
  CHECK(req(h, "GET", u, NULL, 0, NULL, 0, 0, &res) == LAM_ERR_CONNECT);
  CHECK(res.kind && strcmp(res.kind, "EndpointConnectionError") == 0);
  CHECK(res.reason && strstr(res.reason, "onnect") != NULL);
  CHECK(res.status == 0);
  /* DNS failure (a resolver that cannot be reached may time out instead) */
  {
    int rc = req(h, "GET", "http://does-not-exist.invalid/", NULL, 0, NULL, 0, 0, &res);
    CHECK(rc == LAM_ERR_CONNECT || rc == LAM_ERR_CONNECT_TIMEOUT);
  }
  lam_http_free(h);
}

/* A listener whose accept queue is full drops new SYNs: a connect timeout. */
static void test_connect_timeout(void) {
  int p, fd = listen_on(0, &p), fillers[4], i, nf = 0;
  struct sockaddr_in a;
  char u[64];
  lam_http *h = new_handle(300, 5000, 0);
  lam_http_result res;
  long long t0, dt;
  if (!h || fd < 0) return;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons((unsigned short)p);
  for (i = 0; i < 4; i++) { /* fill the queue; connect() itself may stall */
    struct timeval tv = {0, 200000};
    int c = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (connect(c, (struct sockaddr *)&a, sizeof a) != 0) {
      close(c);
      break;
    }
    fillers[nf++] = c;
  }
  snprintf(u, sizeof u, "http://127.0.0.1:%d/x", p);
  t0 = now_ms();
  CHECK(req(h, "GET", u, NULL, 0, NULL, 0, 0, &res) == LAM_ERR_CONNECT_TIMEOUT);
  dt = now_ms() - t0;
  CHECK(res.kind && strcmp(res.kind, "ConnectTimeoutError") == 0);
  CHECK(dt >= 290 && dt < 400);
  if (dt < 290 || dt >= 400) fprintf(stderr, "  connect timeout took %lld ms\n", dt);
  for (i = 0; i < nf; i++) close(fillers[i]);
  close(fd);
  lam_http_free(h);
}

static void test_timeouts(void) {
  lam_http *h = new_handle(2000, 300, 0);
  lam_http_result res;
  lam_http_stats st;
  long long t0, dt;
  if (!h) return;
  /* a server that never answers: the read timeout, on time */
  t0 = now_ms();
  CHECK(req(h, "GET", "/hang", NULL, 0, NULL, 0, 0, &res) == LAM_ERR_READ_TIMEOUT);
  dt = now_ms() - t0;
  CHECK(res.kind && strcmp(res.kind, "ReadTimeoutError") == 0);
  CHECK(res.reason && strstr(res.reason, "300 ms") != NULL);
  CHECK(dt >= 300 && dt < 400);
  if (dt < 300 || dt >= 400) fprintf(stderr, "  read timeout took %lld ms\n", dt);
  /* the read timeout is about gaps: a slow but steady body is fine */
  t0 = now_ms();
  CHECK(req(h, "GET", "/drip", NULL, 0, NULL, 0, 0, &res) == LAM_OK);
  dt = now_ms() - t0;
  CHECK_STR(res.body, res.body_len, "dddddddddd");
  CHECK(dt >= 900);
  /* the total timeout of one request, after connecting: a read timeout */
  t0 = now_ms();
  CHECK(req(h, "GET", "/drip", NULL, 0, NULL, 0, 250, &res) == LAM_ERR_READ_TIMEOUT);
  dt = now_ms() - t0;
  CHECK(res.kind && strcmp(res.kind, "ReadTimeoutError") == 0);
  CHECK(dt >= 250 && dt < 350);
  /* the handle recovers (on a new connection) */
  CHECK(req(h, "GET", "/echo", NULL, 0, NULL, 0, 0, &res) == LAM_OK && res.status == 200);
  lam_http_get_stats(h, &st);
  CHECK(st.connections >= 3);
  lam_http_free(h);
}

static void test_closed_connections(void) {
  lam_http *h = new_handle(2000, 2000, 0);
  lam_http_result res;
  if (!h) return;
  CHECK(req(h, "GET", "/close", NULL, 0, NULL, 0, 0, &res) == LAM_ERR_TRANSPORT);
  CHECK(res.kind && strcmp(res.kind, "ConnectionClosedError") == 0);
  CHECK(res.reason && res.reason[0]);
  CHECK(req(h, "GET", "/truncated", NULL, 0, NULL, 0, 0, &res) == LAM_ERR_TRANSPORT);
  CHECK(res.kind && strcmp(res.kind, "ConnectionClosedError") == 0);
  CHECK(res.status == 200); /* what did arrive is still reported */
  CHECK(req(h, "GET", "/echo", NULL, 0, NULL, 0, 0, &res) == LAM_OK);
  /* TLS to a plain-HTTP port */
  {
    char u[64];
    snprintf(u, sizeof u, "https://127.0.0.1:%d/", port);
    CHECK(req(h, "GET", u, NULL, 0, NULL, 0, 0, &res) == LAM_ERR_TRANSPORT);
    CHECK(res.kind && strcmp(res.kind, "SSLError") == 0);
  }
  lam_http_free(h);
}

static void test_toobig(void) {
  lam_http *h = new_handle(2000, 2000, 1000);
  lam_http_result res;
  if (!h) return;
  CHECK(req(h, "GET", "/big", NULL, 0, NULL, 0, 0, &res) == LAM_ERR_TOOBIG);
  CHECK(res.kind && strcmp(res.kind, "ResponseTooLarge") == 0);
  CHECK(req(h, "GET", "/bigchunked", NULL, 0, NULL, 0, 0, &res) == LAM_ERR_TOOBIG);
  CHECK(res.body_len <= 1000);
  CHECK(req(h, "GET", "/hugeheaders", NULL, 0, NULL, 0, 0, &res) == LAM_ERR_TOOBIG);
  CHECK(req(h, "GET", "/connclose", NULL, 0, NULL, 0, 0, &res) == LAM_OK);
  lam_http_free(h);
  /* exactly at the cap is fine, both ways of framing */
  h = new_handle(2000, 2000, 5000);
  if (!h) return;
  CHECK(req(h, "GET", "/big", NULL, 0, NULL, 0, 0, &res) == LAM_OK && res.body_len == 5000);
  CHECK(req(h, "GET", "/bigchunked", NULL, 0, NULL, 0, 0, &res) == LAM_OK && res.body_len == 5000);
  lam_http_free(h);
}

int main(int argc, char **argv) {
  pid_t srv;
  (void)argc;
  (void)argv;
  /* these tests talk to loopback only: keep any proxy settings out */
  unsetenv("http_proxy");
  unsetenv("HTTPS_PROXY");
  unsetenv("https_proxy");
  unsetenv("ALL_PROXY");
  unsetenv("all_proxy");
  srv = start_server(&port);
  if (srv <= 0) {
    fprintf(stderr, "test_http: cannot start the server\n");
    return 1;
  }
  signal(SIGPIPE, SIG_IGN);
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return 1;
  test_keepalive();
  test_roundtrip();
  test_bad_input();
  test_refused();
  test_connect_timeout();
  test_timeouts();
  test_closed_connections();
  test_toobig();
  curl_global_cleanup();
  kill(-srv, SIGKILL);
  waitpid(srv, NULL, 0);
  return lam_test_done("test_http");
}
