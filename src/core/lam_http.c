/*
** lam_http.c -- libcurl transport (see lam_http.h for the contract).
**
** One easy handle lives in a private multi handle for the life of the
** lam_http.  The multi owns the connection cache, so a connection survives
** between requests.  We drive the transfer ourselves (perform/poll), which
** is what curl_easy_perform does internally, because that lets us wake at
** the exact read deadline: libcurl's progress callback can be a second late
** when the line is idle.
*/
#include "lam_http.h"
#include "lam_buf.h"
#include "lam_err.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LAM_HTTP_KEEP_BODY_CAP ((size_t)1024 * 1024) /* larger: freed per request */
#define LAM_HTTP_IDLE_POLL_MS 1000

static const char lam_http_empty[] = "";

typedef struct { /* one received header line, as offsets into htext */
  size_t name_off, name_len, value_off, value_len;
} lam_http_slot;

struct lam_http {
  CURL *easy;
  CURLM *multi;
  size_t max_response;
  long read_timeout_ms;
  /* the current/last response */
  lam_buf body;
  lam_buf htext;  /* header names and values, back to back */
  lam_buf hslots; /* lam_http_slot[nheaders] */
  size_t nheaders;
  size_t header_bytes;
  long block_status; /* status of the header block being received */
  lam_buf line;      /* the request's "Name: value" lines, NUL-separated */
  lam_buf nodes;     /* struct curl_slist[] over `line`, reused per request */
  /* per-request flags, set by the callbacks */
  long long last_rx_ms; /* last time bytes arrived (or connected) */
  curl_off_t last_ul;
  int connected, toobig, nomem, no_body;
  int sends; /* times this request went out (libcurl may re-send on its own) */
  unsigned long long connections, requests;
  char errbuf[CURL_ERROR_SIZE];
  char reason[CURL_ERROR_SIZE + 96];
};

