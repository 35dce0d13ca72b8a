// libFuzzer entry point of FuzzHeaders; built by Fuzz/build.sh together with
// Tests/KafkaWireTests/Support/FuzzChecks.swift, which holds the checks.

/// Fuzzes request and response header decoding, alone and in front of a body (a broker's and a
/// client's path through a frame). Input: `[mode: u8][bytes...]`; see `FuzzChecks.headers`.
///
/// Invariants (any failure crashes, so libFuzzer keeps the input):
/// - nothing traps: decoding returns a value or throws `WireDecodingError`;
/// - decode-encode-decode is stable: bytes that decode to M at version v give an M that
///   encodes at v, whose encoding decodes to M again and re-encodes to the same bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    do {
        try FuzzChecks.headers(input)
    } catch {
        fatalError("FuzzHeaders: \(error)")
    }
    return 0
}
