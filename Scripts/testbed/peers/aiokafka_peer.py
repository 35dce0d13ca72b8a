#!/usr/bin/env python3
"""aiokafka conversations for fixture capture: `aiokafka_peer.py BOOTSTRAP SCENARIO [options]`.

Scenarios: produce, consume-group, transactional, admin. Every step reports its outcome and the scenario goes
on after a failure: the point is the bytes on the wire.
"""

import argparse
import asyncio
import sys
import time
import traceback

import aiokafka
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.admin.records_to_delete import RecordsToDelete

COMMON = {"client_id": "fixture-aiokafka", "request_timeout_ms": 8000}


async def step(name, coro):
    try:
        result = await coro
        print(f"ok   {name}: {str(result)[:300]}")
        return result
    except Exception as e:  # noqa: BLE001 - every outcome is reported, none stops the capture
        print(f"FAIL {name}: {type(e).__name__}: {e}")
        return None


async def produce(args):
    p = AIOKafkaProducer(bootstrap_servers=args.bootstrap, compression_type=args.compression, linger_ms=100,
                         enable_idempotence=args.idempotent, acks="all", **COMMON)
    await p.start()
    try:
        futures = [
            await p.send(args.topic, key=b"aio-1", value=b"value-1", partition=0, headers=[("trace", b"abc")]),
            await p.send(args.topic, key=b"aio-2", value=None, partition=0),
            await p.send(args.topic, key=None, value=b"value-3", partition=0),
        ]
        for f in futures:
            await step("send", f)
    finally:
        await p.stop()


async def transactional(args):
    p = AIOKafkaProducer(bootstrap_servers=args.bootstrap, transactional_id=args.txn_id, **COMMON)
    await step("start (InitProducerId)", p.start())
    try:
        async with p.transaction():
            await p.send_and_wait(args.topic, key=b"aio-txn", value=b"committed", partition=0)
            await step("send_offsets_to_transaction",
                       p.send_offsets_to_transaction({TopicPartition(args.topic, 0): 1}, args.group))
        try:
            async with p.transaction():
                await p.send_and_wait(args.topic, key=b"aio-txn", value=b"aborted", partition=0)
                raise RuntimeError("abort on purpose")
        except RuntimeError as e:
            print(f"ok   aborted: {e}")
    except Exception as e:  # noqa: BLE001
        print(f"FAIL transaction: {type(e).__name__}: {e}")
    finally:
        await p.stop()


async def consume_group(args):
    c = AIOKafkaConsumer(args.topic, bootstrap_servers=args.bootstrap, group_id=args.group,
                         auto_offset_reset="earliest", enable_auto_commit=False, session_timeout_ms=6000,
                         heartbeat_interval_ms=500, isolation_level=args.isolation, **COMMON)
    await c.start()
    try:
        got = []
        deadline = time.time() + 25
        while time.time() < deadline and len(got) < args.expect:
            batch = await c.getmany(timeout_ms=500)
            for msgs in batch.values():
                got.extend(msgs)
        print(f"consumed {len(got)}: {[(m.key, m.value) for m in got][:6]}")
        await step("commit", c.commit())
        await step("committed", c.committed(TopicPartition(args.topic, 0)))
        await asyncio.sleep(2)
    finally:
        await c.stop()


async def admin(args):
    a = AIOKafkaAdminClient(bootstrap_servers=args.bootstrap, **COMMON)
    await a.start()
    t = args.topic
    try:
        await step("create_topics", a.create_topics([NewTopic(t, 2, 1, topic_configs={"cleanup.policy": "delete"})]))
        await step("describe_topics", a.describe_topics([t]))
        await step("describe_cluster", a.describe_cluster())
        await step("describe_configs", a.describe_configs([ConfigResource(ConfigResourceType.TOPIC, t)]))
        await step("alter_configs", a.alter_configs([ConfigResource(ConfigResourceType.TOPIC, t,
                                                                    {"retention.ms": "60000"})]))
        await step("list_consumer_groups", a.list_consumer_groups())
        await step("describe_consumer_groups", a.describe_consumer_groups([args.group]))
        await step("list_consumer_group_offsets", a.list_consumer_group_offsets(args.group))
        await step("delete_records", a.delete_records({TopicPartition(t, 0): RecordsToDelete(1)}))
        await step("delete_topics", a.delete_topics([t]))
    finally:
        await a.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bootstrap")
    ap.add_argument("scenario", choices=["produce", "consume-group", "transactional", "admin"])
    ap.add_argument("--topic", default="fx-aiokafka")
    ap.add_argument("--group", default="fx-aiokafka-group")
    ap.add_argument("--txn-id", default="fx-aiokafka-txn")
    ap.add_argument("--compression", default=None)
    ap.add_argument("--idempotent", action="store_true")
    ap.add_argument("--isolation", default="read_uncommitted")
    ap.add_argument("--expect", type=int, default=3)
    args = ap.parse_args()
    if args.compression == "none":
        args.compression = None
    print(f"aiokafka {aiokafka.__version__}: {args.scenario}")
    fn = {"produce": produce, "consume-group": consume_group, "transactional": transactional,
          "admin": admin}[args.scenario]
    try:
        asyncio.run(fn(args))
    except Exception:  # noqa: BLE001
        traceback.print_exc()
    return 0


if __name__ == "__main__":
    sys.exit(main())
