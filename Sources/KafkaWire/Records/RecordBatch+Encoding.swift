// Encoding a v2 batch: the header goes out with zeros where `batchLength` and `crc` belong,
// then the records (or their compressed form), then both are back-filled. One pass over the
// records; the CRC is one more pass over the finished bytes.

extension RecordBatch {
    /// Appends this batch to `writer`, computing `batchLength` and `crc`.
    ///
    /// Header fields are written as they are (`lastOffsetDelta`, timestamps and the rest are not
    /// recomputed), so a decoded uncompressed batch re-encodes byte for byte. A compressed batch
    /// needs `compressionProvider`; `compressionLevel` nil means the codec's default.
    public func encode(into writer: inout ByteWriter, compressionProvider: (any CompressionProvider)? = nil,
                       compressionLevel: Int? = nil) throws(WireEncodingError) {
        let codec = attributes.compression
        let provider = try Self.requireProvider(compressionProvider, for: codec)
        guard records.count <= Int(Int32.max) else { throw Record.tooLarge(records.count, "recordsCount") }
        let start = writer.count
        Self.writeHeader(into: &writer, baseOffset: baseOffset, partitionLeaderEpoch: partitionLeaderEpoch,
                         attributes: attributes, lastOffsetDelta: lastOffsetDelta, baseTimestamp: baseTimestamp,
                         maxTimestamp: maxTimestamp, producerID: producerID, producerEpoch: producerEpoch,
                         baseSequence: baseSequence, count: Int32(records.count))
        if let provider {
            var plain = ByteWriter(capacity: estimatedRecordsSize)
            for record in records { try record.encode(into: &plain) }
            try Self.appendCompressed(plain.slice, codec: codec, level: compressionLevel, provider: provider, to: &writer)
        } else {
            for record in records { try record.encode(into: &writer) }
        }
        try Self.seal(&writer, batchStart: start)
    }

    /// This batch's bytes; see `encode(into:compressionProvider:compressionLevel:)`.
    public func encoded(compressionProvider: (any CompressionProvider)? = nil,
                        compressionLevel: Int? = nil) throws(WireEncodingError) -> [UInt8] {
        var writer = ByteWriter(capacity: Self.headerSize + estimatedRecordsSize)
        try encode(into: &writer, compressionProvider: compressionProvider, compressionLevel: compressionLevel)
        return writer.bytes
    }

    /// A close upper estimate of the uncompressed records section, for reserving capacity.
    var estimatedRecordsSize: Int {
        var size = 0
        for record in records {
            size &+= 24 &+ (record.key?.count ?? 0) &+ (record.value?.count ?? 0)
            for header in record.headers { size &+= 10 &+ header.key.utf8.count &+ (header.value?.count ?? 0) }
        }
        return size
    }

    // MARK: Shared with RecordBatchEncoder

    /// The provider to use for `codec`: nil for no compression, and an error when one is needed but missing.
    static func requireProvider(_ provider: (any CompressionProvider)?,
                                for codec: CompressionCodec) throws(WireEncodingError) -> (any CompressionProvider)? {
        guard codec != .none else { return nil }
        guard let provider else {
            throw WireEncodingError(.invalidValue("\(codec) compression needs a CompressionProvider"),
                                    field: "attributes", version: Int16(currentMagic))
        }
        return provider
    }

    /// The 61-byte header, with zeros for `batchLength` and `crc` (filled in by `seal`).
    static func writeHeader(into writer: inout ByteWriter, baseOffset: Int64, partitionLeaderEpoch: Int32,
                            attributes: Attributes, lastOffsetDelta: Int32, baseTimestamp: Int64,
                            maxTimestamp: Int64, producerID: Int64, producerEpoch: Int16,
                            baseSequence: Int32, count: Int32) {
        writer.writeInt64(baseOffset)
        writer.writeInt32(0)  // batchLength
        writer.writeInt32(partitionLeaderEpoch)
        writer.writeInt8(currentMagic)
        writer.writeUInt32(0)  // crc
        writer.writeInt16(attributes.rawValue)
        writer.writeInt32(lastOffsetDelta)
        writer.writeInt64(baseTimestamp)
        writer.writeInt64(maxTimestamp)
        writer.writeInt64(producerID)
        writer.writeInt16(producerEpoch)
        writer.writeInt32(baseSequence)
        writer.writeInt32(count)
    }

    /// Compresses the records section and appends it.
    static func appendCompressed(_ plain: ByteSlice, codec: CompressionCodec, level: Int?,
                                 provider: any CompressionProvider,
                                 to writer: inout ByteWriter) throws(WireEncodingError) {
        let compressed: [UInt8]
        do {
            compressed = try provider.compress(plain, codec: codec, level: level, magic: currentMagic)
        } catch {
            throw WireEncodingError(.invalidValue("\(codec) compression failed: \(error)"),
                                    field: "Records", version: Int16(currentMagic))
        }
        writer.writeRaw(compressed)
    }

    /// Back-fills `batchLength` and the CRC-32C of the batch that starts at `start` and ends at
    /// the end of `writer`.
    static func seal(_ writer: inout ByteWriter, batchStart start: Int) throws(WireEncodingError) {
        let length = writer.count - start - logOverhead
        guard length <= Int(Int32.max) else { throw Record.tooLarge(length, "batchLength") }
        writer.backfillInt32(Int32(length), at: start + 8)
        let crc = writer.withBytes(from: start + attributesOffset) { CRC32C.checksum(of: $0) }
        writer.backfillUInt32(crc, at: start + crcOffset)
    }
}

extension ByteWriter {
    /// Writes `value` big-endian over the two bytes at `index`.
    mutating func backfillInt16(_ value: Int16, at index: Int) {
        let raw = UInt16(bitPattern: value)
        storage[index] = UInt8(truncatingIfNeeded: raw >> 8)
        storage[index + 1] = UInt8(truncatingIfNeeded: raw)
    }

    /// Writes `value` big-endian over the eight bytes at `index`.
    mutating func backfillInt64(_ value: Int64, at index: Int) {
        backfillInt32(Int32(truncatingIfNeeded: value >> 32), at: index)
        backfillInt32(Int32(truncatingIfNeeded: value), at: index + 4)
    }
}
