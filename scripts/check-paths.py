#!/usr/bin/env python3
"""Every path the docs and comments name must exist (`make lint` runs this).

Scans the files git tracks: all of a Markdown file, and the comments of code (`//`, `#`,
`/* */`, `<!-- -->`). A path is a token with a `/` whose first part is a directory of one
of the trees it may be relative to: the repository, the file's own directory, the source
roots a code map speaks from (core/src, web/src, cli/src, tests), and ../shared (the team's
shared tree, which every checkout and CI have; `spec/…` is its `spec/`). Other tokens (a URL,
a path on a Linux host, another project's file) are not this repository's business. Build
outputs (dist/, target/, tests/e2e/out/, node_modules/) are never tracked and not checked.

    scripts/check-paths.py            prints every missing path, exits 1 if any
"""
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), "shared")
SOURCE_ROOTS = ["core/src", "web/src", "cli/src", "tests", "core", "web", "cli"]
OUTPUTS = ("dist/", "target/", "tests/e2e/out", "node_modules/", "dist.tmp/")
CODE = {".rs", ".mjs", ".js", ".sh", ".py", ".toml", ".css", ".html", ".yml", ".yaml"}

TOKEN = re.compile(r"(?<![\w./:@~-])((?:\.\./)?(?:[A-Za-z0-9_.-]+/)+[A-Za-z0-9_.-]*)")
HASH_ONLY = {".sh", ".py", ".toml", ".yml", ".yaml"}
COMMENT = re.compile(r"(?://+!?|#|/\*|<!--)(.*)")
HASH_COMMENT = re.compile(r"#(.*)")


def tracked():
    out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True)
    return [f for f in out.stdout.splitlines() if not f.startswith("tests/data/")]


def texts(path):
    """The lines of `path` to scan: every line of Markdown, the comment part of code."""
    ext = os.path.splitext(path)[1]
    name = os.path.basename(path)
    try:
        lines = open(os.path.join(ROOT, path), encoding="utf-8").read().splitlines()
    except (UnicodeDecodeError, FileNotFoundError):
        return
    if ext == ".md":
        yield from enumerate(lines, 1)
        return
    if ext not in CODE and name not in ("Makefile", "_headers", "run"):
        return
    for n, line in enumerate(lines, 1):
        # In a shell script, Python or a Makefile only `#` opens a comment (`/*` is a glob).
        hash_only = ext in HASH_ONLY or name in ("Makefile", "run", "_headers")
        m = (HASH_COMMENT if hash_only else COMMENT).search(line)
        # A `#` inside a Rust/JS line is rarely a comment (attributes, private fields).
        if m and not (m.group(0).startswith("#") and ext in (".rs", ".mjs", ".js", ".css")):
            yield n, m.group(1)


def bases(path):
    here = os.path.dirname(os.path.join(ROOT, path))
    yield here
    yield ROOT
    # A code map (a top-level document) speaks from every source root; a file in a package
    # from its own.
    top = "/" not in path
    for r in SOURCE_ROOTS:
        if top or path.startswith(r.split("/")[0] + "/"):
            yield os.path.join(ROOT, r)
    yield os.path.dirname(ROOT)  # ../shared/… written from the repository root
    yield SHARED  # spec/… = ../shared/spec/…


def checked(token):
    """The token as a path to check, or None when it is not one of ours."""
    token = token.rstrip(".,;:)")
    if any(c in token for c in "*<>{}$%…") or "//" in token:
        return None
    # `./x.js` in a snippet is relative to wherever it is run (the built site).
    if token.startswith(("http", "www.", "/", "./")) or token.startswith(OUTPUTS):
        return None
    if not token or token.endswith("/.") or token in ("./", "../"):
        return None
    return token


def exists(path, token):
    first = token.split("/")[0] if not token.startswith("../") else "/".join(token.split("/")[:2])
    ours = False
    for b in bases(path):
        if os.path.exists(os.path.join(b, first)):
            ours = True
            if os.path.exists(os.path.join(b, token)):
                return True
    # Not under any tree we know: not ours to check.
    return not ours


def main():
    missing = []
    for path in tracked():
        for n, text in texts(path):
            for m in TOKEN.finditer(text):
                token = checked(m.group(1))
                if token and not exists(path, token):
                    missing.append(f"{path}:{n}: {token}")
    for m in missing:
        print(f"missing path: {m}")
    if missing:
        print(f"{len(missing)} paths named in docs and comments do not exist", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
