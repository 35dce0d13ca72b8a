/// The backslash escapes of kcat's `-D`/`-K` delimiters and of `-f` format strings.
///
/// The two follow different rules in kcat, and both are reproduced here because scripts depend on them:
/// - Delimiters (`-D`, `-K`) know `\n`, `\r`, `\t` and `\xNN`; anything else stays as typed.
/// - Format strings know `\n`, `\r`, `\t`, `\x` + hex and `\` + a number in C's `strtoul` base 0
///   (`\101` is decimal 101, `e`; `\0101` is octal, `A`; `\0x41` is hex, `A`); any other escaped
///   character stands for itself (`\\` is a backslash, `\q` is `q`), and `\x` before a non-digit is
///   just that character (`\xAB` is `AB`: kcat only reads hex after `\x` when a decimal digit follows).
/// - In both, the number takes every digit it can and keeps its low eight bits, as `strtoul` and a
///   cast to `char` do (`\x41BC` is the single byte 0xBC).
enum Escapes {
    /// The value of the longest number at `start` in `base` (0: C's automatic base), and the index
    /// after it; nil when no digit is there. Matches `strtoul` without its leading blanks and sign.
    static func number(in bytes: [UInt8], from start: Int, base: Int) -> (value: UInt8, end: Int)? {
        var index = start
        var radix = base
        func hasPrefix0x(_ at: Int) -> Bool {
            at + 2 < bytes.count && bytes[at] == UInt8(ascii: "0") && (bytes[at + 1] | 0x20) == UInt8(ascii: "x")
                && digit(bytes[at + 2], radix: 16) != nil
        }
        if radix == 0 {
            if hasPrefix0x(index) {
                radix = 16
                index += 2
            } else if index < bytes.count && bytes[index] == UInt8(ascii: "0") {
                radix = 8
            } else {
                radix = 10
            }
        } else if radix == 16 && hasPrefix0x(index) {
            index += 2
        }
        var value: UInt64 = 0
        let digitsStart = index
        while index < bytes.count, let d = digit(bytes[index], radix: radix) {
            // Only the low byte survives the cast, so wrapping arithmetic gives the same result as strtoul's.
            value = value &* UInt64(radix) &+ UInt64(d)
            index += 1
        }
        guard index > digitsStart else { return nil }
        return (UInt8(truncatingIfNeeded: value), index)
    }

    static func digit(_ byte: UInt8, radix: Int) -> Int? {
        let value: Int
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): value = Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "z"): value = Int(byte - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = Int(byte - UInt8(ascii: "A")) + 10
        default: return nil
        }
        return value < radix ? value : nil
    }

    static func isDecimalDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// The escapes of a literal part of a format string (see the type's notes).
    static func formatLiteral(_ text: some Collection<UInt8>) -> [UInt8] {
        let bytes = Array(text)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "\\"), index + 1 < bytes.count else {
                output.append(byte)
                index += 1
                continue
            }
            index += 1
            switch bytes[index] {
            case UInt8(ascii: "t"): output.append(0x09); index += 1
            case UInt8(ascii: "n"): output.append(0x0A); index += 1
            case UInt8(ascii: "r"): output.append(0x0D); index += 1
            case UInt8(ascii: "x"):
                index += 1
                // kcat reads a hex number only when a decimal digit follows `\x`; otherwise it copies that
                // character (and `\x` at the very end yields nothing).
                if index < bytes.count, isDecimalDigit(bytes[index]), let (value, end) = number(in: bytes, from: index, base: 16) {
                    output.append(value)
                    index = end
                } else if index < bytes.count {
                    output.append(bytes[index])
                    index += 1
                }
            case let other where isDecimalDigit(other):
                if let (value, end) = number(in: bytes, from: index, base: 0) {
                    output.append(value)
                    index = end
                } else {
                    output.append(other)
                    index += 1
                }
            case let other:
                output.append(other)
                index += 1
            }
        }
        return output
    }
}

/// A `-D` or `-K` delimiter after its escapes (`\n`, `\r`, `\t`, `\xNN`) are replaced.
public enum Delimiter {
    /// Why a delimiter did not parse; `description` is kcat's message.
    public struct ParseError: Error, Equatable, Sendable, CustomStringConvertible {
        /// The rest of the delimiter from the `\x` that has no hex digits after it.
        public var remainder: String
        /// An error for `remainder`.
        public init(remainder: String) { self.remainder = remainder }
        /// `Delimiter \xZZ expects hex number`.
        public var description: String { "Delimiter \(remainder) expects hex number" }
    }

    /// The bytes `text` stands for. kcat keeps delimiters as C strings, so the result ends before the
    /// first NUL byte an escape produces (`-D '\x00'` is an empty delimiter, as in kcat).
    public static func parse(_ text: String) throws(ParseError) -> [UInt8] {
        let bytes = Array(text.utf8)
        var output: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "\\"), index + 1 < bytes.count else {
                output.append(byte)
                index += 1
                continue
            }
            switch bytes[index + 1] {
            case UInt8(ascii: "n"): output.append(0x0A); index += 2
            case UInt8(ascii: "r"): output.append(0x0D); index += 2
            case UInt8(ascii: "t"): output.append(0x09); index += 2
            case UInt8(ascii: "x"):
                guard let (value, end) = Escapes.number(in: bytes, from: index + 2, base: 16) else {
                    throw ParseError(remainder: String(decoding: bytes[index...], as: UTF8.self))
                }
                output.append(value)
                index = end
            default:
                output.append(byte)
                index += 1
            }
        }
        if let nul = output.firstIndex(of: 0) { output.removeSubrange(nul...) }
        return output
    }
}
