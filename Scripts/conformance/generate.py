#!/usr/bin/env python3
"""Spec-driven reference corpus for swafka-wire's JSON and binary codecs.

Reads Kafka's message specs (the JSON files with // comments), and for every API Swafka
implements (request and response), the consumer-protocol payloads, every valid version and
a few seeds, generates random values for every field present at that version and writes:

  {"api": ..., "kind": "request"|"response"|"data", "version": n, "seed": s,
   "withHeader": bool, "json": <expected JSON>, "hex": <expected bytes>}

Cases with "records": "decoded" hold RECORDS fields as decoded batches (swafka-wire's
--records decoded); with "decodeOnly": true they contain compressed data, so only decoding is
byte-exact (encoding must give bytes that decode to the same JSON).

Cases with "defaults": true hold every field at its spec default: the JSON of the message
type's init() must equal them.

Negative cases carry "expectError": {"decode": kind, "encode": kind, "field": path}: one per
API, kind and version, with null written into a field the version does not allow to be null;
decoding the bytes and encoding the JSON must both fail.

The expected JSON follows swafka-wire's format (spec field names in spec order, fields present
at the version, tagged fields always printed, their default when absent; bytes and records as
base64; UUIDs 8-4-4-4-12; unknown tags under "_unknownTaggedFields"). The expected bytes come
from this file's own encoder, written from the rules in PRIMITIVES.md. It shares no code with
the Swift codecs: agreement between the two is the evidence that both follow the specs.

Usage: generate.py [--specs DIR] [--apikeys FILE] [--seeds N] [--out FILE]
"""

import argparse
import base64
import gzip
import json
import os
import random
import re
import struct
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
DEFAULT_SPECS = "/work/shared/kafka-protocol/message-specs"
DEFAULT_APIKEYS = os.path.join(REPO, "Sources/KafkaWire/Messages/ApiKey.swift")
DATA_TYPES = ["ConsumerProtocolSubscription", "ConsumerProtocolAssignment"]


# ---------------------------------------------------------------- spec loading

def strip_comments(text):
    """Removes // comments outside strings (the specs' only extension to JSON)."""
    out = []
    i, n = 0, len(text)
    in_string = False
    while i < n:
        c = text[i]
        if in_string:
            out.append(c)
            if c == "\\":
                out.append(text[i + 1])
                i += 2
                continue
            if c == '"':
                in_string = False
            i += 1
        elif c == '"':
            in_string = True
            out.append(c)
            i += 1
        elif text.startswith("//", i):
            while i < n and text[i] != "\n":
                i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


class Versions:
    """A spec version range: "3+", "0-4", "5" or "none"."""

    def __init__(self, text):
        text = (text or "none").strip()
        if text == "none":
            self.low, self.high = 1, 0
        elif text.endswith("+"):
            self.low, self.high = int(text[:-1]), 1 << 15
        elif "-" in text:
            low, high = text.split("-")
            self.low, self.high = int(low), int(high)
        else:
            self.low = self.high = int(text)

    def __contains__(self, version):
        return self.low <= version <= self.high


class Field:
    def __init__(self, spec, structs):
        self.name = spec["name"]
        self.type = spec["type"]
        self.versions = Versions(spec.get("versions"))
        self.nullable = Versions(spec.get("nullableVersions"))
        tag = spec.get("tag")
        self.tag = None if tag is None else int(tag)
        self.tagged = Versions(spec.get("taggedVersions")) if self.tag is not None else Versions("none")
        self.default = spec.get("default")
        self.is_array = self.type.startswith("[]")
        self.element = self.type[2:] if self.is_array else self.type
        self.struct = None
        if "fields" in spec:
            self.struct = [Field(f, structs) for f in spec["fields"]]
            structs[self.element] = self.struct
        self.structs = structs  # resolved lazily: a struct may be defined after its first use

    @property
    def struct_fields(self):
        if self.struct is not None:
            return self.struct
        return self.structs.get(self.element)

    def is_struct(self):
        return self.struct_fields is not None and self.element not in SCALARS

    def present(self, v):
        return v in self.versions or v in self.tagged

    def is_tagged(self, v):
        return self.tag is not None and v in self.tagged


