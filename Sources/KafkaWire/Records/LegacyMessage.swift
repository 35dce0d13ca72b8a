// Legacy message sets, magic 0 (Kafka 0.8-0.9) and magic 1 (0.10, adds the timestamp);
// implementation.html "Old Message Format". A message set is messages back to back, with no
// count in front:
//
//   offset: int64
//   messageSize: int32        bytes after this field
//   crc: uint32               CRC-32 (IEEE, not Castagnoli) of magic..end
//   magic: int8               0 or 1
//   attributes: int8          bits 0-2 codec; bit 3 timestamp type (magic 1)
//   timestamp: int64          magic 1 only
//   key: int32 length, bytes  -1 for null
//   value: int32 length, bytes  -1 for null
//
// Compression wraps a whole inner message set in the value of one "wrapper" message whose
// offset is that of the last inner message. With magic 1 the inner offsets are relative (KIP-31):
// absolute = wrapper.offset - lastInner.offset + inner.offset, so the broker assigns offsets
// without recompressing. With magic 0 the broker rewrites the inner offsets to absolute ones.

/// One message of a legacy (magic 0 or 1) message set.
///
/// Decoded through `RecordBatchReader`, a compressed wrapper is replaced by its inner messages,
/// with absolute offsets and (magic 1) the wrapper's timestamp type applied. `crc` is what
/// decoding read; encoding computes it, and `==` ignores it.
public struct LegacyMessage: Sendable, Hashable {
    /// The message's offset in the partition.
    public var offset: Int64
    /// 0 or 1.
    public var magic: Int8
    /// The CRC-32 as decoded (0 for a message built in memory).
    public internal(set) var crc: UInt32
    /// Compression codec and timestamp type.
    public var attributes: Attributes
    /// Milliseconds since the Unix epoch (magic 1); nil at magic 0, which has no timestamp.
    /// Kafka writes `RecordBatch.noTimestamp` (-1) for "not set" at magic 1.
    public var timestamp: Int64?
    /// The key; nil is a null key.
    public var key: ByteSlice?
    /// The value; nil is a null value. For a wrapper: the compressed inner message set.
    public var value: ByteSlice?

    /// Bytes of `offset` and `messageSize`.
    static let logOverhead = 12
    /// The smallest `messageSize` at magic 0 (crc, magic, attributes, two lengths) and magic 1 (+ timestamp).
    static let minimumSizeV0 = 14
    static let minimumSizeV1 = 22

    /// A message with the given fields.
    public init(offset: Int64, magic: Int8, attributes: Attributes = Attributes(), timestamp: Int64?,
                key: ByteSlice?, value: ByteSlice?) {
        self.offset = offset
        self.magic = magic
        self.crc = 0
        self.attributes = attributes
        self.timestamp = timestamp
        self.key = key
        self.value = value
    }

    /// Messages are equal when every field but the derived `crc` is.
    public static func == (lhs: LegacyMessage, rhs: LegacyMessage) -> Bool {
        lhs.offset == rhs.offset && lhs.magic == rhs.magic && lhs.attributes == rhs.attributes
            && lhs.timestamp == rhs.timestamp && lhs.key == rhs.key && lhs.value == rhs.value
    }

    /// Hashes the fields `==` compares.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(offset)
        hasher.combine(magic)
        hasher.combine(attributes)
        hasher.combine(timestamp)
        hasher.combine(key)
        hasher.combine(value)
    }

    /// The smallest `messageSize` a message of `magic` can declare.
    static func minimumSize(magic: Int8) -> Int { magic == 0 ? minimumSizeV0 : minimumSizeV1 }
}

// MARK: Attributes

extension LegacyMessage {
    /// The INT8 attributes of a legacy message: bits 0-2 compression codec, bit 3 timestamp
    /// type (magic 1 only; magic 0 has no timestamps and leaves it 0), bits 4-7 unused.
    public struct Attributes: Sendable, Hashable, CustomStringConvertible {
        /// Bits 0-2: for a wrapper message, how its value (the inner message set) is compressed.
        public var compression: CompressionCodec
        /// Bit 3 (magic 1): whether the timestamp is the producer's or the broker's.
        public var timestampType: TimestampType
        /// Bits 4-7 (and bit 3 of a magic-0 message, which has no timestamp); kept so re-encoding is exact.
        public var unknownBits: Int8

