#!/usr/bin/env bash
# tmux from Debian for the terminal test of jssctl (test/cli.e2e-spec.ts), only when missing.
set -euo pipefail
command -v tmux >/dev/null && exit 0
[ "$(id -u)" -eq 0 ] || { echo "install-tmux: need root to apt-get install tmux" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends tmux >/dev/null