SCALARS = {"bool", "int8", "int16", "int32", "int64", "uint16", "uint32", "float64", "uuid", "string", "bytes", "records"}
INT_RANGES = {"int8": (-(1 << 7), (1 << 7) - 1), "int16": (-(1 << 15), (1 << 15) - 1),
              "int32": (-(1 << 31), (1 << 31) - 1), "int64": (-(1 << 63), (1 << 63) - 1),
              "uint16": (0, (1 << 16) - 1), "uint32": (0, (1 << 32) - 1)}
INT_FORMATS = {"int8": ">b", "int16": ">h", "int32": ">i", "int64": ">q", "uint16": ">H", "uint32": ">I"}


class Message:
    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            spec = json.loads(strip_comments(f.read()))
        self.spec = spec
        self.name = spec["name"]
        self.type = spec["type"]
        self.api_key = spec.get("apiKey")
        self.valid = Versions(spec["validVersions"])
        self.flexible = Versions(spec.get("flexibleVersions"))
        structs = {}
        # Common structs first, so fields can refer to them by name.
        for common in spec.get("commonStructs", []):
            structs[common["name"]] = [Field(f, structs) for f in common["fields"]]
        self.fields = [Field(f, structs) for f in spec["fields"]]

    def versions(self):
        return range(self.valid.low, self.valid.high + 1)


# ---------------------------------------------------------------- defaults

def default_json(field, v):
    """The JSON value a field holds when absent: its spec default."""
    d = field.default
    if field.is_array:
        return None if d == "null" else []
    if field.is_struct():
        return struct_default(field.struct_fields, v)
    t = field.type
    if d == "null":
        return None
    if t in INT_RANGES:
        if d is None or d == "":
            return 0
        return int(d, 0) if isinstance(d, str) else int(d)
    if t == "bool":
        return d in ("true", True)
    if t == "float64":
        return float(d) if d not in (None, "") else 0.0
    if t == "string":
        return d if isinstance(d, str) else ""
    if t == "bytes":
        return ""
    if t == "records":
        return None
    if t == "uuid":
        return "00000000-0000-0000-0000-000000000000"
    raise ValueError("no default for type " + t)


def all_fields(fields):
    """Every field of a struct tree."""
    for f in fields:
        yield f
        if f.struct is not None:
            yield from all_fields(f.struct)


def struct_default(fields, v):
    return {f.name: default_json(f, v) for f in fields if f.present(v)}


# ---------------------------------------------------------------- random values

STRING_POOL = (
    [chr(c) for c in range(0x20, 0x7F)] * 3
    + list("éüßñ€£¥漢字カナ한글Ωπ")
    + ["\u0000", "\n", "\t", "\r", "\b", "\f", "\x7f", "\u001f", '"', "\\", "/", "\u2028", "\u2029", "\ufeff",
       "\U0001F600", "\U0001F680", "\U00010348", "\uffff", "\u00a0"]
)


def random_string(rng):
    n = rng.choice([0, 1, 2, 5, 8, 13])
    return "".join(rng.choice(STRING_POOL) for _ in range(n))


def random_int(rng, t):
    low, high = INT_RANGES[t]
    choice = rng.random()
    if choice < 0.15:
        return low
    if choice < 0.30:
        return high
    if choice < 0.45:
        return rng.choice([0, 1, -1 if low < 0 else 2])
    if choice < 0.70:
        return rng.randint(max(low, -300), min(high, 300))
    return rng.randint(low, high)


def random_float(rng):
    return rng.choice([0.0, -0.0, 1.5, -2.25, 1e-05, 1e300, 5e-324, 0.1, 123456.789, rng.uniform(-1e6, 1e6)])


def random_uuid(rng):
    if rng.random() < 0.2:
        return "00000000-0000-0000-0000-000000000000"
    h = "%032x" % rng.getrandbits(128)
    return "-".join([h[0:8], h[8:12], h[12:16], h[16:20], h[20:32]])


def random_bytes(rng, limit=12):
    return base64.b64encode(bytes(rng.getrandbits(8) for _ in range(rng.randint(0, limit)))).decode()


def random_scalar(rng, t):
    if t in INT_RANGES:
        return random_int(rng, t)
    if t == "bool":
        return rng.random() < 0.5
    if t == "float64":
        return random_float(rng)
    if t == "string":
        return random_string(rng)
    if t in ("bytes", "records"):
        return random_bytes(rng, 24 if t == "records" else 12)
    if t == "uuid":
        return random_uuid(rng)
    raise ValueError("unknown scalar type " + t)


