import Foundation
import KafkaWire
import Testing

/// PROTOCOL.md's tables, read back and held against the compiled message types, so the document
/// cannot claim a version the code does not implement (or miss one it does). The tables are
/// written by Scripts/protocol-table.py; when this fails, rerun it.
@Suite("PROTOCOL.md matches the code")
struct ProtocolDocumentTests {
    @Test("the API table lists every registered API with the request and response versions of its types, and nothing else")
    func apiTable() throws {
        for problem in Self.apiTableProblems(try ProtocolDocument.load()) {
            Issue.record("PROTOCOL.md: \(problem); rerun Scripts/protocol-table.py")
        }
    }

    @Test("the payload table lists every registered data payload with its versions")
    func payloadTable() throws {
        for problem in Self.payloadTableProblems(try ProtocolDocument.load()) {
            Issue.record("PROTOCOL.md: \(problem); rerun Scripts/protocol-table.py")
        }
    }

    @Test("a wrong range, a missing API and an extra API are each reported")
    func checkerNoticesDrift() throws {
        // A correct table built from the registry (independent of PROTOCOL.md), then broken three ways.
        var rows: [[String: String]] = MessageRegistry.entries.map { entry in
            ["API": entry.name, "Key": "\(entry.apiKey.rawValue)",
             "Request versions": Self.notation(entry.request.validVersions),
             "Request flexible": entry.request.flexibleVersions.description,
             "Response versions": Self.notation(entry.response.validVersions),
             "Response flexible": entry.response.flexibleVersions.description]
        }
        #expect(Self.apiTableProblems(ProtocolDocument(tables: [rows])) == [])
        let heartbeat = try #require(rows.firstIndex { $0["API"] == "Heartbeat" })
        let versions = HeartbeatRequest.validVersions
        let wrong = Self.notation(versions.lowerBound...(versions.upperBound - 1))
        rows[heartbeat]["Request versions"] = wrong
        rows.removeAll { $0["API"] == "DescribeCluster" }
        rows.append(["API": "Bogus", "Key": "99"])
        #expect(Self.apiTableProblems(ProtocolDocument(tables: [rows])) == [
            "Heartbeat Request versions is \(wrong), the code says \(Self.notation(versions))",
            "no row for DescribeCluster (60)",
            "rows for APIs the registry does not have: Bogus",
        ])
    }

    /// Where the API table disagrees with `MessageRegistry.entries` and the types' versions.
    static func apiTableProblems(_ document: ProtocolDocument) -> [String] {
        guard let table = document.table(withColumn: "API") else { return ["no API table between the markers"] }
        var problems: [String] = []
        var rows: [String: [String: String]] = [:]
        for row in table {
            let name = row["API", default: ""]
            if rows[name] != nil { problems.append("\(name) is listed twice") }
            rows[name] = row
        }
        for entry in MessageRegistry.entries {
            guard let row = rows.removeValue(forKey: entry.name) else {
                problems.append("no row for \(entry.name) (\(entry.apiKey.rawValue))")
                continue
            }
            let expected: [(column: String, value: String)] = [
                ("Key", "\(entry.apiKey.rawValue)"),
                ("Request versions", notation(entry.request.validVersions)),
                ("Request flexible", entry.request.flexibleVersions.description),
                ("Response versions", notation(entry.response.validVersions)),
                ("Response flexible", entry.response.flexibleVersions.description),
            ]
            for (column, value) in expected where row[column] != value {
                problems.append("\(entry.name) \(column) is \(row[column] ?? "missing"), the code says \(value)")
            }
        }
        if !rows.isEmpty {
            problems.append("rows for APIs the registry does not have: \(rows.keys.sorted().joined(separator: ", "))")
        }
        return problems
    }

    /// Where the payload table disagrees with `MessageRegistry.dataTypes`. Rows for payloads that
    /// are not registered message types (the control records) are not checked here.
    static func payloadTableProblems(_ document: ProtocolDocument) -> [String] {
        guard let table = document.table(withColumn: "Payload") else { return ["no payload table between the markers"] }
        var problems: [String] = []
        for data in MessageRegistry.dataTypes {
            let matches = table.filter { $0["Payload"] == data.name }
            guard matches.count == 1, let row = matches.first else {
                problems.append("\(data.name) is listed \(matches.count) times")
                continue
            }
            let expected = [("Versions", notation(data.type.validVersions)), ("Flexible", data.type.flexibleVersions.description)]
            for (column, value) in expected where row[column] != value {
                problems.append("\(data.name) \(column) is \(row[column] ?? "missing"), the code says \(value)")
            }
        }
        return problems
    }

    /// A version range as the specs and the generator write it: `0-4`, or `3` for a single version.
    static func notation(_ range: ClosedRange<Int16>) -> String {
        Versions(range.lowerBound, through: range.upperBound).description
    }
}

/// The Markdown tables between PROTOCOL.md's `api-table` markers, each row keyed by its column names.
struct ProtocolDocument {
    static let begin = "<!-- api-table:begin -->"
    static let end = "<!-- api-table:end -->"

    /// PROTOCOL.md at the repository root, found from this file's path.
    static var url: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // KafkaWireTests
            .deletingLastPathComponent()  // Tests
            .deletingLastPathComponent()  // the repository
            .appendingPathComponent("PROTOCOL.md")
    }

    /// Reads PROTOCOL.md.
    static func load() throws -> ProtocolDocument {
        ProtocolDocument(text: try String(contentsOf: url, encoding: .utf8))
    }

    /// The tables, in order; each row maps a column name to its cell.
    let tables: [[[String: String]]]

    /// A document holding `tables`.
    init(tables: [[[String: String]]]) {
        self.tables = tables
    }

    init(text: String) {
        guard let start = text.range(of: Self.begin), let stop = text.range(of: Self.end, range: start.upperBound..<text.endIndex)
        else {
            tables = []
            return
        }
        var tables: [[[String: String]]] = []
        var header: [String]? = nil
        var rows: [[String: String]] = []
        func finish() {
            if header != nil { tables.append(rows) }
            header = nil
            rows = []
        }
        for line in text[start.upperBound..<stop.lowerBound].split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("|") else {
                finish()
                continue
            }
            let cells = Self.cells(trimmed)
            if let columns = header {
                if cells.allSatisfy({ $0.allSatisfy { "-:".contains($0) } && !$0.isEmpty }) { continue }  // |---|--:|
                rows.append(Dictionary(zip(columns, cells), uniquingKeysWith: { first, _ in first }))
            } else {
                header = cells
            }
        }
        finish()
        self.tables = tables
    }

    /// The first table that has a column named `column`.
    func table(withColumn column: String) -> [[String: String]]? {
        tables.first { $0.first?[column] != nil }
    }

    /// `| a | b |` → `["a", "b"]`.
    static func cells(_ line: String) -> [String] {
        var parts = line.split(separator: "|", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        if parts.first == "" { parts.removeFirst() }
        if parts.last == "" { parts.removeLast() }
        return parts
    }
}