static long long lam_http_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int lam_http_lower(int c) {
  return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

static int lam_http_name_is(const char *p, size_t n, const char *lc) {
  size_t i;
  for (i = 0; i < n; i++)
    if (lc[i] == '\0' || lam_http_lower((unsigned char)p[i]) != lc[i]) return 0;
  return lc[n] == '\0';
}

static int lam_http_is_ows(char c) { return c == ' ' || c == '\t'; }

/* RFC 9110 token characters (method and header names): a bit per byte. */
static const unsigned char lam_http_tchar[32] = {
  0x00, 0x00, 0x00, 0x00, /* 0x00-0x1f: none */
  0xfa, 0x6c, 0xff, 0x03, /* ! # $ % & ' * + - . 0-9 */
  0xfe, 0xff, 0xff, 0xc7, /* A-Z ^ _ */
  0xff, 0xff, 0xff, 0x57, /* ` a-z | ~ */
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
};
static int lam_http_is_tchar(unsigned char c) {
  return (lam_http_tchar[c >> 3] >> (c & 7)) & 1;
}

void lam_http_config_init(lam_http_config *cfg) {
  cfg->connect_timeout_ms = LAM_HTTP_DEFAULT_TIMEOUT_MS;
  cfg->read_timeout_ms = LAM_HTTP_DEFAULT_TIMEOUT_MS;
  cfg->ca_bundle = NULL;
  cfg->verify = 1;
  cfg->max_response = LAM_HTTP_DEFAULT_MAX_RESPONSE;
}

/* ---- callbacks -------------------------------------------------------- */

static void lam_http_reset_headers(lam_http *h) {
  lam_buf_reset(&h->htext);
  lam_buf_reset(&h->hslots);
  h->nheaders = 0;
}

static size_t lam_http_on_header(char *p, size_t size, size_t nmemb, void *ud) {
  lam_http *h = ud;
  size_t total = size * nmemb, len = total, nlen, vstart;
  const char *colon;
  if (h->read_timeout_ms) h->last_rx_ms = lam_http_now_ms();
  h->header_bytes += total;
  if (h->header_bytes > LAM_HTTP_MAX_HEADER_BYTES) { h->toobig = 1; return 0; }
  while (len && (p[len - 1] == '\n' || p[len - 1] == '\r')) len--;
  if (len >= 5 && memcmp(p, "HTTP/", 5) == 0) { /* a new response: keep only the last */
    const char *sp = memchr(p, ' ', len);
    h->block_status = 0;
    if (sp) {
      size_t i = (size_t)(sp - p) + 1;
      while (i < len && p[i] >= '0' && p[i] <= '9' && h->block_status < 1000)
        h->block_status = h->block_status * 10 + (p[i++] - '0');
    }
    lam_http_reset_headers(h);
    return total;
  }
  if (len == 0) return total; /* blank line: end of a header block */
  if (lam_http_is_ows(p[0])) { /* obsolete line folding: continue the last value */
    lam_http_slot *s;
    size_t a = 0, b = len;
    if (h->nheaders == 0) return total;
    while (a < b && lam_http_is_ows(p[a])) a++;
    while (b > a && lam_http_is_ows(p[b - 1])) b--;
    if (a == b) return total;
    s = (lam_http_slot *)(void *)h->hslots.data + (h->nheaders - 1);
    if ((s->value_len && lam_buf_append_char(&h->htext, ' ')) ||
        lam_buf_append(&h->htext, p + a, b - a)) {
      h->nomem = 1;
      return 0;
    }
    s->value_len = h->htext.len - s->value_off;
    return total;
  }
  colon = memchr(p, ':', len);
  if (!colon) return total; /* not a header line; ignore */
  nlen = (size_t)(colon - p);
  while (nlen && lam_http_is_ows(p[nlen - 1])) nlen--;
  if (nlen == 0) return total;
  vstart = (size_t)(colon - p) + 1;
  while (vstart < len && lam_http_is_ows(p[vstart])) vstart++;
  while (len > vstart && lam_http_is_ows(p[len - 1])) len--;
  {
    lam_http_slot s;
    s.name_off = h->htext.len;
    s.name_len = nlen;
    s.value_off = h->htext.len + nlen;
    s.value_len = len - vstart;
    if (lam_buf_append(&h->htext, p, nlen) || lam_buf_append(&h->htext, p + vstart, len - vstart) ||
        lam_buf_append(&h->hslots, &s, sizeof s)) {
      h->nomem = 1;
      return 0;
    }
    h->nheaders++;
  }
  /* Content-Length: refuse an oversized body before it arrives, and size
  ** the body buffer once.  1xx/204/304 and HEAD responses carry no body. */
  if (!h->no_body && h->block_status >= 200 && h->block_status != 204 &&
      h->block_status != 304 && lam_http_name_is(p, nlen, "content-length")) {
    size_t i, n = 0;
    int ok = len > vstart;
    for (i = vstart; ok && i < len; i++) {
      if (p[i] < '0' || p[i] > '9' || n > ((size_t)-1 - 9) / 10) ok = 0;
      else n = n * 10 + (size_t)(p[i] - '0');
    }
    if (ok && n > h->max_response) { h->toobig = 1; return 0; }
    if (ok && n > h->body.cap) (void)lam_buf_reserve(&h->body, n); /* a hint only */
  }
  return total;
}

static size_t lam_http_on_body(char *p, size_t size, size_t nmemb, void *ud) {
  lam_http *h = ud;
  size_t n = size * nmemb;
  if (h->read_timeout_ms) h->last_rx_ms = lam_http_now_ms();
  if (n > h->max_response - h->body.len) { h->toobig = 1; return 0; }
  if (lam_buf_append(&h->body, p, n)) { h->nomem = 1; return 0; }
  return n;
}

#if LIBCURL_VERSION_NUM >= 0x075000 /* 7.80.0: CURLOPT_PREREQFUNCTION */
/* Runs once the connection is set up (TCP + TLS, or reused), just before
** the request goes out: from here on a timeout is a read timeout. */
static int lam_http_on_prereq(void *ud, char *primary_ip, char *local_ip,
                              int primary_port, int local_port) {
  lam_http *h = ud;
  (void)primary_ip; (void)local_ip; (void)primary_port; (void)local_port;
  /* libcurl re-sends a request by itself when a reused connection dies
  ** before any answer.  The request may have reached the server: let the
  ** caller decide (and count the attempt) rather than send it twice. */
  if (++h->sends > 1) return CURL_PREREQFUNC_ABORT;
  h->connected = 1;
  h->last_rx_ms = lam_http_now_ms();
  return CURL_PREREQFUNC_OK;
}
#endif

/* ---- lifecycle ---------------------------------------------------------- */

int lam_http_new(lam_http **out, const lam_http_config *cfg) {
  lam_http_config def;
  lam_http *h;
  CURL *e;
  int bad = 0;
  *out = NULL;
  if (!cfg) { lam_http_config_init(&def); cfg = &def; }
  if (cfg->connect_timeout_ms < 0 || cfg->read_timeout_ms < 0) return LAM_ERR_ARG;
  h = calloc(1, sizeof *h);
  if (!h) return LAM_ERR_NOMEM;
  h->max_response = cfg->max_response ? cfg->max_response : LAM_HTTP_DEFAULT_MAX_RESPONSE;
  h->read_timeout_ms = cfg->read_timeout_ms;
  h->easy = e = curl_easy_init();
  h->multi = curl_multi_init();
  if (!h->easy || !h->multi) { lam_http_free(h); return LAM_ERR_NOMEM; }
#define LAM_SET(opt, val) bad |= curl_easy_setopt(e, opt, val) != CURLE_OK
  LAM_SET(CURLOPT_NOSIGNAL, 1L);
  LAM_SET(CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
#if LIBCURL_VERSION_NUM >= 0x075500 /* 7.85.0 */
  LAM_SET(CURLOPT_PROTOCOLS_STR, "http,https");
#else
  LAM_SET(CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
  LAM_SET(CURLOPT_ERRORBUFFER, h->errbuf);
  LAM_SET(CURLOPT_HEADERFUNCTION, lam_http_on_header);
  LAM_SET(CURLOPT_HEADERDATA, h);
  LAM_SET(CURLOPT_WRITEFUNCTION, lam_http_on_body);
  LAM_SET(CURLOPT_WRITEDATA, h);
  LAM_SET(CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
  LAM_SET(CURLOPT_CONNECTTIMEOUT_MS, cfg->connect_timeout_ms);
  LAM_SET(CURLOPT_SSL_VERIFYPEER, cfg->verify ? 1L : 0L);
  LAM_SET(CURLOPT_SSL_VERIFYHOST, cfg->verify ? 2L : 0L);
  if (cfg->ca_bundle) LAM_SET(CURLOPT_CAINFO, cfg->ca_bundle); /* libcurl copies it */
#if LIBCURL_VERSION_NUM >= 0x075000
  LAM_SET(CURLOPT_PREREQFUNCTION, lam_http_on_prereq);
  LAM_SET(CURLOPT_PREREQDATA, h);
#endif
  /* Deliberately not set: CURLOPT_PROXY (so the *_proxy environment
  ** variables apply), CURLOPT_ACCEPT_ENCODING (no Accept-Encoding sent),
  ** CURLOPT_FOLLOWLOCATION (no redirects). */
#undef LAM_SET
  if (bad) { lam_http_free(h); return LAM_ERR_ARG; }
  *out = h;
  return LAM_OK;
}

void lam_http_free(lam_http *h) {
  if (!h) return;
  if (h->easy) curl_easy_cleanup(h->easy); /* never left inside the multi */
  if (h->multi) curl_multi_cleanup(h->multi);
  lam_buf_free(&h->body);
  lam_buf_free(&h->htext);
  lam_buf_free(&h->hslots);
  lam_buf_free(&h->line);
  lam_buf_free(&h->nodes);
  free(h);
}

/* ---- one request ---------------------------------------------------------- */

static int lam_http_fail(lam_http *h, lam_http_result *res, int code, const char *kind,
                         const char *reason) {
  res->kind = kind;
  if (reason != h->reason) snprintf(h->reason, sizeof h->reason, "%s", reason);
  res->reason = h->reason;
  return code;
}

/* Builds the header list for libcurl from the caller's headers, plus the
** suppressions of libcurl's defaults.  No allocation once the buffers have
** grown: the lines go back to back into h->line and the list nodes are an
** array in h->nodes (libcurl only reads the list; CURLOPT_HTTPHEADER is
** reset before the buffers are touched again).  *list is NULL on failure. */
static int lam_http_build_headers(lam_http *h, const lam_http_request *req,
                                  struct curl_slist **list) {
  static const char *const defaults[] = {"Accept:", "Content-Type:", "Expect:"};
  int has[3] = {0, 0, 0};
  size_t i, j, n = 0, off;
  struct curl_slist *nodes;
  *list = NULL;
  lam_buf_reset(&h->line);
  for (i = 0; i < req->nheaders; i++) {
    const lam_http_header *hd = &req->headers[i];
    size_t vs = 0;
    if (hd->name_len == 0 || !hd->name || (hd->value_len && !hd->value)) return LAM_ERR_HEADER;
    for (j = 0; j < hd->name_len; j++)
      if (!lam_http_is_tchar((unsigned char)hd->name[j])) return LAM_ERR_HEADER;
    if (hd->value_len && (memchr(hd->value, '\r', hd->value_len) || memchr(hd->value, '\n', hd->value_len) ||
                          memchr(hd->value, '\0', hd->value_len)))
      return LAM_ERR_HEADER;
    has[0] |= lam_http_name_is(hd->name, hd->name_len, "accept");
    has[1] |= lam_http_name_is(hd->name, hd->name_len, "content-type");
    has[2] |= lam_http_name_is(hd->name, hd->name_len, "expect");
    while (vs < hd->value_len && lam_http_is_ows(hd->value[vs])) vs++;
    if (lam_buf_append(&h->line, hd->name, hd->name_len)) return LAM_ERR_NOMEM;
    if (vs == hd->value_len) { /* "Name;" is libcurl's spelling of an empty value */
      if (lam_buf_append_char(&h->line, ';')) return LAM_ERR_NOMEM;
    } else if (lam_buf_append(&h->line, ": ", 2) ||
               lam_buf_append(&h->line, hd->value + vs, hd->value_len - vs)) {
      return LAM_ERR_NOMEM;
    }
    if (lam_buf_append_char(&h->line, '\0')) return LAM_ERR_NOMEM;
    n++;
  }
  /* "Name:" with nothing after it tells libcurl not to send its default. */
  for (i = 0; i < 3; i++) {
    if (has[i]) continue;
    if (lam_buf_append(&h->line, defaults[i], strlen(defaults[i]) + 1)) return LAM_ERR_NOMEM;
    n++;
  }
  lam_buf_reset(&h->nodes);
  if (lam_buf_reserve(&h->nodes, n * sizeof *nodes)) return LAM_ERR_NOMEM;
  h->nodes.len = n * sizeof *nodes;
  nodes = (struct curl_slist *)(void *)h->nodes.data;
  for (i = 0, off = 0; i < n; i++) { /* the lines are final: point into them */
    nodes[i].data = h->line.data + off;
    nodes[i].next = i + 1 < n ? &nodes[i + 1] : NULL;
    off += strlen(nodes[i].data) + 1;
  }
  *list = nodes;
  return LAM_OK;
}

static int lam_http_set_method(lam_http *h, const lam_http_request *req) {
  CURL *e = h->easy;
  int bad = 0;
  h->no_body = 0;
  if (req->body_len == 0 && strcmp(req->method, "GET") == 0) {
    bad |= curl_easy_setopt(e, CURLOPT_HTTPGET, 1L) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, (char *)NULL) != CURLE_OK;
  } else if (req->body_len == 0 && strcmp(req->method, "HEAD") == 0) {
    h->no_body = 1;
    bad |= curl_easy_setopt(e, CURLOPT_NOBODY, 1L) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, (char *)NULL) != CURLE_OK;
  } else {
    /* Everything else carries a body, possibly empty: like botocore, a
    ** DELETE goes out with "Content-Length: 0".  NOBODY 0 undoes a HEAD. */
    bad |= curl_easy_setopt(e, CURLOPT_NOBODY, 0L) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_POSTFIELDS, req->body ? req->body : lam_http_empty) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST,
                            strcmp(req->method, "POST") == 0 ? NULL : req->method) != CURLE_OK;
  }
  return bad ? LAM_ERR_NOMEM : LAM_OK; /* setopt fails here only for memory */
}