class Generator:
    def __init__(self, rng, flexible, records=None):
        self.rng = rng
        self.flexible = flexible
        self.records = records  # a DecodedRecords for the --records decoded form

    def value(self, field, v):
        rng = self.rng
        if v in field.nullable and rng.random() < 0.2:
            return None
        if field.is_array:
            count = rng.randint(0, 3)
            if field.is_struct():
                return [self.struct(field.struct_fields, v) for _ in range(count)]
            return [random_scalar(rng, field.element) for _ in range(count)]
        if field.is_struct():
            return self.struct(field.struct_fields, v)
        if field.type == "records" and self.records is not None:
            return self.records.value()
        return random_scalar(rng, field.type)

    def struct(self, fields, v):
        rng = self.rng
        obj = {}
        for f in fields:
            if not f.present(v):
                continue
            if f.is_tagged(v) and rng.random() < 0.5:
                obj[f.name] = default_json(f, v)  # absent from the wire, printed with its default
            else:
                obj[f.name] = self.value(f, v)
        if self.flexible and rng.random() < 0.15:
            used = {f.tag for f in fields if f.tag is not None}
            candidates = [t for t in list(range(5, 12)) + [127, 128, 300, 20000] if t not in used]
            tags = sorted(rng.sample(candidates, rng.randint(1, 2)))
            obj["_unknownTaggedFields"] = [{"tag": t, "data": random_bytes(rng, 5)} for t in tags]
        return obj


# ---------------------------------------------------------------- reference encoder (PRIMITIVES.md)

def uvarint(n):
    assert n >= 0
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def uuid_bytes(text):
    return bytes.fromhex(text.replace("-", ""))


# Bytes of the decoded RECORDS values of the case being written (DecodedRecords.encoded).
RECORDS_BYTES = {}

# Set while writing a negative case: null is then written even where the version forbids it.
FORCE_NULLS = False


def encode_scalar(t, value, nullable, flexible):
    """One scalar; value None means null (only reached where the version allows it)."""
    if t in INT_FORMATS:
        return struct.pack(INT_FORMATS[t], value)
    if t == "bool":
        return b"\x01" if value else b"\x00"
    if t == "float64":
        return struct.pack(">d", value)
    if t == "uuid":
        return uuid_bytes(value)
    if t == "string":
        if value is None:
            assert nullable or FORCE_NULLS
            return uvarint(0) if flexible else struct.pack(">h", -1)
        data = value.encode("utf-8")
        return uvarint(len(data) + 1) + data if flexible else struct.pack(">h", len(data)) + data
    if t == "records" and isinstance(value, list):
        data = RECORDS_BYTES[id(value)][1]
        return uvarint(len(data) + 1) + data if flexible else struct.pack(">i", len(data)) + data
    if t in ("bytes", "records"):
        if value is None:
            assert nullable or FORCE_NULLS
            return uvarint(0) if flexible else struct.pack(">i", -1)
        data = base64.b64decode(value)
        return uvarint(len(data) + 1) + data if flexible else struct.pack(">i", len(data)) + data
    raise ValueError(t)


def encode_value(field, value, v, flexible):
    nullable = v in field.nullable
    if field.is_array:
        if value is None:
            assert nullable or FORCE_NULLS
            return uvarint(0) if flexible else struct.pack(">i", -1)
        out = uvarint(len(value) + 1) if flexible else struct.pack(">i", len(value))
        for element in value:
            if field.is_struct():
                out += encode_struct(field.struct_fields, element, v, flexible)
            else:
                out += encode_scalar(field.element, element, False, flexible)
        return out
    if field.is_struct():
        return encode_struct(field.struct_fields, value, v, flexible)
    return encode_scalar(field.type, value, nullable, flexible)


def encode_struct(fields, obj, v, flexible):
    out = b""
    tagged = []
    for f in fields:
        if f.is_tagged(v):
            value = obj[f.name]
            if value != default_json(f, v):  # a tagged field equal to its default is left out
                tagged.append((f.tag, encode_value(f, value, v, True)))
        elif v in f.versions:
            out += encode_value(f, obj[f.name], v, flexible)
    if not flexible:
        return out
    for unknown in obj.get("_unknownTaggedFields", []):
        tagged.append((unknown["tag"], base64.b64decode(unknown["data"])))
    tagged.sort()
    out += uvarint(len(tagged))
    for tag, data in tagged:
        out += uvarint(tag) + uvarint(len(data)) + data
    return out