        static let compressionMask: Int8 = 0x07
        static let timestampTypeBit: Int8 = 0x08
        static let knownMask: Int8 = 0x0F

        /// Attributes with no compression and create time, unless given.
        public init(compression: CompressionCodec = .none, timestampType: TimestampType = .createTime,
                    unknownBits: Int8 = 0) {
            self.compression = compression
            self.timestampType = timestampType
            self.unknownBits = unknownBits & ~Self.knownMask
        }

        /// Decodes the wire bits; throws `unknownCompressionCodec` (at `offset`) for codec 5, 6 or 7.
        public init(rawValue: Int8, at offset: Int) throws(WireDecodingError) {
            self.compression = try CompressionCodec.from(attributes: Int16(rawValue), at: offset)
            self.timestampType = rawValue & Self.timestampTypeBit != 0 ? .logAppendTime : .createTime
            self.unknownBits = rawValue & ~Self.knownMask
        }

        /// The wire bits.
        public var rawValue: Int8 {
            var raw = compression.rawValue | (unknownBits & ~Self.knownMask)
            if timestampType == .logAppendTime { raw |= Self.timestampTypeBit }
            return raw
        }

        /// `gzip, CreateTime`.
        public var description: String {
            var text = compression.description + ", " + timestampType.description
            if unknownBits != 0 { text += ", unknown 0x" + String(UInt8(bitPattern: unknownBits), radix: 16) }
            return text
        }
    }
}

// MARK: Decoding

extension LegacyMessage {
    /// Decodes exactly one message, as stored (a wrapper keeps its compressed value); throws
    /// `trailingBytes` if anything follows it.
    public init(decoding bytes: ByteSlice, options: RecordDecodingOptions = RecordDecodingOptions()) throws(WireDecodingError) {
        var reader = ByteReader(bytes)
        self = try LegacyMessage.decode(from: &reader, options: options).message
        try reader.expectEnd()
    }

    /// Reads one message. Returns it with the input offset of its value, for errors in a wrapper's inner set.
    static func decode(from reader: inout ByteReader,
                       options: RecordDecodingOptions) throws(WireDecodingError) -> (message: LegacyMessage, valueAt: Int) {
        let offset = try reader.readInt64()
        let sizeAt = reader.offset
        let size = Int(try reader.readInt32())
        guard size >= 0 else { throw WireDecodingError(.negativeLength(size), at: sizeAt, field: "messageSize") }
        guard size >= minimumSizeV0 else {
            throw WireDecodingError(.invalidValue("messageSize \(size) is below the \(minimumSizeV0)-byte minimum"),
                                    at: sizeAt, field: "messageSize")
        }
        guard size <= reader.remaining else {
            throw WireDecodingError(.truncated(needed: size, available: reader.remaining), at: sizeAt, field: "messageSize")
        }
        let bodyAt = reader.offset
        var body = ByteReader(try reader.readSlice(count: size), offsetBase: bodyAt)

        let crcAt = body.offset
        let crc = try body.readUInt32()
        if options.verifyChecksums {
            var covered = body
            let actual = CRC32.checksum(of: covered.readRemaining())
            guard actual == crc else {
                throw WireDecodingError(.crcMismatch(expected: crc, actual: actual), at: crcAt, field: "crc")
            }
        }
        let magicAt = body.offset
        let magic = try body.readInt8()
        guard magic == 0 || magic == 1 else { throw WireDecodingError(.unsupportedMagic(magic), at: magicAt, field: "magic") }
        let attributesAt = body.offset
        let attributes = try Attributes(rawValue: try body.readInt8(), at: attributesAt)
        let timestamp: Int64? = magic == 1 ? try body.readInt64() : nil
        let key = try body.readNullableBytes()
        let valueAt = body.offset
        let value = try body.readNullableBytes()
        try body.expectEnd()

        var message = LegacyMessage(offset: offset, magic: magic, attributes: attributes, timestamp: timestamp,
                                    key: key, value: value)
        message.crc = crc
        return (message, valueAt + 4)
    }

