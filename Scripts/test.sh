#!/usr/bin/env bash
# Runs every test: unit tests, codec conformance against the JSON specs, and the integration
# tests against real brokers (Tansu and librdkafka's mock cluster), which this script installs,
# starts and stops itself, also when tests fail.
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/install-deps.sh
Scripts/testbed/install.sh

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

Scripts/testbed/start.sh --restart
trap 'Scripts/testbed/stop.sh || true' EXIT
set -a
# shellcheck disable=SC1091
. .testbed/env
set +a
# With the brokers up, an integration test that finds no broker fails instead of skipping.
export SWAFKA_REQUIRE_INTEGRATION=1

# Two phases. Tests that talk over sockets (live brokers, the scripted hostile peers, the
# swafkacat-vs-kcat parity runs) run apart
# from the CPU-bound codec sweeps: with both in one parallel run on two cores, the sweeps starve
# the network tests' tasks for longer than their connect and request timeouts.
# The conformance corpus (Scripts/conformance) runs inside the first phase: in-process and through
# one `swafka-wire batch` process (KafkaWireJSONTests).
network_tests='IntegrationTests|HostilePeerTests|SwafkacatTests'
swift test --skip-build --skip "$network_tests"
swift test --skip-build --filter "$network_tests"
