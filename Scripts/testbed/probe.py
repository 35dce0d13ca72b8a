#!/usr/bin/env python3
"""Waits until every Kafka broker given answers an ApiVersions v0 request (standard library only).

    probe.py [--timeout SECONDS] HOST:PORT[,HOST:PORT...] ...

Exits 0 once each address has returned a well-formed ApiVersions response with error code 0, 1 on timeout.
A TCP accept alone is not enough: Tansu accepts before its storage is ready, the mock before its broker thread
runs, and a test that starts then would see a spurious disconnect.
"""

import argparse
import socket
import struct
import sys
import time


def api_versions_ok(host: str, port: int, timeout: float) -> bool:
    client_id = b"swafka-probe"
    # Request header v1: api_key, api_version, correlation_id, client_id (int16-length string). Body v0: empty.
    header = struct.pack(">hhih", 18, 0, 7, len(client_id)) + client_id
    frame = struct.pack(">i", len(header)) + header
    try:
        with socket.create_connection((host, port), timeout=timeout) as s:
            s.settimeout(timeout)
            s.sendall(frame)
            size_bytes = _read_exact(s, 4)
            (size,) = struct.unpack(">i", size_bytes)
            if size < 6 or size > 1 << 20:
                return False
            body = _read_exact(s, size)
            correlation_id, error_code = struct.unpack(">ih", body[:6])
            return correlation_id == 7 and error_code == 0
    except (OSError, struct.error, EOFError):
        return False


def _read_exact(s: socket.socket, n: int) -> bytes:
    out = bytearray()
    while len(out) < n:
        chunk = s.recv(n - len(out))
        if not chunk:
            raise EOFError
        out += chunk
    return bytes(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("addresses", nargs="+")
    args = parser.parse_args()
    pending = [a for arg in args.addresses for a in arg.split(",") if a]
    deadline = time.monotonic() + args.timeout
    while pending:
        host, _, port = pending[0].rpartition(":")
        if api_versions_ok(host, int(port), timeout=2.0):
            pending.pop(0)
            continue
        if time.monotonic() > deadline:
            print(f"probe: no ApiVersions answer from {pending[0]} within {args.timeout:.0f}s", file=sys.stderr)
            return 1
        time.sleep(0.1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
