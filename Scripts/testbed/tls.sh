#!/usr/bin/env bash
# The TLS part of the test bed (start.sh runs it): certificates, two more Tansu brokers and stunnel in front.
#
#   Scripts/testbed/tls.sh        prints the env lines below on stdout (logs on stderr); needs SWAFKA_TESTBED_INSTANCE
#
# Tansu's own TLS listener does not work for us, so stunnel terminates TLS in front of plaintext Tansu brokers.
# A broker advertises the stunnel port (--advertised-listener-url), so metadata routes clients back through TLS;
# the TLS and the mutual-TLS listeners therefore each have a Tansu of their own:
#
#   SWAFKA_TLS_BOOTSTRAP=127.0.0.1:S            TLS (server.pem: localhost, 127.0.0.1) -> Tansu A (advertises S)
#   SWAFKA_MTLS_BOOTSTRAP=127.0.0.1:M           TLS requiring a client certificate signed by ca.pem -> Tansu B (advertises M)
#   SWAFKA_TLS_EXPIRED_BOOTSTRAP=127.0.0.1:E    TLS with an expired certificate -> Tansu A
#   SWAFKA_TLS_WRONGHOST_BOOTSTRAP=127.0.0.1:W  TLS with a certificate for wrong.example only -> Tansu A
#   SWAFKA_TLS_PLAINTEXT_BOOTSTRAP=127.0.0.1:P  Tansu A's plaintext port (a TLS client against a plaintext listener)
#   SWAFKA_TLS_DIR=.../.testbed/tls             ca.pem other-ca.pem client.pem client.key client-encrypted.key
#                                               client-key-password.txt other-client.pem other-client.key (tls-certs.sh)
# Pid files: .testbed/run/{tansu-tls,tansu-mtls,stunnel}.pid (stop.sh stops them). Logs: .testbed/logs/.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
tb="$root/.testbed"
run="$tb/run"
logs="$tb/logs"
py="$tb/venv/bin/python"
certs="$tb/tls"
log() { echo "testbed/tls: $*" >&2; }

stunnel_bin="$(command -v stunnel4 || command -v stunnel || true)"
[ -n "$stunnel_bin" ] || { log "stunnel4 is missing: run Scripts/testbed/install.sh"; exit 1; }
mkdir -p "$run" "$logs"
export SWAFKA_TESTBED_INSTANCE="${SWAFKA_TESTBED_INSTANCE:-$root}"

# Certificates: made once, kept while the good ones stay valid for another day.
if [ ! -f "$certs/client-encrypted.key" ] || ! openssl x509 -checkend 86400 -noout -in "$certs/server.pem" >/dev/null 2>&1; then
    rm -rf "$certs"
    "$here/tls-certs.sh" "$certs" >/dev/null
fi

free_port() {
    "$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start_tansu() {  # name plaintext-port advertised-port
    setsid "$tb/bin/tansu" broker \
        --listener-url "tcp://127.0.0.1:$2" \
        --advertised-listener-url "tcp://127.0.0.1:$3" \
        --storage-engine memory://tansu/ \
        </dev/null >"$logs/$1.log" 2>&1 &
    echo $! > "$run/$1.pid"
}

a_plain="$(free_port)"; b_plain="$(free_port)"
s_port="$(free_port)"; m_port="$(free_port)"; e_port="$(free_port)"; w_port="$(free_port)"
start_tansu tansu-tls "$a_plain" "$s_port"
start_tansu tansu-mtls "$b_plain" "$m_port"

cat > "$run/stunnel.conf" <<EOF2
foreground = yes
debug = 4
output = $logs/stunnel.log
pid =
sslVersionMin = TLSv1.2

[tls]
accept = 127.0.0.1:$s_port
connect = 127.0.0.1:$a_plain
cert = $certs/server.pem
key = $certs/server.key

[mtls]
accept = 127.0.0.1:$m_port
connect = 127.0.0.1:$b_plain
cert = $certs/server.pem
key = $certs/server.key
CAfile = $certs/ca.pem
verifyChain = yes
requireCert = yes

[expired]
accept = 127.0.0.1:$e_port
connect = 127.0.0.1:$a_plain
cert = $certs/expired.pem
key = $certs/expired.key

[wronghost]
accept = 127.0.0.1:$w_port
connect = 127.0.0.1:$a_plain
cert = $certs/wronghost.pem
key = $certs/wronghost.key
EOF2
setsid "$stunnel_bin" "$run/stunnel.conf" </dev/null >>"$logs/stunnel.log" 2>&1 &
echo $! > "$run/stunnel.pid"

# The brokers answer ApiVersions on their plaintext ports; stunnel listens on its four.
if ! "$py" "$here/probe.py" --timeout 20 "127.0.0.1:$a_plain" "127.0.0.1:$b_plain"; then
    log "the TLS test bed's Tansu brokers did not come up"; tail -5 "$logs/tansu-tls.log" >&2 || true; exit 1
fi
for port in "$s_port" "$m_port" "$e_port" "$w_port"; do
    ok=0
    for _ in $(seq 1 100); do
        if "$py" -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1).close()' "$port" 2>/dev/null; then
            ok=1; break
        fi
        sleep 0.05
    done
    [ "$ok" = 1 ] || { log "stunnel is not listening on $port"; tail -5 "$logs/stunnel.log" >&2 || true; exit 1; }
done

cat <<EOF2
SWAFKA_TLS_BOOTSTRAP=127.0.0.1:$s_port
SWAFKA_MTLS_BOOTSTRAP=127.0.0.1:$m_port
SWAFKA_TLS_EXPIRED_BOOTSTRAP=127.0.0.1:$e_port
SWAFKA_TLS_WRONGHOST_BOOTSTRAP=127.0.0.1:$w_port
SWAFKA_TLS_PLAINTEXT_BOOTSTRAP=127.0.0.1:$a_plain
SWAFKA_TLS_DIR=$certs
EOF2
log "up: TLS at $s_port, mutual TLS at $m_port, expired at $e_port, wrong host at $w_port (brokers $a_plain, $b_plain)"
