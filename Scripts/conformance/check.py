#!/usr/bin/env python3
"""Runs a conformance corpus through one `swafka-wire batch` process and reports per API.

For every case: a decode request (the expected JSON must come back, keys in the same order)
and an encode request (the expected bytes must come back). Cases whose API or version the
binary does not implement yet are counted as skipped.

Usage: check.py SWAFKA_WIRE CORPUS.jsonl [--verbose]
"""

import json
import subprocess
import sys
from collections import OrderedDict, defaultdict


def ordered(value):
    """JSON value with objects as lists of pairs, so that key order takes part in comparisons."""
    if isinstance(value, dict):
        return [(k, ordered(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [ordered(v) for v in value]
    if isinstance(value, float):
        return ("float", value)
    if isinstance(value, bool):
        return ("bool", value)
    return value


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    binary, corpus = sys.argv[1], sys.argv[2]
    verbose = "--verbose" in sys.argv
    cases = []
    with open(corpus, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                cases.append(json.loads(line, object_pairs_hook=OrderedDict))
    requests = []
    for index, case in enumerate(cases):
        common = {"api": case["api"], "version": case["version"], "kind": case["kind"], "withHeader": case["withHeader"],
                  "records": case.get("records", "base64")}
        requests.append(dict(id=2 * index, op="decode", hex=case["hex"], **common))
        requests.append(dict(id=2 * index + 1, op="encode", json=case["json"], **common))
    text = "".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n" for r in requests)
    result = subprocess.run([binary, "batch"], input=text.encode(), capture_output=True, check=True)
    replies = [json.loads(line, object_pairs_hook=OrderedDict) for line in result.stdout.decode().split("\n") if line]
    if len(replies) != len(requests):
        sys.exit("expected %d replies, got %d" % (len(requests), len(replies)))

    stats = OrderedDict()
    failures = []
    pending = []  # (case index, hex) of re-encoded compressed records, checked in a second batch
    for index, case in enumerate(cases):
        group = "%s %s" % (case["api"], case["kind"])
        stat = stats.setdefault(group, defaultdict(int))
        decoded, encoded = replies[2 * index], replies[2 * index + 1]
        assert decoded["id"] == 2 * index and encoded["id"] == 2 * index + 1
        errors = [r.get("error", "") for r in (decoded, encoded) if not r["ok"]]
        if any(e.startswith("unknownApi") or e.startswith("unsupportedVersion") for e in errors):
            stat["skipped"] += 1
            continue
        problems = []
        expected = case.get("expectError")
        if expected:
            for reply, op in ((decoded, "decode"), (encoded, "encode")):
                if reply["ok"]:
                    problems.append("%s succeeded, expected %s in %s" % (op, expected[op], expected["field"]))
                elif not reply["error"].startswith(expected[op]) or " in %s:" % expected["field"] not in reply["message"]:
                    problems.append("%s: expected %s in %s, got %s" % (op, expected[op], expected["field"], reply["message"]))
        else:
            if not decoded["ok"]:
                problems.append("decode failed: " + decoded["message"])
            elif ordered(decoded["json"]) != ordered(case["json"]):
                problems.append("decode: JSON differs")
            if not encoded["ok"]:
                problems.append("encode failed: " + encoded["message"])
            elif case.get("decodeOnly"):
                pending.append((index, encoded["hex"]))  # compressed: must decode back to the JSON
            elif encoded["hex"] != case["hex"]:
                problems.append("encode: bytes differ")
        if problems:
            stat["failed"] += 1
            failures.append("%s v%d seed %d%s%s: %s" % (group, case["version"], case["seed"],
                                                        " with header" if case["withHeader"] else "",
                                                        " (negative)" if expected else "", "; ".join(problems)))
        else:
            stat["passed"] += 1

    if pending:
        second = "".join(json.dumps(dict(id=i, op="decode", hex=h, api=cases[i]["api"], version=cases[i]["version"],
                                         kind=cases[i]["kind"], withHeader=cases[i]["withHeader"],
                                         records=cases[i].get("records", "base64")), ensure_ascii=False) + "\n"
                         for i, h in pending)
        result = subprocess.run([binary, "batch"], input=second.encode(), capture_output=True, check=True)
        for line in result.stdout.decode().split("\n"):
            if not line:
                continue
            reply = json.loads(line, object_pairs_hook=OrderedDict)
            case = cases[reply["id"]]
            if not reply["ok"] or ordered(reply["json"]) != ordered(case["json"]):
                group = "%s %s" % (case["api"], case["kind"])
                stats[group]["passed"] -= 1
                stats[group]["failed"] += 1
                failures.append("%s v%d seed %d (records decoded): re-encoded compressed records do not decode back"
                                % (group, case["version"], case["seed"]))

    total = defaultdict(int)
    for group, stat in stats.items():
        print("%-40s %4d passed %4d failed %4d skipped" % (group, stat["passed"], stat["failed"], stat["skipped"]))
        for key in ("passed", "failed", "skipped"):
            total[key] += stat[key]
    print("%-40s %4d passed %4d failed %4d skipped" % ("TOTAL", total["passed"], total["failed"], total["skipped"]))
    for failure in failures if verbose else failures[:20]:
        print("FAIL " + failure)
    sys.exit(1 if total["failed"] else 0)


if __name__ == "__main__":
    main()
