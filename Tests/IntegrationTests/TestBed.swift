import Foundation
import Testing

/// The brokers the test bed started (Scripts/testbed/start.sh writes their addresses to the environment).
///
/// Integration tests are enabled when their broker's address is set. The README's test command
/// sets SWAFKA_REQUIRE_INTEGRATION=1, under which a missing broker is a failure, not a skip.
enum TestBed {
    static var tansu: String? { ProcessInfo.processInfo.environment["SWAFKA_TANSU_BOOTSTRAP"] }
    static var mock: String? { ProcessInfo.processInfo.environment["SWAFKA_MOCK_BOOTSTRAP"] }
    static var required: Bool { ProcessInfo.processInfo.environment["SWAFKA_REQUIRE_INTEGRATION"] == "1" }

    static var hasTansu: Bool { tansu != nil || required }
    static var hasMock: Bool { mock != nil || required }

    /// The Tansu bootstrap, or a recorded failure when the test bed was required but is missing.
    static func tansuBootstrap() throws -> String {
        guard let tansu else { throw TestBedMissing(name: "SWAFKA_TANSU_BOOTSTRAP") }
        return tansu
    }

    static func mockBootstrap() throws -> String {
        guard let mock else { throw TestBedMissing(name: "SWAFKA_MOCK_BOOTSTRAP") }
        return mock
    }
}

struct TestBedMissing: Error, CustomStringConvertible {
    let name: String
    var description: String { "\(name) is not set: run the tests through Scripts/test.sh, which starts the brokers" }
}
