import Foundation
import Testing

/// A record as another client read it back from a broker.
struct ReadRecord: Sendable, Equatable, CustomStringConvertible {
    var topic: String
    var partition: Int32
    var offset: Int64
    var timestampMs: Int64
    /// "create" or "append" (kcat's `tstype`; kafka-python's timestamp_type 0 / 1).
    var timestampType: String
    var key: [UInt8]?
    var value: [UInt8]?
    var headers: [ReadHeader]

    var description: String {
        func text(_ bytes: [UInt8]?) -> String { bytes.map { "\"\(String(decoding: $0, as: UTF8.self))\"" } ?? "null" }
        return "\(topic)[\(partition)]@\(offset) ts=\(timestampMs) key=\(text(key)) value=\(text(value)) headers=\(headers.map { "\($0.name)=\(text($0.value))" })"
    }
}

struct ReadHeader: Sendable, Equatable {
    var name: String
    var value: [UInt8]?
}

/// The test bed's other clients: kcat (librdkafka 2.16) and kafka-python, run as processes to read
/// back what Swafka produced, and kcat to produce with librdkafka's partitioner.
enum PeerReaders {
    static var environment: [String: String] { ProcessInfo.processInfo.environment }

    /// The package root (Tests/IntegrationTests/PeerReaders.swift → ../..).
    static var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static func kcat() throws -> String {
        if let path = environment["SWAFKA_TESTBED_KCAT"] { return path }
        let path = root.appendingPathComponent(".testbed/bin/kcat").path
        guard FileManager.default.isExecutableFile(atPath: path) else { throw TestBedMissing(name: "SWAFKA_TESTBED_KCAT") }
        return path
    }

