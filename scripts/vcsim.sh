#!/usr/bin/env bash
# vcsim, govmomi's vCenter simulator, for the tests and the bench (no Docker, no internet: Debian's
# packages only). `scripts/vcsim.sh build` installs Go 1.19 and govmomi's source from Debian when they
# are missing (needs root and apt-get) and builds ops/vcsim/main.go in GOPATH mode into
# .cache/vcsim/vcsim, once (skipped while the binary is newer than main.go); it prints the binary's path.
# `scripts/vcsim.sh start PORT [vcsim flags...]` builds if needed, then runs vcsim on 127.0.0.1:PORT in
# the foreground (it prints one JSON line {"url", "datastores"} once it listens).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
CACHE="$ROOT/.cache/vcsim"
BIN="$CACHE/vcsim"
SRC="$ROOT/ops/vcsim/main.go"
GO=/usr/lib/go-1.19/bin/go
PACKAGES=(golang-1.19-go golang-github-vmware-govmomi-dev golang-github-google-uuid-dev)

install_packages() {
  local missing=()
  for p in "${PACKAGES[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
    echo "vcsim.sh: missing Debian packages ${missing[*]} (apt-get install them as root)" >&2
    exit 1
  fi
  echo "vcsim.sh: apt-get install ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2; then
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  fi
}

build() {
  mkdir -p "$CACHE"
  # on a fresh machine several test suites start vcsim at once: one apt-get and one build at a time,
  # the others wait for it and use its binary
  (
    flock 9
    if [ -x "$BIN" ] && [ "$BIN" -nt "$SRC" ]; then exit 0; fi
    install_packages
    mkdir -p "$CACHE/gopath/src/jss/vcsim"
    cp "$SRC" "$CACHE/gopath/src/jss/vcsim/main.go"
    echo "vcsim.sh: building vcsim (GOPATH mode, offline)" >&2
    cd "$CACHE/gopath/src/jss/vcsim"
    GO111MODULE=off GOPROXY=off GOFLAGS= GOPATH="$CACHE/gopath:/usr/share/gocode" GOCACHE="$CACHE/gocache" \
      "$GO" build -o "$BIN.tmp" .
    mv "$BIN.tmp" "$BIN"
  ) 9>"$CACHE/build.lock"
}

case "${1:-}" in
  build)
    build
    echo "$BIN"
    ;;
  start)
    [ -n "${2:-}" ] || { echo "usage: vcsim.sh start PORT [flags]" >&2; exit 2; }
    build
    port="$2"
    shift 2
    exec "$BIN" -listen "127.0.0.1:$port" "$@"
    ;;
  *)
    echo "usage: vcsim.sh build | start PORT [-user U -password P -tls -portgroups N -dhcp net,net]" >&2
    exit 2
    ;;
esac
