#!/usr/bin/env python3
"""Writes the API and payload tables of PROTOCOL.md.

What we implement comes from the Swift sources (the code is the authority): every
`public struct ...` in Sources/KafkaWire/APIs/*.swift that declares
`static let validVersions: ClosedRange<Int16> = 0...N` and `static let flexibleVersions: Versions = "..."`,
with its `apiKey`, matched to the APIs and payloads listed in Messages/MessageRegistry*.swift.
What Kafka defines comes from the JSON specs (../shared/kafka-protocol/message-specs by default).

The tables replace whatever sits between `<!-- api-table:begin -->` and `<!-- api-table:end -->`.
Tests/KafkaWireTests/ProtocolDocumentTests.swift checks the "ours" columns against the compiled types.

Usage: Scripts/protocol-table.py [--specs DIR] [--check]
  --check  write nothing; exit 1 if PROTOCOL.md differs from what would be written.
"""
import argparse, glob, json, os, re, sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
WIRE = os.path.join(ROOT, "Sources", "KafkaWire")
DOC = os.path.join(ROOT, "PROTOCOL.md")
BEGIN, END = "<!-- api-table:begin -->", "<!-- api-table:end -->"


def strip_comments(text):
    """Removes // comments outside JSON strings (the specs allow them; "about" texts hold URLs)."""
    out, i, in_string = [], 0, False
    while i < len(text):
        c = text[i]
        if in_string:
            out.append(c)
            if c == "\\":
                out.append(text[i + 1]); i += 1
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True; out.append(c)
        elif text.startswith("//", i):
            while i < len(text) and text[i] != "\n":
                i += 1
            continue
        else:
            out.append(c)
        i += 1
    return "".join(out)


def load_specs(directory):
    specs = {}
    for path in glob.glob(os.path.join(directory, "*.json")):
        spec = json.loads(strip_comments(open(path).read()))
        specs[spec["name"]] = spec
    return specs


def api_key_numbers():
    """ApiKey.swift: `public static let heartbeat = ApiKey(rawValue: 12)`."""
    text = open(os.path.join(WIRE, "Messages", "ApiKey.swift")).read()
    return {m[0]: int(m[1]) for m in re.findall(r"static let (\w+) = ApiKey\(rawValue: (\d+)\)", text)}


STRUCT = re.compile(r"^public struct (\w+): (\w+)", re.M)


def swift_messages():
    """Every top-level message type of the API files: name -> {valid, flexible, apiKey}."""
    keys = api_key_numbers()
    types = {}
    for path in sorted(glob.glob(os.path.join(WIRE, "APIs", "*.swift"))):
        text = open(path).read()
        starts = [m for m in STRUCT.finditer(text)]
        for index, match in enumerate(starts):
            end = starts[index + 1].start() if index + 1 < len(starts) else len(text)
            body = text[match.end():end]
            valid = re.search(r"static let validVersions: ClosedRange<Int16> = (\d+)\.\.\.(\d+)", body)
            flexible = re.search(r'static let flexibleVersions: Versions = "([^"]+)"', body)
            if not valid or not flexible:
                continue  # a nested struct or helper, not a message
            key = re.search(r"static let apiKey = ApiKey\.(\w+)", body)
            types[match[1]] = {
                "valid": (int(valid[1]), int(valid[2])),
                "flexible": flexible[1],
                "apiKey": keys[key[1]] if key else None,
                "file": os.path.relpath(path, ROOT),
            }
    return types


def registry():
    """(APIs as (name, request type), payloads as (name, type)) from MessageRegistry*.swift."""
    apis, payloads = [], []
    for path in sorted(glob.glob(os.path.join(WIRE, "Messages", "MessageRegistry*.swift"))):
        text = open(path).read()
        apis += re.findall(r'MessageRegistryEntry\("(\w+)", (\w+)\.self\)', text)
        payloads += re.findall(r'\("(\w+)", (\w+)\.self\)', text)
    return apis, [p for p in payloads if p not in apis]


def versions(low, high):
    """Versions as the specs and Swift's `Versions.description` write them: "0-4", or "3" for one."""
    return str(low) if low == high else f"{low}-{high}"


def both(request, response):
    return request if request == response else f"{request} / {response}"


def ours(t):
    return versions(*t["valid"]), t["flexible"]


def spec_notes(request, response):
    notes = []
    deprecated = request.get("deprecatedVersions")
    if deprecated:
        notes.append(f"spec deprecates {deprecated}")
    if request.get("latestVersionUnstable"):
        notes.append(f"spec marks v{request['validVersions'].split('-')[-1]} unstable")
    return notes


