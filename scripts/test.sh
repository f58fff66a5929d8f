#!/usr/bin/env bash
# The one test command (npm test, .ci/run): set-up, type-check, the layer rule, mediasoup's own
# worker tests when the cached build has not passed them yet, then every unit, integration and
# browser test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export MEDIASOUP_WORKER_BIN="$(cat .cache/worker-bin)"

echo "== type-check"
npx tsc -p tsconfig.json --noEmit

echo "== layer rule (.dependency-cruiser.cjs)"
npm run --silent lint:layers

echo "== mediasoup worker test suite"
bash scripts/worker/test.sh "$(dirname "$MEDIASOUP_WORKER_BIN")"

echo "== web client build"
npx vite build --config client-web/vite.config.ts --logLevel warn

echo "== unit, integration and browser tests"
results=.cache/vitest-results.json
rm -f "$results"
status=0
npx vitest run --reporter=default --reporter=json --outputFile="$results" "$@" || status=$?
# One plain closing line for whoever reads only the end of the log.
if [ -f "$results" ]; then
  node -e 'const r = require(process.argv[1]);
    console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);' "$PWD/$results"
fi
exit "$status"
