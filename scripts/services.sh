#!/usr/bin/env bash
# Starts RabbitMQ and Redis when they are installed but not running; says how to get them when not.
# Used by the demo and by CI (with --tests: the test suites also need rabbitmqctl, to make a vhost
# each). Exits non-zero, with a line saying why, if either cannot be reached.
set -euo pipefail
for_tests=false
[ "${1:-}" = --tests ] && for_tests=true

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {
  for _ in $(seq 1 60); do port_open "$1" && return 0; sleep 1; done
  return 1
}

if ! port_open 5672; then
  if command -v rabbitmq-server >/dev/null; then
    echo "starting RabbitMQ (rabbitmq-server -detached); waiting up to 60 s for port 5672"
    rabbitmq-server -detached
    wait_port 5672 || { echo "RabbitMQ did not start; see /var/log/rabbitmq" >&2; exit 1; }
  else
    echo "RabbitMQ is not installed: apt-get install rabbitmq-server (or: docker compose up -d rabbitmq redis)" >&2
    exit 1
  fi
fi

if ! port_open 6379; then
  if command -v redis-server >/dev/null; then
    echo "starting Redis; waiting up to 60 s for port 6379"
    mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log
    wait_port 6379 || { echo "Redis did not start; see /var/log/redis/ci.log" >&2; exit 1; }
  else
    echo "Redis is not installed: apt-get install redis-server (or: docker compose up -d rabbitmq redis)" >&2
    exit 1
  fi
fi

# the broker accepts TCP before it can take connections: wait until it has booted
if ! command -v rabbitmqctl >/dev/null; then
  if $for_tests; then
    echo "rabbitmqctl is not on the PATH: the test suites create a RabbitMQ vhost each with it; apt-get install rabbitmq-server" >&2
    exit 1
  fi
  echo "RabbitMQ answers on port 5672 (rabbitmqctl is not on the PATH, so not waiting for it to finish booting)"
  exit 0
fi
echo "waiting for RabbitMQ to finish booting (rabbitmqctl await_startup, up to 60 s)"
for _ in $(seq 1 60); do
  rabbitmqctl -q await_startup >/dev/null 2>&1 && exit 0
  sleep 1
done
echo "RabbitMQ did not finish booting within 60 s: rabbitmqctl await_startup fails (see rabbitmqctl status)" >&2
exit 1
