// libFuzzer entry point of FuzzRecords; built by Fuzz/build.sh together with
// Tests/KafkaWireTests/Support/FuzzChecks.swift and FuzzRecordChecks.swift, which hold the checks.

/// Fuzzes the record-set reader: v2 batches and legacy magic 0/1 message sets back to back,
/// decompressed by KafkaCompression under a 1 MiB cap. Input: `[flags: u8][RECORDS bytes...]`,
/// flags bit 0 turning CRC verification on; see `FuzzRecordChecks.records`.
///
/// Invariants (any failure crashes, so libFuzzer keeps the input):
/// - nothing traps and nothing decompresses past the cap: decoding returns entries or throws
///   `WireDecodingError`, and the reader stays on the entry that threw;
/// - decode-encode-decode is stable: every decoded batch and legacy message re-encodes
///   (recompressing), decodes with CRCs verified to an equal value, and re-encodes to the same
///   bytes; the concatenated re-encodings decode to the same entries.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    do {
        try FuzzRecordChecks.records(input)
    } catch {
        fatalError("FuzzRecords: \(error)")
    }
    return 0
}
