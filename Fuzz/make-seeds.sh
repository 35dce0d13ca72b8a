#!/usr/bin/env bash
# Regenerates the committed seed corpora in Fuzz/corpus-seed/ from the registered messages
# (run after new APIs or data types are merged, then commit the result).
set -euo pipefail
FUZZ_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"$FUZZ_DIR/build.sh" SeedGen
rm -rf "$FUZZ_DIR/corpus-seed"
"$FUZZ_DIR/bin/SeedGen" "$FUZZ_DIR/corpus-seed"
du -sh "$FUZZ_DIR/corpus-seed"
