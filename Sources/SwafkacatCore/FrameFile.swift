import KafkaWire

/// `--decode`: a file of Kafka frames as they cross the wire (each a big-endian int32 size, then that
/// many bytes), split into frames and told apart as requests and responses.
///
/// How a frame's direction is decided (`--decode-requests` / `--decode-responses` skip this):
/// 1. A frame is a request when its header reads as a request header of an API and version this codec
///    knows (the header version follows from them) and the rest decodes as that request's body, using
///    every byte. A response cannot pass by accident: its first four bytes, the correlation id, would
///    have to spell a known API key and version, and its body would have to decode as that request.
/// 2. Otherwise it is the response to the latest request in the file still waiting for one with the
///    same correlation id. (Latest, not earliest: a capture of several connections repeats correlation
///    ids, and a request whose answer was not captured must not take a later request's response.)
/// 3. Otherwise it is a request if its header reads as one and a prefix of the rest decodes as that
///    request's body: some clients send bytes a strict decoder refuses (librdkafka 2.16 appends three
///    stray bytes to an all-topics Metadata v12 request); the classification notes the extra bytes.
/// 4. Otherwise, when `--api` and `--api-version` are given, a response of that API and version.
/// 5. Otherwise it is reported as undecodable, and decoding goes on with the next frame.
public struct FrameFile: Sendable {
    /// One frame and where it was in the file.
    public struct Frame: Sendable, Equatable {
        /// 1-based position in the file.
        public var index: Int
        /// Byte offset of its size prefix.
        public var offset: Int
        /// The bytes after the size prefix.
        public var bytes: [UInt8]

        /// A frame.
        public init(index: Int, offset: Int, bytes: [UInt8]) {
            self.index = index
            self.offset = offset
            self.bytes = bytes
        }
    }

    /// Why the file does not split into frames.
    public enum SplitError: Error, Equatable, Sendable, CustomStringConvertible {
        /// Fewer than four bytes where a size prefix should be.
        case truncatedSize(offset: Int, available: Int)
        /// A negative size.
        case negativeSize(offset: Int, size: Int32)
        /// The file ends inside a frame.
        case truncatedFrame(offset: Int, size: Int32, available: Int)

        public var description: String {
            switch self {
            case let .truncatedSize(offset, available):
                "truncated size prefix at byte \(offset): \(available) of 4 bytes"
            case let .negativeSize(offset, size):
                "negative frame size \(size) at byte \(offset)"
            case let .truncatedFrame(offset, size, available):
                "frame at byte \(offset) needs \(size) bytes, the file has \(available) more"
            }
        }
    }

    /// The frames that split cleanly, and the error that stopped splitting, if any.
    public static func split(_ bytes: [UInt8]) -> (frames: [Frame], error: SplitError?) {
        var frames: [Frame] = []
        var offset = 0
        while offset < bytes.count {
            let available = bytes.count - offset
            guard available >= 4 else { return (frames, .truncatedSize(offset: offset, available: available)) }
            let size = Int32(bitPattern: UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16
                | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3]))
            guard size >= 0 else { return (frames, .negativeSize(offset: offset, size: size)) }
            guard Int(size) <= available - 4 else {
                return (frames, .truncatedFrame(offset: offset, size: size, available: available - 4))
            }
            frames.append(Frame(index: frames.count + 1, offset: offset, bytes: Array(bytes[(offset + 4)..<(offset + 4 + Int(size))])))
            offset += 4 + Int(size)
        }
        return (frames, nil)
    }

    /// The size-prefixed form of `frames` (what `split` reads; used to build test files).
    public static func join(_ frames: [[UInt8]]) -> [UInt8] {
        var bytes: [UInt8] = []
        for frame in frames {
            let size = UInt32(frame.count)
            bytes += [UInt8(size >> 24), UInt8(size >> 16 & 0xFF), UInt8(size >> 8 & 0xFF), UInt8(size & 0xFF)]
            bytes += frame
        }
        return bytes
    }
}

/// A frame with its direction and API decided.
public struct ClassifiedFrame: Sendable, Equatable {
    /// Request or response.
    public enum Kind: String, Sendable, Equatable {
        case request, response
    }

    /// The frame.
    public var frame: FrameFile.Frame
    /// What it is; nil when it could not be told.
    public var kind: Kind?
    /// The API.
    public var apiKey: ApiKey?
    /// The API version (of the request, for a response: the version its body uses).
    public var apiVersion: Int16?
    /// The correlation id.
    public var correlationID: Int32?
    /// Why it could not be classified.
    public var problem: String?
    /// Bytes after a request's body (see `FrameFile`, step 3).
    public var trailingBytes = 0
    /// Something odd about a frame that was classified.
    public var note: String? { trailingBytes > 0 ? "\(trailingBytes) bytes after the request body" : nil }

    /// A frame not yet classified.
    public init(frame: FrameFile.Frame, kind: Kind? = nil, apiKey: ApiKey? = nil, apiVersion: Int16? = nil,
                correlationID: Int32? = nil, problem: String? = nil) {
        self.frame = frame
        self.kind = kind
        self.apiKey = apiKey
        self.apiVersion = apiVersion
        self.correlationID = correlationID
        self.problem = problem
    }
}