enum { LAM_HTTP_RAN, LAM_HTTP_RAN_IDLE, LAM_HTTP_RAN_MULTI_ERROR };

/* Drives the transfer.  LAM_HTTP_RAN with libcurl's *result;
** LAM_HTTP_RAN_IDLE after our read timeout fired (the caller then removes
** the handle mid-transfer, which makes libcurl close that connection);
** LAM_HTTP_RAN_MULTI_ERROR with *merr. */
static int lam_http_run(lam_http *h, CURLcode *result, CURLMcode *merr) {
  int running = 1, left;
  CURLMsg *msg;
  *result = CURLE_OK;
  *merr = CURLM_OK;
  for (;;) {
    long wait = LAM_HTTP_IDLE_POLL_MS;
    if ((*merr = curl_multi_perform(h->multi, &running)) != CURLM_OK) return LAM_HTTP_RAN_MULTI_ERROR;
    if (!running) break;
#if LIBCURL_VERSION_NUM < 0x075000
    if (!h->connected) {
      curl_off_t pre = 0;
      if (curl_easy_getinfo(h->easy, CURLINFO_PRETRANSFER_TIME_T, &pre) == CURLE_OK && pre > 0) {
        h->connected = 1;
        h->last_rx_ms = lam_http_now_ms();
      }
    }
#endif
    if (h->read_timeout_ms && h->connected) {
      long long idle = lam_http_now_ms() - h->last_rx_ms;
      if (idle >= h->read_timeout_ms) {
        /* Bytes still going out count as life too (a slow upload). */
        curl_off_t ul = 0;
        if (curl_easy_getinfo(h->easy, CURLINFO_SIZE_UPLOAD_T, &ul) != CURLE_OK || ul <= h->last_ul)
          return LAM_HTTP_RAN_IDLE;
        h->last_ul = ul;
        h->last_rx_ms = lam_http_now_ms();
        idle = 0;
      }
      if (h->read_timeout_ms - idle < wait) wait = (long)(h->read_timeout_ms - idle);
    }
    /* wakes on socket activity, or earlier when a libcurl timer is due */
    if ((*merr = curl_multi_poll(h->multi, NULL, 0, (int)wait, NULL)) != CURLM_OK)
      return LAM_HTTP_RAN_MULTI_ERROR;
  }
  *result = CURLE_GOT_NOTHING; /* unless libcurl reports otherwise */
  while ((msg = curl_multi_info_read(h->multi, &left)) != NULL)
    if (msg->msg == CURLMSG_DONE && msg->easy_handle == h->easy) *result = msg->data.result;
  return LAM_HTTP_RAN;
}

