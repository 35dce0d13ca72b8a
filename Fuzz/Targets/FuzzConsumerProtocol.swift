// libFuzzer entry point of FuzzConsumerProtocol; built by Fuzz/build.sh together with
// Tests/KafkaWireTests/Support/FuzzChecks.swift, which holds the checks.

/// Fuzzes the versioned data payloads: ConsumerProtocolSubscription and ConsumerProtocolAssignment
/// (JoinGroup and SyncGroup metadata), then the KRaft control-record payloads. Input:
/// `[type: u8][version: i16][body...]`; see `FuzzChecks.dataMessage`.
///
/// Invariants (any failure crashes, so libFuzzer keeps the input):
/// - nothing traps: decoding returns a value or throws `WireDecodingError`;
/// - decode-encode-decode is stable: bytes that decode to M at version v give an M that
///   encodes at v, whose encoding decodes to M again and re-encodes to the same bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    do {
        try FuzzChecks.dataMessage(input)
    } catch {
        fatalError("FuzzConsumerProtocol: \(error)")
    }
    return 0
}
