#!/usr/bin/env bash
# A three-node RabbitMQ cluster on one machine, beside any other broker: private node names, ports
# and data folders under <dir>. Quorum queues declared once it is up are replicated on all three.
#   scripts/rabbitmq-cluster.sh start <dir>   starts and joins the nodes; prints AMQP_URL=<three URLs>
#   scripts/rabbitmq-cluster.sh stop <dir>    stops them
#   scripts/rabbitmq-cluster.sh nodes <dir>   prints the node names, one a line
#   scripts/rabbitmq-cluster.sh start-node <dir> <i>   starts node i (0..2) again after it was stopped or killed
# Needs rabbitmq-server (apt-get install rabbitmq-server). Ports: <base>+0..2 AMQP, +10..12 Erlang
# distribution, where <base> is $JSS_CLUSTER_PORT (default 26500; not 25672, the Erlang distribution
# port of a broker on 5672).
set -euo pipefail
cmd=${1:?usage: rabbitmq-cluster.sh start|stop|nodes|start-node <dir> [i]}
dir=$(mkdir -p "${2:?a folder for the nodes}" && cd "$2" && pwd)
base=${JSS_CLUSTER_PORT:-26500}
tag=$(basename "$dir" | tr -c 'a-zA-Z0-9\n' '-')

node_name() { echo "jss-cluster-$tag-$1@localhost"; }

start_node() {
  local i=$1 n; n=$(node_name "$i")
  local d="$dir/node$i"
  mkdir -p "$d/conf.d"
  # no shared /etc/rabbitmq/rabbitmq.conf (its listener is the shared node's); only this node's ports
  : > "$d/main.conf"
  printf 'listeners.tcp.default = 127.0.0.1:%s\nloopback_users = none\n' $((base + i)) > "$d/conf.d/10-ports.conf"
  echo '[].' > "$d/enabled_plugins"
  # started by root, rabbitmq-server runs the node as user rabbitmq: it must reach and own its folder
  if [ "$(id -u)" = 0 ]; then chown rabbitmq:rabbitmq "$dir" && chown -R rabbitmq:rabbitmq "$d"; fi
  env RABBITMQ_NODENAME="$n" RABBITMQ_NODE_PORT=$((base + i)) RABBITMQ_DIST_PORT=$((base + 10 + i)) \
    RABBITMQ_CONFIG_FILE="$d/main.conf" RABBITMQ_CONFIG_FILES="$d/conf.d" RABBITMQ_ENABLED_PLUGINS_FILE="$d/enabled_plugins" \
    RABBITMQ_MNESIA_BASE="$d/mnesia" RABBITMQ_MNESIA_DIR="$d/mnesia/node" RABBITMQ_LOG_BASE="$d" \
    RABBITMQ_FEATURE_FLAGS_FILE="$d/mnesia/feature_flags" RABBITMQ_PLUGINS_EXPAND_DIR="$d/mnesia/plugins" \
    RABBITMQ_PID_FILE="$d/pid" setsid rabbitmq-server > "$d/out.log" 2>&1 &
}

# await_startup fails at once while a node has not registered yet: ask again for up to 3 minutes
await_node() {
  for try in $(seq 1 180); do
    rabbitmqctl -n "$(node_name "$1")" -q await_startup > /dev/null 2>&1 && return 0
    [ "$try" = 180 ] && { echo "node $1 did not start; see $dir/node$1/out.log" >&2; exit 1; }
    sleep 1
  done
}

case "$cmd" in
  start)
    command -v rabbitmq-server > /dev/null || { echo "rabbitmq-server is not installed: apt-get install rabbitmq-server" >&2; exit 1; }
    for i in 0 1 2; do start_node "$i"; done
    for i in 0 1 2; do await_node "$i"; done
    for i in 1 2; do
      n=$(node_name "$i")
      rabbitmqctl -n "$n" -q stop_app
      rabbitmqctl -n "$n" -q join_cluster "$(node_name 0)"
      rabbitmqctl -n "$n" -q start_app
    done
    echo "AMQP_URL=amqp://guest:guest@127.0.0.1:$base,amqp://guest:guest@127.0.0.1:$((base + 1)),amqp://guest:guest@127.0.0.1:$((base + 2))"
    ;;
  stop)
    for i in 0 1 2; do rabbitmqctl -n "$(node_name "$i")" -q stop > /dev/null 2>&1 || true; done
    ;;
  start-node)
    i=${3:?a node number, 0..2}
    start_node "$i"
    await_node "$i"
    ;;
  nodes)
    for i in 0 1 2; do node_name "$i"; done
    ;;
  *)
    echo "unknown command $cmd" >&2
    exit 1
    ;;
esac
