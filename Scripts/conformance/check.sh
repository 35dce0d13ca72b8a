#!/bin/sh
# Conformance check of the built swafka-wire CLI against the spec-driven reference corpus.
#
#   Scripts/conformance/check.sh            # the committed corpus
#   Scripts/conformance/check.sh --fresh    # regenerate a corpus from the specs first (needs the specs)
#
# Builds swafka-wire, runs every case through ONE `swafka-wire batch` process (decode the hex,
# encode the JSON) and prints passed / failed / skipped per API. Exit status 1 on any failure.
set -eu
cd "$(dirname "$0")/../.."
scratch=".build-$(basename "$PWD")"
corpus=Tests/KafkaWireJSONTests/Conformance/corpus.jsonl
verbose=""
for arg in "$@"; do
    case "$arg" in
        --fresh)
            corpus="$(mktemp -t swafka-corpus.XXXXXX)"
            python3 Scripts/conformance/generate.py --out "$corpus" ;;
        --verbose) verbose="--verbose" ;;
        *) echo "usage: $0 [--fresh] [--verbose]" >&2; exit 64 ;;
    esac
done
swift build --scratch-path "$scratch" --product swafka-wire >&2
python3 Scripts/conformance/check.py "$(swift build --scratch-path "$scratch" --show-bin-path)/swafka-wire" "$corpus" $verbose
