#!/usr/bin/env bash
# Stops everything Scripts/testbed/start.sh started: the processes in .testbed/run/*.pid, and any orphan (e.g.
# after a lost pid file) whose executable is this test bed's Tansu or mock_cluster binary (or stunnel) and whose environment
# carries start.sh's SWAFKA_TESTBED_INSTANCE mark for this checkout. Never matches by process name, so brokers of
# other checkouts, and those capture-fixtures.sh runs, are left alone. Removes .testbed/env.
#
#   Scripts/testbed/stop.sh
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
tb="$root/.testbed"
run="$tb/run"

pids=()
for f in "$run"/*.pid; do
    [ -f "$f" ] || continue
    pid="$(cat "$f")"
    [[ "$pid" =~ ^[0-9]+$ ]] && pids+=("$pid")
    rm -f "$f"
done

# Orphans: compare each process's executable with our binaries' real paths.
targets=()
for b in "$tb/bin/tansu" "$tb/bin/mock_cluster" "$(command -v stunnel4 || true)"; do
    [ -n "$b" ] && [ -e "$b" ] && targets+=("$(readlink -f "$b")")
done
if [ "${#targets[@]}" -gt 0 ]; then
    for p in /proc/[0-9]*; do
        exe="$(readlink "$p/exe" 2>/dev/null)" || continue
        for t in "${targets[@]}"; do
            [ "$exe" = "$t" ] || continue
            if tr '\0' '\n' < "$p/environ" 2>/dev/null | grep -qxF "SWAFKA_TESTBED_INSTANCE=$root"; then
                pids+=("${p#/proc/}")
            fi
        done
    done
fi

if [ "${#pids[@]}" -gt 0 ]; then
    mapfile -t pids < <(printf '%s\n' "${pids[@]}" | sort -un)
    kill -TERM "${pids[@]}" 2>/dev/null
    for _ in $(seq 1 50); do
        still=()
        for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && still+=("$pid"); done
        [ "${#still[@]}" -eq 0 ] && break
        sleep 0.1
    done
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null; done
fi
rm -f "$tb/env" "$run/mock.out"
echo "testbed/stop: stopped ${#pids[@]} process(es)" >&2
exit 0