static int lam_http_map(lam_http *h, CURLcode cc, lam_http_result *res) {
  const char *text = h->errbuf[0] ? h->errbuf : curl_easy_strerror(cc);
  switch (cc) {
    case CURLE_OK:
      return LAM_OK;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
#if LIBCURL_VERSION_NUM >= 0x074900 /* 7.73.0 */
    case CURLE_PROXY:
#endif
      return lam_http_fail(h, res, LAM_ERR_CONNECT, "EndpointConnectionError", text);
    case CURLE_OPERATION_TIMEDOUT:
      if (h->connected) return lam_http_fail(h, res, LAM_ERR_READ_TIMEOUT, "ReadTimeoutError", text);
      return lam_http_fail(h, res, LAM_ERR_CONNECT_TIMEOUT, "ConnectTimeoutError", text);
    case CURLE_ABORTED_BY_CALLBACK:
      if (h->sends > 1) /* a kept-alive connection the server had closed */
        return lam_http_fail(h, res, LAM_ERR_TRANSPORT, "StaleConnectionError",
                             "the reused connection closed before an answer; not re-sent");
      return lam_http_fail(h, res, LAM_ERR_TRANSPORT, "HTTPClientError", text);
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
      return lam_http_fail(h, res, LAM_ERR_TRANSPORT, "ConnectionClosedError", text);
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_USE_SSL_FAILED:
#if LIBCURL_VERSION_NUM >= 0x074400 /* 7.68.0 */
    case CURLE_SSL_CLIENTCERT:
#endif
      return lam_http_fail(h, res, LAM_ERR_TRANSPORT, "SSLError", text);
    case CURLE_WRITE_ERROR:
    case CURLE_FILESIZE_EXCEEDED:
      if (h->nomem) return lam_http_fail(h, res, LAM_ERR_NOMEM, "HTTPClientError", "out of memory");
      if (h->toobig || cc == CURLE_FILESIZE_EXCEEDED) {
        snprintf(h->reason, sizeof h->reason,
                 "response exceeds the size limit (%zu body bytes, %zu header bytes)",
                 h->max_response, LAM_HTTP_MAX_HEADER_BYTES);
        return lam_http_fail(h, res, LAM_ERR_TOOBIG, "ResponseTooLarge", h->reason);
      }
      return lam_http_fail(h, res, LAM_ERR_TRANSPORT, "HTTPClientError", text);
    case CURLE_OUT_OF_MEMORY:
      return lam_http_fail(h, res, LAM_ERR_NOMEM, "HTTPClientError", text);
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return lam_http_fail(h, res, LAM_ERR_URL, "HTTPClientError", text);
    default:
      return lam_http_fail(h, res, LAM_ERR_TRANSPORT, "HTTPClientError", text);
  }
}

