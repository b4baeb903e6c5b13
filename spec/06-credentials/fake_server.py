#!/usr/bin/env python3
"""A scripted HTTP server for the credential specs, on 127.0.0.1 only.

    fake_server.py ROUTES_JSON LOG_JSONL PORT_FILE

ROUTES_JSON is re-read on every request, so a spec can change the answers
while the server runs:
    {"routes": [{"method": "PUT", "path": "/latest/api/token",
                 "responses": [{"status": 200, "body": "...", "headers": {}, "delay": 0}]}]}
Each route answers its responses in turn and then repeats the last one; an
unknown route gets 404.  Every connection and request is appended to
LOG_JSONL as one JSON object per line.  The chosen port is written to
PORT_FILE once the socket listens.
"""
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROUTES, LOG, PORT_FILE = sys.argv[1], sys.argv[2], sys.argv[3]
lock = threading.Lock()
hits = {}
last_routes = [None]  # new routes restart every route at its first response


def log(obj):
    with lock:
        with open(LOG, "a") as f:
            f.write(json.dumps(obj) + "\n")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def setup(self):
        super().setup()
        log({"event": "connect"})

    def log_message(self, *args):
        pass

    def answer(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n).decode("utf-8", "replace") if n else ""
        path = self.path
        bare = path.split("?", 1)[0]
        log({"event": "request", "method": self.command, "path": path,
             "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body})
        try:
            with open(ROUTES) as f:
                text = f.read()
            routes = json.loads(text)["routes"]
        except (OSError, ValueError, KeyError):
            text, routes = None, []
        with lock:
            if text != last_routes[0]:
                last_routes[0] = text
                hits.clear()
        chosen = None
        for r in routes:
            if r.get("method", "GET") == self.command and r["path"] in (path, bare):
                chosen = r
                break
        if chosen is None:
            resp = {"status": 404, "body": "not found"}
        else:
            key = self.command + " " + chosen["path"]
            with lock:
                i = hits.get(key, 0)
                hits[key] = i + 1
            rs = chosen["responses"]
            resp = rs[min(i, len(rs) - 1)]
        if resp.get("delay"):
            time.sleep(resp["delay"])
        data = resp.get("body", "").encode("utf-8")
        self.send_response(resp.get("status", 200))
        for k, v in resp.get("headers", {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_PUT = do_POST = do_DELETE = answer


def main():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    tmp = PORT_FILE + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(tmp, PORT_FILE)
    srv.serve_forever()


if __name__ == "__main__":
    main()
