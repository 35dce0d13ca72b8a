#!/usr/bin/env bash
# The main job, end to end on a fresh Debian machine: installs what it needs, starts a local
# Tansu broker (and the mock cluster) through the test bed, then
#   1. swafka-tour: discovery, topic admin, offsets and a record batch against Tansu;
#   2. swafka-example (Examples/Shop): prints its routes and flow, starts its server and worker
#      as daemons (pid files, logs), produces three orders through its console, waits until each
#      order went orders (inline) => payments (worker) => receipts, prints what flowed, and stops
#      both with SIGTERM (graceful shutdown);
# and stops the brokers again, also on failure.
#
# For development: with SWAFKA_TANSU_BOOTSTRAP already set (a running test bed), nothing is
# installed, started or stopped; SWAFKA_SCRATCH_PATH picks the build directory.
set -euo pipefail
cd "$(dirname "$0")/.."
own_testbed=1
[ -n "${SWAFKA_TANSU_BOOTSTRAP:-}" ] && own_testbed=0
scratch=()
[ -n "${SWAFKA_SCRATCH_PATH:-}" ] && scratch=(--scratch-path "$SWAFKA_SCRATCH_PATH")
if [ "$own_testbed" = 1 ]; then
    Scripts/install-deps.sh
    Scripts/testbed/install.sh
fi
swift build "${scratch[@]}" --product swafka-tour
swift build "${scratch[@]}" --product swafka-example
bin="$(swift build "${scratch[@]}" --show-bin-path)"

work=.swafka-demo
rm -rf "$work"
mkdir -p "$work"
stop_all() {
    for role in server worker; do
        if [ -f "$work/$role.pid" ]; then kill -TERM "$(cat "$work/$role.pid")" 2>/dev/null || true; fi
    done
    if [ "$own_testbed" = 1 ]; then Scripts/testbed/stop.sh || true; fi
}
trap stop_all EXIT
if [ "$own_testbed" = 1 ]; then
    Scripts/testbed/start.sh --restart
    set -a
    # shellcheck disable=SC1091
    . .testbed/env
    set +a
fi

echo "== swafka-tour"
"$bin/swafka-tour" "$SWAFKA_TANSU_BOOTSTRAP"

echo "== swafka-example: the shop (Examples/Shop)"
# Tansu creates the shop's topics when a Metadata request allows it (our clients do not by default).
printf 'kafka.hosts=%s\nclient.allow.auto.create.topics=true\n' "$SWAFKA_TANSU_BOOTSTRAP" >"$work/shop.properties"
export SWAFKA_BOOT_FILE="$work/shop.properties" SWAFKA_ENV=development
shop() { "$bin/swafka-example" "$@"; }
shop routes
echo "-- flow"
shop flow

shop server --daemon --pid-file "$work/server.pid" --log-file "$work/server.log"
shop worker --daemon --pid-file "$work/worker.pid" --log-file "$work/worker.log"

run="demo-$(date +%s)-$$"
echo "-- producing three orders ($run-1..3) through the console"
shop console \
    -e "produce orders {\"id\":\"$run-1\",\"item\":\"book\",\"quantity\":2}" \
    -e "produce orders {\"id\":\"$run-2\",\"item\":\"lamp\",\"quantity\":1}" \
    -e "produce orders {\"id\":\"$run-3\",\"item\":\"tea\",\"quantity\":5}"

echo "-- waiting for three receipts (orders => payments => receipts)"
completed=0
for _ in $(seq 1 120); do
    completed=$(grep -c "receipts: order $run-[0-9]* complete" "$work/server.log" || true)
    [ "$completed" -ge 3 ] && break
    sleep 1
done

echo "-- what flowed: server (orders inline, receipts inline)"
grep "$run" "$work/server.log" || true
echo "-- what flowed: worker (payments)"
grep "$run" "$work/worker.log" || true
echo "-- console: peek receipts"
shop console -e "peek receipts 3" | grep -E "$run|message" || true

# Alive and not a zombie (an orphaned daemon is reaped by whoever adopted it, maybe late).
running() { [ -n "$(ps -o stat= -p "$1" 2>/dev/null | grep -v Z)" ]; }
echo "-- stopping server and worker (SIGTERM: graceful shutdown)"
for role in server worker; do
    pid=$(cat "$work/$role.pid")
    kill -TERM "$pid"
    for _ in $(seq 1 60); do running "$pid" || break; sleep 0.5; done
    if running "$pid"; then echo "$role (pid $pid) did not stop" >&2; exit 1; fi
    tail -n 1 "$work/$role.log"
done

if [ "$completed" -lt 3 ]; then
    echo "the chain did not complete: $completed of 3 receipts (logs in $work/)" >&2
    exit 1
fi
echo "done: 3 orders went orders => payments => receipts"
