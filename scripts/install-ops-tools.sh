#!/usr/bin/env bash
# Installs what the ops checks (test/ops) need from Debian's packages, only what is missing:
# prometheus and promtool (package prometheus), and docker-compose 1.29, which validates
# docker-compose.yml without a Docker engine. Safe to run again.
# The package's own Prometheus service (port 9090) is never left running: the tests start their
# own prometheus on a free port.
set -euo pipefail

missing=()
{ command -v prometheus && command -v promtool; } >/dev/null || missing+=(prometheus)
command -v docker-compose >/dev/null || missing+=(docker-compose)
[ ${#missing[@]} -eq 0 ] && exit 0

[ "$(id -u)" -eq 0 ] || { echo "install-ops-tools: need root to apt-get install ${missing[*]}" >&2; exit 1; }

# keep invoke-rc.d from starting the package's service during the install
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

# under systemd the unit is enabled and started regardless of policy-rc.d
if [ -d /run/systemd/system ] && systemctl -q is-active prometheus 2>/dev/null; then
  systemctl disable --now prometheus
fi