# ---------------------------------------------------------------- records (implementation.html)
#
# The `--records decoded` form: a RECORDS value as an array of v2 batches and legacy messages
# (see Sources/KafkaWireJSON/RecordsJSON.swift for the shape), encoded here from
# implementation.html's layouts: record batch v2 with CRC-32C, records with zig-zag varints,
# legacy messages with CRC-32, gzip-compressed v2 batches and legacy wrappers (KIP-31 offsets).

def _crc32c_table():
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


CRC32C_TABLE = _crc32c_table()


def crc32c(data):
    crc = 0xFFFFFFFF
    for byte in data:
        crc = CRC32C_TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def varlong(n):
    """Zig-zag, then unsigned varint (VARINT and VARLONG encode alike for in-range values)."""
    return uvarint((n << 1) ^ (n >> 63) if n < 0 else n << 1)


def varint_bytes(data):
    """A varint length (-1 for null), then the bytes."""
    if data is None:
        return varlong(-1)
    return varlong(len(data)) + data


def b64(data):
    return None if data is None else base64.b64encode(data).decode()


def unb64(text):
    return None if text is None else base64.b64decode(text)


def signed(value, bits):
    value &= (1 << bits) - 1
    return value - (1 << bits) if value >> (bits - 1) else value


CODECS = ["none", "gzip", "snappy", "lz4", "zstd"]


def random_blob(rng, limit=10):
    if rng.random() < 0.15:
        return None
    return bytes(rng.getrandbits(8) for _ in range(rng.randint(0, limit)))


def random_batch(rng, compression="none"):
    count = rng.randint(0, 3)
    records = []
    delta = 0
    for _ in range(count):
        headers = [{"Key": random_string(rng), "Value": b64(random_blob(rng, 4))} for _ in range(rng.randint(0, 2))]
        records.append({"Attributes": random_int(rng, "int8"), "TimestampDelta": random_int(rng, "int64"),
                        "OffsetDelta": delta, "Key": b64(random_blob(rng)), "Value": b64(random_blob(rng)),
                        "Headers": headers})
        delta += rng.choice([1, 1, 2, 7])
    unknown = rng.choice([0, 0, 0, 0x80, 0x4000, -0x8000])
    attributes = {"Compression": compression, "TimestampType": rng.choice(["CreateTime", "LogAppendTime"]),
                  "Transactional": rng.random() < 0.3, "Control": rng.random() < 0.2, "DeleteHorizon": rng.random() < 0.2}
    if unknown:
        attributes["UnknownBits"] = unknown
    return {"BaseOffset": rng.choice([0, rng.randint(0, 1 << 40), (1 << 62)]),
            "PartitionLeaderEpoch": random_int(rng, "int32"), "Magic": 2, "Attributes": attributes,
            "LastOffsetDelta": max(0, delta - 1) + rng.choice([0, 0, 3]),
            "BaseTimestamp": random_int(rng, "int64"), "MaxTimestamp": random_int(rng, "int64"),
            "ProducerId": random_int(rng, "int64"), "ProducerEpoch": random_int(rng, "int16"),
            "BaseSequence": random_int(rng, "int32"), "Records": records}


def record_bytes(record):
    body = struct.pack(">b", record["Attributes"]) + varlong(record["TimestampDelta"]) + varlong(record["OffsetDelta"])
    body += varint_bytes(unb64(record["Key"])) + varint_bytes(unb64(record["Value"]))
    body += varlong(len(record["Headers"]))
    for header in record["Headers"]:
        body += varint_bytes(header["Key"].encode()) + varint_bytes(unb64(header["Value"]))
    return varlong(len(body)) + body


def batch_bytes(batch):
    a = batch["Attributes"]
    raw = CODECS.index(a["Compression"]) | (a.get("UnknownBits", 0) & 0xFF80)
    raw |= 0x08 if a["TimestampType"] == "LogAppendTime" else 0
    raw |= (0x10 if a["Transactional"] else 0) | (0x20 if a["Control"] else 0) | (0x40 if a["DeleteHorizon"] else 0)
    records = b"".join(record_bytes(r) for r in batch["Records"])
    if a["Compression"] == "gzip":
        records = gzip.compress(records, mtime=0)
    after_crc = struct.pack(">hiqqqhii", signed(raw, 16), batch["LastOffsetDelta"], batch["BaseTimestamp"],
                            batch["MaxTimestamp"], batch["ProducerId"], batch["ProducerEpoch"], batch["BaseSequence"],
                            len(batch["Records"])) + records
    after_length = struct.pack(">ibI", batch["PartitionLeaderEpoch"], 2, crc32c(after_crc)) + after_crc
    return struct.pack(">qi", batch["BaseOffset"], len(after_length)) + after_length


