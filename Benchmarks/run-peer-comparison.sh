#!/usr/bin/env bash
# Producer and consumer throughput of Swafka side by side with librdkafka (issues 4 and 5), in one run, on the
# same broker and machine. Prints a Markdown table (peer, swafka, ratio swafka/peer) and keeps the raw JSON lines.
#
#   Benchmarks/run-peer-comparison.sh [--broker tansu|tansu-tls|mock] [--messages N] [--size S] [--repetitions R]
#                                     [--partitions "1 6"] [--compressions "none lz4"] [--acks 1] [--linger-ms 5]
#                                     [--partitioner roundrobin|client] [--only all|producer|consumer]
#                                     [--peer-conf "k=v ..."] [--swafka-conf "k=v ..."] [--no-swafka] [--out DIR]
#                                     [--swafka-bin PATH]
#
# Defaults are the issues' matrix: 1,000,000 messages of 100 bytes, 1 and 6 partitions, acks=1, linger 5 ms,
# no compression and lz4, on Tansu. --broker tansu-tls runs the same over TLS: both clients connect to the test
# bed's stunnel in front of a Tansu of its own (Scripts/testbed/tls.sh), trusting its CA. Per repetition, and per (partitions, compression):
#   1. two fresh topics (created with librdkafka's CreateTopics, partition count confirmed through Metadata);
#   2. produce N messages into one with the peer and into the other with swafka-bench (who goes first alternates
#      between repetitions);
#   3. consume the peer's topic (exactly N messages, produced with that codec) with each client.
# --peer-conf / --swafka-conf add client properties (librdkafka's names, as -X) to every run of that client.
# --swafka-bin runs an already built swafka-bench (a copy kept from an earlier commit, say) instead of building one.
# Every run prints one JSON line; the runner adds the broker's CPU seconds over the run (from /proc) and the load
# average, and writes them to DIR/results.jsonl; DIR/table.md is the table (medians over repetitions).
#
# The peer (peer/rdkafka_bench.c) is built here against Debian's librdkafka-dev headers and run with
# LD_LIBRARY_PATH at .testbed/rdkafka-2.16 (librdkafka 2.16 from the confluent-kafka wheel; Debian's 2.0.2 fails
# against Tansu's ApiVersions). It is a comparison peer only: nothing in Swafka links librdkafka.
# swafka-bench (Sources/swafka-bench) prints "available":false until KafkaProducer/KafkaConsumer exist; the
# table then shows n/a.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
tb="$root/.testbed"
command_line="Benchmarks/run-peer-comparison.sh${*:+ $*}"

broker=tansu
messages=1000000
size=100
repetitions=1
partition_counts="1 6"
compressions="none lz4"
acks=1
linger_ms=5
partitioner=roundrobin
only=all
peer_conf=""
swafka_conf=""
with_swafka=1
out=""
swafka_bin=""
while [ $# -gt 0 ]; do
    case "$1" in
        --broker) broker="$2"; shift 2 ;;
        --messages) messages="$2"; shift 2 ;;
        --size) size="$2"; shift 2 ;;
        --repetitions) repetitions="$2"; shift 2 ;;
        --partitions) partition_counts="$2"; shift 2 ;;
        --compressions) compressions="$2"; shift 2 ;;
        --acks) acks="$2"; shift 2 ;;
        --linger-ms) linger_ms="$2"; shift 2 ;;
        --partitioner) partitioner="$2"; shift 2 ;;
        --only) only="$2"; shift 2 ;;
        --peer-conf) peer_conf="$2"; shift 2 ;;
        --swafka-conf) swafka_conf="$2"; shift 2 ;;
        --no-swafka) with_swafka=0; shift ;;
        --out) out="$2"; shift 2 ;;
        --swafka-bin) swafka_bin="$2"; shift 2 ;;
        -h|--help) sed -n '2,26p' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) echo "run-peer-comparison.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
case "$broker" in tansu|tansu-tls|mock) ;; *) echo "--broker: tansu, tansu-tls or mock" >&2; exit 2 ;; esac
case "$only" in all|producer|consumer) ;; *) echo "--only: all, producer or consumer" >&2; exit 2 ;; esac

log() { echo "peer-comparison: $*" >&2; }

# --- The test bed: install if needed, start (start.sh keeps brokers that still answer). ---
if [ ! -x "$tb/bin/tansu" ] || [ ! -x "$tb/bin/mock_cluster" ] || [ ! -e "$tb/rdkafka-2.16/librdkafka.so.1" ]; then
    "$root/Scripts/testbed/install.sh"
fi
"$root/Scripts/testbed/start.sh" >/dev/null
# shellcheck disable=SC1091
. "$tb/env"
py="$SWAFKA_TESTBED_PYTHON"
if [ "$broker" = tansu ]; then
    bootstrap="$SWAFKA_TANSU_BOOTSTRAP"
    broker_pid="$(cat "$tb/run/tansu.pid")"
    broker_name="Tansu $("$tb/bin/tansu" --version | awk '{print $2}') (1 broker, memory storage)"
