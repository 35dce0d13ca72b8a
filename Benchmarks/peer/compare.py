#!/usr/bin/env python3
"""Turns run-peer-comparison.sh's results.jsonl into the Markdown comparison table.

    compare.py RESULTS.jsonl [--command CMD] [--broker-name NAME] [--commit REV] [--date TEXT]
              [--peer-conf KV] [--swafka-conf KV]

One row per (partitions, compression): for each client the median over repetitions of messages/s, MB/s
(value bytes / wall seconds / 10^6) and client CPU seconds per million messages (user + system, getrusage
RUSAGE_SELF over the measured interval), and the ratios swafka / librdkafka (throughput: higher is better for
swafka; CPU per message: lower is better). A ratio is the median of the per-repetition ratios: the two clients
of one repetition ran back to back, under the same load, so pairing them cancels much of a busy machine's drift. A client with no complete run in a cell shows n/a, and so does
the ratio: no number is ever made up. Standard library only.
"""
import argparse
import datetime
import json
import os
import platform
import statistics
import sys


def machine():
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    memory = ""
    try:
        with open("/proc/meminfo") as f:
            kb = int(f.readline().split()[1])
            memory = ", %.0f GB RAM" % (kb / 1024 / 1024)
    except (OSError, ValueError, IndexError):
        pass
    return "nproc %d, %s%s, Linux %s" % (os.cpu_count() or 0, model, memory, platform.release())


def number(value, digits=0):
    if value is None:
        return "n/a"
    return f"{value:,.{digits}f}"


def paired_ratio(swafka, peer):
    """The median over repetitions of swafka's value / the peer's, from {repetition: value} maps."""
    ratios = [swafka[rep] / peer[rep] for rep in swafka if rep in peer and peer[rep]]
    return f"{statistics.median(ratios):.2f}" if ratios else "n/a"