    static func python() throws -> String {
        if let path = environment["SWAFKA_TESTBED_PYTHON"] { return path }
        let path = root.appendingPathComponent(".testbed/venv/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: path) else { throw TestBedMissing(name: "SWAFKA_TESTBED_PYTHON") }
        return path
    }

    /// Runs `executable` with `arguments` (and `input` on stdin), returns stdout; fails on a non-zero
    /// exit or when it runs longer than `timeout`. Output goes through a file, so a large one
    /// cannot block the child on a full pipe.
    static func run(_ executable: String, _ arguments: [String], input: String? = nil,
                    timeout: Duration = .seconds(90)) async throws -> String {
        let directory = FileManager.default.temporaryDirectory
        let outURL = directory.appendingPathComponent("swafka-it-\(UUID().uuidString).out")
        let errURL = directory.appendingPathComponent("swafka-it-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        let stdin = Pipe()
        process.standardInput = input == nil ? FileHandle.nullDevice : stdin
        try process.run()
        if let input {
            stdin.fileHandleForWriting.write(Data(input.utf8))
            try stdin.fileHandleForWriting.close()
        }
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now > deadline {
                process.terminate()
                throw ToolFailed(command: ([executable] + arguments).joined(separator: " "), status: -1,
                                 stderr: "timed out after \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        let output = String(decoding: (try? Data(contentsOf: outURL)) ?? Data(), as: UTF8.self)
        guard process.terminationStatus == 0 else {
            let errors = String(decoding: (try? Data(contentsOf: errURL)) ?? Data(), as: UTF8.self)
            throw ToolFailed(command: ([executable] + arguments).joined(separator: " "), status: process.terminationStatus,
                             stderr: String(errors.suffix(2000)))
        }
        return output
    }

    /// Reads `count` records of `topic` from the beginning with `kcat -C -J`.
    static func kcatRead(bootstrap: String, topic: String, count: Int) async throws -> [ReadRecord] {
        let output = try await run(kcat(), ["-b", bootstrap, "-C", "-J", "-q", "-o", "beginning", "-t", topic,
                                            "-c", String(count), "-X", "allow.auto.create.topics=false"])
        var records: [ReadRecord] = []
        for line in output.split(separator: "\n") where line.hasPrefix("{") {
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { continue }
            var headers: [ReadHeader] = []
            if let flat = object["headers"] as? [Any] {
                var index = 0
                while index + 1 < flat.count {
                    headers.append(ReadHeader(name: flat[index] as? String ?? "",
                                              value: (flat[index + 1] as? String).map { Array($0.utf8) }))
                    index += 2
                }
            }
            records.append(ReadRecord(
                topic: object["topic"] as? String ?? "", partition: Int32(object["partition"] as? Int ?? -1),
                offset: Int64(object["offset"] as? Int ?? -1), timestampMs: Int64(object["ts"] as? Int ?? -1),
                timestampType: object["tstype"] as? String ?? "?",
                key: (object["key"] as? String).map { Array($0.utf8) },
                value: (object["payload"] as? String).map { Array($0.utf8) }, headers: headers))
        }
        return records
    }

    /// Reads `count` records of `topic` from the beginning of every partition with kafka-python.
    static func kafkaPythonRead(bootstrap: String, topic: String, count: Int) async throws -> [ReadRecord] {
        let script = """
        import base64, json, sys, time
        from kafka import KafkaConsumer, TopicPartition
        bootstrap, topic, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
        consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None,
                                 consumer_timeout_ms=20000, request_timeout_ms=30000)
        partitions = None
        for _ in range(100):
            partitions = consumer.partitions_for_topic(topic)
            if partitions:
                break
            time.sleep(0.1)
        tps = [TopicPartition(topic, p) for p in sorted(partitions)]
        consumer.assign(tps)
        consumer.seek_to_beginning(*tps)
        b64 = lambda b: None if b is None else base64.b64encode(b).decode()
        out = []
        for m in consumer:
            out.append(dict(topic=m.topic, partition=m.partition, offset=m.offset, ts=m.timestamp,
                            tstype=m.timestamp_type, key=b64(m.key), value=b64(m.value),
                            headers=[[k, b64(v)] for k, v in (m.headers or [])]))
            if len(out) >= count:
                break
        consumer.close()
        print(json.dumps(out))
        """
        let output = try await run(python(), ["-c", script, bootstrap, topic, String(count)])
        guard let line = output.split(separator: "\n").last(where: { $0.hasPrefix("[") }),
              let array = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [[String: Any]] else {
            throw ToolFailed(command: "kafka-python read", status: 0, stderr: "no JSON in: \(output.suffix(500))")
        }
        func bytes(_ value: Any?) -> [UInt8]? {
            (value as? String).flatMap { Data(base64Encoded: $0) }.map { Array($0) }
        }
        return array.map { object in
            ReadRecord(topic: object["topic"] as? String ?? "", partition: Int32(object["partition"] as? Int ?? -1),
                       offset: Int64(object["offset"] as? Int ?? -1), timestampMs: Int64(object["ts"] as? Int ?? -1),
                       timestampType: (object["tstype"] as? Int) == 1 ? "append" : "create",
                       key: bytes(object["key"]), value: bytes(object["value"]),
                       headers: (object["headers"] as? [[Any]] ?? []).map {
                           ReadHeader(name: $0.first as? String ?? "", value: bytes($0.count > 1 ? $0[1] : nil))
                       })
        }
    }

    /// Produces `lines` (`key:value`) to `topic` with kcat (librdkafka) and `extra` properties.
    static func kcatProduce(bootstrap: String, topic: String, lines: [String], extra: [String] = []) async throws {
        var arguments = ["-b", bootstrap, "-P", "-q", "-t", topic, "-K", ":", "-X", "allow.auto.create.topics=false"]
        for property in extra { arguments += ["-X", property] }
        _ = try await run(kcat(), arguments, input: lines.joined(separator: "\n") + "\n")
    }
}

struct ToolFailed: Error, CustomStringConvertible {
    let command: String
    let status: Int32
    let stderr: String
    var description: String { "\(command) exited \(status): \(stderr)" }
}
