#!/usr/bin/env bash
# Builds the project's one native addon, recordings/native/datagram-reader.c (recvmmsg for the
# recorder intake), against the running Node's own headers, into .cache/native/. A C compiler and
# Node's headers are on every machine of this kind (docs/deployment.md); node-gyp is not needed
# for one file. Idempotent: rebuilt only when the source, this recipe or Node's ABI changed.
# Prints the addon's path on the last line of stdout. The recorder works without it (reading
# packet by packet, slower), so a machine without a compiler or Node's headers gets a warning;
# a compile error where both exist is a defect and stops the set-up.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
src="$root/recordings/native/datagram-reader.c"
out_dir="$root/.cache/native"
out="$out_dir/datagram-reader.node"
key="$(cat "$src" "$0" | sha256sum | cut -c1-12)-$(node -p 'process.versions.modules')"
if [ -f "$out" ] && [ "$(cat "$out_dir/datagram-reader.key" 2>/dev/null)" = "$key" ]; then
  echo "$out"; exit 0
fi
headers="$(node -p "require('node:path').resolve(process.execPath, '../../include/node')")"
[ -f "$headers/node_api.h" ] || headers="$(npm config get nodedir 2>/dev/null)/include/node"
if [ ! -f "$headers/node_api.h" ] || ! command -v cc >/dev/null; then
  echo "native: warning: no C compiler or no Node headers ($headers); the recorder reads packet by packet" >&2
  exit 0
fi
mkdir -p "$out_dir"
cc -O2 -Wall -Wextra -Werror -std=c11 -fPIC -shared -I"$headers" -o "$out.tmp" "$src"
mv "$out.tmp" "$out"
echo "$key" > "$out_dir/datagram-reader.key"
echo "$out"
