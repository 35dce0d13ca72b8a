/// Kafka's UUID type: 16 bytes, written high half first. The all-zero UUID means "none".
///
/// Kept apart from Foundation's `UUID` so the wire layer needs no Foundation.
public struct KafkaUUID: Hashable, Sendable, CustomStringConvertible {
    /// The first eight bytes, big-endian.
    public var high: UInt64
    /// The last eight bytes, big-endian.
    public var low: UInt64

    /// A UUID from its two halves.
    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// The canonical 8-4-4-4-12 lower-case form.
    public var description: String {
        func hex(_ value: UInt64, digits: Int) -> String {
            let text = String(value, radix: 16)
            return String(repeating: "0", count: digits - text.count) + text
        }
        return hex(high >> 32, digits: 8) + "-" + hex((high >> 16) & 0xFFFF, digits: 4) + "-"
            + hex(high & 0xFFFF, digits: 4) + "-" + hex(low >> 48, digits: 4) + "-" + hex(low & 0xFFFF_FFFF_FFFF, digits: 12)
    }

    /// Parses the 8-4-4-4-12 form (either case); nil for anything else.
    public init?(_ text: String) {
        let groups = text.split(separator: "-", omittingEmptySubsequences: false)
        guard groups.map(\.count) == [8, 4, 4, 4, 12] else { return nil }
        guard groups.allSatisfy({ $0.allSatisfy(\.isHexDigit) }) else { return nil }
        let joined = groups.joined()
        guard let high = UInt64(joined.prefix(16), radix: 16), let low = UInt64(joined.suffix(16), radix: 16) else { return nil }
        self.init(high: high, low: low)
    }
}