    /// Reads one message and, when it is a compressed wrapper, replaces it with its inner
    /// messages at absolute offsets: the messages a consumer sees.
    static func decodeExpanded(from reader: inout ByteReader,
                               options: RecordDecodingOptions) throws(WireDecodingError) -> [LegacyMessage] {
        let messageAt = reader.offset
        let (wrapper, valueAt) = try decode(from: &reader, options: options)
        let codec = wrapper.attributes.compression
        guard codec != .none else { return [wrapper] }
        guard codec != .zstd else {
            throw WireDecodingError(.invalidValue("zstd is not allowed in magic \(wrapper.magic) messages"),
                                    at: messageAt + 17, field: "attributes")
        }
        guard let value = wrapper.value else {
            throw WireDecodingError(.unexpectedNull, at: valueAt - 4, field: "value")
        }
        let decompressed = try options.decompress(value, codec: codec, magic: wrapper.magic, at: valueAt, field: "value")
        var messages: [LegacyMessage]
        do throws(WireDecodingError) {
            messages = try decodeInnerSet(decompressed, options: options)
        } catch {
            throw error.inDecompressedData(at: valueAt, field: "value")
        }
        guard let lastInner = messages.last else {
            throw WireDecodingError(.invalidValue("a compressed message with no inner messages"), at: valueAt, field: "value")
        }
        guard wrapper.magic == 1 else {
            // Magic 0: the broker already rewrote the inner offsets to absolute ones.
            return messages
        }

        // KIP-31: inner offsets are relative; the wrapper carries the last one's absolute offset.
        // A wrapper offset of 0 comes from producers (librdkafka) that leave it unset; Kafka's
        // consumer then takes the relative offsets as they are, and so do we.
        var base: Int64 = 0
        if wrapper.offset != 0 {
            let (difference, overflow) = wrapper.offset.subtractingReportingOverflow(lastInner.offset)
            guard !overflow, difference >= 0 else {
                throw WireDecodingError(.invalidValue("wrapper offset \(wrapper.offset) is below the last inner offset \(lastInner.offset)"),
                                        at: messageAt, field: "offset")
            }
            base = difference
        }
        for index in messages.indices {
            let (absolute, overflow) = base.addingReportingOverflow(messages[index].offset)
            guard !overflow else {
                throw WireDecodingError(.invalidValue("inner offset \(messages[index].offset) overflows from base \(base)"),
                                        at: messageAt, field: "offset")
            }
            messages[index].offset = absolute
            // The wrapper's timestamp type applies to the inner messages; with log-append time
            // the broker stamped only the wrapper, and its timestamp is theirs.
            if messages[index].magic == 1 {
                messages[index].attributes.timestampType = wrapper.attributes.timestampType
                if wrapper.attributes.timestampType == .logAppendTime {
                    messages[index].timestamp = wrapper.timestamp
                }
            }
        }
        return messages
    }

    /// The messages of a decompressed inner set: all complete, none compressed again.
    static func decodeInnerSet(_ bytes: ByteSlice, options: RecordDecodingOptions) throws(WireDecodingError) -> [LegacyMessage] {
        var inner = ByteReader(bytes)
        var messages: [LegacyMessage] = []
        // Bounded by the decompressed size, which the cap already bounds.
        messages.reserveCapacity(inner.remaining / (logOverhead + minimumSizeV0))
        while !inner.isAtEnd {
            let at = inner.offset
            let (message, _) = try decode(from: &inner, options: options)
            guard message.attributes.compression == .none else {
                throw WireDecodingError(.invalidValue("a compressed message inside a compressed message"),
                                        at: at + 17, field: "attributes")
            }
            messages.append(message)
        }
        return messages
    }
}

// MARK: Encoding