def api_table(specs, types):
    apis, _ = registry()
    rows, problems = [], []
    header = ("| API | Key | Request versions | Request flexible | Response versions | Response flexible "
              "| Spec validVersions | Spec flexibleVersions | Notes |")
    lines = [header, "|---|--:|---|---|---|---|---|---|---|"]
    for name, request_type in apis:
        response_type = request_type[: -len("Request")] + "Response"
        request, response = types[request_type], types[response_type]
        spec_req, spec_resp = specs[name + "Request"], specs[name + "Response"]
        if request["apiKey"] != spec_req["apiKey"] or response["apiKey"] != spec_req["apiKey"]:
            problems.append(f"{name}: apiKey differs from the spec's {spec_req['apiKey']}")
        notes = spec_notes(spec_req, spec_resp)
        for side, t, spec in (("request", request, spec_req), ("response", response, spec_resp)):
            valid, flexible = ours(t)
            if valid != spec["validVersions"] or flexible != spec["flexibleVersions"]:
                notes.append(f"**{side} differs from the spec**")
                problems.append(f"{name} {side}: ours {valid} flexible {flexible}, "
                                f"spec {spec['validVersions']} flexible {spec['flexibleVersions']}")
        rows.append((request["apiKey"], "| " + " | ".join([
            name, str(request["apiKey"]), *ours(request), *ours(response),
            both(spec_req["validVersions"], spec_resp["validVersions"]),
            both(spec_req["flexibleVersions"], spec_resp["flexibleVersions"]),
            "; ".join(notes)]) + " |"))
    lines += [row for _, row in sorted(rows)]
    return lines, problems


def control_record_versions():
    """The control-record versions, once Records/ControlRecord.swift is on this branch."""
    path = os.path.join(WIRE, "Records", "ControlRecord.swift")
    if not os.path.exists(path):
        return None
    text = open(path).read()
    key = re.search(r"static let currentKeyVersion: Int16 = (\d+)", text)
    value = re.search(r"static let currentVersion: Int16 = (\d+)", text)
    return (key[1] if key else "?"), (value[1] if value else "?")


def payload_table(specs, types):
    _, payloads = registry()
    problems = []
    lines = ["| Payload | Versions | Flexible | Spec validVersions | Spec flexibleVersions | Carried in |",
             "|---|---|---|---|---|---|"]
    carried = {
        "ConsumerProtocolSubscription": "JoinGroup `Protocols[].Metadata`, JoinGroup response `Members[].Metadata`",
        "ConsumerProtocolAssignment": "SyncGroup `Assignments[].Assignment`, SyncGroup response `Assignment`",
    }
    for name, type_name in payloads:
        t, spec = types[type_name], specs[name]
        valid, flexible = ours(t)
        if valid != spec["validVersions"] or flexible != spec["flexibleVersions"]:
            problems.append(f"{name}: ours {valid} flexible {flexible}, "
                            f"spec {spec['validVersions']} flexible {spec['flexibleVersions']}")
        lines.append(f"| {name} | {valid} | {flexible} | {spec['validVersions']} | {spec['flexibleVersions']} "
                     f"| {carried.get(name, '')} |")
    control = control_record_versions()
    if control is None:
        lines.append("| ControlRecordKey (ControlRecordType) | lands with the records branch | none | no JSON spec "
                     "| none | key of the record in a control batch |")
        lines.append("| EndTxnMarker | lands with the records branch | none | no JSON spec "
                     "| none | value of an ABORT or COMMIT control record |")
    else:
        key, value = control
        lines.append(f"| ControlRecordKey (ControlRecordType) | writes {key}; reads any version ≥ 0 | none | no JSON spec "
                     "| none | key of the record in a control batch |")
        lines.append(f"| EndTxnMarker | writes {value}; reads any version ≥ 0 | none | no JSON spec "
                     "| none | value of an ABORT or COMMIT control record |")
    return lines, problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--specs", help="the message-specs directory (default: shared/kafka-protocol/message-specs "
                                        "next to the checkout or its worktree parent)")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    if args.specs is None:
        candidates = [os.path.join(ROOT, *up, "shared", "kafka-protocol", "message-specs") for up in ([".."], ["..", ".."])]
        args.specs = next((c for c in candidates if os.path.isdir(c)), candidates[0])

    specs, types = load_specs(args.specs), swift_messages()
    apis, api_problems = api_table(specs, types)
    payloads, payload_problems = payload_table(specs, types)
    block = "\n".join([BEGIN, *apis, "", "Versioned data payloads (not APIs; each travels behind its own INT16 version):",
                       "", *payloads, END])

    doc = open(DOC).read()
    start, stop = doc.find(BEGIN), doc.find(END)
    if start < 0 or stop < start:
        sys.exit(f"{DOC}: markers {BEGIN} / {END} not found")
    updated = doc[:start] + block + doc[stop + len(END):]
    for problem in api_problems + payload_problems:
        print(f"warning: {problem}", file=sys.stderr)
    if args.check:
        if updated != doc:
            sys.exit("PROTOCOL.md's tables are out of date: run Scripts/protocol-table.py")
        print("PROTOCOL.md tables are up to date")
        return
    open(DOC, "w").write(updated)
    print(f"wrote {len(apis) - 2} APIs and {len(payloads) - 2} payloads to {os.path.relpath(DOC, ROOT)}")


if __name__ == "__main__":
    main()
