#!/usr/bin/env bash
# Starts the real-broker test bed: one Tansu broker and librdkafka's mock cluster (3 brokers by default).
#
#   Scripts/testbed/start.sh [--restart]
#
# Needs Scripts/testbed/install.sh first. If both peers from an earlier start are still alive and answering,
# it keeps them (and rewrites nothing) unless --restart is given. On success it writes .testbed/env:
#
#   SWAFKA_TANSU_BOOTSTRAP=127.0.0.1:P          Tansu 0.6, single broker, memory storage, advertises itself
#   SWAFKA_MOCK_BOOTSTRAP=127.0.0.1:A,...       librdkafka mock cluster brokers (ids 1..N)
#   SWAFKA_MOCK_CONTROL=127.0.0.1:C             the mock launcher's fault-injection line protocol
#   SWAFKA_TESTBED_KCAT=.../.testbed/bin/kcat   kcat with librdkafka 2.16
#   SWAFKA_TESTBED_PYTHON=.../.testbed/venv/bin/python
#   SWAFKA_TLS_BOOTSTRAP, SWAFKA_MTLS_BOOTSTRAP, ..., SWAFKA_TLS_DIR   stunnel + two more Tansu brokers (tls.sh)
#
# Environment knobs: SWAFKA_MOCK_BROKERS (default 3), SWAFKA_MOCK_TOPICS ("name:partitions[:rf] ..."),
# SWAFKA_TANSU_PORT (default: a free port).
# Pid files: .testbed/run/{tansu,mock}.pid. Logs: .testbed/logs/{tansu,mock}.log. Stop with stop.sh.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
tb="$root/.testbed"
run="$tb/run"
logs="$tb/logs"
py="$tb/venv/bin/python"
restart=0
for arg in "$@"; do
    case "$arg" in
        --restart) restart=1 ;;
        -h|--help) sed -n '2,20p' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) echo "start.sh: unknown argument $arg" >&2; exit 2 ;;
    esac
done

log() { echo "testbed/start: $*" >&2; }

for f in "$tb/bin/tansu" "$tb/bin/mock_cluster" "$tb/bin/kcat" "$py"; do
    if [ ! -x "$f" ]; then log "missing $f: run Scripts/testbed/install.sh first"; exit 1; fi
done
mkdir -p "$run" "$logs"

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

if [ "$restart" = 0 ] && alive "$run/tansu.pid" && alive "$run/mock.pid" && alive "$run/stunnel.pid" \
    && alive "$run/tansu-tls.pid" && alive "$run/tansu-mtls.pid" && [ -f "$tb/env" ]; then
    # shellcheck disable=SC1091
    . "$tb/env"
    if "$py" "$here/probe.py" --timeout 5 "$SWAFKA_TANSU_BOOTSTRAP" "$SWAFKA_MOCK_BOOTSTRAP"; then
        log "already running (use --restart for fresh brokers)"
        cat "$tb/env"
        exit 0
    fi
fi
"$here/stop.sh" >/dev/null 2>&1 || true

# Marks the processes this script starts, so that stop.sh finds lost ones without touching brokers that other
# tools (capture-fixtures.sh) or other checkouts run from the same binaries.
export SWAFKA_TESTBED_INSTANCE="$root"

free_port() {
    "$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# --- Tansu. A free port can be taken between the check and the bind; then try another. ---
tansu_bootstrap=""
for attempt in 1 2 3; do
    port="${SWAFKA_TANSU_PORT:-$(free_port)}"
    # setsid: the broker outlives this script and gets its own process group for stop.sh.
    setsid "$tb/bin/tansu" broker \
        --listener-url "tcp://127.0.0.1:$port" \
        --advertised-listener-url "tcp://127.0.0.1:$port" \
        --storage-engine memory://tansu/ \
        </dev/null >"$logs/tansu.log" 2>&1 &
    echo $! > "$run/tansu.pid"
    if "$py" "$here/probe.py" --timeout 20 "127.0.0.1:$port"; then
        tansu_bootstrap="127.0.0.1:$port"
        break
    fi
    log "Tansu did not come up on port $port (attempt $attempt):"
    tail -5 "$logs/tansu.log" >&2 || true
    kill "$(cat "$run/tansu.pid")" 2>/dev/null || true
    rm -f "$run/tansu.pid"
    [ -n "${SWAFKA_TANSU_PORT:-}" ] && break
done
[ -n "$tansu_bootstrap" ] || { log "Tansu failed to start"; exit 1; }

# --- The mock cluster: binds ephemeral ports itself and prints them. ---
rm -f "$run/mock.out"
# shellcheck disable=SC2086
setsid "$tb/bin/mock_cluster" -b "${SWAFKA_MOCK_BROKERS:-3}" ${SWAFKA_MOCK_TOPICS:-} \
    </dev/null >"$run/mock.out" 2>"$logs/mock.log" &
echo $! > "$run/mock.pid"
for _ in $(seq 1 200); do
    grep -q '^ready$' "$run/mock.out" 2>/dev/null && break
    if ! alive "$run/mock.pid"; then break; fi
    sleep 0.05
done
if ! grep -q '^ready$' "$run/mock.out" 2>/dev/null; then
    log "mock cluster did not start:"; tail -5 "$logs/mock.log" >&2 || true
    "$here/stop.sh" >/dev/null 2>&1 || true
    exit 1
fi
mock_bootstrap="$(awk '$1 == "bootstrap" { print $2 }' "$run/mock.out")"
mock_control="$(awk '$1 == "control" { print $2 }' "$run/mock.out")"
if ! "$py" "$here/probe.py" --timeout 20 "$mock_bootstrap"; then
    log "mock brokers do not answer"; "$here/stop.sh" >/dev/null 2>&1 || true; exit 1
fi

# --- TLS: certificates, stunnel, two Tansu brokers advertising the stunnel ports. ---
if ! tls_env="$("$here/tls.sh")"; then
    log "the TLS test bed failed to start"; "$here/stop.sh" >/dev/null 2>&1 || true; exit 1
fi

cat > "$tb/env.new" <<EOF
SWAFKA_TANSU_BOOTSTRAP=$tansu_bootstrap
SWAFKA_MOCK_BOOTSTRAP=$mock_bootstrap
SWAFKA_MOCK_CONTROL=$mock_control
SWAFKA_TESTBED_KCAT=$tb/bin/kcat
SWAFKA_TESTBED_PYTHON=$py
$tls_env
EOF
mv -f "$tb/env.new" "$tb/env"
log "up: Tansu at $tansu_bootstrap, mock at $mock_bootstrap (control $mock_control)"
cat "$tb/env"
