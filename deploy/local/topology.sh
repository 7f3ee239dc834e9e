#!/usr/bin/env bash
# The production topology on one machine, on loopback: nginx (load balancer, sticky per user token)
# in front of 3 Realtime nodes, one Redis backplane and one PostgreSQL database. It is what
# docker-compose would be for people with Docker, using Debian's packages instead.
#
#   deploy/local/topology.sh start [--no-build]   start everything; prints the URL
#   deploy/local/topology.sh stop                 stop everything
#   deploy/local/topology.sh status
#   deploy/local/topology.sh kill-node N | stop-node N | start-node N   (fault drills; stop is SIGTERM)
#   deploy/local/topology.sh stop-redis | start-redis | stop-postgres | start-postgres
#
# Ports and the state folder can be moved with REALTIME_LB_PORT, REALTIME_NODE_PORTS ("5101 5102 5103"),
# REALTIME_REDIS_PORT, REALTIME_PG_PORT and REALTIME_LOCAL_STATE.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
STATE="${REALTIME_LOCAL_STATE:-${TMPDIR:-/tmp}/realtime-local}"
LB_PORT="${REALTIME_LB_PORT:-8088}"
read -r -a NODE_PORTS <<< "${REALTIME_NODE_PORTS:-5101 5102 5103}"
REDIS_PORT="${REALTIME_REDIS_PORT:-6390}"
PG_PORT="${REALTIME_PG_PORT:-5440}"
SERVER_DLL="$ROOT/src/Realtime.Server/bin/Release/net10.0/Realtime.Server.dll"
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
SIGNING_KEY="local-topology-signing-key-not-for-production"

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

wait_for() { # url, what, [pid of the process that must stay up]
  for _ in $(seq 1 300); do
    curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
    if [ -n "${3:-}" ] && ! kill -0 "$3" 2>/dev/null; then
      echo "$2 exited before it came up; see $STATE" >&2
      return 1
    fi
    sleep 0.2
  done
  echo "$2 did not come up; see $STATE" >&2
  return 1
}

start_postgres() {
  if [ ! -d "$STATE/pg" ]; then
    mkdir -p "$STATE/pg"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$STATE/pg" "$STATE"
    as_postgres "$PG_BIN/initdb" -D "$STATE/pg" -U postgres --auth=trust -E UTF8 --no-sync >/dev/null
  fi
  as_postgres "$PG_BIN/pg_ctl" -D "$STATE/pg" -l "$STATE/pg.log" -w -o "-p $PG_PORT -h 127.0.0.1 -k $STATE -c max_connections=300" start >/dev/null
  as_postgres "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='realtime'" | grep -q 1 \
    || as_postgres "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres realtime
}

stop_postgres() {
  [ -d "$STATE/pg" ] && as_postgres "$PG_BIN/pg_ctl" -D "$STATE/pg" -m fast -w stop >/dev/null 2>&1 || true
}

start_redis() {
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
    --pidfile "$STATE/redis.pid" --logfile "$STATE/redis.log" --dir "$STATE"
  for _ in $(seq 1 100); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && return 0; sleep 0.1; done
}

stop_redis() {
  [ -f "$STATE/redis.pid" ] && kill -9 "$(cat "$STATE/redis.pid")" 2>/dev/null || true
  rm -f "$STATE/redis.pid"
}

start_node() { # index 1..3
  local index="$1" port="${NODE_PORTS[$(($1 - 1))]}"
  ASPNETCORE_ENVIRONMENT=Staging \
  Database__Provider=PostgreSql \
  ConnectionStrings__Chat="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=realtime;Timeout=3;Command Timeout=5" \
  Redis__ConnectionString="127.0.0.1:$REDIS_PORT" \
  Redis__ChannelPrefix=realtime-local \
  Auth__Issuer=realtime-local Auth__Audience=realtime Auth__SigningKey="$SIGNING_KEY" Auth__DevTokens=true \
  Shutdown__DrainDelay=00:00:01 \
  Chat__HubCallsPerSecond=200 Chat__HubCallBurst=400 \
  Logging__LogLevel__Default=Warning \
  WebChat__Root="$ROOT/samples/web-chat" \
    nohup dotnet "$SERVER_DLL" --urls "http://127.0.0.1:$port" > "$STATE/node$index.log" 2>&1 &
  echo $! > "$STATE/node$index.pid"
  wait_for "http://127.0.0.1:$port/health/live" "node $index" "$(cat "$STATE/node$index.pid")"
}

