#!/usr/bin/env bash
# Starts RabbitMQ and Redis when they are installed but not running; says how to get them when not.
# Used by the demo and by CI. Exits non-zero if either cannot be reached.
set -euo pipefail

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {
  for _ in $(seq 1 60); do port_open "$1" && return 0; sleep 1; done
  return 1
}

if ! port_open 5672; then
  if command -v rabbitmq-server >/dev/null; then
    echo "starting RabbitMQ (rabbitmq-server -detached)"
    rabbitmq-server -detached
    wait_port 5672 || { echo "RabbitMQ did not start; see /var/log/rabbitmq" >&2; exit 1; }
  else
    echo "RabbitMQ is not installed: apt-get install rabbitmq-server (or: docker compose up -d rabbitmq redis)" >&2
    exit 1
  fi
fi

if ! port_open 6379; then
  if command -v redis-server >/dev/null; then
    echo "starting Redis"
    mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log
    wait_port 6379 || { echo "Redis did not start; see /var/log/redis/ci.log" >&2; exit 1; }
  else
    echo "Redis is not installed: apt-get install redis-server (or: docker compose up -d rabbitmq redis)" >&2
    exit 1
  fi
fi

# the broker accepts TCP before it can take connections: wait until it answers AMQP
for _ in $(seq 1 60); do
  rabbitmqctl -q await_startup >/dev/null 2>&1 && break
  sleep 1
done
