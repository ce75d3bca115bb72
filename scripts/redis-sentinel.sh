#!/usr/bin/env bash
# Redis with Sentinel on one machine, beside any other Redis: a primary, two replicas and three
# sentinels (Redis 7's own `redis-server --sentinel`) on private ports, data folders under <dir>.
#   scripts/redis-sentinel.sh start <dir>     starts them, waits until the sentinels see each other and
#                                             both replicas; prints the variables to use
#   scripts/redis-sentinel.sh stop <dir>      stops them
#   scripts/redis-sentinel.sh primary <dir>   prints the port of the primary the sentinels name now
# Ports: <base>+0..2 Redis, <base>+10..12 sentinels, where <base> is $JSS_REDIS_HA_PORT (default 26400).
# The primary refuses writes while no replica is in reach (min-replicas-to-write 1): an isolated old
# primary cannot take writes that a promotion would drop.
set -euo pipefail
cmd=${1:?usage: redis-sentinel.sh start|stop|primary <dir>}
dir=$(mkdir -p "${2:?a folder for the nodes}" && cd "$2" && pwd)
base=${JSS_REDIS_HA_PORT:-26400}
master=jss

node_conf() {
  local i=$1 d="$dir/redis$1"
  mkdir -p "$d"
  cat > "$d/redis.conf" <<CONF
bind 127.0.0.1
port $((base + i))
dir $d
daemonize yes
pidfile $d/pid
logfile $d/log
appendonly yes
save ""
min-replicas-to-write 1
min-replicas-max-lag 10
CONF
  [ "$i" = 0 ] || echo "replicaof 127.0.0.1 $base" >> "$d/redis.conf"
}

sentinel_conf() {
  local i=$1 d="$dir/sentinel$1"
  mkdir -p "$d"
  cat > "$d/sentinel.conf" <<CONF
bind 127.0.0.1
port $((base + 10 + i))
dir $d
daemonize yes
pidfile $d/pid
logfile $d/log
sentinel monitor $master 127.0.0.1 $base 2
sentinel down-after-milliseconds $master 1000
sentinel failover-timeout $master 5000
sentinel parallel-syncs $master 2
CONF
}

# Asks the sentinels until `$1` prints `$2`, for up to 30 s.
await_value() {
  for _ in $(seq 1 150); do
    [ "$(eval "$1" 2> /dev/null)" = "$2" ] && return 0
    sleep 0.2
  done
  echo "redis-sentinel: timed out waiting for: $1 = $2 (logs in $dir)" >&2
  return 1
}

sentinel_cli() { redis-cli -p $((base + 10 + $1)) "${@:2}"; }

# SIGTERM to each, then waits until they are gone (a primary writes its AOF on the way out), 15 s at most.
stop_all() {
  local pids=()
  for i in 0 1 2; do
    for f in "$dir/sentinel$i/pid" "$dir/redis$i/pid"; do
      local pid; pid=$(cat "$f" 2> /dev/null) || continue
      kill "$pid" 2> /dev/null && pids+=("$pid")
    done
  done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 150); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2> /dev/null || true
  done
}

case "$cmd" in
  start)
    trap 'stop_all' ERR
    command -v redis-server > /dev/null || { echo "redis-server is not installed: apt-get install redis-server" >&2; exit 1; }
    for i in 0 1 2; do node_conf "$i" && redis-server "$dir/redis$i/redis.conf"; done
    await_value "redis-cli -p $base info replication | grep -c '^slave[0-9]:.*state=online'" 2
    for i in 0 1 2; do sentinel_conf "$i" && redis-server "$dir/sentinel$i/sentinel.conf" --sentinel; done
    for i in 0 1 2; do
      await_value "sentinel_cli $i sentinel replicas $master | grep -c '^ip$'" 2
      await_value "sentinel_cli $i sentinel sentinels $master | grep -c '^ip$'" 2
    done
    echo "REDIS_URL=redis://127.0.0.1:$base"
    echo "REDIS_SENTINELS=127.0.0.1:$((base + 10)),127.0.0.1:$((base + 11)),127.0.0.1:$((base + 12))"
    echo "REDIS_SENTINEL_MASTER=$master"
    ;;
  stop)
    stop_all
    ;;
  primary)
    for i in 0 1 2; do
      sentinel_cli "$i" sentinel get-master-addr-by-name $master 2> /dev/null | sed -n 2p | grep . && exit 0
    done
    exit 1
    ;;
  *)
    echo "unknown command $cmd" >&2
    exit 1
    ;;
esac