extension LegacyMessage {
    /// Appends this message (offset, size, CRC-32 and body) to `writer`.
    ///
    /// Throws when `magic` is not 0 or 1, when a magic-1 message has no timestamp or a magic-0
    /// message has one, or when a key or value is too long for its INT32 length.
    public func encode(into writer: inout ByteWriter) throws(WireEncodingError) {
        guard magic == 0 || magic == 1 else {
            throw WireEncodingError(.unsupportedVersion, field: "magic", version: Int16(magic))
        }
        if magic == 0, timestamp != nil {
            throw WireEncodingError(.fieldNotInVersion, field: "timestamp", version: 0)
        }
        if magic == 1, timestamp == nil {
            throw WireEncodingError(.nullNotAllowed, field: "timestamp", version: 1)
        }
        writer.writeInt64(offset)
        let sizeAt = writer.reserveInt32()
        let crcAt = writer.reserveInt32()
        writer.writeInt8(magic)
        writer.writeInt8(attributes.rawValue)
        if let timestamp { writer.writeInt64(timestamp) }
        do throws(WireEncodingError) {
            try writer.writeNullableBytes(key)
            try writer.writeNullableBytes(value)
        } catch {
            throw WireEncodingError(error.kind, field: "key or value", version: Int16(magic))
        }
        let size = writer.count - sizeAt - 4
        guard size <= Int(Int32.max) else {
            throw WireEncodingError(.valueTooLarge(size), field: "messageSize", version: Int16(magic))
        }
        writer.backfillInt32(Int32(size), at: sizeAt)
        writer.backfillUInt32(writer.withBytes(from: crcAt + 4) { CRC32.checksum(of: $0) }, at: crcAt)
    }

    /// This message's bytes; see `encode(into:)`.
    public func encoded() throws(WireEncodingError) -> [UInt8] {
        var writer = ByteWriter(capacity: Self.logOverhead + Self.minimumSizeV1 + (key?.count ?? 0) + (value?.count ?? 0))
        try encode(into: &writer)
        return writer.bytes
    }

    /// A compressed wrapper holding `messages` (all of magic `magic`, none compressed), as a
    /// producer or broker writes it: at magic 1 the inner offsets become relative to the first
    /// message and the wrapper's timestamp is the largest inner one; at magic 0 the inner offsets
    /// are written as given. The wrapper's offset is the last message's.
    public static func compressedWrapper(containing messages: [LegacyMessage], compression: CompressionCodec,
                                         compressionProvider: any CompressionProvider,
                                         compressionLevel: Int? = nil) throws(WireEncodingError) -> LegacyMessage {
        guard let first = messages.first, let last = messages.last else {
            throw WireEncodingError(.invalidValue("a wrapper needs at least one message"), field: "value", version: -1)
        }
        let magic = first.magic
        guard compression != .none, compression != .zstd else {
            throw WireEncodingError(.invalidValue("magic \(magic) wrappers cannot use \(compression)"),
                                    field: "attributes", version: Int16(magic))
        }
        var inner = ByteWriter(capacity: messages.count * 40)
        var maxTimestamp = RecordBatch.noTimestamp
        for message in messages {
            guard message.magic == magic, message.attributes.compression == .none else {
                throw WireEncodingError(.invalidValue("inner messages must share the wrapper's magic and be uncompressed"),
                                        field: "value", version: Int16(magic))
            }
            var written = message
            if magic == 1 {
                let (relative, overflow) = message.offset.subtractingReportingOverflow(first.offset)
                guard !overflow else {
                    throw WireEncodingError(.invalidValue("offset \(message.offset) too far from \(first.offset)"),
                                            field: "offset", version: 1)
                }
                written.offset = relative
                maxTimestamp = max(maxTimestamp, message.timestamp ?? RecordBatch.noTimestamp)
            }
            try written.encode(into: &inner)
        }
        let compressed: [UInt8]
        do {
            compressed = try compressionProvider.compress(inner.slice, codec: compression, level: compressionLevel,
                                                          magic: magic)
        } catch {
            throw WireEncodingError(.invalidValue("\(compression) compression failed: \(error)"),
                                    field: "value", version: Int16(magic))
        }
        return LegacyMessage(offset: last.offset, magic: magic, attributes: Attributes(compression: compression),
                             timestamp: magic == 1 ? maxTimestamp : nil, key: nil, value: ByteSlice(compressed))
    }
}

// MARK: Flat view

extension LegacyMessage {
    /// This message as a flat record (for a wrapper decoded by `RecordBatchReader`, each inner message is one).
    public var fetchedRecord: FetchedRecord {
        FetchedRecord(offset: offset, timestamp: timestamp ?? RecordBatch.noTimestamp,
                      timestampType: magic == 0 ? nil : attributes.timestampType,
                      key: key, value: value, headers: [], batch: RecordBatchMetadata(magic: magic))
    }
}
