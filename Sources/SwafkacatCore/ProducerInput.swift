/// One message read from `-P` input, before it meets the producer.
public struct InputMessage: Sendable, Equatable {
    /// The key (a `-K` key, else the `-k` key, else null).
    public var key: [UInt8]?
    /// The value; null only with `-Z` and an empty value after a `-K` key.
    public var value: [UInt8]?
    /// The input as read (key, key delimiter and value), for `-T`.
    public var raw: [UInt8]

    /// A message.
    public init(key: [UInt8]?, value: [UInt8]?, raw: [UInt8]) {
        self.key = key
        self.value = value
        self.raw = raw
    }
}

/// Splits `-P` input (stdin, or the one file of `-l`) into messages as kcat does:
/// - messages end at the `-D` delimiter (any bytes, `\n` by default); the input's last bytes are a
///   message even without a delimiter after them; empty messages are skipped;
/// - with `-K`, the key ends at the first key delimiter; a message without one has no key of its own;
/// - with `-Z`, an empty key or value after that split is null;
/// - a message without a key gets the `-k` key.
///
/// Input comes in chunks (a pipe delivers what it has), so a delimiter may straddle two chunks.
public struct ProducerInputSplitter: Sendable {
    /// The message delimiter (not empty).
    public let delimiter: [UInt8]
    /// The key delimiter (`-K`).
    public let keyDelimiter: [UInt8]?
    /// The fixed key (`-k`).
    public let fixedKey: [UInt8]?
    /// `-Z`.
    public let nullForEmpty: Bool
    private var buffer: [UInt8] = []
    private var searchFrom = 0

    /// A splitter. (The command line refuses an empty `-D` when producing, as kcat does; given one
    /// anyway, the whole input is one message.)
    public init(delimiter: [UInt8], keyDelimiter: [UInt8]? = nil, fixedKey: [UInt8]? = nil, nullForEmpty: Bool = false) {
        self.delimiter = delimiter
        self.keyDelimiter = keyDelimiter.flatMap { $0.isEmpty ? nil : $0 }
        self.fixedKey = fixedKey
        self.nullForEmpty = nullForEmpty
    }

    /// The messages completed by `chunk`.
    public mutating func feed(_ chunk: some Collection<UInt8>) -> [InputMessage] {
        buffer.append(contentsOf: chunk)
        var messages: [InputMessage] = []
        var start = 0
        while let end = Self.find(delimiter, in: buffer, from: max(searchFrom, start)) {
            if let message = message(buffer[start..<end]) { messages.append(message) }
            start = end + delimiter.count
            searchFrom = start
        }
        buffer.removeFirst(start)
        // A delimiter may begin in the last bytes: look there again when more arrive.
        searchFrom = max(0, buffer.count - delimiter.count + 1)
        return messages
    }

    /// The last message, from bytes after the last delimiter, at the end of the input.
    public mutating func finish() -> [InputMessage] {
        defer {
            buffer = []
            searchFrom = 0
        }
        return message(buffer[...]).map { [$0] } ?? []
    }

    func message(_ raw: ArraySlice<UInt8>) -> InputMessage? {
        guard !raw.isEmpty else { return nil }
        var key: [UInt8]?
        var value: [UInt8]? = Array(raw)
        if let keyDelimiter, let split = Self.find(keyDelimiter, in: raw, from: raw.startIndex) {
            key = Array(raw[raw.startIndex..<split])
            value = Array(raw[(split + keyDelimiter.count)...])
            if nullForEmpty {
                if value?.isEmpty == true { value = nil }
                if key?.isEmpty == true { key = nil }
            }
        }
        return InputMessage(key: key ?? fixedKey, value: value, raw: Array(raw))
    }

    /// The index where `needle` first occurs in `haystack` at or after `from`.
    static func find<C: RandomAccessCollection<UInt8>>(_ needle: [UInt8], in haystack: C, from: C.Index) -> C.Index?
        where C.Index == Int {
        guard !needle.isEmpty, haystack.endIndex - from >= needle.count else { return nil }
        var index = from
        let last = haystack.endIndex - needle.count
        while index <= last {
            if haystack[index] == needle[0] {
                var matched = true
                for offset in 1..<needle.count where haystack[index + offset] != needle[offset] {
                    matched = false
                    break
                }
                if matched { return index }
            }
            index += 1
        }
        return nil
    }
}
