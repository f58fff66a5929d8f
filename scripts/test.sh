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

# One vitest run per project (vitest.config.ts), each timed, so a slow or failing layer is
# visible on its own. Arguments (file filters, -t) go to every project.
status=0
summary=()
for project in unit integration browser; do
  echo "== $project tests"
  results=".cache/vitest-$project.json"
  rm -f "$results"
  started=$(date +%s)
  npx vitest run --project "$project" --passWithNoTests --reporter=default --reporter=json --outputFile="$results" "$@" || status=$?
  seconds=$(( $(date +%s) - started ))
  if [ -f "$results" ]; then
    summary+=("$(node -e 'const r = require(process.argv[1]);
      console.log(`${process.argv[2]}: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped in ${process.argv[3]} s`);' "$PWD/$results" "$project" "$seconds")")
  else
    summary+=("$project: no results (vitest failed to start) after $seconds s")
  fi
done
# Plain closing lines for whoever reads only the end of the log: the failed tests by name with
# the first line of their error, then the counts.
for project in unit integration browser; do
  results=".cache/vitest-$project.json"
  [ -f "$results" ] && node -e 'const r = require(process.argv[1]);
    for (const file of r.testResults) for (const t of file.assertionResults)
      if (t.status === "failed") console.log(`FAILED ${process.argv[2]}: ${file.name.replace(process.cwd() + "/", "")} > ${t.fullName}\n    ${(t.failureMessages[0] ?? "").split("\n")[0].slice(0, 300)}`);
    for (const file of r.testResults) if (file.status === "failed" && file.assertionResults.length === 0)
      console.log(`FAILED ${process.argv[2]}: ${file.name.replace(process.cwd() + "/", "")} (no test ran)\n    ${(file.message ?? "").split("\n")[0].slice(0, 300)}`);' "$PWD/$results" "$project"
done
printf '%s\n' "${summary[@]}"
exit "$status"
