import Foundation

/// The test bed's brokers and kcat (Scripts/testbed/start.sh writes them to .testbed/env; the test
/// command exports them). Parity tests run when kcat and at least one broker are known.
enum TestBed {
    static let values: [String: String] = {
        var values: [String: String] = [:]
        // Fall back to .testbed/env of this checkout, so a plain `swift test` after start.sh works too.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        if let text = try? String(contentsOf: root.appendingPathComponent(".testbed/env"), encoding: .utf8) {
            for line in text.split(separator: "\n") {
                guard let equals = line.firstIndex(of: "=") else { continue }
                values[String(line[..<equals])] = String(line[line.index(after: equals)...])
            }
        }
        for (key, value) in ProcessInfo.processInfo.environment where key.hasPrefix("SWAFKA_") { values[key] = value }
        return values
    }()

    static var kcat: String? { values["SWAFKA_TESTBED_KCAT"].flatMap { FileManager.default.isExecutableFile(atPath: $0) ? $0 : nil } }
    static var tansu: String? { values["SWAFKA_TANSU_BOOTSTRAP"] }
    static var mock: String? { values["SWAFKA_MOCK_BOOTSTRAP"] }
    static var required: Bool { ProcessInfo.processInfo.environment["SWAFKA_REQUIRE_INTEGRATION"] == "1" }

    /// The brokers to compare against, by name.
    static var brokers: [(name: String, bootstrap: String)] {
        [("tansu", tansu), ("mock", mock)].compactMap { name, bootstrap in bootstrap.map { (name, $0) } }
    }

    static var hasParityBed: Bool { (kcat != nil && !liveBrokers.isEmpty) || required }
}

#if canImport(Glibc)
import Glibc
#endif

extension TestBed {
    /// Whether something listens at the first `host:port` of `bootstrap` (a stale .testbed/env must skip, not fail).
    static func isListening(_ bootstrap: String) -> Bool {
        guard let first = bootstrap.split(separator: ",").first, let colon = first.lastIndex(of: ":"),
              let port = UInt16(first[first.index(after: colon)...]) else { return false }
        let host = String(first[..<colon])
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { return false }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return result == 0
        #else
        return true
        #endif
    }

    /// The live brokers (all named ones when the test bed is required, so a dead one fails loudly).
    static var liveBrokers: [(name: String, bootstrap: String)] {
        brokers.filter { required || isListening($0.bootstrap) }
    }
}
