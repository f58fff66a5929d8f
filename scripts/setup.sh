#!/usr/bin/env bash
# Idempotent machine + project set-up: Debian packages, npm dependencies, the mediasoup worker.
# A second run on a prepared machine takes a few seconds. Prints nothing but progress to stderr;
# writes the worker path to .cache/worker-bin for the other scripts.
set -euo pipefail
cd "$(dirname "$0")/.."

DEB_PACKAGES=(
  redis-server postgresql coturn haproxy stress-ng ffmpeg chromium fonts-wqy-microhei
  meson ninja-build pkg-config g++ python3
  libuv1-dev libssl-dev libsrtp2-dev libusrsctp-dev libabsl-dev nlohmann-json3-dev catch2
  python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-rtsp gstreamer1.0-plugins-base
  gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly
)

missing=()
for p in "${DEB_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing Debian packages: ${missing[*]}" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  else
    echo "setup: missing Debian packages; run as root:" >&2
    echo "  sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

# npm dependencies. Install scripts are skipped on purpose: mediasoup's and ffmpeg-static's would
# download binaries (no internet here); better-sqlite3 is built from source below.
stamp=node_modules/.install-stamp
lock_hash="$(sha256sum package-lock.json | cut -c1-16)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_hash" ]; then
  echo "setup: npm ci" >&2
  npm ci --ignore-scripts --no-audit --no-fund >&2
  npm rebuild better-sqlite3 >&2
  echo "$lock_hash" > "$stamp"
fi

worker_dir="$(bash scripts/worker/build.sh)"
mkdir -p .cache
echo "$worker_dir/mediasoup-worker" > .cache/worker-bin
echo "setup: ok (mediasoup worker: $worker_dir)" >&2
