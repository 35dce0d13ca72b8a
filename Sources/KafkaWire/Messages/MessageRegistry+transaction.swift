extension MessageRegistry {
    /// The APIs registered by this file's group (see MessageRegistry.swift).
    static let transactionEntries: [MessageRegistryEntry] = [
        MessageRegistryEntry("InitProducerId", InitProducerIdRequest.self),
        MessageRegistryEntry("OffsetForLeaderEpoch", OffsetForLeaderEpochRequest.self),
        MessageRegistryEntry("AddPartitionsToTxn", AddPartitionsToTxnRequest.self),
        MessageRegistryEntry("AddOffsetsToTxn", AddOffsetsToTxnRequest.self),
        MessageRegistryEntry("EndTxn", EndTxnRequest.self),
        MessageRegistryEntry("TxnOffsetCommit", TxnOffsetCommitRequest.self),
    ]
}
