#!/usr/bin/env bash
# Runs every test: unit tests, codec conformance against the JSON specs, and (when the
# test bed exists) integration tests against real brokers it starts and stops itself.
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/install-deps.sh

log=.build-test.log
if ! swift build --build-tests >"$log" 2>&1; then
    cat "$log"
    echo "build failed"
    exit 1
fi
# Zero warnings is a rule, not a wish: a clean build that warns fails the run.
if grep -E 'warning:' "$log"; then
    echo "the build emitted warnings"
    exit 1
fi
swift test --skip-build
if [ -x Scripts/conformance/check.sh ]; then
    Scripts/conformance/check.sh
fi
