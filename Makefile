# corelab — the two commands a fresh machine needs:
#   make serve   build the playground and serve it on http://127.0.0.1:8080
#   make test    install what the tests need, then run every test
.PHONY: test serve dist setup check unit lint doc wasm-core bench scoreboard

PORT ?= 8080

test: setup check

setup:
	scripts/setup.sh all

# Everything CI checks, assuming the tools are installed.
check: lint unit wasm-core doc

lint:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets --locked -- -D warnings

unit:
	cargo test --workspace --locked

wasm-core:
	cargo build -p corelab --target wasm32-unknown-unknown --locked

doc:
	RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked

scoreboard:
	cargo build --release -p corelab-cli --locked
	../shared/checks/scoreboard.sh
