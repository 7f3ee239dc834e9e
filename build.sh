#!/usr/bin/env bash
# The project's one entry point for tests.
#   ./build.sh test   installs what the tests need (Debian/Ubuntu packages, .NET tools), builds, runs every test
#   ./build.sh build  builds only
#   ./build.sh sql-scripts  regenerates deploy/sql/*.sql after a migration
set -euo pipefail
cd "$(dirname "$0")"

# Servers the tests start for themselves on free loopback ports: PostgreSQL, Redis, nginx; Chromium for the
# browser test; kubectl (Debian: kubernetes-client) to render the Kubernetes manifests with kustomize;
# promtool (Debian: prometheus) to check the alert rules and run their unit tests; a colour emoji font so the
# browser test's screenshots show emoji as people see them.
SYSTEM_PACKAGES=(redis-server postgresql nginx chromium fonts-noto-color-emoji kubernetes-client prometheus)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_system_packages() {
  local missing=()
  # Node.js runs the JavaScript client tests and the browser test; any recent one will do.
  command -v node >/dev/null && command -v npm >/dev/null || missing+=(nodejs npm)
  for package in "${SYSTEM_PACKAGES[@]}"; do
    # Any kubectl will do, and another package may already have put one there (and would clash with this one).
    [ "$package" = kubernetes-client ] && command -v kubectl >/dev/null && continue
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "Installing ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

build() {
  dotnet tool restore >/dev/null
  dotnet build Realtime.sln -c Release -nologo -clp:ErrorsOnly
  build_typescript_sdk
}

# The TypeScript SDK (clients/typescript): ES modules and .d.ts files from tsc, pinned in its package-lock.
build_typescript_sdk() {
  (cd clients/typescript && { [ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error; } && npm run --silent build)
}

# The idempotent scripts under deploy/sql apply the migrations out of band (production DBAs, SQL Server).
SQL_SCRIPTS=(SqlServer:sqlserver.sql PostgreSql:postgresql.sql)

write_sql_scripts() {
  local target="$1"
  for entry in "${SQL_SCRIPTS[@]}"; do
    dotnet ef migrations script --idempotent --configuration Release --no-build \
      --project "src/Realtime.Persistence.${entry%%:*}" --output "$target/${entry#*:}" >/dev/null
  done
}

check_sql_scripts() {
  local generated
  generated="$(mktemp -d)"
  write_sql_scripts "$generated"
  for entry in "${SQL_SCRIPTS[@]}"; do
    local file="${entry#*:}"
    grep -q "CREATE UNIQUE INDEX \[IX_Messages_ConversationId_Sequence\]" "$generated/sqlserver.sql"
    if ! diff -q <(tr -d '\r' < "deploy/sql/$file" | sed -e '1s/^\xEF\xBB\xBF//') <(tr -d '\r' < "$generated/$file" | sed -e '1s/^\xEF\xBB\xBF//') >/dev/null; then
      echo "deploy/sql/$file is out of date: run ./build.sh sql-scripts and commit it" >&2
      return 1
    fi
  done
  rm -rf "$generated"
  echo "SQL migration scripts: generated and up to date"
}

install_npm_packages() {
  for folder in clients/typescript samples/web-chat tests/js; do
    (cd "$folder" && npm ci --no-audit --no-fund --loglevel=error)
  done
  # The browser chat runs on the TypeScript SDK (a file: dependency), so the SDK is built first; then the chat's
  # TypeScript into samples/web-chat/wwwroot/js (the server build does both too, when they are stale).
  (cd clients/typescript && npm run --silent build)
  (cd samples/web-chat && npm run --silent build)
}

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi
}

# A throwaway PostgreSQL server on a free loopback port for the cluster benchmark; stop_bench_postgres removes it.
start_bench_postgres() {
  local bin
  bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
  BENCH_PG_DIR="$(mktemp -d)"
  as_root chown postgres "$BENCH_PG_DIR"
  as_postgres "$bin/initdb" -D "$BENCH_PG_DIR/data" -A trust -U postgres >/dev/null
  for _ in 1 2 3 4 5; do
    BENCH_PG_PORT=$(( 20000 + RANDOM % 30000 ))
    as_postgres "$bin/pg_ctl" -D "$BENCH_PG_DIR/data" -w -l "$BENCH_PG_DIR/server.log" \
      -o "-p $BENCH_PG_PORT -k $BENCH_PG_DIR -c listen_addresses=127.0.0.1" start >/dev/null && return 0
  done
  echo "benchmark: PostgreSQL did not start" >&2
  return 1
}

stop_bench_postgres() {
  local bin
  bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
  as_postgres "$bin/pg_ctl" -D "$BENCH_PG_DIR/data" -m immediate stop >/dev/null || true
  as_root rm -rf "$BENCH_PG_DIR"
}

run_tests() {
  local log status=0
  log="$(mktemp)"
  rm -f artifacts/fault-suite.md
  set +e
  dotnet test Realtime.sln -c Release --no-build -nologo 2>&1 | tee "$log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  (cd tests/js && CONFIGURATION=Release node --test --test-concurrency=1 --test-timeout=240000) 2>&1 | tee -a "$log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  # The TypeScript SDK's own tests: its ordering without a server, and the tarball npm pack makes.
  (cd clients/typescript && node --test --test-timeout=60000 test/*.test.mjs) 2>&1 | tee -a "$log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  # A short benchmark that fails only on a large drop of the ratio to the raw relay or to the plain SignalR hub
  # measured in the same run.
  # It also writes the JSON report and the PNG plot, which must come out whole. A fixed warm-up keeps it short (the
  # JIT is still busy, so the ratios are lower than warmed figures: 0.11 and 0.20 against 0.23 and 0.31).
  mkdir -p artifacts && rm -f artifacts/bench.json artifacts/bench-latency.png
  dotnet bench/Realtime.Bench/bin/Release/net10.0/Realtime.Bench.dll --clients 40 --groups 4 --warmup 3 --duration 4 --guard 0.03 --fixed-warmup \
    --json artifacts/bench.json --plot artifacts/bench-latency.png || status=1
  grep -q '"realtimeAckedPerSecond"' artifacts/bench.json && [ "$(head -c 4 artifacts/bench-latency.png | od -An -tx1 | tr -d ' ')" = 89504e47 ] \
    || { echo "benchmark: the JSON report or the PNG plot is missing or not what it should be" >&2; status=1; }
  # And one on scale-out: two nodes with Redis on one PostgreSQL database (as in production: nodes sharing one
  # SQLite file wait on its file lock, which the cluster's p99 would measure), each held to a core (a CPU cgroup,
  # so as root only), twice the clients at twice the rate. Each node must keep up with what one node alone
  # carried (floor 0.5), the cluster run has no errors, and its p99 is at most 10 times the single node's
  # (the target is 2; measured 0.12-0.13 on a quiet machine, 6 with another test run beside it; the old design 30).
  local budget=()
  [ "$(id -u)" -eq 0 ] && budget=(--node-cpu 1)
  if start_bench_postgres; then
    dotnet bench/Realtime.Bench/bin/Release/net10.0/Realtime.Bench.dll --clients 20 --groups 2 --rate 200 --warmup 3 --duration 6 --fixed-warmup --nodes 2 "${budget[@]}" \
      --scale-guard 0.5 --latency-guard 10 --postgres "Host=127.0.0.1;Port=$BENCH_PG_PORT;Username=postgres" || status=1
    stop_bench_postgres
  else
    status=1
  fi
  # And one on routing: four nodes, conversations on one node or split over two; a node that reads more
  # from Redis than 1.5 times what its own members' conversations carried fails it (measured: 1.00).
  dotnet bench/Realtime.Bench/bin/Release/net10.0/Realtime.Bench.dll --routing --clients 40 --groups 8 --rate 100 --duration 5 || status=1
  # And one on connecting: 200 clients connect at once into 100 conversations of 2, on Realtime and on plain SignalR,
  # each server on a core of its own where there are two; Realtime's setup rate must stay above 0.15 of plain
  # SignalR's, with no errors (measured 0.35-0.52 after issue 24's connect work, 0.13 before it). The guard takes the
  # median of three runs: one run alone once measured 0.12 when a stall of 1.3 s straight after the routing benchmark
  # fell into its two seconds (the next runs on the same build: 0.52, 0.50, 0.44).
  local pin=()
  [ "$(nproc)" -ge 2 ] && pin=(--server-cores 1)
  dotnet bench/Realtime.Bench/bin/Release/net10.0/Realtime.Bench.dll --scenario connect-pairs "${pin[@]}" --repeat 3 --connect-guard 0.15 || status=1
  # And one on the conversation log's write path: the same clients sending only, then 70 % sends, 20 % reactions and
  # 10 % edits through the same group commit; the mix must keep 0.3 of the sends-only rate, with no errors (measured
  # 0.75 with the JIT warmed, median of three; 0.91 in this short run, whose unwarmed JIT slows both loads; 0.26 before
  # change batches were set-based). A fixed warm-up keeps it short.
  dotnet bench/Realtime.Bench/bin/Release/net10.0/Realtime.Bench.dll --mix 70,20,10 --clients 100 --groups 10 --duration 4 --warmup 5 \
    --fixed-warmup "${pin[@]}" --mix-guard 0.3 || status=1
  # And one on memory: 5,000 idle connections measured 30-32 KB each; an unbounded gen0 budget measured 44 KB. They are
  # in 50 conversations of 100 on Realtime and on plain SignalR alike, and Realtime's memory per connection must stay
  # under 1.6 times plain SignalR's (measured 1.15 and 1.16 on pinned cores; 1.23-1.31 before, in no conversation).
  dotnet bench/Realtime.Bench/bin/Release/net10.0/Realtime.Bench.dll --idle 5000 --groups 50 --max-kb 38 --memory-guard 1.6 || status=1
  set -e
  [ -f artifacts/fault-suite.md ] && { echo; cat artifacts/fault-suite.md; echo; }
  # The names of whatever failed, so the closing lines alone say what to look at.
  grep -E '^[[:space:]]+Failed [^!]|^not ok ' "$log" | sed 's/^[[:space:]]*/failed: /' || true
  # One plain closing line over the .NET and the JavaScript suites.
  awk '/^(Passed|Failed)!/ { for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
       /^# pass / { p += $3 } /^# fail / { f += $3 } /^# skipped / { s += $3 }
       END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' FS='[ ,]+' "$log"
  rm -f "$log"
  return "$status"
}

case "${1:-test}" in
  build) build ;;
  sql-scripts)
    build
    mkdir -p deploy/sql
    write_sql_scripts deploy/sql
    ;;
  test)
    install_system_packages
    install_npm_packages
    build
    check_sql_scripts
    run_tests
    ;;
  *) echo "usage: $0 [test|build]" >&2; exit 2 ;;
esac
