#!/usr/bin/env bash
# The embedded defaults end to end: install, build, make sure RabbitMQ and Redis run, then
# `jssctl demo` (starts the four services, seeds a two-VM domain, fails it over with progress).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run build --silent
bash scripts/services.sh
exec node dist/apps/jssctl/main.js demo "$@"
