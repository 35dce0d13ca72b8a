// swafka-example: the README's main job (Scripts/demo.sh runs it). A small shop of three routes:
//
//   orders    inline: OrdersController checks the order in the server process and responds
//             through OrdersResponder to `payments` (required, once)
//   payments  worker: PaymentsController's perform is queued durably on `shop_jobs` and runs in a
//             `worker` process; it responds through PaymentsResponder to `receipts`
//   receipts  inline batch consumer: ReceiptsConsumer prints each completed order
//
// Every step prints one line saying what flowed, so the server's and the worker's output show
// the chain:
//
//   SWAFKA_BOOT_FILE=shop.properties swift run swafka-example flow
//   SWAFKA_BOOT_FILE=shop.properties swift run swafka-example server
//   SWAFKA_BOOT_FILE=shop.properties swift run swafka-example worker
//   SWAFKA_BOOT_FILE=shop.properties swift run swafka-example console -e 'produce orders {"id":"1","item":"book","quantity":2}'
import Foundation
import Swafka
import SwafkaCLI

@main
enum ShopApp: SwafkaApplication {
    static func makeApp(_ context: SwafkaAppContext) throws -> SwafkaApp {
        var app = SwafkaApp(environment: context.environment)
        app.setup { config in
            config.name = "shop"
            config.kafkaHosts = (context.settings["kafka.hosts"] ?? "127.0.0.1:9092")
                .split(separator: ",").map(String.init)
            config.inline = true
            config.offsetCommitInterval = .seconds(1)
        }
        app.configurators = [LocalBrokerConfigurator()]
        app.routeDefaults.worker = context.kafkaQueueWorker(name: "shop_jobs", jobsTopic: "shop_jobs")
        app.routes {
            Route("orders", controller: OrdersController.self).responder(OrdersResponder.self)
            Route("payments", controller: PaymentsController.self).responder(PaymentsResponder.self).inline(false)
            Route("receipts", consumer: ReceiptsConsumer.self)
        }
        return app
    }

    static func main() async {
        await SwafkaCommand.main(app: ShopApp.self)
    }
}

/// In development, a local broker: Tansu answers JoinGroup after half the session timeout, so
/// keep it short.
struct LocalBrokerConfigurator: Configurator {
    func configure(_ configuration: inout Configuration, environment: Environment) throws {
        if environment.isDevelopment {
            configuration.sessionTimeout = .seconds(6)
            configuration.heartbeatInterval = .seconds(2)
        }
    }
}

/// One line on standard output per step, flushed at once (the demo reads the logs).
func report(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// `orders`: `{"id": "...", "item": "...", "quantity": N}`. Checks it and asks for a payment.
final class OrdersController: Controller {
    override var beforeEnqueue: [BeforeEnqueue] { [.method(isOrder)] }

    func isOrder() -> Bool {
        guard params["id"]?.stringValue != nil, params["item"]?.stringValue != nil else {
            report("orders: skipped \(params.topic)[\(params.partition)]@\(params.offset): not an order")
            return false
        }
        return true
    }

    override func perform() async throws {
        let id = params["id"]?.stringValue ?? "?"
        let quantity = params["quantity"]?.intValue ?? 1
        let amount = quantity * 7
        report("orders: order \(id) (\(quantity) x \(params["item"]?.stringValue ?? "?")) => payments, amount \(amount)")
        try await respondWith(["order": .string(id), "amount": .int(amount)])
    }
}

/// Sends a payment request for each accepted order.
final class OrdersResponder: Responder {
    override class var topics: [ResponderTopic] { [.topic("payments")] }
    override func respond(_ data: [ParamValue]) throws { respondTo("payments", data.first ?? .null) }
}

/// `payments`: runs in a worker process (the route is not inline), then hands on a receipt.
final class PaymentsController: Controller {
    override func perform() async throws {
        let order = params["order"]?.stringValue ?? "?"
        let amount = params["amount"]?.intValue ?? 0
        report("payments: charged \(amount) for order \(order) (attempt \(attempt)) => receipts")
        try await respondWith(["order": .string(order), "amount": .int(amount), "paid": true])
    }
}

/// Sends the receipt.
final class PaymentsResponder: Responder {
    override class var topics: [ResponderTopic] { [.topic("receipts")] }
    override func respond(_ data: [ParamValue]) throws { respondTo("receipts", data.first ?? .null) }
}

/// `receipts`: a batch consumer (Karafka 2's model) printing each completed order.
final class ReceiptsConsumer: BatchConsumer {
    override func consume(_ messages: [Params]) async throws {
        for receipt in messages {
            report("receipts: order \(receipt["order"]?.stringValue ?? "?") complete, paid \(receipt["amount"]?.intValue ?? 0)")
        }
    }
}