def random_legacy(rng, magic, offset):
    unknown = rng.choice([0, 0, 0, 0x10, -0x80])
    attributes = {"Compression": "none",
                  "TimestampType": rng.choice(["CreateTime", "LogAppendTime"]) if magic == 1 else "CreateTime"}
    if unknown:
        attributes["UnknownBits"] = unknown
    message = {"Offset": offset, "Magic": magic, "Attributes": attributes}
    if magic == 1:
        message["Timestamp"] = random_int(rng, "int64")
    message["Key"] = b64(random_blob(rng))
    message["Value"] = b64(random_blob(rng))
    return message


def legacy_bytes(message):
    a = message["Attributes"]
    raw = CODECS.index(a["Compression"]) | (0x08 if a["TimestampType"] == "LogAppendTime" else 0) | (a.get("UnknownBits", 0) & 0xF0)
    body = struct.pack(">bb", message["Magic"], signed(raw, 8))
    if message["Magic"] == 1:
        body += struct.pack(">q", message["Timestamp"])
    for key in ("Key", "Value"):
        data = unb64(message[key])
        body += struct.pack(">i", -1) if data is None else struct.pack(">i", len(data)) + data
    body = struct.pack(">I", zlib.crc32(body)) + body
    return struct.pack(">qi", message["Offset"], len(body)) + body


def random_wrapper(rng, magic):
    """A gzip wrapper around 1-3 messages, and the messages a consumer sees (KIP-31 for magic 1)."""
    count = rng.randint(1, 3)
    base = rng.randint(10, 1 << 40)
    inner = []
    for index in range(count):
        message = random_legacy(rng, magic, index if magic == 1 else base + index)
        message["Attributes"] = {"Compression": "none", "TimestampType": "CreateTime"}
        inner.append(message)
    wrapper_type = rng.choice(["CreateTime", "LogAppendTime"]) if magic == 1 else "CreateTime"
    wrapper = {"Offset": base + count - 1 + (0 if magic == 0 else rng.choice([0, 5])), "Magic": magic,
               "Attributes": {"Compression": "gzip", "TimestampType": wrapper_type}}
    if magic == 1:
        wrapper["Timestamp"] = random_int(rng, "int64")
    wrapper["Key"] = None
    wrapper["Value"] = b64(gzip.compress(b"".join(legacy_bytes(m) for m in inner), mtime=0))
    expanded = []
    for message in inner:
        seen = dict(message)
        if magic == 1:
            # Relative inner offsets: absolute = wrapper offset - last relative offset + relative offset.
            seen["Offset"] = wrapper["Offset"] - inner[-1]["Offset"] + message["Offset"]
            seen["Attributes"] = {"Compression": "none", "TimestampType": wrapper_type}
            if wrapper_type == "LogAppendTime":
                seen["Timestamp"] = wrapper["Timestamp"]
        expanded.append(seen)
    wrapper["Messages"] = expanded
    return wrapper, legacy_bytes(wrapper)


def random_records(rng, allow_tail):
    """A decoded RECORDS value, its bytes, and whether it holds compressed data (then only
    decoding is byte-exact: a compressor may write other bytes for the same records)."""
    entries, data, compressed = [], b"", False
    for _ in range(rng.randint(0, 3)):
        kind = rng.random()
        if kind < 0.6:
            batch = random_batch(rng)
            entries.append(batch)
            data += batch_bytes(batch)
        elif kind < 0.8:
            message = random_legacy(rng, rng.choice([0, 1]), rng.randint(0, 1 << 40))
            entries.append(message)
            data += legacy_bytes(message)
        elif kind < 0.9:
            batch = random_batch(rng, "gzip")
            entries.append(batch)
            data += batch_bytes(batch)
            compressed = True
        else:
            wrapper, wrapper_data = random_wrapper(rng, rng.choice([0, 1]))
            entries.append(wrapper)
            data += wrapper_data
            compressed = True
    if allow_tail and rng.random() < 0.3:
        whole = batch_bytes(random_batch(rng))
        tail = whole[: rng.randint(1, len(whole) - 1)]
        entries.append({"IncompleteTail": b64(tail)})
        data += tail
    return entries, data, compressed


