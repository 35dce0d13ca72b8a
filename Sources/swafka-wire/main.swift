// swafka-wire: Kafka message bodies to JSON and back, one message at a time or as a line-based batch.
import ArgumentParser
import Foundation
import KafkaCompression
import KafkaWire
import KafkaWireJSON

/// The message flags every subcommand shares.
struct MessageOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The API: its spec name without Request/Response (Produce, ApiVersions), or its numeric key. With --data: ConsumerProtocolSubscription or ConsumerProtocolAssignment.",
                               valueName: "name|key"))
    var api: String

    @Option(help: "The message version.")
    var version: Int16

    @Flag(help: "Which message of the API (or --data for a versioned payload that is not an API message).")
    var kind: WireMessageKind

    @Flag(help: "The bytes start with the request or response header (header version follows from the API and version; ApiVersions responses always use header v0). The JSON is then {\"header\": {...}, \"body\": {...}}, the header's keys named as in RequestHeader.json / ResponseHeader.json.")
    var withHeader = false

    @Option(help: ArgumentHelp("RECORDS fields as base64 (exact bytes) or decoded: an array of v2 batches ({BaseOffset, ..., Attributes: {Compression, ...}, Records: [{..., Key, Value, Headers}]}), legacy messages ({Offset, Magic, Attributes, Timestamp, Key, Value}, plus Messages for a compressed wrapper) and, last, {IncompleteTail: base64} when the bytes end inside a batch. Compressed batches are compressed again on encode, so only their decoded form is guaranteed to round-trip.", valueName: "base64|decoded"))
    var records: WireJSONOptions.RecordsForm = .base64

    var jsonOptions: WireJSONOptions { WireJSONOptions(records: records, compression: KafkaCompressionProvider()) }

    func validate() throws {
        if withHeader && kind == .data { throw ValidationError("--with-header applies to requests and responses only") }
    }
}

extension WireMessageKind: EnumerableFlag {
    public static func help(for value: WireMessageKind) -> ArgumentHelp? {
        switch value {
        case .request: "The API's request."
        case .response: "The API's response."
        case .data: "A versioned data payload (consumer protocol)."
        }
    }
}

extension WireJSONOptions.RecordsForm: ExpressibleByArgument {}

/// Reads every byte of a file, or of stdin when `path` is nil.
func readInput(_ path: String?) throws(WireToolError) -> [UInt8] {
    if let path {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw WireToolError(kind: "io", message: "io: cannot read \(path)")
        }
        return [UInt8](data)
    }
    return [UInt8](FileHandle.standardInput.readDataToEndOfFile())
}

func writeOut(_ bytes: [UInt8]) {
    FileHandle.standardOutput.write(Data(bytes))
}

/// Prints the one-line error and exits with status 1.
func failed(_ error: WireToolError) -> ExitCode {
    FileHandle.standardError.write(Data((error.description.replacingOccurrences(of: "\n", with: " ") + "\n").utf8))
    return ExitCode(1)
}

struct SwafkaWire: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swafka-wire",
        abstract: "Kafka wire messages to JSON and back.",
        discussion: """
            JSON form: one object per message; keys are the spec's field names in spec order, for the \
            fields the version has. Integers are numbers, bytes and records base64, UUIDs 8-4-4-4-12 \
            strings, null is null. Tagged fields known at the version always appear (their default when \
            absent on the wire); unknown tags appear as "_unknownTaggedFields": [{"tag": n, "data": base64}].

            Malformed input exits with status 1 and one line on stderr: \
            error: <kind> at byte <offset> [in <field>]: <detail>.
            """,
        subcommands: [Decode.self, Encode.self, Batch.self]
    )
}