elif [ "$broker" = tansu-tls ]; then
    # TLS is terminated by stunnel, whose CPU is not in the broker's column.
    bootstrap="$SWAFKA_TLS_BOOTSTRAP"
    broker_pid="$(cat "$tb/run/tansu-tls.pid")"
    broker_name="Tansu $("$tb/bin/tansu" --version | awk '{print $2}') (1 broker, memory storage) behind stunnel (TLS)"
    tls_conf="security.protocol=ssl ssl.ca.location=$SWAFKA_TLS_DIR/ca.pem"
    peer_conf="$tls_conf${peer_conf:+ $peer_conf}"
    swafka_conf="$tls_conf${swafka_conf:+ $swafka_conf}"
else
    bootstrap="$SWAFKA_MOCK_BOOTSTRAP"
    broker_pid="$(cat "$tb/run/mock.pid")"
    broker_name="librdkafka $(pkg-config --modversion rdkafka) mock cluster ($(tr ',' '\n' <<<"$bootstrap" | wc -l) brokers)"
fi

# --- The peer: rebuilt when its source is newer. ---
peer_dir="$here/.build-peer"
peer="$peer_dir/rdkafka_bench"
if [ ! -x "$peer" ] || [ "$here/peer/rdkafka_bench.c" -nt "$peer" ]; then
    log "building $peer"
    mkdir -p "$peer_dir"
    # shellcheck disable=SC2046
    gcc -O2 -Wall -Wextra -Werror -std=c11 -o "$peer.new" "$here/peer/rdkafka_bench.c" $(pkg-config --cflags --libs rdkafka)
    mv -f "$peer.new" "$peer"
fi
rdkafka_lib="$tb/rdkafka-2.16"
run_peer() { LD_LIBRARY_PATH="$rdkafka_lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$peer" "$@"; }

# --- swafka-bench: release build in the benchmark package's scratch path (or --swafka-bin as given). ---
swafka="${swafka_bin:-$here/.build-bench/release/swafka-bench}"
if [ "$with_swafka" = 1 ] && [ -n "$swafka_bin" ]; then
    log "using $swafka (not rebuilt)"
elif [ "$with_swafka" = 1 ]; then
    log "building swafka-bench (release)"
    build_log="$(mktemp)"
    if ! (cd "$here" && swift build -c release --product swafka-bench --scratch-path .build-bench) >"$build_log" 2>&1; then
        cat "$build_log" >&2; rm -f "$build_log"
        log "swafka-bench did not build"; exit 1
    fi
    grep -i 'warning:' "$build_log" >&2 || true
    rm -f "$build_log"
fi
if [ "$with_swafka" = 1 ]; then
    # Both clients must send the very same bytes (compression ratios and batch sizes depend on them).
    for index in 0 7 123456 999999; do
        if ! cmp -s <(run_peer payload --size "$size" --index "$index") <("$swafka" payload --size "$size" --index "$index"); then
            log "payload $index of $size bytes differs between rdkafka_bench and swafka-bench"; exit 1
        fi
    done
fi

# --- Output. ---
run_id="$(date -u +%Y%m%dT%H%M%SZ)"
run_date="$(date -u '+%Y-%m-%d %H:%M UTC')"
out="${out:-$here/results/$run_id-$broker}"
mkdir -p "$out"
results="$out/results.jsonl"
: > "$results"

clock_ticks="$(getconf CLK_TCK)"
broker_cpu() { # utime + stime of the broker process (all its threads), in clock ticks
    awk '{ print $14 + $15 }' "/proc/$broker_pid/stat" 2>/dev/null || echo 0
}

# run_cell ROLE CLIENT REP COMPRESSION PROGRAM ARGS...: one run, one line appended to results.jsonl.
# COMPRESSION is the cell's codec (for consume: the one the topic was produced with).
run_cell() {
    local role="$1" client="$2" rep="$3" compression="$4"; shift 4
    local before after rc=0 line load errfile
    errfile="$(mktemp)"
    load="$(cut -d' ' -f1 /proc/loadavg)"
    before="$(broker_cpu)"
    line="$("$@" 2>"$errfile")" || rc=$?
    after="$(broker_cpu)"
    if [ -z "$line" ] || ! "$py" -c 'import json, sys; json.loads(sys.argv[1])' "$line" 2>/dev/null; then
        line=null
    fi
    "$py" - "$role" "$client" "$rep" "$compression" "$rc" "$load" "$before" "$after" "$clock_ticks" "$broker" \
        "$line" "$errfile" >>"$results" <<'EOF'
import json, sys
role, client, rep, compression, rc, load, before, after, ticks, broker, line, errfile = sys.argv[1:]
stderr = open(errfile, errors="replace").read().strip().splitlines()
print(json.dumps({
    "role": role, "client": client, "repetition": int(rep), "compression": compression, "exit_code": int(rc),
    "broker": broker,
    "broker_cpu_seconds": (float(after) - float(before)) / float(ticks), "load_1min_before": float(load),
    "result": json.loads(line), "stderr_tail": stderr[-5:],
}))
EOF
    tail -1 "$results" | "$py" -c '
import json, sys
r = json.loads(sys.stdin.read()); x = r["result"] or {}
if x.get("available") is False: what = "n/a (" + x.get("reason", "") + ")"
elif "wall_seconds" in x: what = "%d msgs in %.2f s, client CPU %.2f s, broker CPU %.2f s%s" % (x["messages"], x["wall_seconds"], x["cpu_seconds"], r["broker_cpu_seconds"], "" if x["complete"] else " INCOMPLETE")
else: what = "failed (exit %d): %s" % (r["exit_code"], " | ".join(r["stderr_tail"]))
print("peer-comparison: %-8s %-10s %-48s %s" % (r["role"], r["client"], (x.get("topic") or ""), what), file=sys.stderr)'
    rm -f "$errfile"
    [ "$line" != null ]
}

