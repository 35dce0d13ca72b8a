import KafkaWire

/// What the fetch-response handler needs to know of a decoded batch or legacy message set.
extension RecordSetEntry: FetchedBatchHeader {
    public var baseOffset: Int64 {
        switch self {
        case let .batch(batch): batch.baseOffset
        case let .legacy(messages): messages.first?.offset ?? 0
        }
    }

    public var producerID: Int64 {
        switch self {
        case let .batch(batch): batch.producerID
        case .legacy: RecordBatch.noProducerID
        }
    }

    public var isTransactional: Bool {
        switch self {
        case let .batch(batch): batch.attributes.isTransactional
        case .legacy: false
        }
    }

    public var isControl: Bool {
        switch self {
        case let .batch(batch): batch.attributes.isControl
        case .legacy: false
        }
    }

    /// A control batch whose (first and only) record's key says ABORT.
    public var isAbortMarker: Bool {
        guard case let .batch(batch) = self, batch.attributes.isControl else { return false }
        return (try? batch.controlRecordType()) == .abort
    }
}
