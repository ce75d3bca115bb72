#!/usr/bin/env bash
# A local S3 (fauxqs) or Azure Blob (Azurite) store to try the object-store back ends, from the npm
# devDependencies (npm ci installs them; nothing else to install). Its bucket or container is made.
#   scripts/object-store.sh start s3|azure   starts it in the background; prints the variables to export
#   scripts/object-store.sh stop [s3|azure]  stops it (both when no kind is given)
#   eval "$(scripts/object-store.sh start s3)"   starts it and exports them in this shell
# State (pid, log, Azurite's blobs) lives in $JSS_DATA_DIR/object-store (default .jss/object-store).
# fauxqs keeps its objects in memory: they are gone once it stops.
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
dir=$(mkdir -p "${JSS_DATA_DIR:-$root/.jss}/object-store" && cd "${JSS_DATA_DIR:-$root/.jss}/object-store" && pwd)
cmd=${1:-}
kind=${2:-}

usage() { echo "usage: object-store.sh start s3|azure | stop [s3|azure]" >&2; exit 2; }

start() {
  local pidfile="$dir/$kind.pid" envfile="$dir/$kind.env"
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null && [ -f "$envfile" ]; then
    echo "object-store: $kind already running (pid $(cat "$pidfile"))" >&2
    cat "$envfile"
    return
  fi
  rm -f "$envfile"
  (cd "$root" && exec setsid node_modules/.bin/tsx scripts/object-store.ts "$kind" "$dir") >"$dir/$kind.log" 2>&1 </dev/null &
  echo $! >"$pidfile"
  for _ in $(seq 1 600); do
    [ -f "$envfile" ] && break
    if ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      echo "object-store: $kind did not start; see $dir/$kind.log:" >&2
      tail -5 "$dir/$kind.log" >&2
      exit 1
    fi
    sleep 0.1
  done
  [ -f "$envfile" ] || { echo "object-store: $kind did not start within 60 s; see $dir/$kind.log" >&2; exit 1; }
  echo "object-store: $kind running (pid $(cat "$pidfile"), log $dir/$kind.log); export these, or eval this output:" >&2
  cat "$envfile"
}

stop() {
  local pidfile="$dir/$kind.pid" pid
  [ -f "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    echo "object-store: $kind stopped" >&2
  fi
  rm -f "$pidfile" "$dir/$kind.env"
}

case "$cmd" in
  start) [[ "$kind" == s3 || "$kind" == azure ]] || usage; start ;;
  stop)
    case "$kind" in
      s3 | azure) stop ;;
      "") for kind in s3 azure; do stop; done ;;
      *) usage ;;
    esac
    ;;
  *) usage ;;
esac
