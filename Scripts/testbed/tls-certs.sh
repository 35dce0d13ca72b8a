#!/usr/bin/env bash
# Generates the test bed's TLS certificates with openssl into DIR (default .testbed/tls):
#
#   ca.pem ca.key                 "Swafka Test CA": signs everything below except other-*
#   other-ca.pem other-ca.key     "Swafka Other CA": a CA the brokers do not use (wrong-CA tests)
#   server.pem server.key         localhost + 127.0.0.1 + ::1, signed by ca
#   wronghost.pem wronghost.key   only wrong.example, signed by ca (hostname-verification tests)
#   expired.pem expired.key       localhost + 127.0.0.1, valid 2020-01-01 .. 2020-01-02 only, signed by ca
#   client.pem client.key         CN=swafka-client, signed by ca (mutual TLS)
#   client-encrypted.key          client.key encrypted with the password in client-key-password.txt
#   other-client.pem other-client.key  a client certificate signed by other-ca (refused by the brokers)
#
#   Scripts/testbed/tls-certs.sh [DIR] [DAYS]     DAYS: validity of the good certificates (default 3650)
set -euo pipefail
dir="${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/.testbed/tls}"
days="${2:-3650}"
mkdir -p "$dir"
cd "$dir"
export OPENSSL_CONF=/dev/null

ca() {  # name subject
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.pem" -days "$days" -subj "/CN=$2" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
}
leaf() {  # name ca subject san [startdate enddate]
    local name="$1" signer="$2" subject="$3" san="$4"
    openssl req -newkey rsa:2048 -nodes -keyout "$name.key" -out "$name.csr" -subj "/CN=$subject" 2>/dev/null
    cat > "$name.ext" <<EXT
basicConstraints=CA:FALSE
keyUsage=digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth,clientAuth
${san:+subjectAltName=$san}
EXT
    if [ $# -ge 6 ]; then
        # openssl 3.0's x509 cannot back-date; its ca command can.
        mkdir -p ca-db
        : > ca-db/index.txt
        cat > ca-db/ca.cnf <<CNF
[ca]
default_ca = test
[test]
database = ca-db/index.txt
new_certs_dir = ca-db
serial = ca-db/serial
default_md = sha256
policy = any
unique_subject = no
[any]
commonName = supplied
CNF
        openssl rand -hex 8 > ca-db/serial
        openssl ca -batch -config ca-db/ca.cnf -cert "$signer.pem" -keyfile "$signer.key" -in "$name.csr" -out "$name.pem" \
            -startdate "$5" -enddate "$6" -extfile "$name.ext" -notext 2>/dev/null
    else
        openssl x509 -req -in "$name.csr" -CA "$signer.pem" -CAkey "$signer.key" -CAcreateserial -out "$name.pem" \
            -days "$days" -sha256 -extfile "$name.ext" 2>/dev/null
    fi
    rm -f "$name.csr" "$name.ext"
}

ca ca "Swafka Test CA"
ca other-ca "Swafka Other CA"
leaf server ca localhost "DNS:localhost,IP:127.0.0.1,IP:::1"
leaf wronghost ca wrong.example "DNS:wrong.example"
leaf expired ca localhost "DNS:localhost,IP:127.0.0.1" 20200101000000Z 20200102000000Z
leaf client ca swafka-client ""
leaf other-client other-ca swafka-other-client ""
echo "swafka-key-secret" > client-key-password.txt
openssl pkey -in client.key -out client-encrypted.key -aes256 -passout file:client-key-password.txt
rm -rf ca-db ./*.srl
echo "$dir"
