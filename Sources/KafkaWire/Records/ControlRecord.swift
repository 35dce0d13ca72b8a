// Control batches (implementation.html, "Control Batches"): a batch with the control attribute
// holds one control record, which consumers use (to drop aborted transactional records) and
// never hand to the application.
//
//   key:   version: int16 (0), type: int16 (0 abort, 1 commit; KRaft adds 2-6)
//   value (abort and commit markers, "EndTxnMarker"): version: int16 (0), coordinatorEpoch: int32
//
// A newer key or value version may only append fields, so a version above 0 may carry bytes
// after the ones we know; at version 0 they are an error.

/// The type in a control record's key. Open, so a type from a newer broker still decodes.
public struct ControlRecordType: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    /// The INT16 on the wire.
    public var rawValue: Int16

    /// A type from its wire value.
    public init(rawValue: Int16) { self.rawValue = rawValue }

    /// The transaction was aborted: drop its records.
    public static let abort = ControlRecordType(rawValue: 0)
    /// The transaction was committed.
    public static let commit = ControlRecordType(rawValue: 1)
    /// KRaft: a new quorum leader (metadata log only).
    public static let leaderChange = ControlRecordType(rawValue: 2)
    /// KRaft: the start of a snapshot.
    public static let snapshotHeader = ControlRecordType(rawValue: 3)
    /// KRaft: the end of a snapshot.
    public static let snapshotFooter = ControlRecordType(rawValue: 4)
    /// KRaft: the kraft.version feature level.
    public static let kraftVersion = ControlRecordType(rawValue: 5)
    /// KRaft: the voter set.
    public static let kraftVoters = ControlRecordType(rawValue: 6)

    /// The key version this codec writes.
    public static let currentKeyVersion: Int16 = 0
    /// Bytes of a version-0 key.
    static let keySize = 4

    /// True for the two transaction markers, the only control records a consumer acts on.
    public var isTransactionMarker: Bool { self == .abort || self == .commit }

    /// Decodes a control record key. Throws on a short key, a negative version, or extra bytes
    /// after a version-0 key.
    public init(decodingKey key: ByteSlice) throws(WireDecodingError) {
        var reader = ByteReader(key)
        let versionAt = reader.offset
        let version = try reader.readInt16()
        guard version >= 0 else {
            throw WireDecodingError(.unsupportedVersion(version), at: versionAt, field: "ControlRecordKey.version")
        }
        self.rawValue = try reader.readInt16()
        if version == 0 { try reader.expectEnd() }
    }

    /// The key bytes: version 0 and this type.
    public var encodedKey: [UInt8] {
        var writer = ByteWriter(capacity: Self.keySize)
        writer.writeInt16(Self.currentKeyVersion)
        writer.writeInt16(rawValue)
        return writer.bytes
    }

    /// `ABORT`, `COMMIT`, ... as Kafka names them, or `UNKNOWN(n)`.
    public var description: String {
        switch rawValue {
        case 0: "ABORT"
        case 1: "COMMIT"
        case 2: "LEADER_CHANGE"
        case 3: "SNAPSHOT_HEADER"
        case 4: "SNAPSHOT_FOOTER"
        case 5: "KRAFT_VERSION"
        case 6: "KRAFT_VOTERS"
        default: "UNKNOWN(\(rawValue))"
        }
    }
}

/// The value of an abort or commit control record.
public struct EndTxnMarker: Sendable, Hashable {
    /// The value version this codec writes.
    public static let currentVersion: Int16 = 0

    /// The value's schema version.
    public var version: Int16
    /// The epoch of the transaction coordinator that wrote the marker.
    public var coordinatorEpoch: Int32

    /// A marker written by a coordinator at `coordinatorEpoch`.
    public init(version: Int16 = EndTxnMarker.currentVersion, coordinatorEpoch: Int32) {
        self.version = version
        self.coordinatorEpoch = coordinatorEpoch
    }

    /// Decodes a marker value. Throws on a short value, a negative version, or extra bytes after a
    /// version-0 value.
    public init(decoding value: ByteSlice) throws(WireDecodingError) {
        var reader = ByteReader(value)
        let versionAt = reader.offset
        version = try reader.readInt16()
        guard version >= 0 else {
            throw WireDecodingError(.unsupportedVersion(version), at: versionAt, field: "EndTxnMarker.version")
        }
        coordinatorEpoch = try reader.readInt32()
        if version == 0 { try reader.expectEnd() }
    }

    /// The value bytes (version and coordinator epoch).
    public var encoded: [UInt8] {
        var writer = ByteWriter(capacity: 6)
        writer.writeInt16(version)
        writer.writeInt32(coordinatorEpoch)
        return writer.bytes
    }
}

extension RecordBatch {
    /// For a control batch, the type in its control record's key; nil for a data batch or an
    /// empty control batch. Throws when the control record's key is null or malformed.
    public func controlRecordType() throws(WireDecodingError) -> ControlRecordType? {
        guard attributes.isControl, let record = records.first else { return nil }
        guard let key = record.key else {
            throw WireDecodingError(.unexpectedNull, at: 0, field: "ControlRecord.key")
        }
        return try ControlRecordType(decodingKey: key)
    }
}
