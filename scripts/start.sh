#!/usr/bin/env bash
# `npm start`: set-up (idempotent), build the web client, run one server node.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npx vite build --config client-web/vite.config.ts --logLevel warn
# mediasoup reads MEDIASOUP_WORKER_BIN when it loads; an explicitly set one wins.
export MEDIASOUP_WORKER_BIN="${MEDIASOUP_WORKER_BIN:-$(cat .cache/worker-bin)}"
# `npm start` is the development run: explicit development mode on loopback, the only place the
# dev sign-in and the fixed development secret exist (server/core/config.ts). A deployment sets
# NODE_ENV=production, HOST and JWT_SECRET itself.
export NODE_ENV="${NODE_ENV:-development}"
export HOST="${HOST:-127.0.0.1}"
exec node --import tsx server/main.ts
