/// The payload of message i, byte for byte what `peer/rdkafka_bench.c` sends:
///
///     {"id":0000000042,"note":"tahovcjqxelszgnubipwdkryfmtahovc..."}
///
/// exactly `size` bytes: the index as ten digits at byte 6, a fixed letter pattern
/// (`'a' + (j * 7) % 26` at byte j) as the note, `"}` at the end. Text, so lz4 has something to do;
/// the same for both clients, so compression ratios and batch sizes match.
struct Payload {
    /// The fixed head (25 bytes) and tail (2 bytes).
    static let minimumSize = 27
    private static let head = Array(#"{"id":0000000000,"note":""#.utf8)

    /// The current message's bytes.
    private(set) var bytes: [UInt8]

    init(size: Int) {
        precondition(size >= Self.minimumSize, "Options checks the size") // not input bytes: the CLI validated it
        bytes = (0..<size).map { UInt8(ascii: "a") + UInt8(($0 * 7) % 26) }
        bytes.replaceSubrange(0..<Self.head.count, with: Self.head)
        bytes[size - 2] = UInt8(ascii: "\"")
        bytes[size - 1] = UInt8(ascii: "}")
    }

    /// Writes `index` as the ten digits at bytes 6..<16.
    mutating func setIndex(_ index: Int) {
        var rest = index
        for position in stride(from: 15, through: 6, by: -1) {
            bytes[position] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
        }
    }
}
