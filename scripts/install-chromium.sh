#!/usr/bin/env bash
# Installs a headless Chromium from Debian's packages when none is on the PATH (chromium-headless-shell,
# the smaller one; a full `chromium` is used when present). The drills test renders the evidence
# report's HTML with it (`--headless --dump-dom`). Safe to run again.
set -euo pipefail

command -v chromium-headless-shell >/dev/null || command -v chromium >/dev/null && exit 0
[ "$(id -u)" -eq 0 ] || { echo "install-chromium: need root to apt-get install chromium-headless-shell" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium-headless-shell >/dev/null
