// The attribute bits of record batches (INT16, magic 2) as a typed value, and the timestamp
// type shared with legacy messages. Bits this codec does not interpret are kept in
// `unknownBits`, so a decoded value re-encodes to the same bits.

/// Which clock a record's timestamp comes from: bit 3 of the attributes.
public enum TimestampType: Int8, Sendable, CaseIterable, CustomStringConvertible {
    /// The producer set the timestamp when it created the record.
    case createTime = 0
    /// The broker set the timestamp when it appended the batch (topic config `message.timestamp.type`).
    case logAppendTime = 1

    /// `CreateTime` or `LogAppendTime`, as Kafka spells them.
    public var description: String {
        switch self {
        case .createTime: "CreateTime"
        case .logAppendTime: "LogAppendTime"
        }
    }
}

extension RecordBatch {
    /// The INT16 attributes of a record batch.
    ///
    /// Bits 0-2 compression codec, bit 3 timestamp type, bit 4 transactional, bit 5 control batch,
    /// bit 6 delete horizon (`baseTimestamp` holds the compaction delete horizon), bits 7-15 unused.
    public struct Attributes: Sendable, Hashable, CustomStringConvertible {
        /// Bits 0-2: how the records section after the record count is compressed.
        public var compression: CompressionCodec
        /// Bit 3: whether timestamps are the producer's or the broker's.
        public var timestampType: TimestampType
        /// Bit 4: the batch belongs to a transaction.
        public var isTransactional: Bool
        /// Bit 5: the batch holds one control record (a transaction marker), not application data.
        public var isControl: Bool
        /// Bit 6: compaction replaced `baseTimestamp` with the time after which tombstones and
        /// aborted markers may be removed.
        public var hasDeleteHorizon: Bool
        /// Bits 7-15, which no Kafka version defines; kept so re-encoding is exact.
        public var unknownBits: Int16

        static let compressionMask: Int16 = 0x07
        static let timestampTypeBit: Int16 = 0x08
        static let transactionalBit: Int16 = 0x10
        static let controlBit: Int16 = 0x20
        static let deleteHorizonBit: Int16 = 0x40
        static let knownMask: Int16 = 0x7F

        /// Attributes with every flag off and no compression, unless given.
        public init(compression: CompressionCodec = .none, timestampType: TimestampType = .createTime,
                    isTransactional: Bool = false, isControl: Bool = false, hasDeleteHorizon: Bool = false,
                    unknownBits: Int16 = 0) {
            self.compression = compression
            self.timestampType = timestampType
            self.isTransactional = isTransactional
            self.isControl = isControl
            self.hasDeleteHorizon = hasDeleteHorizon
            self.unknownBits = unknownBits & ~Self.knownMask
        }

        /// Decodes the wire bits; throws `unknownCompressionCodec` (at `offset`) for codec 5, 6 or 7.
        public init(rawValue: Int16, at offset: Int) throws(WireDecodingError) {
            self.compression = try CompressionCodec.from(attributes: rawValue, at: offset)
            self.timestampType = rawValue & Self.timestampTypeBit != 0 ? .logAppendTime : .createTime
            self.isTransactional = rawValue & Self.transactionalBit != 0
            self.isControl = rawValue & Self.controlBit != 0
            self.hasDeleteHorizon = rawValue & Self.deleteHorizonBit != 0
            self.unknownBits = rawValue & ~Self.knownMask
        }

        /// The wire bits.
        public var rawValue: Int16 {
            var raw = Int16(compression.rawValue) | (unknownBits & ~Self.knownMask)
            if timestampType == .logAppendTime { raw |= Self.timestampTypeBit }
            if isTransactional { raw |= Self.transactionalBit }
            if isControl { raw |= Self.controlBit }
            if hasDeleteHorizon { raw |= Self.deleteHorizonBit }
            return raw
        }

        /// `lz4, CreateTime, transactional, control`.
        public var description: String {
            var parts = [compression.description, timestampType.description]
            if isTransactional { parts.append("transactional") }
            if isControl { parts.append("control") }
            if hasDeleteHorizon { parts.append("deleteHorizon") }
            if unknownBits != 0 { parts.append("unknown 0x" + String(UInt16(bitPattern: unknownBits), radix: 16)) }
            return parts.joined(separator: ", ")
        }
    }
}
