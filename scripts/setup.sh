#!/usr/bin/env bash
# Installs what the build and the tests need, idempotently: each step checks first.
#   scripts/setup.sh rust   rustup target for wasm (rust-toolchain.toml pins the toolchain)
#   scripts/setup.sh tools  Debian's bpftool, clang-19, llvm-19, libbpf-dev, pahole (differential tests)
#   scripts/setup.sh web    wasm-bindgen-cli (the exact version of Cargo.lock), npm packages
#   scripts/setup.sh browser Debian's chromium + chromium-driver (end-to-end and wasm tests)
#   scripts/setup.sh all    everything above
set -euo pipefail
cd "$(dirname "$0")/.."

have() { command -v "$1" >/dev/null 2>&1; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif have sudo; then sudo "$@"; else "$@"; fi; }

apt_updated=
apt_install() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ -z "$apt_updated" ]; then as_root apt-get update -q; apt_updated=1; fi
  # A vanished /tmp .deb (seen on these machines) leaves packages half-configured: retry once.
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" \
    || as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

setup_rust() {
  rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown \
    || rustup target add wasm32-unknown-unknown
}

setup_tools() {
  apt_install bpftool clang-19 llvm-19 libbpf-dev pahole
}

setup_web() {
  setup_rust
  local want
  want=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/"/, "", $3); print $3; exit}' Cargo.lock)
  if [ -n "$want" ] && [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$want" ]; then
    cargo install wasm-bindgen-cli --version "$want"
  fi
  # binaryen (wasm-opt) and playwright-core, exactly as package-lock.json pins them.
  if [ -f package.json ] && { [ ! -x node_modules/.bin/wasm-opt ] || [ package-lock.json -nt node_modules/.stamp ]; }; then
    npm ci --no-audit --no-fund && touch node_modules/.stamp
  fi
}

setup_browser() {
  apt_install chromium chromium-driver
}

case "${1:-all}" in
  rust) setup_rust ;;
  tools) setup_tools ;;
  web) setup_web ;;
  browser) setup_browser ;;
  all) setup_rust; setup_tools; setup_browser; setup_web ;;
  *) echo "usage: $0 rust|tools|web|browser|all" >&2; exit 2 ;;
esac