int lam_http_perform(lam_http *h, const lam_http_request *req, lam_http_result *res) {
  struct curl_slist *sl = NULL;
  CURLcode cc = CURLE_OK;
  CURLMcode mc = CURLM_OK;
  long status = 0, nconn = 0;
  int rc, ran = LAM_HTTP_RAN;
  const char *m;
  memset(res, 0, sizeof *res);
  res->body = lam_http_empty;
  if (!h) {
    res->kind = "HTTPClientError";
    res->reason = "handle is closed";
    return LAM_ERR_CLOSED;
  }
  if (!req || !req->url || !req->method || !req->method[0] || (req->body_len && !req->body) ||
      req->timeout_ms < 0)
    return lam_http_fail(h, res, LAM_ERR_ARG, "HTTPClientError", "invalid request");
  for (m = req->method; *m; m++)
    if (!lam_http_is_tchar((unsigned char)*m))
      return lam_http_fail(h, res, LAM_ERR_ARG, "HTTPClientError", "invalid method");

  /* Reset the per-request state; big bodies are not kept between requests. */
  if (h->body.cap > LAM_HTTP_KEEP_BODY_CAP) lam_buf_free(&h->body);
  lam_buf_reset(&h->body);
  lam_http_reset_headers(h);
  h->header_bytes = 0;
  h->block_status = 0;
  h->connected = h->toobig = h->nomem = h->sends = 0;
  h->last_ul = 0;
  h->errbuf[0] = '\0';

  if ((rc = lam_http_build_headers(h, req, &sl)))
    return lam_http_fail(h, res, rc, "HTTPClientError",
                         rc == LAM_ERR_HEADER ? "invalid header name or value" : "out of memory");
  if ((rc = lam_http_set_method(h, req)) ||
      curl_easy_setopt(h->easy, CURLOPT_URL, req->url) != CURLE_OK ||
      curl_easy_setopt(h->easy, CURLOPT_HTTPHEADER, sl) != CURLE_OK ||
      curl_easy_setopt(h->easy, CURLOPT_TIMEOUT_MS, req->timeout_ms) != CURLE_OK) {
    curl_easy_setopt(h->easy, CURLOPT_HTTPHEADER, (struct curl_slist *)NULL);
    return lam_http_fail(h, res, LAM_ERR_NOMEM, "HTTPClientError", "out of memory");
  }

  h->requests++;
  if ((mc = curl_multi_add_handle(h->multi, h->easy)) != CURLM_OK) {
    ran = LAM_HTTP_RAN_MULTI_ERROR;
  } else {
    ran = lam_http_run(h, &cc, &mc);
    curl_multi_remove_handle(h->multi, h->easy);
  }
  curl_easy_setopt(h->easy, CURLOPT_HTTPHEADER, (struct curl_slist *)NULL);
  if (curl_easy_getinfo(h->easy, CURLINFO_NUM_CONNECTS, &nconn) == CURLE_OK && nconn > 0)
    h->connections += (unsigned long long)nconn;
  if (curl_easy_getinfo(h->easy, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK) res->status = status;
  res->body = h->body.data ? h->body.data : lam_http_empty;
  res->body_len = h->body.len;
  res->nheaders = h->nheaders;

  if (ran == LAM_HTTP_RAN_IDLE) {
    snprintf(h->reason, sizeof h->reason, "Read timed out: no data received for %ld ms",
             h->read_timeout_ms);
    return lam_http_fail(h, res, LAM_ERR_READ_TIMEOUT, "ReadTimeoutError", h->reason);
  }
  if (ran == LAM_HTTP_RAN_MULTI_ERROR) {
    snprintf(h->reason, sizeof h->reason, "libcurl multi error: %s", curl_multi_strerror(mc));
    return lam_http_fail(h, res, mc == CURLM_OUT_OF_MEMORY ? LAM_ERR_NOMEM : LAM_ERR_TRANSPORT,
                         "HTTPClientError", h->reason);
  }
  return lam_http_map(h, cc, res);
}

int lam_http_header_at(const lam_http *h, size_t i, lam_http_header *out) {
  const lam_http_slot *s;
  if (!h || i >= h->nheaders) return LAM_ERR_ARG;
  s = (const lam_http_slot *)(const void *)h->hslots.data + i;
  out->name = h->htext.data + s->name_off;
  out->name_len = s->name_len;
  out->value = h->htext.data + s->value_off;
  out->value_len = s->value_len;
  return LAM_OK;
}

void lam_http_get_stats(const lam_http *h, lam_http_stats *st) {
  curl_off_t t;
  memset(st, 0, sizeof *st);
  if (!h) return;
  st->connections = h->connections;
  st->requests = h->requests;
  if (!h->easy || h->requests == 0) return;
  if (curl_easy_getinfo(h->easy, CURLINFO_CONNECT_TIME_T, &t) == CURLE_OK) st->connect_us = (long long)t;
  if (curl_easy_getinfo(h->easy, CURLINFO_APPCONNECT_TIME_T, &t) == CURLE_OK) st->appconnect_us = (long long)t;
  if (curl_easy_getinfo(h->easy, CURLINFO_STARTTRANSFER_TIME_T, &t) == CURLE_OK) st->starttransfer_us = (long long)t;
  if (curl_easy_getinfo(h->easy, CURLINFO_TOTAL_TIME_T, &t) == CURLE_OK) st->total_us = (long long)t;
}