class DecodedRecords:
    """Fills RECORDS fields with decoded values while a Generator runs; remembers compression."""

    def __init__(self, rng, allow_tail):
        self.rng = rng
        self.allow_tail = allow_tail
        self.compressed = False
        self.encoded = {}  # id(entries list) -> bytes

    def value(self):
        entries, data, compressed = random_records(self.rng, self.allow_tail)
        self.compressed |= compressed
        self.encoded[id(entries)] = (entries, data)
        return entries


# ---------------------------------------------------------------- negative cases

def non_nullable_slots(fields, obj, v, out, path=""):
    """(container, key, path) of every regular string, bytes or array field that may not be null at v."""
    for f in fields:
        if not f.present(v) or f.is_tagged(v):
            continue
        value = obj[f.name]
        here = f.name if not path else path + "." + f.name
        if (f.is_array or f.type in ("string", "bytes")) and v not in f.nullable:
            out.append((obj, f.name, here))
        if value is None or not f.is_struct():
            continue
        for index, element in enumerate(value if f.is_array else [value]):
            non_nullable_slots(f.struct_fields, element, v, out, here + ("[%d]" % index if f.is_array else ""))
    return out


def null_case(rng, message, version):
    """A body with null written into one field the version says is not nullable, or None if there is none.

    Decoding must fail with unexpectedNull; encoding the JSON must fail with invalidField.
    """
    global FORCE_NULLS
    flexible = version in message.flexible
    body = Generator(rng, flexible).struct(message.fields, version)
    slots = non_nullable_slots(message.fields, body, version, [])
    if not slots:
        return None
    container, key, path = rng.choice(slots)
    container[key] = None
    FORCE_NULLS = True
    try:
        data = encode_struct(message.fields, body, version, flexible)
    finally:
        FORCE_NULLS = False
    return body, data, path


# ---------------------------------------------------------------- headers

def request_header(rng, api_key, version, header_version):
    header = {"RequestApiKey": api_key, "RequestApiVersion": version, "CorrelationId": random_int(rng, "int32")}
    header["ClientId"] = None if rng.random() < 0.2 else random_string(rng)
    data = struct.pack(">hhi", api_key, version, header["CorrelationId"])
    client = header["ClientId"]
    # ClientId keeps the non-compact nullable string form even in flexible header v2.
    data += struct.pack(">h", -1) if client is None else struct.pack(">h", len(client.encode())) + client.encode()
    if header_version >= 2:
        data += tag_section(rng, header)
    return header, data


def response_header(rng, header_version):
    header = {"CorrelationId": random_int(rng, "int32")}
    data = struct.pack(">i", header["CorrelationId"])
    if header_version >= 1:
        data += tag_section(rng, header)
    return header, data


def tag_section(rng, header):
    unknown = []
    if rng.random() < 0.3:
        unknown = [{"tag": t, "data": random_bytes(rng, 4)} for t in sorted(rng.sample([0, 1, 3, 200], 2))]
        header["_unknownTaggedFields"] = unknown
    out = uvarint(len(unknown))
    for entry in unknown:
        data = base64.b64decode(entry["data"])
        out += uvarint(entry["tag"]) + uvarint(len(data)) + data
    return out


# ---------------------------------------------------------------- driver

def implemented_api_keys(path):
    with open(path, encoding="utf-8") as f:
        return sorted({int(k) for k in re.findall(r"ApiKey\(rawValue:\s*(\d+)\)", f.read())})


def load_specs(directory):
    messages = {}
    for name in sorted(os.listdir(directory)):
        if name.endswith(".json"):
            message = Message(os.path.join(directory, name))
            messages[message.name] = message
    return messages


