#!/usr/bin/env bash
# Installs everything the tests need on a fresh Debian machine, then runs the type check, the lint and the tests.
# Debian packages: docker-registry (CNCF distribution, the real OCI registry the tests start on
# 127.0.0.1), skopeo (pushes test images), apache2-utils (htpasswd for the registry's Basic auth) and
# containerd (its daemon and ctr pull through the mirror-mode hosts.toml files in test/node-config)
# and openssl (throw-away certificates for the HTTPS registries of test/prewarm/hostile-registry.ts).
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v docker-registry >/dev/null 2>&1 || [ -x /usr/bin/docker-registry ] || need+=(docker-registry)
command -v skopeo >/dev/null 2>&1 || need+=(skopeo)
command -v htpasswd >/dev/null 2>&1 || need+=(apache2-utils)
{ command -v containerd >/dev/null 2>&1 && command -v ctr >/dev/null 2>&1; } || need+=(containerd)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing Debian packages: ${need[*]} (run as root, or: sudo apt-get install ${need[*]})" >&2
    exit 1
  fi
  echo "installing Debian packages: ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  # npm ci installs exactly the lock file. A lock file written by an npm that lists only its own
  # platform's optional binaries is refused by npm 11's ci; npm install then repairs it.
  npm ci --no-audit --no-fund || npm install --no-audit --no-fund
fi

# The package test installs the packed tarball into a fresh consumer with --offline; put the exact
# versions it needs (the lock file's) into npm's cache now, while installing is what this step does.
node scripts/consumer-deps.js | xargs npm cache add

npm run --silent typecheck
# The layers (docs/architecture.md): no import cycles, imports point down only.
npm run --silent deps
# The public API (index.ts) against its committed report, etc/ptc-autopilot.api.md (npm run api:update after a deliberate change).
npm run --silent api
npm run --silent lint
npm run --silent format:check
# The prewarm tests start real registries; say so plainly here if this machine cannot.
bash scripts/registry.sh check
mkdir -p .tmp
status=0
npx jest --ci --json --outputFile=.tmp/jest-results.json "$@" || status=$?
node -e '
  const r = require("./.tmp/jest-results.json");
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed` + (r.numPendingTests ? `, ${r.numPendingTests} skipped` : ""));
' || true
exit $status
