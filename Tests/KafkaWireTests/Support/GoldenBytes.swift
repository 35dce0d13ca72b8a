import KafkaWire
import Testing

// Helpers shared by the hand-derived golden-byte tests of the API codecs.

/// Bytes from hex fragments (white space ignored), one fragment per field.
func wire(_ fragments: String...) -> [UInt8] {
    guard let slice = ByteSlice(hex: fragments.joined(separator: " ")) else {
        Issue.record("malformed hex in a golden fixture")
        return []
    }
    return Array(slice)
}

/// Checks that `message` encodes to `bytes` at `version` and that `bytes` decode to `message`.
func expectGolden<M: WireMessage>(
    _ message: M, _ bytes: [UInt8], version: Int16, sourceLocation: SourceLocation = #_sourceLocation
) throws {
    #expect(try message.encoded(version: version) == bytes, "encode v\(version)", sourceLocation: sourceLocation)
    #expect(try M(decoding: bytes, version: version) == message, "decode v\(version)", sourceLocation: sourceLocation)
}

/// The error decoding `bytes` throws, or nil when they decode.
func decodingError<M: WireMessage>(_: M.Type, _ bytes: [UInt8], version: Int16) -> WireDecodingError? {
    do {
        _ = try M(decoding: bytes, version: version)
        return nil
    } catch {
        return error
    }
}

/// The error encoding `message` throws, or nil when it encodes.
func encodingError<M: WireMessage>(_ message: M, version: Int16) -> WireEncodingError? {
    do {
        _ = try message.encoded(version: version)
        return nil
    } catch {
        return error
    }
}
