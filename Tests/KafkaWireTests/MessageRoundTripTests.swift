import KafkaWire
import Testing

/// Every registered message type, request and response, with every version it has.
let allMessageCases: [(name: String, type: any WireMessage.Type, version: Int16)] = {
    var cases: [(String, any WireMessage.Type, Int16)] = []
    for entry in MessageRegistry.entries {
        for version in entry.request.validVersions { cases.append((entry.name + "Request", entry.request, version)) }
        for version in entry.response.validVersions { cases.append((entry.name + "Response", entry.response, version)) }
    }
    for data in MessageRegistry.dataTypes {
        for version in data.type.validVersions { cases.append((data.name, data.type, version)) }
    }
    return cases
}()

let roundTripSeed: UInt64 = 0x5AFC_A001

@Suite("Every message at every version")
struct MessageRoundTripTests {
    @Test("round trip with every field set", arguments: allMessageCases.indices)
    func roundTrip(index: Int) throws {
        let (name, type, version) = allMessageCases[index]
        try check(type, name: name, version: version)
    }

    func check<M: WireMessage>(_ type: M.Type, name: String, version: Int16) throws {
        let seed = roundTripSeed ^ UInt64(version) ^ UInt64(truncatingIfNeeded: name.hashValue & 0)
        let message = try filled(M.self, version: version, seed: seed)
        let bytes = try message.encoded(version: version)
        let decoded = try M(decoding: bytes, version: version)
        #expect(decoded == message, "\(name) v\(version) seed \(seed)")
        #expect(try decoded.encoded(version: version) == bytes, "\(name) v\(version) re-encodes byte for byte")
    }

    @Test("defaults encode at every version", arguments: allMessageCases.indices)
    func defaultsEncode(index: Int) throws {
        let (name, type, version) = allMessageCases[index]
        func check<M: WireMessage>(_: M.Type) throws {
            let bytes = try M().encoded(version: version)
            #expect(try M(decoding: bytes, version: version) == M(), "\(name) v\(version)")
        }
        try check(type)
    }

    @Test("every strict prefix throws, never traps", arguments: allMessageCases.indices)
    func prefixesThrow(index: Int) throws {
        let (name, type, version) = allMessageCases[index]
        func check<M: WireMessage>(_: M.Type) throws {
            let bytes = try filled(M.self, version: version, seed: roundTripSeed).encoded(version: version)
            for length in 0..<bytes.count {
                #expect(throws: WireDecodingError.self, "\(name) v\(version) prefix \(length)") {
                    _ = try M(decoding: Array(bytes[..<length]), version: version)
                }
            }
            #expect(throws: WireDecodingError.self, "\(name) v\(version) trailing byte") {
                _ = try M(decoding: bytes + [0], version: version)
            }
        }
        try check(type)
    }
}
