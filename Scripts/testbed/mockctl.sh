#!/usr/bin/env bash
# Sends fault-injection commands to the running mock cluster launcher and prints each reply.
#
#   Scripts/testbed/mockctl.sh 'broker down 2' 'leader orders 0 3' ...
#
# Reads SWAFKA_MOCK_CONTROL from the environment or from .testbed/env. Exits 1 if any reply is "error ...".
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ -z "${SWAFKA_MOCK_CONTROL:-}" ]; then
    # shellcheck disable=SC1091
    . "$here/../../.testbed/env"
fi
status=0
exec 3<>"/dev/tcp/${SWAFKA_MOCK_CONTROL%:*}/${SWAFKA_MOCK_CONTROL##*:}"
for cmd in "$@"; do
    printf '%s\n' "$cmd" >&3
    IFS= read -r reply <&3
    echo "$reply"
    case "$reply" in ok*) ;; *) status=1 ;; esac
done
printf 'quit\n' >&3
exec 3>&-
exit "$status"
