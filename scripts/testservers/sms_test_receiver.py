"""A local stand-in for an SMS provider's HTTP API, for the SMS gateway transport tests (127.0.0.1 only).

Every POST is written as one JSON file into --spool (method, path, headers, body as text) before it is answered,
so a test reads what was delivered. It answers by path:

  /messages          202 when "Authorization: Bearer <--key>", else 401
  /status/NNN        NNN (any status from 200 to 599), after recording
  /slow              waits 5 s, then 202 (for the client's timeout)
  /large             202 with a 256 KiB body (for the client's response bound)
  /redirect          302 to /messages (the client must not follow it)

Serves plain HTTP on --http-port and HTTPS with --cert/--key on --https-port.
"""

import argparse
import json
import os
import signal
import ssl
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def make_handler(spool, key):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format, *args):
            pass

        def answer(self, status, body=b"{}", extra=()):
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for name, value in extra:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            length = min(int(self.headers.get("Content-Length", "0")), 1 << 20)
            body = self.rfile.read(length)
            record = {
                "method": "POST",
                "path": self.path,
                "tls": isinstance(self.connection, ssl.SSLSocket),
                "headers": {name.lower(): value for name, value in self.headers.items()},
                "body": body.decode("utf-8", "replace"),
            }
            name = f"{time.time_ns():020d}-{uuid.uuid4().hex}.json"
            temporary = os.path.join(spool, "." + name)
            with open(temporary, "w") as file:
                json.dump(record, file)
            os.rename(temporary, os.path.join(spool, name))

            if self.path == "/messages":
                if self.headers.get("Authorization") == f"Bearer {key}":
                    self.answer(202, b'{"status":"queued"}')
                else:
                    self.answer(401, b'{"error":"unauthorized"}')
            elif self.path.startswith("/status/"):
                self.answer(int(self.path.rsplit("/", 1)[1]))
            elif self.path == "/slow":
                time.sleep(5)
                self.answer(202)
            elif self.path == "/large":
                self.answer(202, b"x" * (256 * 1024))
            elif self.path == "/redirect":
                self.answer(302, extra=[("Location", "/messages")])
            else:
                self.answer(404)

    return Handler


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--spool", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--tls-key", required=True)
    parser.add_argument("--http-port", type=int, required=True)
    parser.add_argument("--https-port", type=int, required=True)
    options = parser.parse_args()
    os.makedirs(options.spool, exist_ok=True)

    handler = make_handler(options.spool, options.key)
    plain = ThreadingHTTPServer(("127.0.0.1", options.http_port), handler)
    secure = ThreadingHTTPServer(("127.0.0.1", options.https_port), handler)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(options.cert, options.tls_key)
    secure.socket = context.wrap_socket(secure.socket, server_side=True)
    for server in (plain, secure):
        threading.Thread(target=server.serve_forever, daemon=True).start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    print("sms test receiver ready", flush=True)
    stop.wait()
    for server in (plain, secure):
        server.shutdown()


if __name__ == "__main__":
    main()
