#!/usr/bin/env bash
# Builds the static site into dist/: the app and engine wasm, the shell from www/, and the
# bundled kernels (copies of tests/data/btf/*.btf.gz), the kernel catalogue split into its
# head and segments (scripts/catalog/split.py). Every URL in it is relative, so it
# works from any static server and any sub-path.
#   WEB_PROFILE=dev scripts/build-web.sh   quick debug build (no wasm-opt)
#   WASM_OPT=0 scripts/build-web.sh        skip wasm-opt
set -euo pipefail
cd "$(dirname "$0")/.."

out=${DIST:-dist}
profile=${WEB_PROFILE:-wasm-release}
dir=${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/$([ "$profile" = dev ] && echo debug || echo "$profile")
build=(cargo build --locked --profile "$profile" --target wasm32-unknown-unknown -p corelab-web)

"${build[@]}" --bin app
"${build[@]}" --bin corelab --features api

tmp="$out.tmp"
rm -rf "$tmp"
mkdir -p "$tmp/kernels"
wasm-bindgen --target web --no-typescript --out-dir "$tmp" "$dir/app.wasm"
# The engine keeps its .d.ts: it is the JS API documentation authors import.
wasm-bindgen --target web --out-dir "$tmp" "$dir/corelab.wasm"

if [ "${WASM_OPT:-1}" != 0 ] && [ "$profile" != dev ]; then
  # npm's binaryen: Debian's wasm-opt 108 cannot parse wasm-bindgen 0.2.130 output.
  for w in "$tmp/app_bg.wasm" "$tmp/corelab_bg.wasm"; do
    node_modules/.bin/wasm-opt -O3 "$w" -o "$w"
  done
fi

cp -r www/. "$tmp/"
cp tests/data/btf/*.btf.gz "$tmp/kernels/"
# The kernel catalogue, as its head and one file per segment (fetched per build).
python3 scripts/catalog/split.py catalog/debian.btfcat "$tmp/catalog"

# The service worker prunes its kernel cache down to what this build serves: the catalogue's
# segment directory and the bundled kernels.
catalog_version=$(ls "$tmp/catalog/s")
bundled=$(cd "$tmp/kernels" && ls | python3 -c 'import json, sys; print(json.dumps(sys.stdin.read().split()))')
sed -i -e "s|^const CATALOG = \"dev\";|const CATALOG = \"$catalog_version\";|" \
  -e "s|^const KERNELS = \[\];|const KERNELS = $bundled;|" "$tmp/sw.js"
# The service worker's cache name follows the content, so a new build replaces the old shell.
hash=$(cd "$tmp" && find . -type f ! -name sw.js -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-12)
sed -i "s/^const BUILD = \"dev\";/const BUILD = \"$hash\";/" "$tmp/sw.js"

rm -rf "$out"
mv "$tmp" "$out"
echo "built $out/ (build $hash):"
ls -l "$out"/*.wasm "$out"/*.js | awk '{printf "  %-28s %10d\n", $NF, $5}'
