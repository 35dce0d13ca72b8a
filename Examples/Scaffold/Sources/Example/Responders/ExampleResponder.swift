import Swafka

/// Sends what `ExampleController` hands it to `example_examples_done`.
final class ExampleResponder: Responder {
    override class var topics: [ResponderTopic] {
        [.topic("example_examples_done")]
    }

    override func respond(_ data: [ParamValue]) throws {
        respondTo("example_examples_done", data.first ?? .null)
    }
}
