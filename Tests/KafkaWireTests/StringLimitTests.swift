import KafkaWire
import Testing

@Suite("String length limits")
struct StringLimitTests {
    /// Kafka refuses strings above 32,767 bytes in both the INT16-prefixed and the compact forms.
    @Test(arguments: [Int16(3), 4])  // v3 non-flexible, v4 flexible (compact)
    func stringsAbove32767BytesThrowInEveryForm(version: Int16) {
        let request = HeartbeatRequest(groupID: String(repeating: "g", count: 32_768), generationID: 1, memberID: "m")
        #expect(throws: WireEncodingError.self) { _ = try request.encoded(version: version) }
        let atLimit = HeartbeatRequest(groupID: String(repeating: "g", count: 32_767), generationID: 1, memberID: "m")
        #expect(throws: Never.self) { _ = try atLimit.encoded(version: version) }
    }

    @Test func theErrorNamesTheField() {
        let request = HeartbeatRequest(groupID: "g", generationID: 1, memberID: String(repeating: "m", count: 40_000))
        do {
            _ = try request.encoded(version: 4)
            Issue.record("expected an error")
        } catch {
            #expect(error.field == "MemberId")
            #expect(error.kind == .valueTooLarge(40_000))
        }
    }
}
