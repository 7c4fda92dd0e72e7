#!/usr/bin/env python3
"""Test HTTP server for the daemon's integration tests, on 127.0.0.1 only.

Feeds: GET /feeds/NAME serves DIR/NAME with an ETag and Last-Modified, and answers 304 to a
matching conditional request. With DIR/gzip holding 1, a client that accepts gzip gets the body gzip-encoded. Webhooks: POST /hook/NAME is recorded as one JSON line in
DIR/hook-NAME.jsonl (headers, body) and answered with the status in DIR/hook-NAME.status
(default 200) after the delay in DIR/hook-NAME.delay seconds (default 0). Every request is
logged to DIR/requests.log as "METHOD PATH STATUS". The chosen port is written to DIR/port.
"""
import email.utils
import hashlib
import http.server
import json
import os
import sys
import threading
import time

DIR = sys.argv[1]
LOCK = threading.Lock()


def ctl(name, default):
    try:
        with open(os.path.join(DIR, name)) as f:
            return f.read().strip() or default
    except FileNotFoundError:
        return default


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def note(self, status):
        with LOCK, open(os.path.join(DIR, "requests.log"), "a") as f:
            f.write("%s %s %d\n" % (self.command, self.path, status))

    def reply(self, status, body=b"", headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and self.command != "HEAD":
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the daemon was killed mid-request, as some tests intend
        self.note(status)

    def do_GET(self):
        if not self.path.startswith("/feeds/"):
            return self.reply(404)
        name = os.path.basename(self.path.split("?")[0])
        path = os.path.join(DIR, name)
        if not os.path.isfile(path):
            return self.reply(404)
        status = int(ctl(name + ".status", "200"))
        if status != 200:
            return self.reply(status, b"unavailable")
        with open(path, "rb") as f:
            body = f.read()
        etag = '"%s"' % hashlib.sha256(body).hexdigest()[:16]
        lm = email.utils.formatdate(os.stat(path).st_mtime, usegmt=True)
        if self.headers.get("If-None-Match") == etag:
            return self.reply(304, headers=[("ETag", etag)])
        hdrs = [("ETag", etag), ("Last-Modified", lm), ("Content-Type", "application/xml")]
        if ctl("gzip", "0") == "1" and "gzip" in self.headers.get("Accept-Encoding", ""):
            import gzip
            body = gzip.compress(body)
            hdrs.append(("Content-Encoding", "gzip"))
        self.reply(200, body, hdrs)

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        if not self.path.startswith("/hook/"):
            return self.reply(404)
        name = os.path.basename(self.path)
        with LOCK, open(os.path.join(DIR, "requests.log"), "a") as f:
            f.write("POST-START %s\n" % self.path)
        time.sleep(float(ctl("hook-%s.delay" % name, "0")))
        status = int(ctl("hook-%s.status" % name, "200"))
        rec = {"headers": {k.lower(): v for k, v in self.headers.items()},
               "body": body.decode("utf-8", "replace"), "status": status,
               "at": time.time()}
        with LOCK, open(os.path.join(DIR, "hook-%s.jsonl" % name), "a") as f:
            f.write(json.dumps(rec) + "\n")
        self.reply(status, b"ok" if status < 300 else b"no")


def main():
    # httpd.py DIR [PORT] [CERT KEY]: with a certificate and key, HTTPS.
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    srv.daemon_threads = True
    if len(sys.argv) > 4:
        import ssl
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(sys.argv[3], sys.argv[4])
        if len(sys.argv) > 5:  # CLIENT_CA: a client certificate is required
            ctx.verify_mode = ssl.CERT_REQUIRED
            ctx.load_verify_locations(sys.argv[5])
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    tmp = os.path.join(DIR, "port.tmp")
    with open(tmp, "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(tmp, os.path.join(DIR, "port"))
    srv.serve_forever()


if __name__ == "__main__":
    main()
