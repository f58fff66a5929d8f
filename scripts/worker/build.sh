#!/usr/bin/env bash
# Builds mediasoup-worker (and mediasoup-worker-test) from the npm package's own sources against
# Debian's libraries, into a per-machine cache keyed by mediasoup version and this recipe.
# Prints the cache directory on the last line of stdout. Idempotent: a cached build returns at once.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
src="$root/node_modules/mediasoup/worker"
[ -d "$src" ] || { echo "mediasoup is not installed (run npm ci first)" >&2; exit 1; }

version="$(node -p "require('$root/node_modules/mediasoup/package.json').version")"
recipe="$(cat "$here/build.sh" "$here/patch-meson.mjs" | sha256sum | cut -c1-12)"
cache_root="${MEDIASOUP_WORKER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/suzhou-video/mediasoup-worker}"
out="$cache_root/$version-$recipe"

if [ -x "$out/mediasoup-worker" ] && [ -x "$out/mediasoup-worker-test" ]; then
  echo "$out"; exit 0
fi

echo "building mediasoup-worker $version (recipe $recipe) into $out; ~4-8 min on 2 cores" >&2
work="$cache_root/.build-$version-$recipe-$$"
rm -rf "$work"; mkdir -p "$work"
trap 'rm -rf "$work"' EXIT
cp -r "$src" "$work/worker"
node "$here/patch-meson.mjs" "$work/worker" >&2
cd "$work/worker"
meson setup build --buildtype=release -Db_ndebug=true -Dwarning_level=0 >"$work/meson.log" 2>&1 \
  || { cat "$work/meson.log" >&2; exit 1; }
ninja -C build -j"$(nproc)" mediasoup-worker mediasoup-worker-test >"$work/ninja.log" 2>&1 \
  || { tail -60 "$work/ninja.log" >&2; exit 1; }
mkdir -p "$out.tmp"
cp build/mediasoup-worker build/mediasoup-worker-test "$out.tmp/"
rm -rf "$out"; mv "$out.tmp" "$out"
echo "$out"
