# corelab — the two commands a fresh machine needs:
#   make serve   build the playground and serve it on http://127.0.0.1:8080
#   make test    install what the tests need, then run every test
.PHONY: test serve dist setup setup-web check unit lint doc wasm-core web-test wasm-api e2e bench-web bench scoreboard access-diff

PORT ?= 8080

test: setup check

setup:
	scripts/setup.sh all

# Everything CI checks, assuming the tools are installed. (That core builds for wasm32 is
# checked by web-test, whose site and JS API tests build it for wasm32; `make wasm-core` alone
# is the quick check while working on core.)
check: lint unit doc web-test

lint:
	scripts/check-paths.py
	cargo fmt --all --check
	cargo clippy --workspace --all-targets --locked -- -D warnings
	# The browser half of web/ is wasm-only. The site's profile compiles proc macros without
	# optimisation (dev's `package."*"` optimises them: 10 min here instead of 40 s).
	cargo clippy --profile wasm-release -p corelab-web --target wasm32-unknown-unknown \
	  --all-targets --features api --locked -- -D warnings

unit:
	cargo test --workspace --locked

wasm-core:
	cargo build -p corelab --target wasm32-unknown-unknown --locked

doc:
	RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked

# The playground: a static site in dist/ (git-ignored), served with the production headers.
setup-web:
	scripts/setup.sh web

dist: setup-web
	scripts/build-web.sh

serve: dist
	python3 scripts/serve.py --dir dist --port $(PORT)

# Browser tests: the JS API in headless Chromium (wasm-bindgen-test), then end-to-end
# tests of the built site (playwright-core + Debian's chromium; screenshots in tests/e2e/out).
web-test: e2e wasm-api

# Built with the site's profile so it reuses the dependencies `make dist` compiled.
wasm-api:
	CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
	  cargo test --profile wasm-release -p corelab-web --target wasm32-unknown-unknown \
	  --features api --test api --locked

e2e: dist
	node tests/e2e/e2e.mjs
	node tests/e2e/catalog.mjs

# The CLI against bpftool and libbpf, same files, same run (scripts/bench.sh).
bench:
	cargo build --release -p corelab-cli --locked
	scripts/bench.sh

# The engine and the playground in Chromium against the native CLI, a cold first visit,
# and the shipped wasm sizes (scripts/bench-web.mjs).
bench-web: dist
	cargo build --release -p corelab-cli --locked
	node scripts/bench-web.mjs

# `corelab access` against clang-19 at full size: 300 random expressions per kernel over 5.10
# and 6.1 (the differential test of tests/it/access.rs; `cargo test` runs 40 per kernel).
access-diff:
	CORELAB_ACCESS_DIFF=300 cargo test -p corelab-tests --test it access -- --nocapture

scoreboard:
	cargo build --release -p corelab-cli --locked
	../shared/checks/scoreboard.sh
