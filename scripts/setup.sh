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

# Recording sockets ask the kernel for 2 s of their stream's highest rate (receiveBufferBytes() in
# recordings/track-recorder.ts: ~1.9 MB for video) so a slow turn of the event loop drops nothing;
# the kernel caps every socket at net.core.rmem_max (Debian's default is 208 KiB).
want_rmem=4194304
have_rmem="$(cat /proc/sys/net/core/rmem_max 2>/dev/null || echo 0)"
if [ "$have_rmem" -lt "$want_rmem" ]; then
  if [ "$(id -u)" = 0 ] && sysctl -q -w net.core.rmem_max="$want_rmem" >/dev/null 2>&1; then
    echo "net.core.rmem_max = $want_rmem" > /etc/sysctl.d/60-suzhou-video.conf 2>/dev/null || true
    echo "setup: net.core.rmem_max raised from $have_rmem to $want_rmem (recording socket buffers)" >&2
  else
    echo "setup: warning: net.core.rmem_max is $have_rmem; recording sockets want $want_rmem." >&2
    echo "  As root: sysctl -w net.core.rmem_max=$want_rmem (and put it in /etc/sysctl.d/ to keep it)" >&2
  fi
fi

# TURN (docs/deployment.md#turn): with TURN_SECRET and TURN_URLS set, coturn gets the config
# scripts/turn-conf.sh prints from TURN_* and is (re)started; the node issues credentials with the
# same secret. Unset: coturn is installed but left alone.
if [ -n "${TURN_SECRET:-}" ] && [ -n "${TURN_URLS:-}" ]; then
  turn_conf="${TURN_CONF:-/etc/turnserver.conf}"
  if [ -w "$(dirname "$turn_conf")" ]; then
    new_conf="$(bash scripts/turn-conf.sh)"
    if [ ! -f "$turn_conf" ] || [ "$(cat "$turn_conf")" != "$new_conf" ]; then
      [ -f "$turn_conf" ] && ! grep -q 'scripts/turn-conf.sh' "$turn_conf" && cp "$turn_conf" "$turn_conf.orig"
      (umask 077 && printf '%s\n' "$new_conf" > "$turn_conf")
      chown turnserver: "$turn_conf" 2>/dev/null || true
      echo "setup: coturn configured in $turn_conf" >&2
      if [ -d /run/systemd/system ]; then
        systemctl enable -q coturn && systemctl restart coturn && echo "setup: coturn (re)started" >&2
      else
        echo "setup: no systemd here; start coturn with: turnserver -c $turn_conf" >&2
      fi
    fi
  else
    echo "setup: warning: TURN_* set but $turn_conf is not writable; run as root (or set TURN_CONF)" >&2
  fi
fi

worker_dir="$(bash scripts/worker/build.sh)"
bash scripts/native/build.sh >/dev/null
mkdir -p .cache
echo "$worker_dir/mediasoup-worker" > .cache/worker-bin
echo "setup: ok (mediasoup worker: $worker_dir)" >&2
