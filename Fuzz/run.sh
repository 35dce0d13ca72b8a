#!/usr/bin/env bash
# Builds the fuzz targets and runs each in turn for the given number of seconds.
#
# Usage: Fuzz/run.sh [seconds] [target...]      (defaults: 60 seconds, every target)
#
# Each target fuzzes its working corpus Fuzz/corpus-<target>/ (gitignored; new inputs land
# there), seeded from Fuzz/corpus-seed/<target>/ (committed; regenerate with Fuzz/make-seeds.sh).
# A crash, leak, timeout or out-of-memory input is saved to Fuzz/crashers/<target>/, minimized
# with -minimize_crash=1, and copied to Tests/KafkaWireTests/FuzzCrashers/<target>/, where
# FuzzCrasherReplayTests replays it in the normal test suite. Logs: Fuzz/.build/logs/.
# Extra libFuzzer flags can be passed in FUZZ_FLAGS (e.g. FUZZ_FLAGS="-jobs=2").
set -uo pipefail

FUZZ_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$FUZZ_DIR")"
SECONDS_PER_TARGET=60
if [[ $# -gt 0 && "$1" =~ ^[0-9]+$ ]]; then SECONDS_PER_TARGET="$1"; shift; fi
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
    targets=(FuzzRequests FuzzResponses FuzzHeaders FuzzConsumerProtocol FuzzRecords)
fi

"$FUZZ_DIR/build.sh" "${targets[@]}" || exit 1

# Inputs larger than these add little: every structure fits, and smaller inputs run faster.
max_len() {
    case "$1" in
    FuzzRecords) echo 65536 ;;
    FuzzConsumerProtocol) echo 4096 ;;
    *) echo 16384 ;;
    esac
}

# Swift's own crash backtracer fights AddressSanitizer (it hangs reading the crashed process's
# memory); libFuzzer and ASan print the stack themselves, symbolized by llvm-symbolizer.
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:symbolize=1}"
SYMBOLIZER="$(dirname "$(command -v swiftc)")/llvm-symbolizer"
[[ -x "$SYMBOLIZER" ]] && export ASAN_SYMBOLIZER_PATH="$SYMBOLIZER"
DEMANGLE=(cat)
command -v swift-demangle >/dev/null && DEMANGLE=(swift-demangle --simplified)

LOGS="$FUZZ_DIR/.build/logs"
mkdir -p "$LOGS"
summary=()
status=0
for target in "${targets[@]}"; do
    corpus="$FUZZ_DIR/corpus-$target"
    seeds="$FUZZ_DIR/corpus-seed/$target"
    crashers="$FUZZ_DIR/crashers/$target"
    mkdir -p "$corpus" "$seeds" "$crashers"
    log="$LOGS/$target-$(date -u +%Y%m%dT%H%M%SZ).log"
    before="$(ls "$crashers" | sort)"
    echo "== $target: ${SECONDS_PER_TARGET}s, log $log"
    # shellcheck disable=SC2086
    "$FUZZ_DIR/bin/$target" \
        -max_total_time="$SECONDS_PER_TARGET" -max_len="$(max_len "$target")" -rss_limit_mb=2048 -timeout=10 \
        -print_final_stats=1 -artifact_prefix="$crashers/" ${FUZZ_FLAGS:-} "$corpus" "$seeds" >"$log" 2>&1
    rc=$?

    # The last status line ("#N DONE cov: X ft: Y corp: U/S ...") and the final stats.
    last="$(grep -E '^#[0-9]+' "$log" | tail -1)"
    cov="$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$last")"
    ft="$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$last")"
    corp="$(sed -nE 's/.* corp: ([0-9]+\/[0-9]+[a-zA-Z]*).*/\1/p' <<<"$last")"
    execs="$(sed -nE 's/^stat::number_of_executed_units: ([0-9]+)/\1/p' "$log")"
    rate="$(sed -nE 's/^stat::average_exec_per_sec: +([0-9]+)/\1/p' "$log")"
    rss="$(sed -nE 's/^stat::peak_rss_mb: +([0-9]+)/\1/p' "$log")"

    new_crashers=()
    while IFS= read -r file; do
        [[ -n "$file" ]] && new_crashers+=("$file")
    done < <(comm -13 <(echo "$before") <(ls "$crashers" | sort))
    for file in "${new_crashers[@]}"; do
        echo "   $target: new crasher $crashers/$file, minimizing"
        minimized="$crashers/$file.min"
        "$FUZZ_DIR/bin/$target" -minimize_crash=1 -max_total_time=120 -runs=100000 \
            -exact_artifact_path="$minimized" "$crashers/$file" >"$LOGS/$target-minimize-$file.log" 2>&1
        if [[ -s "$minimized" ]]; then mv "$minimized" "$crashers/$file"; else rm -f "$minimized"; fi
        # The reason and the top of the stack, demangled.
        grep -m1 -E 'Fatal error|ERROR: AddressSanitizer|ERROR: libFuzzer|ERROR: LeakSanitizer' "$log" | sed 's/^/   /'
        grep -E '^ +#[0-9]+ ' "$log" | grep -v -E 'compiler-rt|libc\.so|libc_start' | head -12 | "${DEMANGLE[@]}" | cut -c1-200 | sed 's/^/   /'
        status=1
    done
    if [[ ${#new_crashers[@]} -gt 0 ]]; then
        mkdir -p "$ROOT/Tests/KafkaWireTests/FuzzCrashers/$target"
        cp "$crashers"/* "$ROOT/Tests/KafkaWireTests/FuzzCrashers/$target/"
    fi
    [[ $rc -ne 0 && ${#new_crashers[@]} -eq 0 ]] && { echo "   $target: libFuzzer exited with $rc, see $log"; status=1; }
    summary+=("$(printf '%-22s %8ss %12s execs %8s/s  cov %-6s ft %-7s corpus %-12s rss %5sMB  crashers %s' \
        "$target" "$SECONDS_PER_TARGET" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "${rss:-?}" "${#new_crashers[@]}")")
done

echo
echo "== summary ($(date -u +%Y-%m-%dT%H:%MZ), $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo "no git"))"
printf '%s\n' "${summary[@]}"
exit $status