kill_node() {
  [ -f "$STATE/node$1.pid" ] && kill -9 "$(cat "$STATE/node$1.pid")" 2>/dev/null || true
  rm -f "$STATE/node$1.pid"
}

stop_node() {
  if [ -f "$STATE/node$1.pid" ]; then
    local pid; pid="$(cat "$STATE/node$1.pid")"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$STATE/node$1.pid"
  fi
}

start_nginx() {
  local servers=""
  for port in "${NODE_PORTS[@]}"; do servers+="    server 127.0.0.1:$port max_fails=1 fail_timeout=3s;"$'\n'; done
  cat > "$STATE/nginx.conf" <<CONF
worker_processes 1;
pid $STATE/nginx.pid;
error_log $STATE/nginx-error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path $STATE/nginx-body;
  proxy_temp_path $STATE/nginx-proxy;
  map \$http_upgrade \$connection_upgrade { default upgrade; '' close; }
  # Sticky per user token: negotiate carries it in Authorization, the WebSocket request in
  # access_token, so both land on the same node. A node that fails is skipped until it is back.
  map \$http_authorization \$bearer { "~^Bearer (?<token>.+)\$" \$token; default ""; }
  upstream realtime {
    hash "\$bearer\$arg_access_token" consistent;
$servers  }
  server {
    listen 127.0.0.1:$LB_PORT;
    location / {
      proxy_pass http://realtime;
      proxy_http_version 1.1;
      proxy_set_header Upgrade \$http_upgrade;
      proxy_set_header Connection \$connection_upgrade;
      proxy_set_header Host \$host;
      proxy_read_timeout 3600s;
      proxy_send_timeout 3600s;
      proxy_connect_timeout 2s;
      proxy_next_upstream error timeout http_502 http_503;
    }
  }
}
CONF
  nginx -c "$STATE/nginx.conf" -p "$STATE" -e "$STATE/nginx-error.log"
}

stop_nginx() {
  [ -f "$STATE/nginx.pid" ] && nginx -c "$STATE/nginx.conf" -p "$STATE" -e "$STATE/nginx-error.log" -s stop 2>/dev/null || true
}

start() {
  [ "${1:-}" = "--no-build" ] || dotnet build "$ROOT/src/Realtime.Server" -c Release -nologo -clp:ErrorsOnly
  mkdir -p "$STATE"
  start_postgres
  start_redis
  start_node 1 # the first node applies the migrations alone
  for index in 2 3; do start_node "$index"; done
  start_nginx
  wait_for "http://127.0.0.1:$LB_PORT/health/ready" "the load balancer"
  echo "Realtime is up at http://127.0.0.1:$LB_PORT (3 nodes, Redis :$REDIS_PORT, PostgreSQL :$PG_PORT; state in $STATE)"
}

stop() {
  stop_nginx
  for index in 1 2 3; do stop_node "$index"; done
  stop_redis
  stop_postgres
  echo "stopped"
}

status() {
  for index in 1 2 3; do
    port="${NODE_PORTS[$((index - 1))]}"
    printf 'node %s (:%s): %s\n' "$index" "$port" "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health/ready" || true)"
  done
  printf 'load balancer (:%s): %s\n' "$LB_PORT" "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$LB_PORT/health/live" || true)"
}

case "${1:-}" in
  start) start "${2:-}" ;;
  stop) stop ;;
  status) status ;;
  kill-node) kill_node "$2" ;;
  start-node) start_node "$2" ;;
  stop-node) stop_node "$2" ;;
  stop-redis) stop_redis ;;
  start-redis) start_redis ;;
  stop-postgres) stop_postgres ;;
  start-postgres) start_postgres ;;
  *) sed -n '2,15p' "$0"; exit 2 ;;
esac
