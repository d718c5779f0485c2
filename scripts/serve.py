#!/usr/bin/env python3
"""Serves a built site (dist/) on 127.0.0.1, applying its Netlify-style `_headers` file, so
the production Content-Security-Policy is what `make serve` and the browser tests run under.

    scripts/serve.py [--dir dist] [--port 8080]    (--port 0: any free port, printed)
"""
import argparse
import fnmatch
import functools
import http.server
import os
import sys


def parse_headers(path):
    """`_headers`: a path pattern on its own line, then indented `Name: value` lines."""
    rules = []
    try:
        lines = open(path, encoding="utf-8").read().splitlines()
    except FileNotFoundError:
        return rules
    for line in lines:
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            rules.append((line.strip(), []))
        elif rules and ":" in line:
            name, value = line.strip().split(":", 1)
            rules[-1][1].append((name.strip(), value.strip()))
    return rules


class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm",
        ".js": "text/javascript",
        ".mjs": "text/javascript",
        ".svg": "image/svg+xml",
        ".gz": "application/gzip",
    }
    rules = []

    def end_headers(self):
        path = self.path.split("?", 1)[0]
        for pattern, headers in self.rules:
            if fnmatch.fnmatchcase(path, pattern):
                for name, value in headers:
                    if name.lower() == "content-type":
                        continue  # set by send_head from extensions_map, never twice
                    self.send_header(name, value)
        super().end_headers()

    def log_message(self, fmt, *args):
        if os.environ.get("SERVE_LOG"):
            super().log_message(fmt, *args)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", default="dist")
    ap.add_argument("--port", type=int, default=8080)
    ap.add_argument("--bind", default="127.0.0.1")
    a = ap.parse_args()
    Handler.rules = parse_headers(os.path.join(a.dir, "_headers"))
    handler = functools.partial(Handler, directory=a.dir)
    server = http.server.ThreadingHTTPServer((a.bind, a.port), handler)
    server.daemon_threads = True
    print(f"serving {a.dir}/ on http://{a.bind}:{server.server_address[1]}/", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
