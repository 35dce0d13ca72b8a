/// JSON text exactly as kcat's yajl generator writes it: no spaces, object keys in insertion order,
/// strings with `"`, `\`, `\b \f \n \r \t` escaped and other control bytes as `\u00XX` (upper-case hex),
/// every other byte (including DEL, `/` and bytes that are not UTF-8) written as it is.
public struct KcatJSONWriter: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8] = []
    private var needsComma: [Bool] = []
    private var afterKey = false

    /// An empty writer.
    public init() {}

    private mutating func beginValue() {
        if afterKey {
            afterKey = false
            return
        }
        if let last = needsComma.last {
            if last { bytes.append(UInt8(ascii: ",")) }
            needsComma[needsComma.count - 1] = true
        }
    }

    /// `{`.
    public mutating func openObject() {
        beginValue()
        bytes.append(UInt8(ascii: "{"))
        needsComma.append(false)
    }

    /// `}`.
    public mutating func closeObject() {
        needsComma.removeLast()
        bytes.append(UInt8(ascii: "}"))
    }

    /// `[`.
    public mutating func openArray() {
        beginValue()
        bytes.append(UInt8(ascii: "["))
        needsComma.append(false)
    }

    /// `]`.
    public mutating func closeArray() {
        needsComma.removeLast()
        bytes.append(UInt8(ascii: "]"))
    }

    /// An object key (followed by its value).
    public mutating func key(_ name: String) {
        string(Array(name.utf8))
        bytes.append(UInt8(ascii: ":"))
        afterKey = true
    }

    /// A string from raw bytes.
    public mutating func string(_ value: some Collection<UInt8>) {
        beginValue()
        bytes.append(UInt8(ascii: "\""))
        Self.escape(value, into: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    /// A string.
    public mutating func string(_ value: String) { string(Array(value.utf8)) }

    /// A number.
    public mutating func integer(_ value: some BinaryInteger) {
        beginValue()
        bytes += Array(String(value).utf8)
    }

    /// `true` or `false`.
    public mutating func boolean(_ value: Bool) {
        beginValue()
        bytes += Array((value ? "true" : "false").utf8)
    }

    /// `null`.
    public mutating func null() {
        beginValue()
        bytes += Array("null".utf8)
    }

    /// A string, or `null` for nil.
    public mutating func nullableString(_ value: [UInt8]?) {
        if let value { string(value) } else { null() }
    }

    /// yajl's string escaping.
    public static func escape(_ value: some Collection<UInt8>, into output: inout [UInt8]) {
        let hex = Array("0123456789ABCDEF".utf8)
        for byte in value {
            switch byte {
            case UInt8(ascii: "\""): output += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): output += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case 0x08: output += [UInt8(ascii: "\\"), UInt8(ascii: "b")]
            case 0x0C: output += [UInt8(ascii: "\\"), UInt8(ascii: "f")]
            case 0x0A: output += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0x0D: output += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case 0x09: output += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0..<0x20:
                output += Array("\\u00".utf8)
                output.append(hex[Int(byte >> 4)])
                output.append(hex[Int(byte & 0x0F)])
            default: output.append(byte)
            }
        }
    }
}
