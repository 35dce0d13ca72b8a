// libFuzzer entry point of FuzzResponses; built by Fuzz/build.sh together with
// Tests/KafkaWireTests/Support/FuzzChecks.swift, which holds the checks.

/// Fuzzes every registered response body decoder. Input: `[api key: u8][version: u8][body...]`;
/// unregistered keys are skipped, versions outside the API's range must be refused.
///
/// Invariants (any failure crashes, so libFuzzer keeps the input):
/// - nothing traps: decoding returns a value or throws `WireDecodingError`;
/// - decode-encode-decode is stable: bytes that decode to M at version v give an M that
///   encodes at v, whose encoding decodes to M again and re-encodes to the same bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    do {
        try FuzzChecks.responses(input)
    } catch {
        fatalError("FuzzResponses: \(error)")
    }
    return 0
}
