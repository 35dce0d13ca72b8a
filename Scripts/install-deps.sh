#!/usr/bin/env bash
# Installs the Debian packages Swafka builds against (compression libraries, OpenSSL). Idempotent.
set -euo pipefail
need=()
for pkg in zlib1g-dev liblz4-dev libsnappy-dev libzstd-dev libssl-dev pkg-config; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
    echo "installing: ${need[*]}"
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
