#!/usr/bin/env python3
"""confluent-kafka (librdkafka 2.16) conversations for fixture capture:
`confluent_peer.py BOOTSTRAP SCENARIO [options]`.

Scenarios: idempotent, transactional, consume-group, admin. Every step reports its outcome and the scenario
goes on after a failure: the point is the bytes on the wire.
"""

import argparse
import sys
import time
import traceback

import confluent_kafka
from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import (AdminClient, AlterConfigOpType, ConfigEntry, ConfigResource, NewPartitions,
                                   NewTopic, OffsetSpec, ResourceType)

COMMON = {"socket.timeout.ms": 8000, "client.id": "fixture-confluent-kafka"}


def step(name, fn, *args, **kwargs):
    try:
        result = fn(*args, **kwargs)
        print(f"ok   {name}: {str(result)[:300]}")
        return result
    except Exception as e:  # noqa: BLE001 - every outcome is reported, none stops the capture
        print(f"FAIL {name}: {type(e).__name__}: {e}")
        return None


def wait_futures(name, futures):
    for key, f in futures.items():
        step(f"{name} {key}", f.result, 15)


def idempotent(args):
    p = Producer(dict(COMMON, **{"bootstrap.servers": args.bootstrap, "enable.idempotence": True,
                                 "linger.ms": 100, "compression.type": args.compression}))
    for i in range(3):
        p.produce(args.topic, key=b"idem-%d" % i, value=b"value-%d" % i, partition=0,
                  headers=[("seq", str(i).encode())])
    print("unflushed after flush:", p.flush(20))


def transactional(args):
    p = Producer(dict(COMMON, **{"bootstrap.servers": args.bootstrap, "transactional.id": args.txn_id,
                                 "linger.ms": 50, "transaction.timeout.ms": 30000}))
    if step("init_transactions", p.init_transactions, 20) is None and False:
        return
    # A committed transaction that also commits a consumer group's offsets (AddOffsetsToTxn, TxnOffsetCommit).
    step("begin_transaction", p.begin_transaction)
    for i in range(2):
        p.produce(args.topic, key=b"txn-%d" % i, value=b"committed-%d" % i, partition=0)
    c = Consumer(dict(COMMON, **{"bootstrap.servers": args.bootstrap, "group.id": args.group,
                                 "session.timeout.ms": 6000}))
    step("send_offsets_to_transaction", p.send_offsets_to_transaction,
         [TopicPartition(args.topic, 0, 1)], c.consumer_group_metadata(), 20)
    step("commit_transaction", p.commit_transaction, 20)
    # An aborted one.
    step("begin_transaction", p.begin_transaction)
    p.produce(args.topic, key=b"txn-aborted", value=b"aborted", partition=0)
    step("flush", p.flush, 10)
    step("abort_transaction", p.abort_transaction, 20)
    c.close()


def consume_group(args):
    c = Consumer(dict(COMMON, **{"bootstrap.servers": args.bootstrap, "group.id": args.group,
                                 "auto.offset.reset": "earliest", "session.timeout.ms": 6000,
                                 "heartbeat.interval.ms": 500, "enable.auto.commit": False,
                                 "isolation.level": args.isolation}))
    c.subscribe([args.topic])
    got = []
    deadline = time.time() + 25
    while time.time() < deadline and len(got) < args.expect:
        m = c.poll(0.5)
        if m is not None and m.error() is None:
            got.append(m)
    print(f"consumed {len(got)}: {[(m.key(), m.value()) for m in got][:6]}")
    step("commit", c.commit, asynchronous=False)
    step("committed", c.committed, [TopicPartition(args.topic, 0)], 10)
    end = time.time() + 2
    while time.time() < end:
        c.poll(0.2)
    c.close()


def admin(args):
    a = AdminClient(dict(COMMON, **{"bootstrap.servers": args.bootstrap}))
    t = args.topic
    wait_futures("create_topics", a.create_topics([NewTopic(t, 2, 1, config={"cleanup.policy": "delete"})]))
    wait_futures("create_partitions", a.create_partitions([NewPartitions(t, 3)]))
    step("describe_cluster", a.describe_cluster(include_authorized_operations=True).result, 15)
    step("describe_topics", a.describe_topics(
        confluent_kafka.TopicCollection([t]), include_authorized_operations=True)[t].result, 15)
    wait_futures("describe_configs", a.describe_configs([ConfigResource(ResourceType.TOPIC, t)]))
    wait_futures("incremental_alter_configs", a.incremental_alter_configs([ConfigResource(
        ResourceType.TOPIC, t, incremental_configs=[ConfigEntry("retention.ms", "60000",
                                                                incremental_operation=AlterConfigOpType.SET)])]))
    p = Producer(dict(COMMON, **{"bootstrap.servers": args.bootstrap}))
    for i in range(3):
        p.produce(t, key=b"k%d" % i, value=b"v%d" % i, partition=0)
    p.flush(10)
    c = Consumer(dict(COMMON, **{"bootstrap.servers": args.bootstrap, "group.id": args.group,
                                 "auto.offset.reset": "earliest", "session.timeout.ms": 6000,
                                 "enable.auto.commit": False}))
    c.subscribe([t])
    deadline = time.time() + 20
    n = 0
    while time.time() < deadline and n < 3:
        m = c.poll(0.5)
        n += m is not None and m.error() is None
    step("commit", c.commit, asynchronous=False)
    step("list_consumer_groups (member joined)", a.list_consumer_groups().result, 15)
    wait_futures("describe_consumer_groups (member joined)",
                 a.describe_consumer_groups([args.group], include_authorized_operations=True))
    c.close()
    wait_futures("list_consumer_group_offsets", a.list_consumer_group_offsets(
        [confluent_kafka.ConsumerGroupTopicPartitions(args.group)]))
    wait_futures("list_offsets", a.list_offsets({TopicPartition(t, 0): OffsetSpec.latest(),
                                                 TopicPartition(t, 1): OffsetSpec.earliest(),
                                                 TopicPartition(t, 2): OffsetSpec.max_timestamp()}))
    wait_futures("delete_records", a.delete_records([TopicPartition(t, 0, 1)]))
    wait_futures("delete_consumer_groups", a.delete_consumer_groups([args.group]))
    wait_futures("delete_topics", a.delete_topics([t]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bootstrap")
    ap.add_argument("scenario", choices=["idempotent", "transactional", "consume-group", "admin"])
    ap.add_argument("--topic", default="fx-confluent")
    ap.add_argument("--group", default="fx-confluent-group")
    ap.add_argument("--txn-id", default="fx-confluent-txn")
    ap.add_argument("--compression", default="none")
    ap.add_argument("--isolation", default="read_committed")
    ap.add_argument("--expect", type=int, default=3)
    args = ap.parse_args()
    print(f"confluent-kafka {confluent_kafka.version()[0]} librdkafka {confluent_kafka.libversion()[0]}: "
          f"{args.scenario}")
    try:
        {"idempotent": idempotent, "transactional": transactional, "consume-group": consume_group,
         "admin": admin}[args.scenario](args)
    except Exception:  # noqa: BLE001
        traceback.print_exc()
    return 0


if __name__ == "__main__":
    sys.exit(main())
