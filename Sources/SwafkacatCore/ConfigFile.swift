/// A `-F` configuration file: `property=value` lines, read as kcat reads them.
///
/// - Blank lines and lines starting with `#` (after leading blanks) are skipped; each line is trimmed
///   at both ends, but not around `=`: `name = value` names a property `"name "`, as in kcat.
/// - `\:` and `\=` become `:` and `=` (Java properties files escape them), and the name ends at the
///   first `=` left.
/// - A Java-client setting is translated, so a Confluent Cloud file works: a PLAIN
///   `sasl.jaas.config` becomes `sasl.username` and `sasl.password`.
///   (`ssl.endpoint.identification.algorithm` is taken as it is: https, or empty/none to disable.)
public enum ConfigFile {
    /// One setting and the line it came from.
    public struct Entry: Sendable, Equatable {
        /// The property name.
        public var name: String
        /// The value.
        public var value: String
        /// The 1-based line number.
        public var line: Int

        /// An entry.
        public init(name: String, value: String, line: Int) {
            self.name = name
            self.value = value
            self.line = line
        }
    }

    /// A line that is not `property=value`; `description` is kcat's message without the path.
    public struct ParseError: Error, Equatable, Sendable, CustomStringConvertible {
        /// The 1-based line number.
        public var line: Int
        /// An error at `line`.
        public init(line: Int) { self.line = line }
        /// `<line>: expected property=value`.
        public var description: String { "\(line): expected property=value" }
    }

    /// The settings in `text`, in order.
    public static func parse(_ text: String) throws(ParseError) -> [Entry] {
        var entries: [Entry] = []
        var lineNumber = 0
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            lineNumber += 1
            var line = Substring(rawLine)
            while let first = line.first, first.isWhitespace { line.removeFirst() }
            while let last = line.last, last.isWhitespace { line.removeLast() }
            if line.isEmpty || line.hasPrefix("#") { continue }
            let unescaped = line.replacingOccurrences("\\:", with: ":").replacingOccurrences("\\=", with: "=")
            guard let equals = unescaped.firstIndex(of: "="), equals != unescaped.startIndex else {
                throw ParseError(line: lineNumber)
            }
            let name = String(unescaped[..<equals])
            let value = String(unescaped[unescaped.index(after: equals)...])
            entries += translateJavaSetting(name: name, value: value, line: lineNumber)
        }
        return entries
    }

    static func translateJavaSetting(name: String, value: String, line: Int) -> [Entry] {
        switch name {
        case "sasl.jaas.config":
            let prefix = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
            guard value.hasPrefix(prefix) else { break }
            let rest = value.dropFirst(prefix.count)
            guard let userEnd = rest.firstIndex(of: "\"") else { break }
            let user = rest[..<userEnd]
            let afterUser = rest[rest.index(after: userEnd)...]
            let passwordPrefix = " password=\""
            guard afterUser.hasPrefix(passwordPrefix) else { break }
            let passwordStart = afterUser.dropFirst(passwordPrefix.count)
            guard let passwordEnd = passwordStart.firstIndex(of: "\""), !user.isEmpty, passwordEnd > passwordStart.startIndex else { break }
            return [Entry(name: "sasl.username", value: String(user), line: line),
                    Entry(name: "sasl.password", value: String(passwordStart[..<passwordEnd]), line: line)]
        default:
            break
        }
        return [Entry(name: name, value: value, line: line)]
    }
}

extension StringProtocol {
    /// The text with every `target` replaced (Foundation-free).
    func replacingOccurrences(_ target: String, with replacement: String) -> String {
        var result = ""
        var rest = Substring(self)
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
