#!/usr/bin/env python3
"""kafka-python conversations for fixture capture: `kafka_python_peer.py BOOTSTRAP SCENARIO [options]`.

Scenarios: produce, legacy, consume-group, consume-assign, admin. Every step reports its outcome and the
scenario goes on after a failure: the point is the bytes on the wire, not the result.
"""

import argparse
import logging
import sys
import time
import traceback

import kafka
from kafka import KafkaConsumer, KafkaProducer, OffsetSpec, TopicPartition
from kafka.admin import ConfigResource, KafkaAdminClient

TIMEOUTS = dict(request_timeout_ms=8000)


def step(name, fn, *args, **kwargs):
    try:
        result = fn(*args, **kwargs)
        print(f"ok   {name}: {str(result)[:300]}")
        return result
    except Exception as e:  # noqa: BLE001 - every outcome is reported, none stops the capture
        print(f"FAIL {name}: {type(e).__name__}: {e}")
        return None


def records():
    # A key with headers, a null value, and a null key: the record shapes the decoder must all handle. The first
    # value repeats itself because kafka-python sends a v2 batch uncompressed when compression does not shrink it.
    return [
        (b"key-1", b"value-1 " + b"compressible " * 20, [("trace", b"abc"), ("empty", b"")]),
        (b"key-2", None, []),
        (None, b"value-3 without a key", [("h", b"\x00\x01\x02")]),
    ]


def produce(args):
    p = KafkaProducer(bootstrap_servers=args.bootstrap, compression_type=args.compression, linger_ms=100,
                      acks="all", client_id="fixture-kafka-python", **TIMEOUTS)
    futures = [p.send(args.topic, key=k, value=v, headers=h, partition=0) for k, v, h in records()]
    p.flush(15)
    for f in futures:
        step("send", f.get, 10)
    p.close(5)


def legacy(args):
    """Pinned old protocol versions: (0, 9) writes magic 0 message sets, (0, 10) magic 1."""
    version = tuple(int(x) for x in args.api_version.split("."))
    p = KafkaProducer(bootstrap_servers=args.bootstrap, api_version=version, compression_type=args.compression,
                      linger_ms=100, acks=1, retries=0, max_block_ms=8000, client_id="fixture-kafka-python",
                      **TIMEOUTS)
    futures = [p.send(args.topic, key=k, value=v, partition=0) for k, v, _ in records()]
    p.flush(12)
    for f in futures:
        step("send", f.get, 1)
    p.close(2)


def consume_group(args):
    c = KafkaConsumer(args.topic, bootstrap_servers=args.bootstrap, group_id=args.group,
                      auto_offset_reset="earliest", enable_auto_commit=False, session_timeout_ms=6000,
                      heartbeat_interval_ms=500, client_id="fixture-kafka-python", **TIMEOUTS)
    got = []
    deadline = time.time() + 25
    while time.time() < deadline and len(got) < args.expect:
        for _tp, msgs in c.poll(timeout_ms=500).items():
            got.extend(msgs)
    print(f"consumed {len(got)} records")
    step("commit", c.commit)
    step("committed", c.committed, TopicPartition(args.topic, 0))
    end = time.time() + 2   # a few heartbeats
    while time.time() < end:
        c.poll(timeout_ms=200)
    c.close()


def consume_assign(args):
    c = KafkaConsumer(bootstrap_servers=args.bootstrap, enable_auto_commit=False, client_id="fixture-kafka-python",
                      **TIMEOUTS)
    tp = TopicPartition(args.topic, 0)
    c.assign([tp])
    step("beginning_offsets", c.beginning_offsets, [tp])
    step("end_offsets", c.end_offsets, [tp])
    step("offsets_for_times", c.offsets_for_times, {tp: 0})
    c.seek_to_beginning(tp)
    got = []
    deadline = time.time() + 10
    while time.time() < deadline and len(got) < args.expect:
        for _tp, msgs in c.poll(timeout_ms=500).items():
            got.extend(msgs)
    print(f"consumed {len(got)} records: {[(m.key, m.value, m.headers) for m in got][:5]}")
    c.close()


def admin(args):
    a = KafkaAdminClient(bootstrap_servers=args.bootstrap, client_id="fixture-kafka-python", **TIMEOUTS)
    t = args.topic
    step("create_topics", a.create_topics, {t: {"num_partitions": 2, "replication_factor": 1,
                                                "configs": {"cleanup.policy": "delete"}}})
    step("create_partitions", a.create_partitions, {t: 3})
    step("describe_topics", a.describe_topics, [t])
    step("describe_cluster", a.describe_cluster)
    step("describe_configs topic", a.describe_configs, [ConfigResource("TOPIC", t)], config_filter="all")
    step("describe_configs broker", a.describe_configs, [ConfigResource("BROKER", "111")], config_filter="all")
    step("alter_configs incremental", a.alter_configs, [ConfigResource("TOPIC", t, {"retention.ms": "60000"})],
         incremental=True, raise_on_unknown=False)
    # A group to look at: join, commit, leave.
    p = KafkaProducer(bootstrap_servers=args.bootstrap, client_id="fixture-kafka-python", **TIMEOUTS)
    for i in range(3):
        p.send(t, key=b"k%d" % i, value=b"v%d" % i, partition=0)
    p.flush(10)
    p.close(5)
    c = KafkaConsumer(t, bootstrap_servers=args.bootstrap, group_id=args.group, auto_offset_reset="earliest",
                      session_timeout_ms=6000, heartbeat_interval_ms=500, enable_auto_commit=False, **TIMEOUTS)
    deadline = time.time() + 20
    n = 0
    while time.time() < deadline and n < 3:
        n += sum(len(m) for m in c.poll(timeout_ms=500).values())
    step("commit", c.commit)
    step("list_groups (member joined)", a.list_groups)
    step("describe_groups (member joined)", a.describe_groups, [args.group])
    c.close()
    step("list_groups", a.list_groups)
    step("describe_groups", a.describe_groups, [args.group])
    step("list_group_offsets", a.list_group_offsets, {args.group: None})
    step("delete_records", a.delete_records, {TopicPartition(t, 0): 1})
    step("list_partition_offsets", a.list_partition_offsets, {TopicPartition(t, 0): OffsetSpec.LATEST,
                                                            TopicPartition(t, 1): OffsetSpec.MAX_TIMESTAMP})
    step("describe_topic_partitions", a.describe_topic_partitions, [t])
    step("describe_user_scram_credentials", a.describe_user_scram_credentials)
    step("list_partition_reassignments", a.list_partition_reassignments)
    step("delete_groups", a.delete_groups, [args.group])
    step("delete_topics", a.delete_topics, [t])
    a.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bootstrap")
    ap.add_argument("scenario", choices=["produce", "legacy", "consume-group", "consume-assign", "admin"])
    ap.add_argument("--topic", default="fx-kafka-python")
    ap.add_argument("--group", default="fx-kafka-python-group")
    ap.add_argument("--compression", default=None)
    ap.add_argument("--api-version", default="0.10")
    ap.add_argument("--expect", type=int, default=3)
    ap.add_argument("--debug", action="store_true")
    args = ap.parse_args()
    if args.compression == "none":
        args.compression = None
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.WARNING)
    print(f"kafka-python {kafka.__version__}: {args.scenario}")
    try:
        {"produce": produce, "legacy": legacy, "consume-group": consume_group, "consume-assign": consume_assign,
         "admin": admin}[args.scenario](args)
    except Exception:  # noqa: BLE001
        traceback.print_exc()
    return 0


if __name__ == "__main__":
    sys.exit(main())
