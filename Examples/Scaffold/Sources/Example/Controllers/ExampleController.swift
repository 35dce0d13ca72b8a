import Swafka

/// Handles each message of `example_examples` (a new instance per message).
final class ExampleController: Controller {
    override func perform() async throws {
        print("\(params.topic)[\(params.partition)]@\(params.offset): \(params.payload)")
        try await respondWith(params.payload)
    }
}
