#!/usr/bin/env bash
# `npm start`: set-up (idempotent), build the web client, run one server node.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npx vite build --config client-web/vite.config.ts --logLevel warn
# mediasoup reads MEDIASOUP_WORKER_BIN when it loads; an explicitly set one wins.
export MEDIASOUP_WORKER_BIN="${MEDIASOUP_WORKER_BIN:-$(cat .cache/worker-bin)}"
exec node --import tsx server/main.ts
