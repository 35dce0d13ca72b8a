#!/usr/bin/env bash
# The main job, end to end on a fresh Debian machine: installs what it needs, starts a local
# Tansu broker (and the mock cluster) through the test bed, runs swafka-tour against Tansu, and
# stops the brokers again, also on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/install-deps.sh
Scripts/testbed/install.sh
swift build --product swafka-tour
Scripts/testbed/start.sh --restart
trap 'Scripts/testbed/stop.sh || true' EXIT
set -a
# shellcheck disable=SC1091
. .testbed/env
set +a
"$(swift build --show-bin-path)/swafka-tour" "$SWAFKA_TANSU_BOOTSTRAP"
