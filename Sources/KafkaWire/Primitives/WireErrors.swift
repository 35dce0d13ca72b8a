/// Why a byte sequence could not be decoded, and where.
///
/// `offset` counts bytes from the start of the buffer handed to the decoder (for a
/// message: the first byte of its body, after the header). `field` is the path of the
/// field being read, as the spec names it (`Topics[0].Partitions[2].Records`), when known.
public struct WireDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was malformed.
    public enum Kind: Sendable, Equatable {
        /// Fewer bytes were left than the next value needs.
        case truncated(needed: Int, available: Int)
        /// A length or count below -1 (-1 where null is not allowed is `unexpectedNull`).
        case negativeLength(Int)
        /// A length or count larger than the bytes that are left could hold.
        case lengthExceedsRemaining(length: Int, remaining: Int)
        /// A varint longer than its type allows (5 bytes for 32 bits, 10 for 64).
        case malformedVarint
        /// A string whose bytes are not valid UTF-8.
        case invalidUTF8
        /// A checksum that does not match the bytes it covers.
        case crcMismatch(expected: UInt32, actual: UInt32)
        /// Bytes left over after a value that should have used all of them.
        case trailingBytes(count: Int)
        /// Null where the field is not nullable at this version.
        case unexpectedNull
        /// A version the codec does not know.
        case unsupportedVersion(Int16)
        /// A record batch or message with a magic byte this decoder does not know.
        case unsupportedMagic(Int8)
        /// A compression codec number that is not defined.
        case unknownCompressionCodec(Int)
        /// Decompressed data would exceed the configured cap.
        case decompressedSizeExceeded(limit: Int)
        /// Compressed data that the codec rejected.
        case corruptCompressedData(String)
        /// Tagged fields out of strictly increasing order, or repeated.
        case tagsOutOfOrder(tag: UInt32)
        /// A value that is well-formed but not allowed here (for example a frame above the size limit).
        case invalidValue(String)

        /// The kind's name as used in `swafka-wire` error lines (`truncated`, `crcMismatch`, ...).
        public var name: String {
            switch self {
            case .truncated: "truncated"
            case .negativeLength: "negativeLength"
            case .lengthExceedsRemaining: "lengthExceedsRemaining"
            case .malformedVarint: "malformedVarint"
            case .invalidUTF8: "invalidUTF8"
            case .crcMismatch: "crcMismatch"
            case .trailingBytes: "trailingBytes"
            case .unexpectedNull: "unexpectedNull"
            case .unsupportedVersion: "unsupportedVersion"
            case .unsupportedMagic: "unsupportedMagic"
            case .unknownCompressionCodec: "unknownCompressionCodec"
            case .decompressedSizeExceeded: "decompressedSizeExceeded"
            case .corruptCompressedData: "corruptCompressedData"
            case .tagsOutOfOrder: "tagsOutOfOrder"
            case .invalidValue: "invalidValue"
            }
        }

        var detail: String {
            switch self {
            case let .truncated(needed, available): "needed \(needed) bytes, \(available) left"
            case let .negativeLength(length): "length \(length)"
            case let .lengthExceedsRemaining(length, remaining): "length \(length), \(remaining) bytes left"
            case .malformedVarint: "varint too long"
            case .invalidUTF8: "string is not valid UTF-8"
            case let .crcMismatch(expected, actual):
                "stored CRC \(String(expected, radix: 16)), computed \(String(actual, radix: 16))"
            case let .trailingBytes(count): "\(count) bytes left over"
            case .unexpectedNull: "null in a non-nullable field"
            case let .unsupportedVersion(version): "version \(version)"
            case let .unsupportedMagic(magic): "magic \(magic)"
            case let .unknownCompressionCodec(codec): "codec \(codec)"
            case let .decompressedSizeExceeded(limit): "more than \(limit) bytes after decompression"
            case let .corruptCompressedData(why): why
            case let .tagsOutOfOrder(tag): "tag \(tag)"
            case let .invalidValue(why): why
            }
        }
    }

    /// What was malformed.
    public var kind: Kind
    /// Byte offset from the start of the decoded buffer.
    public var offset: Int
    /// The spec name of the field being decoded, with array indices, when known.
    public var field: String?

    /// Creates an error of `kind` at byte `offset`.
    public init(_ kind: Kind, at offset: Int, field: String? = nil) {
        self.kind = kind
        self.offset = offset
        self.field = field
    }

    /// `truncated at byte 12 in Topics[0].Name: needed 4 bytes, 2 left`.
    public var description: String {
        var text = "\(kind.name) at byte \(offset)"
        if let field { text += " in \(field)" }
        return text + ": " + kind.detail
    }
}

/// Why a value could not be encoded at the requested version.
public struct WireEncodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What prevented encoding.
    public enum Kind: Sendable, Equatable {
        /// The field holds a non-default value that the version cannot carry.
        case fieldNotInVersion
        /// The field is null but not nullable at this version.
        case nullNotAllowed
        /// A string, bytes or array too long for its length prefix.
        case valueTooLarge(Int)
        /// The message has no such version.
        case unsupportedVersion
        /// Two tagged fields share a tag (a known one and a preserved unknown one).
        case duplicateTag(UInt32)
        /// Anything else that makes the value unencodable.
        case invalidValue(String)
    }

    /// What prevented encoding.
    public var kind: Kind
    /// The spec name of the field, with array indices, when known.
    public var field: String?
    /// The version being encoded.
    public var version: Int16

    /// Creates an encoding error.
    public init(_ kind: Kind, field: String?, version: Int16) {
        self.kind = kind
        self.field = field
        self.version = version
    }

    /// A sentence naming the field, the version and the problem.
    public var description: String {
        let what = field.map { "field \($0)" } ?? "message"
        switch kind {
        case .fieldNotInVersion: return "\(what) holds a non-default value that version \(version) cannot carry"
        case .nullNotAllowed: return "\(what) is null, which version \(version) does not allow"
        case let .valueTooLarge(size): return "\(what) is too large for its length prefix (\(size))"
        case .unsupportedVersion: return "\(what) has no version \(version)"
        case let .duplicateTag(tag): return "\(what) has tag \(tag) twice at version \(version)"
        case let .invalidValue(why): return "\(what) at version \(version): \(why)"
        }
    }
}
