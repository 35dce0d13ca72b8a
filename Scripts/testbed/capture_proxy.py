#!/usr/bin/env python3
"""Records Kafka wire traffic between real peers and turns it into fixture files (standard library only).

Three steps, each a subcommand:

  proxy    --map LISTEN_PORT=TARGET_HOST:PORT [--map ...] --out DIR
           A loopback TCP proxy. Every accepted connection is forwarded to its target and both directions are
           appended, byte for byte, to DIR/<label>/conn-NNNN.c2s and .s2c, where <label> is the content of
           DIR/current-label when the connection was accepted (the capture script writes it before each
           command). Start the broker advertising the proxy's port, so that clients come back through it.
           Runs until SIGTERM/SIGINT.

  pcap     FILE --server-ports P[,P...] --out DIR --label LABEL
           The same streams, reassembled from a tcpdump capture (for the librdkafka mock cluster, whose brokers
           bind ephemeral ports and advertise themselves, so a proxy cannot sit in front of them).

  extract  --captures DIR --fixtures FIXTURES_DIR
           Splits every stream into frames, pairs responses with requests by correlation id (per connection),
           drops exact repeats, and writes FIXTURES_DIR/<peer>-<broker>/NNN-<Api>-v<version>-request.bin and
           -response.bin (the full frame without its 4-byte size: header + body), and FIXTURES_DIR/index.json.
           Each label directory holds meta.json naming the peer, its version, the broker and the command.

Header versions follow the spec: request header v2 and response header v1 for an API's flexible versions
(flexibleVersions in message-specs/<Name>Request.json), v1 and v0 otherwise; ApiVersions responses always use
response header v0.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import struct
import sys
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent

# At most this many distinct (request, response) pairs per label, API and version: enough to show a
# conversation's variants (first fetch with records, then empty polls) without hundreds of heartbeats.
MAX_PAIRS_PER_LABEL_API_VERSION = 4
# The same request (correlation id aside) is kept at most this often per group, whatever the answers were:
# GetTelemetrySubscriptions, for one, gets a fresh client instance id in every answer.
MAX_SAME_REQUEST_PER_GROUP = 2
MAX_FRAME = 64 * 1024 * 1024


# ----------------------------------------------------------------------------------------------------- specs --

def default_spec_dir() -> Path:
    candidates = [
        os.environ.get("SWAFKA_KAFKA_SPECS", ""),
        str(ROOT.parent / "shared" / "kafka-protocol" / "message-specs"),
        "/work/shared/kafka-protocol/message-specs",
    ]
    for c in candidates:
        if c and Path(c).is_dir():
            return Path(c)
    raise SystemExit("capture_proxy: Kafka message specs not found; set SWAFKA_KAFKA_SPECS")


def parse_versions(text: str) -> tuple[int, int] | None:
    """'3+' -> (3, 32767), '0-4' -> (0, 4), '5' -> (5, 5), 'none' -> None."""
    text = text.strip()
    if text == "none":
        return None
    if text.endswith("+"):
        return int(text[:-1]), 32767
    if "-" in text:
        lo, hi = text.split("-")
        return int(lo), int(hi)
    return int(text), int(text)


@dataclass
class ApiSpec:
    key: int
    name: str                      # "Produce", without the Request suffix
    valid: tuple[int, int] | None
    flexible: tuple[int, int] | None

    def is_flexible(self, version: int) -> bool:
        return self.flexible is not None and self.flexible[0] <= version <= self.flexible[1]


def load_specs(spec_dir: Path) -> dict[int, ApiSpec]:
    specs: dict[int, ApiSpec] = {}
    for path in sorted(spec_dir.glob("*Request.json")):
        # The spec files carry //-comment lines (license, notes); strip whole-line comments only, since string
        # values may contain "//" (URLs).
        text = "\n".join(line for line in path.read_text().splitlines() if not line.lstrip().startswith("//"))
        doc = json.loads(text)
        if doc.get("type") != "request" or "apiKey" not in doc:
            continue
        name = doc["name"].removesuffix("Request")
        specs[doc["apiKey"]] = ApiSpec(doc["apiKey"], name, parse_versions(doc["validVersions"]),
                                       parse_versions(doc.get("flexibleVersions", "none")))
    return specs


# ----------------------------------------------------------------------------------------------------- proxy --

class Proxy:
    def __init__(self, out: Path):
        self.out = out
        self.counter = 0

    def label(self) -> str:
        try:
            label = (self.out / "current-label").read_text().strip()
        except OSError:
            label = ""
        return label or "unlabelled"

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, target: tuple[str, int]):
        self.counter += 1
        conn = self.counter
        label_dir = self.out / self.label()
        label_dir.mkdir(parents=True, exist_ok=True)
        base = label_dir / f"conn-{os.getpid()}-{conn:04d}"
        try:
            up_reader, up_writer = await asyncio.open_connection(*target)
        except OSError as e:
            print(f"capture_proxy: connect {target}: {e}", file=sys.stderr)
            writer.close()
            return
        with open(f"{base}.c2s", "ab") as c2s, open(f"{base}.s2c", "ab") as s2c:
            await asyncio.gather(self.pump(reader, up_writer, c2s), self.pump(up_reader, writer, s2c))

    @staticmethod
    async def pump(src: asyncio.StreamReader, dst: asyncio.StreamWriter, record) -> None:
        try:
            while True:
                chunk = await src.read(65536)
                if not chunk:
                    break
                record.write(chunk)
                record.flush()
                dst.write(chunk)
                await dst.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            try:
                dst.close()
            except (ConnectionError, OSError):
                pass


async def run_proxy(maps: list[str], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    proxy = Proxy(out)
    servers = []
    for m in maps:
        listen, _, target = m.partition("=")
        host, _, port = target.rpartition(":")
        t = (host or "127.0.0.1", int(port))
        server = await asyncio.start_server(lambda r, w, t=t: proxy.handle(r, w, t), "127.0.0.1", int(listen))
        servers.append(server)
        print(f"capture_proxy: 127.0.0.1:{listen} -> {t[0]}:{t[1]}", file=sys.stderr, flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    (out / "proxy.ready").write_text("ready\n")
    await stop.wait()
    for s in servers:
        s.close()


# ------------------------------------------------------------------------------------------------------ pcap --

def pcap_packets(path: Path):
    """Yields (timestamp, link-layer payload) from a classic pcap file."""
    data = path.read_bytes()
    if len(data) < 24:
        return
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        endian = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        endian = ">"
    else:
        raise SystemExit(f"capture_proxy: {path} is not a classic pcap file")
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    pos = 24
    while pos + 16 <= len(data):
        sec, frac, incl, _orig = struct.unpack(endian + "IIII", data[pos:pos + 16])
        pos += 16
        yield linktype, sec + frac / 1e6, data[pos:pos + incl]
        pos += incl


def ip_payload(linktype: int, frame: bytes) -> bytes | None:
    if linktype == 1:          # Ethernet (tcpdump -i lo)
        if len(frame) < 14 or frame[12:14] != b"\x08\x00":
            return None
        return frame[14:]
    if linktype == 113:        # Linux cooked v1
        return frame[16:] if frame[14:16] == b"\x08\x00" else None
    if linktype == 276:        # Linux cooked v2
        return frame[20:] if frame[0:2] == b"\x08\x00" else None
    if linktype in (101, 228):  # raw IPv4
        return frame
    if linktype == 0:          # BSD loopback
        return frame[4:] if struct.unpack("<I", frame[:4])[0] == 2 else None
    return None


@dataclass
class HalfStream:
    isn: int | None = None
    segments: dict[int, bytes] = field(default_factory=dict)

    def assemble(self) -> tuple[bytes, int]:
        """Returns the contiguous stream from the SYN on, and the number of missing bytes."""
        if self.isn is None:
            return b"", 0
        out = bytearray()
        missing = 0
        base = (self.isn + 1) & 0xFFFFFFFF
        for rel in sorted(((s - base) & 0xFFFFFFFF, s) for s in self.segments):
            off, seq = rel
            seg = self.segments[seq]
            if off > len(out):
                missing += off - len(out)
                break
            out += seg[len(out) - off:]
        return bytes(out), missing


def pcap_to_streams(pcap: Path, server_ports: set[int], out: Path, label: str) -> int:
    conns: dict[tuple, dict] = {}
    order: list[tuple] = []
    orphans = 0   # data packets of connections whose SYN was not captured
    for linktype, ts, frame in pcap_packets(pcap):
        ip = ip_payload(linktype, frame)
        if ip is None or len(ip) < 20 or ip[0] >> 4 != 4 or ip[9] != 6:
            continue
        ihl = (ip[0] & 0x0F) * 4
        total = struct.unpack(">H", ip[2:4])[0]
        src, dst = ip[12:16], ip[16:20]
        tcp = ip[ihl:total]
        if len(tcp) < 20:
            continue
        sport, dport, seq = struct.unpack(">HHI", tcp[:8])
        flags = tcp[13]
        payload = tcp[(tcp[12] >> 4) * 4:]
        if dport in server_ports:
            key, direction = (src, sport, dst, dport), "c2s"
        elif sport in server_ports:
            key, direction = (dst, dport, src, sport), "s2c"
        else:
            continue
        if flags & 0x02 and direction == "c2s" and not flags & 0x10:   # SYN from the client: a new connection
            if key in conns and conns[key]["c2s"].segments:
                # Port reuse within one capture: keep the finished connection under another key.
                old = conns.pop(key)
                newkey = key + (len(order),)
                conns[newkey] = old
                order[order.index(key)] = newkey
            conns[key] = {"c2s": HalfStream(), "s2c": HalfStream(), "ts": ts}
            order.append(key)
        c = conns.get(key)
        if c is None:
            if payload:
                orphans += 1
            continue
        half: HalfStream = c[direction]
        if flags & 0x02:
            half.isn = seq
        if payload and half.isn is not None:
            prev = half.segments.get(seq)
            if prev is None or len(payload) > len(prev):
                half.segments[seq] = payload
    if orphans:
        print(f"capture_proxy: {label}: {orphans} data packets of connections opened before the capture",
              file=sys.stderr)
    label_dir = out / label
    label_dir.mkdir(parents=True, exist_ok=True)
    n = 0
    for key in order:
        c = conns[key]
        n += 1
        for direction in ("c2s", "s2c"):
            data, missing = c[direction].assemble()
            if missing:
                print(f"capture_proxy: {label} conn {n} {direction}: {missing} bytes missing", file=sys.stderr)
            (label_dir / f"conn-pcap-{n:04d}.{direction}").write_bytes(data)
    return n


# --------------------------------------------------------------------------------------------------- extract --

@dataclass
class Frame:
    payload: bytes                 # without the 4-byte size

    @property
    def correlation_id(self) -> int:
        return struct.unpack(">i", self.payload[:4])[0]


def split_frames(stream: bytes, what: str) -> tuple[list[bytes], int]:
    frames = []
    pos = 0
    while pos + 4 <= len(stream):
        (size,) = struct.unpack(">i", stream[pos:pos + 4])
        if size < 0 or size > MAX_FRAME:
            print(f"capture_proxy: {what}: bad frame size {size} at {pos}; stopping", file=sys.stderr)
            break
        if pos + 4 + size > len(stream):
            break
        frames.append(stream[pos + 4:pos + 4 + size])
        pos += 4 + size
    return frames, len(stream) - pos


def request_header_version(spec: ApiSpec | None, api_key: int, version: int) -> int:
    if api_key == 7 and version == 0:
        return 0   # ControlledShutdown v0 had no client id
    if spec is not None and spec.is_flexible(version):
        return 2
    return 1


def response_header_version(spec: ApiSpec | None, api_key: int, version: int) -> int:
    if api_key == 18:
        return 0   # ApiVersions responses always use header v0, so that any client can read the error code
    if spec is not None and spec.is_flexible(version):
        return 1
    return 0


def redact_correlation(kind: str, payload: bytes) -> bytes:
    """The frame with its correlation id zeroed, for duplicate detection."""
    at = 4 if kind == "request" else 0
    return payload[:at] + b"\0\0\0\0" + payload[at + 4:]


def extract(captures: Path, fixtures: Path, spec_dir: Path) -> None:
    specs = load_specs(spec_dir)
    labels = []
    for meta_path in sorted(captures.glob("*/meta.json")):
        meta = json.loads(meta_path.read_text())
        labels.append((meta.get("sequence", 0), meta_path.parent, meta))
    labels.sort(key=lambda t: (t[0], t[1].name))

    index = []
    counters: dict[str, int] = {}
    seen: dict[str, set] = {}
    same_request: dict[str, dict[bytes, int]] = {}
    written_dirs = set()
    for _, label_dir, meta in labels:
        group = f"{meta['peer']}-{meta['broker']}"
        gdir = fixtures / group
        if group not in written_dirs:
            if gdir.exists():
                for old in gdir.glob("*.bin"):
                    old.unlink()
            gdir.mkdir(parents=True, exist_ok=True)
            written_dirs.add(group)
            counters[group] = 0
            seen[group] = set()
            same_request[group] = {}
        per_api: dict[tuple[int, int], int] = {}
        conns = sorted({p.with_suffix("") for p in label_dir.glob("conn-*.c2s")})
        for conn in conns:
            c2s = conn.with_suffix(".c2s").read_bytes()
            s2c_path = conn.with_suffix(".s2c")
            s2c = s2c_path.read_bytes() if s2c_path.exists() else b""
            requests, left_c = split_frames(c2s, f"{conn}.c2s")
            responses, left_s = split_frames(s2c, f"{conn}.s2c")
            if left_c or left_s:
                print(f"capture_proxy: {conn.name}: {left_c}/{left_s} trailing bytes of an unfinished frame",
                      file=sys.stderr)
            by_corr: dict[int, list[bytes]] = {}
            for r in responses:
                if len(r) >= 4:
                    by_corr.setdefault(struct.unpack(">i", r[:4])[0], []).append(r)
            for req in requests:
                if len(req) < 8:
                    continue
                api_key, version, corr = struct.unpack(">hhi", req[:8])
                spec = specs.get(api_key)
                resp_list = by_corr.get(corr, [])
                resp = resp_list.pop(0) if resp_list else None
                key = (api_key, version, redact_correlation("request", req),
                       redact_correlation("response", resp) if resp is not None else None)
                if key in seen[group] or same_request[group].get(key[2], 0) >= MAX_SAME_REQUEST_PER_GROUP:
                    continue
                if per_api.get((api_key, version), 0) >= MAX_PAIRS_PER_LABEL_API_VERSION:
                    continue
                same_request[group][key[2]] = same_request[group].get(key[2], 0) + 1
                seen[group].add(key)
                per_api[(api_key, version)] = per_api.get((api_key, version), 0) + 1
                counters[group] += 1
                n = counters[group]
                name = spec.name if spec else f"Api{api_key}"
                stem = f"{n:03d}-{name}-v{version}"
                common = {
                    "apiKey": api_key, "apiName": name, "apiVersion": version, "correlationID": corr,
                    "peer": meta["peer"], "peerVersion": meta["peerVersion"],
                    "broker": meta["broker"], "brokerVersion": meta["brokerVersion"],
                    "label": label_dir.name, "command": meta["command"],
                }
                notes = []
                if spec is None:
                    notes.append("API key not in the message specs")
                elif spec.valid is None or not spec.valid[0] <= version <= spec.valid[1]:
                    notes.append(f"version {version} is outside the spec's validVersions")
                req_entry = dict(common, file=f"{group}/{stem}-request.bin", kind="request",
                                 headerVersion=request_header_version(spec, api_key, version),
                                 size=len(req))
                (gdir / f"{stem}-request.bin").write_bytes(req)
                if resp is not None:
                    resp_notes = list(notes)
                    body_version = version
                    if api_key == 18 and len(resp) >= 6 and struct.unpack(">h", resp[4:6])[0] == 35:
                        # UNSUPPORTED_VERSION: the broker answers in the v0 layout so any client can read it.
                        body_version = 0
                        resp_notes.append("UNSUPPORTED_VERSION answer: body is in the ApiVersions v0 layout")
                    resp_entry = dict(common, file=f"{group}/{stem}-response.bin", kind="response",
                                      headerVersion=response_header_version(spec, api_key, version),
                                      bodyVersion=body_version, size=len(resp),
                                      pair=f"{group}/{stem}-request.bin")
                    if resp_notes:
                        resp_entry["notes"] = resp_notes
                    req_entry["pair"] = resp_entry["file"]
                    (gdir / f"{stem}-response.bin").write_bytes(resp)
                else:
                    notes.append("no response: acks=0, or the broker closed the connection"
                                 if api_key == 0 else "no response recorded (connection closed)")
                req_entry["bodyVersion"] = version
                if notes:
                    req_entry["notes"] = notes
                index.append(req_entry)
                if resp is not None:
                    index.append(resp_entry)
            for corr, left in by_corr.items():
                for _ in left:
                    print(f"capture_proxy: {conn.name}: response with unknown correlation id {corr}",
                          file=sys.stderr)
    fixtures.mkdir(parents=True, exist_ok=True)
    apply_marks(index, fixtures)
    (fixtures / "index.json").write_text(json.dumps(index, indent=1) + "\n")
    template = HERE / "fixtures-readme.md.in"
    if template.exists():
        text = template.read_text().replace("@CAPTURES@", captures_markdown(index, labels))
        (fixtures / "README.md").write_text(text)
    print(f"capture_proxy: wrote {len(index)} fixture files in {len(written_dirs)} groups", file=sys.stderr)


def rule_matches(match: dict, entry: dict, frame: bytes) -> bool:
    for key, want in match.items():
        if key == "minVersion":
            ok = entry["apiVersion"] >= want
        elif key == "maxVersion":
            ok = entry["apiVersion"] <= want
        elif key == "hexAt":
            at, hexstr = want["offset"], want["hex"]
            ok = frame[at:at + len(hexstr) // 2].hex() == hexstr.lower()
        else:
            ok = entry.get(key) == want
        if not ok:
            return False
    return True


def apply_marks(index: list[dict], fixtures: Path) -> None:
    """Marks the frames that Scripts/testbed/fixture-marks.json says are non-canonical or break the spec."""
    path = HERE / "fixture-marks.json"
    if not path.exists():
        return
    rules = json.loads(path.read_text())["rules"]
    for entry in index:
        frame = (fixtures / entry["file"]).read_bytes()
        for rule in rules:
            if rule_matches(rule["match"], entry, frame):
                for key in ("reencode", "undecodable"):
                    if key in rule:
                        entry[key] = rule[key]
                break


def captures_markdown(index: list[dict], labels: list) -> str:
    """The generated part of Fixtures/README.md: what each group holds and which command produced which files."""
    out = []
    groups: dict[str, list[dict]] = {}
    for e in index:
        groups.setdefault(e["file"].split("/")[0], []).append(e)
    out.append("### Coverage: API versions with fixtures, per group")
    out.append("")
    out.append("`v3` = request and response; `v3 (req)` = request only (see notes in index.json).")
    out.append("")
    out.append("| Group | Peer | Broker | APIs |")
    out.append("|---|---|---|---|")
    for group, entries in groups.items():
        apis: dict[tuple[int, str], dict[int, set]] = {}
        for e in entries:
            apis.setdefault((e["apiKey"], e["apiName"]), {}).setdefault(e["apiVersion"], set()).add(e["kind"])
        cells = []
        for (key, name), versions in sorted(apis.items()):
            vs = ", ".join(f"v{v}" + ("" if "response" in kinds else " (req)") for v, kinds in sorted(versions.items()))
            cells.append(f"{name}[{key}] {vs}")
        first = entries[0]
        out.append(f"| `{group}/` | {first['peerVersion']} | {first['broker']} {first['brokerVersion']} | "
                   + "; ".join(cells) + " |")
    out.append("")
    for group, entries in groups.items():
        first = entries[0]
        out.append(f"### `{group}/`: {first['peerVersion']} against {first['broker']} {first['brokerVersion']}")
        out.append("")
        out.append("| Files | Messages | Command (label) |")
        out.append("|---|---|---|")
        by_label: dict[str, list[dict]] = {}
        for e in entries:
            by_label.setdefault(e["label"], []).append(e)
        for label, es in by_label.items():
            numbers = sorted({int(Path(e["file"]).name[:3]) for e in es})
            apis = []
            for e in es:
                tag = f"{e['apiName']} v{e['apiVersion']}"
                if e["kind"] == "request" and tag not in apis:
                    apis.append(tag)
            counts = {t: sum(1 for e in es if e["kind"] == "request" and f"{e['apiName']} v{e['apiVersion']}" == t)
                      for t in apis}
            msg = ", ".join(f"{t}" + (f" ×{counts[t]}" if counts[t] > 1 else "") for t in apis)
            cmd = es[0]["command"].replace("|", "\\|")
            out.append(f"| {numbers[0]:03d}–{numbers[-1]:03d} | {msg} | `{cmd}` ({label}) |")
        out.append("")
    return "\n".join(out)


# ------------------------------------------------------------------------------------------------------ main --

def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("proxy")
    p.add_argument("--map", action="append", required=True, help="LISTEN_PORT=TARGET_HOST:PORT")
    p.add_argument("--out", type=Path, required=True)
    p = sub.add_parser("pcap")
    p.add_argument("file", type=Path)
    p.add_argument("--server-ports", required=True)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--label", required=True)
    p = sub.add_parser("extract")
    p.add_argument("--captures", type=Path, required=True)
    p.add_argument("--fixtures", type=Path, required=True)
    p.add_argument("--specs", type=Path, default=None)
    args = ap.parse_args()
    if args.cmd == "proxy":
        asyncio.run(run_proxy(args.map, args.out))
    elif args.cmd == "pcap":
        ports = {int(x) for x in re.split(r"[ ,]+", args.server_ports) if x}
        n = pcap_to_streams(args.file, ports, args.out, args.label)
        print(f"capture_proxy: {args.label}: {n} connection(s) from {args.file}", file=sys.stderr)
    else:
        extract(args.captures, args.fixtures, args.specs or default_spec_dir())
    return 0


if __name__ == "__main__":
    sys.exit(main())
