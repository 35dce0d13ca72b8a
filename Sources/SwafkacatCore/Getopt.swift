/// Command-line scanning with GNU `getopt(3)` semantics, which is what kcat's users type against.
///
/// kcat calls glibc's `getopt()` with an option string that starts with `:`; what that means, and what
/// this scanner reproduces:
/// - Short options cluster (`-qe` is `-q -e`); an option that takes an argument takes the rest of its
///   word (`-obeginning`) or else the next word, whatever it looks like (`-p -1`, `-D -`).
/// - Operands and options mix: glibc permutes, so `kcat -P file -t x` still sees `-t x`. The environment
///   variable `POSIXLY_CORRECT` turns that off (scanning stops at the first operand), as in glibc.
/// - `--` ends the options; a lone `-` is an operand.
/// - An unknown option, or a missing argument, is reported in place; kcat stops there with its usage.
///
/// kcat has no long options; swafkacat's own additions are long options (`--decode FILE`,
/// `--decode=FILE`), matched exactly or by a unique prefix as `getopt_long` does.
public struct GetoptSpec: Sendable {
    /// A long option and whether it takes an argument.
    public struct LongOption: Sendable, Equatable {
        /// The name without the leading `--`.
        public var name: String
        /// Whether it needs a value (`--name value` or `--name=value`).
        public var takesArgument: Bool

        /// A long option.
        public init(_ name: String, takesArgument: Bool) {
            self.name = name
            self.takesArgument = takesArgument
        }
    }

    /// Short option characters, and whether each takes an argument.
    public var shortOptions: [Character: Bool]
    /// Long options.
    public var longOptions: [LongOption]
    /// GNU permutation (the default); false stops at the first operand, as `POSIXLY_CORRECT` does.
    public var permute: Bool

    /// A spec from a getopt option string (`"b:t:qe"`: a colon after a character means it takes an
    /// argument; a leading `:` or `+` is accepted and ignored) and long options.
    public init(_ optionString: String, longOptions: [LongOption] = [], permute: Bool = true) {
        var options: [Character: Bool] = [:]
        var characters = Array(optionString)
        while let first = characters.first, first == ":" || first == "+" { characters.removeFirst() }
        var index = 0
        while index < characters.count {
            let character = characters[index]
            let takesArgument = index + 1 < characters.count && characters[index + 1] == ":"
            options[character] = takesArgument
            index += takesArgument ? 2 : 1
        }
        self.shortOptions = options
        self.longOptions = longOptions
        self.permute = permute
    }
}

/// One thing the scanner found, in command-line order.
public enum GetoptEvent: Sendable, Equatable {
    /// A short option and its argument, if it takes one.
    case option(Character, String?)
    /// A long option (its full name, even when typed as a prefix) and its argument.
    case longOption(String, String?)
    /// An option character or long name the spec does not know (`-y`, `--frobnicate`).
    case unknownOption(String)
    /// An option that needs an argument came last (`-b` with nothing after it).
    case missingArgument(String)
    /// A long option given with `=value` although it takes none.
    case unexpectedArgument(String)
    /// A prefix of more than one long option (`--de` for `--decode` and `--delete-topic`).
    case ambiguousOption(String)

    /// True for the events that make kcat print its usage and exit 1.
    public var isError: Bool {
        switch self {
        case .option, .longOption: false
        case .unknownOption, .missingArgument, .unexpectedArgument, .ambiguousOption: true
        }
    }
}

/// What `Getopt.scan` returns: the options in order, and the operands (files, topics) in order.
public struct GetoptResult: Sendable, Equatable {
    /// Options and errors in the order they appear.
    public var events: [GetoptEvent]
    /// Everything that is not an option or an option's argument.
    public var operands: [String]

    /// A result.
    public init(events: [GetoptEvent], operands: [String]) {
        self.events = events
        self.operands = operands
    }
}

/// The scanner (a pure function of the spec and the words).
public enum Getopt {
    /// Scans `arguments` (without the program name).
    public static func scan(_ arguments: [String], spec: GetoptSpec) -> GetoptResult {
        var events: [GetoptEvent] = []
        var operands: [String] = []
        var index = 0
        while index < arguments.count {
            let word = arguments[index]
            index += 1
            if word == "--" {
                operands.append(contentsOf: arguments[index...])
                break
            }
            if word.hasPrefix("--") && !spec.longOptions.isEmpty {
                events.append(scanLong(word, arguments: arguments, index: &index, spec: spec))
                continue
            }
            guard word.hasPrefix("-") && word.count > 1 else {
                operands.append(word)
                if !spec.permute {
                    operands.append(contentsOf: arguments[index...])
                    break
                }
                continue
            }
            // A cluster of short options.
            let characters = Array(word.dropFirst())
            var position = 0
            while position < characters.count {
                let character = characters[position]
                position += 1
                guard let takesArgument = spec.shortOptions[character] else {
                    events.append(.unknownOption("-\(character)"))
                    continue
                }
                guard takesArgument else {
                    events.append(.option(character, nil))
                    continue
                }
                if position < characters.count {
                    events.append(.option(character, String(characters[position...])))
                } else if index < arguments.count {
                    events.append(.option(character, arguments[index]))
                    index += 1
                } else {
                    events.append(.missingArgument("-\(character)"))
                }
                break
            }
        }
        return GetoptResult(events: events, operands: operands)
    }

    private static func scanLong(_ word: String, arguments: [String], index: inout Int, spec: GetoptSpec) -> GetoptEvent {
        let body = word.dropFirst(2)
        let name: Substring
        let inlineValue: String?
        if let equals = body.firstIndex(of: "=") {
            name = body[..<equals]
            inlineValue = String(body[body.index(after: equals)...])
        } else {
            name = body
            inlineValue = nil
        }
        let option: GetoptSpec.LongOption
        if let exact = spec.longOptions.first(where: { $0.name == name }) {
            option = exact
        } else {
            let candidates = spec.longOptions.filter { $0.name.hasPrefix(name) }
            guard !name.isEmpty, let first = candidates.first else { return .unknownOption("--\(name)") }
            guard candidates.count == 1 else { return .ambiguousOption("--\(name)") }
            option = first
        }
        guard option.takesArgument else {
            return inlineValue == nil ? .longOption(option.name, nil) : .unexpectedArgument("--\(option.name)")
        }
        if let inlineValue { return .longOption(option.name, inlineValue) }
        guard index < arguments.count else { return .missingArgument("--\(option.name)") }
        index += 1
        return .longOption(option.name, arguments[index - 1])
    }
}
