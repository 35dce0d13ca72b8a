import Foundation
import Glibc
import KafkaTransport
import KafkaWire

/// A scripted broker on loopback for hostile-peer tests: it answers the ApiVersions handshake
/// properly, then treats every later request as `script` says.
final class FakeBroker: @unchecked Sendable {
    // @unchecked: `listenFD` and `port` are set once in init; the serving thread only reads them.
    enum Reply: Sendable {
        /// Send these raw bytes (frame prefix included, or not: the test decides), then keep serving.
        case raw([UInt8])
        /// Send these bytes, then close the connection.
        case rawThenClose([UInt8])
        /// Never answer.
        case silence
        /// Close at once.
        case close
    }

    let port: Int
    private let listenFD: Int32
    private let script: @Sendable (_ correlationID: Int32, _ apiKey: Int16, _ apiVersion: Int16) -> Reply

    private let answersHandshake: Bool

    init(answersHandshake: Bool = true,
         script: @escaping @Sendable (_ correlationID: Int32, _ apiKey: Int16, _ apiVersion: Int16) -> Reply) throws {
        self.script = script
        self.answersHandshake = answersHandshake
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 8) == 0 else { throw SocketError("bind/listen", code: errno) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listenFD = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in self.serve() }
        thread.start()
    }

    var address: BrokerAddress { BrokerAddress(host: "127.0.0.1", port: port) }

    func stop() {
        shutdown(listenFD, Int32(SHUT_RDWR))
        close(listenFD)
    }

    private func serve() {
        while true {
            let client = accept(listenFD, nil, nil)
            guard client >= 0 else { return }
            let thread = Thread { [self] in self.handle(client) }
            thread.start()
        }
    }

    private func readExactly(_ fd: Int32, _ count: Int) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + got, count - got, 0) }
            if n <= 0 { return nil }
            got += n
        }
        return buffer
    }

    private func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            sent += n
        }
    }

    private func handle(_ fd: Int32) {
        defer { close(fd) }
        while let prefix = readExactly(fd, 4) {
            let size = Int(Int32(bigEndian: prefix.withUnsafeBytes { $0.loadUnaligned(as: Int32.self) }))
            guard size >= 8, let frame = readExactly(fd, size) else { return }
            var reader = ByteReader(frame)
            guard let apiKey = try? reader.readInt16(), let version = try? reader.readInt16(),
                  let correlationID = try? reader.readInt32() else { return }
            if apiKey == ApiKey.apiVersions.rawValue {
                guard answersHandshake else { continue }
                writeAll(fd, Self.apiVersionsResponse(correlationID: correlationID, version: version))
                continue
            }
            switch script(correlationID, apiKey, version) {
            case let .raw(bytes): writeAll(fd, bytes)
            case let .rawThenClose(bytes):
                writeAll(fd, bytes)
                return
            case .silence: continue
            case .close: return
            }
        }
    }

    /// A valid ApiVersions response offering Metadata v0-12, ApiVersions v0-4, SaslHandshake v0-1 and SaslAuthenticate v0-2.
    static func apiVersionsResponse(correlationID: Int32, version: Int16) -> [UInt8] {
        var response = ApiVersionsResponse()
        response.apiKeys = [
            .init(apiKey: ApiKey.apiVersions.rawValue, minVersion: 0, maxVersion: 4),
            .init(apiKey: ApiKey.metadata.rawValue, minVersion: 0, maxVersion: 12),
            // Offered so that SASL tests can script the handshake; clients without SASL never send them.
            .init(apiKey: ApiKey.saslHandshake.rawValue, minVersion: 0, maxVersion: 1),
            .init(apiKey: ApiKey.saslAuthenticate.rawValue, minVersion: 0, maxVersion: 2),
        ]
        return frame(correlationID: correlationID, headerVersion: 0, body: (try? response.encoded(version: version)) ?? [])
    }

    /// A response frame: size prefix, header, body.
    static func frame(correlationID: Int32, headerVersion: Int16, body: [UInt8]) -> [UInt8] {
        var writer = ByteWriter()
        let at = writer.reserveInt32()
        ResponseHeader(correlationID: correlationID).encode(into: &writer, headerVersion: headerVersion)
        writer.writeRaw(body)
        writer.backfillInt32(Int32(writer.count - 4), at: at)
        return writer.bytes
    }

    /// A valid Metadata v12 response frame for `correlationID`.
    static func metadataResponse(correlationID: Int32) -> [UInt8] {
        var response = MetadataResponse()
        response.brokers = [.init(nodeID: 1, host: "127.0.0.1", port: 9092)]
        return frame(correlationID: correlationID, headerVersion: 1, body: (try? response.encoded(version: 12)) ?? [])
    }
}