struct Decode: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Decode one message body (the bytes after the header) and print it as one JSON object.",
        discussion: """
            Input: --hex HEX, or the raw bytes of --file F, or raw bytes on stdin (add --hex-input to read \
            hex text from the file or stdin). Output: one JSON object, compact on one line unless --pretty.
            Example: swafka-wire decode --api Heartbeat --version 4 --request --hex 03673100000001036d310000
            """
    )

    @OptionGroup var message: MessageOptions

    @Option(help: "Read the bytes from this file instead of stdin.")
    var file: String?

    @Option(help: "The bytes as hex digits (white space between bytes is ignored).")
    var hex: String?

    @Flag(help: "The file or stdin holds hex text rather than raw bytes.")
    var hexInput = false

    @Flag(help: "Indent the JSON.")
    var pretty = false

    func validate() throws {
        if hex != nil && file != nil { throw ValidationError("give --hex or --file, not both") }
        if hex != nil && hexInput { throw ValidationError("--hex-input applies to --file and stdin") }
    }

    func run() throws {
        do {
            let bytes: [UInt8]
            if let hex {
                bytes = try WireHex.parse(hex)
            } else {
                let input = try readInput(file)
                bytes = hexInput ? try WireHex.parse(input) : input
            }
            let json = try WireTool.decode(bytes, api: message.api, version: message.version, kind: message.kind,
                                           withHeader: message.withHeader, options: message.jsonOptions)
            writeOut(JSONPrinter.bytes(json, indent: pretty ? 2 : 0) + [0x0A])
        } catch {
            throw failed(error)
        }
    }
}

struct Encode: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Encode one message from its JSON form (as decode prints it) to the body bytes.",
        discussion: """
            Input: JSON from --file F or stdin. Output: the raw bytes on stdout (pipe them into decode), \
            or lower-case hex and a newline with --hex-output. Tagged fields equal to their default are \
            not written; a field the version lacks must not appear in the JSON.
            """
    )

    @OptionGroup var message: MessageOptions

    @Option(help: "Read the JSON from this file instead of stdin.")
    var file: String?

    @Flag(help: "Print the bytes as hex digits and a newline instead of raw bytes.")
    var hexOutput = false

    func run() throws {
        do {
            let bytes = try WireTool.encode(jsonText: try readInput(file), api: message.api, version: message.version,
                                            kind: message.kind, withHeader: message.withHeader, options: message.jsonOptions)
            writeOut(hexOutput ? Array((WireHex.string(bytes) + "\n").utf8) : bytes)
        } catch {
            throw failed(error)
        }
    }
}

struct Batch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve decode and encode requests, one JSON object per line on stdin, one reply per line on stdout.",
        discussion: """
            Request: {"id":1,"op":"decode","api":"Produce","version":3,"kind":"request","hex":"..."}
                 or: {"id":2,"op":"encode","api":"Produce","version":3,"kind":"response","json":{...}}
            Optional keys: "records":"decoded", "withHeader":true. "kind" may also be "data".
            Reply: {"id":1,"ok":true,"json":{...}} or {"id":2,"ok":true,"hex":"..."};
            failure: {"id":n,"ok":false,"error":"<kind> at byte <offset>","message":"<full error>"}.
            Replies come in request order, each flushed at once; a malformed line gets a failure reply \
            and the batch goes on. Blank lines are skipped.
            """
    )

    func run() throws {
        let input = FileHandle.standardInput
        var buffer = [UInt8]()
        var start = 0  // first unconsumed byte of `buffer`
        var atEnd = false
        WireBatch(compression: KafkaCompressionProvider()).run(
            readLine: {
                while true {
                    if let newline = buffer[start...].firstIndex(of: 0x0A) {
                        defer { start = newline + 1 }
                        return Array(buffer[start..<newline])
                    }
                    if atEnd {
                        guard start < buffer.count else { return nil }
                        defer { start = buffer.count }
                        return Array(buffer[start...])
                    }
                    // Reads return what the pipe has, so each request is answered as soon as its line arrives.
                    let chunk = input.availableData
                    buffer.removeFirst(start)
                    start = 0
                    if chunk.isEmpty { atEnd = true } else { buffer.append(contentsOf: chunk) }
                }
            },
            write: writeOut
        )
    }
}

SwafkaWire.main()