def spread(values, digits):
    """'median' or 'median (min–max)' when there were several runs."""
    if not values:
        return "n/a"
    median = statistics.median(values)
    if len(values) == 1:
        return number(median, digits)
    return f"{number(median, digits)} ({number(min(values), digits)}–{number(max(values), digits)})"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("results")
    parser.add_argument("--command", default="")
    parser.add_argument("--broker-name", default="")
    parser.add_argument("--commit", default="")
    parser.add_argument("--date", default="", help="when the run started (default: now)")
    parser.add_argument("--peer-conf", default="")
    parser.add_argument("--swafka-conf", default="")
    args = parser.parse_args()

    with open(args.results) as f:
        records = [json.loads(line) for line in f if line.strip()]
    if not records:
        print("no results", file=sys.stderr)
        return 1

    peer_version = next((r["result"]["client_version"] for r in records
                         if r["client"] == "librdkafka" and r["result"]), "?")
    swafka_reason = next((r["result"].get("reason") for r in records
                          if r["client"] == "swafka" and r["result"] and r["result"].get("available") is False), None)
    sample = next((r["result"] for r in records if r["result"] and r["role"] == "produce"), None) or \
        next((r["result"] for r in records if r["result"]), {})
    repetitions = max(r["repetition"] for r in records)
    loads = [r["load_1min_before"] for r in records]

    # cells[(role, partitions, compression)][client] = list of complete runs' results (+ broker CPU)
    cells = {}
    incomplete = []
    for r in records:
        if r["role"] not in ("produce", "consume"):
            continue
        x = r["result"]
        if not x or x.get("available") is False:
            continue  # a failed run (stderr in results.jsonl) or swafka's "not available" record
        key = (r["role"], x["partitions"], r["compression"])
        runs = cells.setdefault(key, {}).setdefault(r["client"], [])
        if x.get("complete") and x.get("wall_seconds", 0) > 0:
            runs.append((x, r["broker_cpu_seconds"], r["repetition"]))
        else:
            incomplete.append(f'{r["client"]} {r["role"]} {x.get("topic")}: {x.get("messages")} of '
                              f'{x.get("requested")} messages, {x.get("errors")} errors')
    # Cells where only swafka's "not available" record exists still get a row.
    for r in records:
        if r["role"] in ("produce", "consume") and r["result"] and r["result"].get("available") is False:
            cells.setdefault((r["role"], r["result"].get("partitions"), r["compression"]), {})

    now = args.date or datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    out = []
    out.append(f"Broker: {args.broker_name or records[0]['broker']}. Peer: librdkafka {peer_version}. "
               f"Swafka: {'not available (' + swafka_reason + ')' if swafka_reason else 'swafka-bench'}.")
    out.append("")
    out.append(f"- Command: `{args.command}`")
    out.append(f"- Date: {now}; commit {args.commit or '?'}")
    out.append(f"- Machine: {machine()}; 1-min load average before each run {min(loads):.1f}–{max(loads):.1f}")
    if sample:
        produce_setup = ""
        if "acks" in sample:
            produce_setup = (f", producer acks={sample['acks']}, linger.ms={sample['linger_ms']}, "
                             f"partitioner {sample['partitioner']}")
        out.append(f"- {sample.get('requested', 0):,} messages of {sample.get('message_size')} bytes per run"
                   f"{produce_setup}; {repetitions} repetition(s): "
                   f"{'median (min–max)' if repetitions > 1 else 'one run'} per cell")
    out.append(f"- Extra client properties: librdkafka {args.peer_conf or 'none (defaults)'}; "
               f"swafka {args.swafka_conf or 'none (defaults)'}")
    out.append("- msg/s and MB/s (value bytes, 10^6) over the client's measured interval; CPU = the client "
               "process's user+system seconds per million messages; broker CPU = the broker process's seconds "
               "per million messages during the librdkafka run; ratio = swafka / librdkafka, the median of the "
               "per-repetition ratios")

    codec_order = list(dict.fromkeys(r["compression"] for r in records))  # as the runner's matrix ran them
    for role, title in (("produce", "Producer"), ("consume", "Consumer")):
        keys = sorted((k for k in cells if k[0] == role and k[1] is not None),
                      key=lambda k: (k[1], codec_order.index(k[2])))
        if not keys:
            continue
        out.append("")
        out.append(f"#### {title}")
        out.append("")
        out.append("| partitions | compression | librdkafka msg/s | swafka msg/s | ratio | librdkafka MB/s "
                   "| swafka MB/s | librdkafka CPU s/M msgs | swafka CPU s/M msgs | ratio | broker CPU s/M msgs |")
        out.append("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for key in keys:
            _, partitions, compression = key
            row = {}
            for client in ("librdkafka", "swafka"):
                runs = cells[key].get(client, [])
                row[client] = dict(
                    rates={rep: x["messages"] / x["wall_seconds"] for x, _, rep in runs},
                    mbs=[x["bytes"] / x["wall_seconds"] / 1e6 for x, _, _ in runs],
                    cpus={rep: x["cpu_seconds"] / x["messages"] * 1e6 for x, _, rep in runs},
                    brokers=[b / x["messages"] * 1e6 for x, b, _ in runs])
            p, s = row["librdkafka"], row["swafka"]
            out.append(f"| {partitions} | {compression} | {spread(list(p['rates'].values()), 0)} "
                       f"| {spread(list(s['rates'].values()), 0)} | {paired_ratio(s['rates'], p['rates'])} "
                       f"| {spread(p['mbs'], 1)} | {spread(s['mbs'], 1)} "
                       f"| {spread(list(p['cpus'].values()), 2)} | {spread(list(s['cpus'].values()), 2)} "
                       f"| {paired_ratio(s['cpus'], p['cpus'])} | {spread(p['brokers'], 2)} |")
    if incomplete:
        out.append("")
        out.append("Incomplete runs (left out of the table):")
        for line in incomplete:
            out.append(f"- {line}")
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
