#!/usr/bin/env bash
# Netlify's build command. Netlify has already run `npm install` (package.json exists) and
# restores ~/.rustup, ~/.cargo and ./target from its build cache, so wasm-bindgen-cli is
# compiled once (about 4 minutes) and cached after that.
set -euo pipefail
cd "$(dirname "$0")/.."

# The toolchain and the wasm32 target that rust-toolchain.toml names (rustup >= 1.28).
rustup toolchain install
scripts/setup.sh web
scripts/build-web.sh