create_topic() { # NAME PARTITIONS
    if [ "$broker" != mock ]; then
        run_peer create-topic --brokers "$bootstrap" --topic "$1" --partitions "$2" ${peer_x[@]+"${peer_x[@]}"} >/dev/null
    else
        "$root/Scripts/testbed/mockctl.sh" "topic create $1 $2 1" >/dev/null
    fi
}

# The mock keeps 5 MiB and 100,000 batches per partition and drops older batches: a consumer run there only
# makes sense if everything produced is still there.
mock_can_hold() { # PARTITIONS
    [ $(( messages / $1 * (size + 20) )) -le $(( 5 * 1024 * 1024 * 9 / 10 )) ]
}

peer_x=()
for kv in $peer_conf; do peer_x+=(-X "$kv"); done
swafka_x=()
for kv in $swafka_conf; do swafka_x+=(-X "$kv"); done

clients=(librdkafka)
[ "$with_swafka" = 1 ] && clients+=(swafka)
log "broker $broker_name at $bootstrap; $messages x $size B, acks=$acks, linger.ms=$linger_ms; repetitions $repetitions; results in $out"

for rep in $(seq 1 "$repetitions"); do
    order=("${clients[@]}")
    if [ $((rep % 2)) = 0 ] && [ "${#clients[@]}" = 2 ]; then order=(swafka librdkafka); fi
    for partitions in $partition_counts; do
        for compression in $compressions; do
            base="swafka-bench-$run_id-r$rep-p$partitions-$compression"
            produce_args=(--brokers "$bootstrap" --messages "$messages" --size "$size" --acks "$acks"
                          --linger-ms "$linger_ms" --compression "$compression" --partitions "$partitions"
                          --partitioner "$partitioner")
            for client in "${order[@]}"; do
                [ "$client" = swafka ] && [ "$only" = consumer ] && continue
                create_topic "$base-$client" "$partitions"
                role=produce
                [ "$only" = consumer ] && role=fill
                if [ "$client" = librdkafka ]; then
                    run_cell "$role" librdkafka "$rep" "$compression" run_peer produce --topic "$base-$client" "${produce_args[@]}" ${peer_x[@]+"${peer_x[@]}"} || true
                else
                    run_cell "$role" swafka "$rep" "$compression" "$swafka" produce --topic "$base-$client" "${produce_args[@]}" ${swafka_x[@]+"${swafka_x[@]}"} || true
                fi
            done
            [ "$only" = producer ] && continue
            source_topic="$base-librdkafka"
            if [ "$broker" = mock ] && ! mock_can_hold "$partitions"; then
                log "skipping consume of $source_topic: the mock keeps ~5 MiB per partition ($messages messages over $partitions partitions do not fit)"
                continue
            fi
            # Consume only a topic the peer filled completely (so it holds exactly N messages).
            if ! tail -n 20 "$results" | "$py" -c '
import json, sys
topic = sys.argv[1]
ok = any((r["result"] or {}).get("topic") == topic and r["result"].get("complete") and r["client"] == "librdkafka"
         for r in map(json.loads, sys.stdin))
sys.exit(0 if ok else 1)' "$source_topic"; then
                log "skipping consume of $source_topic: the peer did not fill it"
                continue
            fi
            consume_args=(--brokers "$bootstrap" --topic "$source_topic" --messages "$messages" --partitions "$partitions")
            for client in "${order[@]}"; do
                if [ "$client" = librdkafka ]; then
                    run_cell consume librdkafka "$rep" "$compression" run_peer consume "${consume_args[@]}" ${peer_x[@]+"${peer_x[@]}"} || true
                else
                    run_cell consume swafka "$rep" "$compression" "$swafka" consume "${consume_args[@]}" ${swafka_x[@]+"${swafka_x[@]}"} || true
                fi
            done
        done
    done
done

# --- The table. ---
"$py" "$here/peer/compare.py" "$results" \
    --command "$command_line" --broker-name "$broker_name" --commit "$(git -C "$root" describe --always --dirty)${swafka_bin:+ (swafka-bench: $swafka_bin)}" \
    --date "$run_date" --peer-conf "$peer_conf" --swafka-conf "$swafka_conf" \
    | tee "$out/table.md"
log "raw results: $results; table: $out/table.md"