/// Tells requests from responses frame by frame (see `FrameFile`).
public struct FrameClassifier: Sendable {
    /// The direction setting.
    public var direction: DecodeOptions.Direction
    /// The API of responses without their request in the file.
    public var fallbackAPI: ApiKey?
    /// Their version.
    public var fallbackVersion: Int16?
    private var pending: [(correlationID: Int32, apiKey: ApiKey, version: Int16)] = []

    /// A classifier.
    public init(direction: DecodeOptions.Direction = .auto, fallbackAPI: ApiKey? = nil, fallbackVersion: Int16? = nil) {
        self.direction = direction
        self.fallbackAPI = fallbackAPI
        self.fallbackVersion = fallbackVersion
    }

    /// Classifies the next frame of the file.
    public mutating func classify(_ frame: FrameFile.Frame) -> ClassifiedFrame {
        var result = ClassifiedFrame(frame: frame)
        switch direction {
        case .requests:
            guard let header = Self.requestHeader(frame.bytes), let leftover = Self.requestBodyLeftover(frame.bytes) else {
                result.problem = "not a request of an API and version this codec knows"
                return result
            }
            var request = request(frame, header)
            request.trailingBytes = leftover
            return request
        case .responses, .auto:
            if direction == .auto, let header = Self.requestHeader(frame.bytes), Self.requestBodyLeftover(frame.bytes) == 0 {
                return request(frame, header)
            }
            guard frame.bytes.count >= 4 else {
                result.problem = "a frame of \(frame.bytes.count) bytes is neither a request nor a response"
                return result
            }
            let correlationID = Int32(bitPattern: UInt32(frame.bytes[0]) << 24 | UInt32(frame.bytes[1]) << 16
                | UInt32(frame.bytes[2]) << 8 | UInt32(frame.bytes[3]))
            result.correlationID = correlationID
            if let index = pending.lastIndex(where: { $0.correlationID == correlationID }) {
                let request = pending.remove(at: index)
                result.kind = .response
                result.apiKey = request.apiKey
                result.apiVersion = request.version
            } else if direction == .auto, let header = Self.requestHeader(frame.bytes),
                      let leftover = Self.requestBodyLeftover(frame.bytes) {
                var lenient = request(frame, header)
                lenient.trailingBytes = leftover
                return lenient
            } else if let fallbackAPI, let fallbackVersion {
                result.kind = .response
                result.apiKey = fallbackAPI
                result.apiVersion = fallbackVersion
            } else if direction == .auto, let key = Self.unimplementedRequestKey(frame.bytes) {
                result.problem = "API key \(key) is not implemented by this codec (or this is a response without its request)"
            } else {
                result.problem = direction == .auto
                    ? "neither a request nor the response to a request earlier in the file (give --api and --api-version)"
                    : "a response without its request in the file (give --api and --api-version)"
            }
            return result
        }
    }

    private mutating func request(_ frame: FrameFile.Frame, _ header: RequestHeader) -> ClassifiedFrame {
        pending.append((header.correlationID, header.apiKey, header.apiVersion))
        return ClassifiedFrame(frame: frame, kind: .request, apiKey: header.apiKey, apiVersion: header.apiVersion,
                               correlationID: header.correlationID)
    }

    /// The request header at the start of `bytes` when it names an API and version this codec knows.
    static func requestHeader(_ bytes: [UInt8]) -> RequestHeader? {
        guard bytes.count >= 8 else { return nil }
        let key = ApiKey(rawValue: Int16(bitPattern: UInt16(bytes[0]) << 8 | UInt16(bytes[1])))
        let version = Int16(bitPattern: UInt16(bytes[2]) << 8 | UInt16(bytes[3]))
        guard let entry = MessageRegistry.entry(for: key), entry.request.validVersions.contains(version) else { return nil }
        var reader = ByteReader(bytes)
        return try? RequestHeader(from: &reader, headerVersion: RequestHeader.version(apiKey: key, apiVersion: version))
    }

    /// The API key of a frame that looks like a request header (key in Kafka's range, a small version,
    /// a client id that is null or fits the frame) of an API the codec does not implement.
    static func unimplementedRequestKey(_ bytes: [UInt8]) -> Int16? {
        guard bytes.count >= 10 else { return nil }
        let key = Int16(bitPattern: UInt16(bytes[0]) << 8 | UInt16(bytes[1]))
        let version = Int16(bitPattern: UInt16(bytes[2]) << 8 | UInt16(bytes[3]))
        let clientIDLength = Int(Int16(bitPattern: UInt16(bytes[8]) << 8 | UInt16(bytes[9])))
        guard (0...1000).contains(key), (0...100).contains(version), MessageRegistry.entry(for: ApiKey(rawValue: key)) == nil,
              clientIDLength == -1 || (0...(bytes.count - 10)).contains(clientIDLength) else { return nil }
        return key
    }

    /// The bytes left after the request header and body decode from the start of `bytes`; nil when they do not.
    static func requestBodyLeftover(_ bytes: [UInt8]) -> Int? {
        guard let header = requestHeader(bytes), let entry = MessageRegistry.entry(for: header.apiKey) else { return nil }
        var reader = ByteReader(bytes)
        guard (try? RequestHeader(from: &reader, headerVersion: RequestHeader.version(apiKey: header.apiKey, apiVersion: header.apiVersion))) != nil,
              (try? entry.request.init(from: &reader, version: header.apiVersion)) != nil
        else { return nil }
        return reader.remaining
    }
}
