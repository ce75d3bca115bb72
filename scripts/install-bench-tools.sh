#!/usr/bin/env bash
# Installs what `npm run bench` compares with, when it can: restic (the restore reference), from
# Debian's packages. Quiet; safe to run again. Without root or apt-get it says so and exits 0: the
# bench then runs without its restic row.
set -uo pipefail

if command -v restic >/dev/null; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "install-bench-tools: restic is not installed and cannot be installed here (needs root and apt-get); the bench skips its restic row" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends restic; } >/dev/null 2>&1; then
  echo "install-bench-tools: apt-get install restic failed; the bench skips its restic row" >&2
  exit 0
fi
echo "install-bench-tools: $(restic version)"