def case_rng(*parts):
    return random.Random(zlib.crc32("/".join(str(p) for p in parts).encode()))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("specs", nargs="?", default=DEFAULT_SPECS, help="directory of message-spec JSON files")
    parser.add_argument("--apikeys", default=DEFAULT_APIKEYS, help="ApiKey.swift, listing the implemented API keys")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--out", default=os.path.join(REPO, "Tests/KafkaWireJSONTests/Conformance/corpus.jsonl"))
    args = parser.parse_args()

    messages = load_specs(args.specs)
    keys = implemented_api_keys(args.apikeys)
    targets = []  # (api name, kind, Message, api key)
    for key in keys:
        for kind in ("request", "response"):
            found = [m for m in messages.values() if m.api_key == key and m.type == kind]
            if not found:
                sys.exit("no %s spec for api key %d" % (kind, key))
            message = found[0]
            targets.append((message.name[: -len(kind)], kind, message, key))
    for name in DATA_TYPES:
        targets.append((name, "data", messages[name], None))

    count = 0
    with open(args.out, "w", encoding="utf-8") as out:
        for api, kind, message, key in targets:
            for version in message.versions():
                flexible = version in message.flexible
                for seed in range(args.seeds):
                    rng = case_rng(api, kind, version, seed)
                    body = Generator(rng, flexible).struct(message.fields, version)
                    data = encode_struct(message.fields, body, version, flexible)
                    case = {"api": api, "kind": kind, "version": version, "seed": seed, "withHeader": False,
                            "json": body, "hex": data.hex()}
                    out.write(json.dumps(case, ensure_ascii=False, separators=(",", ":"), allow_nan=False) + "\n")
                    count += 1
                # With --records decoded: RECORDS fields as batches (Produce requests, Fetch responses).
                if any(f.type == "records" for f in all_fields(message.fields)):
                    for seed in range(2):
                        rng = case_rng(api, kind, version, seed, "records")
                        records = DecodedRecords(rng, allow_tail=kind == "response")
                        body = Generator(rng, flexible, records).struct(message.fields, version)
                        RECORDS_BYTES.clear()
                        RECORDS_BYTES.update(records.encoded)
                        data = encode_struct(message.fields, body, version, flexible)
                        case = {"api": api, "kind": kind, "version": version, "seed": seed, "withHeader": False,
                                "records": "decoded", "json": body, "hex": data.hex()}
                        if records.compressed:
                            case["decodeOnly"] = True
                        out.write(json.dumps(case, ensure_ascii=False, separators=(",", ":"), allow_nan=False) + "\n")
                        count += 1
                # One case per version with every field at its spec default: a message type's init()
                # must print exactly this (KafkaStruct.init() promises spec defaults).
                body = struct_default(message.fields, version)
                case = {"api": api, "kind": kind, "version": version, "seed": 0, "withHeader": False, "defaults": True,
                        "json": body, "hex": encode_struct(message.fields, body, version, flexible).hex()}
                out.write(json.dumps(case, ensure_ascii=False, separators=(",", ":"), allow_nan=False) + "\n")
                count += 1
                # One negative case per version: null where the spec does not allow it.
                negative = null_case(case_rng(api, kind, version, "null"), message, version)
                if negative is not None:
                    body, data, path = negative
                    case = {"api": api, "kind": kind, "version": version, "seed": 0, "withHeader": False,
                            "json": body, "hex": data.hex(),
                            "expectError": {"decode": "unexpectedNull", "encode": "invalidField", "field": path}}
                    out.write(json.dumps(case, ensure_ascii=False, separators=(",", ":"), allow_nan=False) + "\n")
                    count += 1
            if key is None:
                continue
            # One case per API and kind with the header in front, at a random version.
            rng = case_rng(api, kind, "header")
            version = rng.randint(message.valid.low, message.valid.high)
            flexible = version in message.flexible
            if kind == "request":
                header_version = 2 if flexible else 1
                header, header_data = request_header(rng, key, version, header_version)
            else:
                header_version = 1 if flexible and key != 18 else 0  # ApiVersions responses: always v0
                header, header_data = response_header(rng, header_version)
            body = Generator(rng, flexible).struct(message.fields, version)
            data = header_data + encode_struct(message.fields, body, version, flexible)
            case = {"api": api, "kind": kind, "version": version, "seed": 0, "withHeader": True,
                    "json": {"header": header, "body": body}, "hex": data.hex()}
            out.write(json.dumps(case, ensure_ascii=False, separators=(",", ":"), allow_nan=False) + "\n")
            count += 1
    print("wrote %d cases to %s" % (count, args.out), file=sys.stderr)


if __name__ == "__main__":
    main()
