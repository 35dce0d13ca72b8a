#!/usr/bin/env bash
# Builds the libFuzzer executables into Fuzz/bin/ (and SeedGen, which writes the seed corpora).
#
# KafkaWire and KafkaCompression are compiled from Sources/ with swiftc straight into static
# libraries instrumented for libFuzzer and AddressSanitizer; each target is its entry point in
# Fuzz/Targets/ plus Tests/KafkaWireTests/Support/FuzzChecks.swift and FuzzRecordChecks.swift,
# the checks the replay tests run too. Nothing here touches the main package build.
#
# Usage: Fuzz/build.sh [target...|SeedGen]    (default: every target)
set -euo pipefail

FUZZ_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$FUZZ_DIR")"
BUILD="$FUZZ_DIR/.build"
BIN="$FUZZ_DIR/bin"
SWIFTC="${SWIFTC:-swiftc}"
mkdir -p "$BUILD" "$BIN"

ALL_TARGETS=(FuzzRequests FuzzResponses FuzzHeaders FuzzConsumerProtocol FuzzRecords)

# -O keeps Swift's run-time checks (overflow, bounds, preconditions): they are what the fuzzer hunts.
SWIFT_FLAGS=(-swift-version 6 -enable-upcoming-feature ExistentialAny -enable-upcoming-feature MemberImportVisibility
             -O -g -parse-as-library)
FUZZ_FLAGS=(-sanitize=fuzzer,address)
LINK_FLAGS=(-use-ld=lld)
CSHIMS=()
for shim in CZlib CLZ4 CSnappy CZstd; do CSHIMS+=(-I "$ROOT/Sources/CShims/$shim"); done

# True unless $out exists, is newer than every input, and was built from the same list of inputs.
needs_build() {  # out, list-file, inputs...
    local out="$1" list="$2"; shift 2
    local current; current="$(printf '%s\n' "$@" | sort)"
    if [[ ! -f "$out" || ! -f "$list" || "$(cat "$list")" != "$current" ]]; then return 0; fi
    local f; for f in "$@"; do [[ "$f" -nt "$out" ]] && return 0; done
    return 1
}

build_library() {  # module, extra flags...
    local module="$1"; shift
    local sources; mapfile -t sources < <(find "$ROOT/Sources/$module" -name '*.swift' | sort)
    local lib="$BUILD/lib$module.a"
    if needs_build "$lib" "$BUILD/$module.sources" "${sources[@]}" "$FUZZ_DIR/build.sh"; then
        echo "build: $module (${#sources[@]} files)"
        "$SWIFTC" -module-name "$module" "${SWIFT_FLAGS[@]}" "${FUZZ_FLAGS[@]}" "$@" -I "$BUILD" \
            -emit-module -emit-module-path "$BUILD/$module.swiftmodule" -emit-library -static -o "$lib" "${sources[@]}"
        printf '%s\n' "${sources[@]}" "$FUZZ_DIR/build.sh" | sort > "$BUILD/$module.sources"
    fi
}

build_executable() {  # name, sanitizers, our libraries, system libraries, sources...
    local name="$1" sanitize="$2" libraries="$3" system="$4"; shift 4
    local out="$BIN/$name" inputs=("$@" "$FUZZ_DIR/build.sh") link=() lib
    for lib in $libraries; do inputs+=("$BUILD/lib$lib.a"); link+=(-l"$lib"); done
    for lib in $system; do link+=(-l"$lib"); done
    if needs_build "$out" "$BUILD/$name.sources" "${inputs[@]}"; then
        echo "build: $name"
        "$SWIFTC" -module-name "$name" "${SWIFT_FLAGS[@]}" "$sanitize" "${LINK_FLAGS[@]}" "${CSHIMS[@]}" \
            -I "$BUILD" -L "$BUILD" "${link[@]}" -o "$out" "$@"
        printf '%s\n' "${inputs[@]}" | sort > "$BUILD/$name.sources"
    fi
}

targets=("$@")
[[ ${#targets[@]} -eq 0 ]] && targets=("${ALL_TARGETS[@]}")

# Every target links both libraries: the shared checks (FuzzChecks.run) reach the records ones.
build_library KafkaWire
build_library KafkaCompression "${CSHIMS[@]}"
CHECKS=("$ROOT/Tests/KafkaWireTests/Support/FuzzChecks.swift" "$ROOT/Tests/KafkaWireTests/Support/FuzzRecordChecks.swift")
LIBRARIES="KafkaCompression KafkaWire"
SYSTEM_LIBRARIES="z lz4 snappy zstd"
for target in "${targets[@]}"; do
    case "$target" in
    SeedGen)
        build_executable SeedGen -sanitize=address "$LIBRARIES" "$SYSTEM_LIBRARIES" \
            "$FUZZ_DIR/SeedGen/main.swift" "${CHECKS[@]}" "$ROOT/Tests/KafkaWireTests/Support/ValueFiller.swift" ;;
    Fuzz*)
        [[ -f "$FUZZ_DIR/Targets/$target.swift" ]] || { echo "build: no such target $target" >&2; exit 2; }
        build_executable "$target" -sanitize=fuzzer,address "$LIBRARIES" "$SYSTEM_LIBRARIES" \
            "$FUZZ_DIR/Targets/$target.swift" "${CHECKS[@]}" ;;
    *) echo "build: unknown target $target" >&2; exit 2 ;;
    esac
done
