/// A contiguous range of message versions, written as the specs write them: `"3+"`, `"0-4"`, `"5"` or `"none"`.
///
/// Codecs pass the spec's own strings (`versions: "3+"`) so a reviewer can read a codec
/// line by line against its JSON spec.
public struct Versions: Sendable, Hashable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The lowest version in the range.
    public let lowest: Int16
    /// The highest version in the range (`Int16.max` for an open range).
    public let highest: Int16

    /// A range from `lowest` through `highest`; empty when `lowest > highest`.
    @inlinable public init(_ lowest: Int16, through highest: Int16 = .max) {
        self.lowest = lowest
        self.highest = highest
    }

    /// The empty range (the spec's `"none"`).
    public static let none = Versions(1, through: 0)
    /// Every version (`"0+"`).
    public static let all = Versions(0)

    /// Parses the spec's notation. A malformed literal is a bug in a codec, not bad input,
    /// so it stops the program at once rather than silently meaning "no versions". Input cannot
    /// reach it: a `StaticString` exists only as a literal in source, and MessageRoundTripTests
    /// evaluates every codec's literals (every field of every message at every version). Text
    /// from outside goes through `init?(parsing:)`, which returns nil.
    @inlinable public init(stringLiteral text: StaticString) {
        guard let parsed = Versions(parsing: text.description) else {
            fatalError("malformed version range literal \"\(text)\" in a codec")
        }
        self = parsed
    }

    /// Parses `"3+"`, `"0-4"`, `"5"` or `"none"`; nil for anything else.
    public init?(parsing text: String) {
        if text == "none" {
            self = .none
        } else if text.hasSuffix("+"), let low = Int16(text.dropLast()) {
            self.init(low)
        } else if let dash = text.firstIndex(of: "-"), let low = Int16(text[..<dash]),
                  let high = Int16(text[text.index(after: dash)...]) {
            self.init(low, through: high)
        } else if let only = Int16(text) {
            self.init(only, through: only)
        } else {
            return nil
        }
    }

    /// True when `version` is in the range.
    @inlinable public func contains(_ version: Int16) -> Bool {
        version >= lowest && version <= highest
    }

    /// True when the range holds no version.
    @inlinable public var isEmpty: Bool { lowest > highest }

    /// The spec's notation.
    public var description: String {
        if isEmpty { return "none" }
        if highest == .max { return "\(lowest)+" }
        if lowest == highest { return "\(lowest)" }
        return "\(lowest)-\(highest)"
    }
}
