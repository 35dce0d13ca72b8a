import Swafka
import SwafkaCLI

/// The app: its setup and its routes (Karafka's `app.rb`).
///
///     swift run Example routes      # the routes and their settings
///     swift run Example flow        # where messages go
///     swift run Example server      # consume; SIGINT or SIGTERM stops it gracefully
///     swift run Example worker      # run the jobs of routes that are not inline
///     swift run Example console     # produce to and peek at the app's topics
///
/// Settings come from the boot file: `SWAFKA_BOOT_FILE=config/swafka.properties`.
@main
enum ExampleApp: SwafkaApplication {
    static func makeApp(_ context: SwafkaAppContext) throws -> SwafkaApp {
        var app = SwafkaApp(environment: context.environment)
        app.setup { config in
            config.name = "example"
            config.kafkaHosts = (context.settings["kafka.hosts"] ?? "127.0.0.1:9092")
                .split(separator: ",").map(String.init)
            // Perform in the server process; false enqueues on the worker below instead.
            config.inline = true
        }
        app.configurators = [DevelopmentConfigurator()]
        // Routes that are not inline queue their performs durably on this topic.
        app.routeDefaults.worker = context.kafkaQueueWorker(jobsTopic: "example_jobs")
        app.routes {
            Route("example_examples", controller: ExampleController.self)
                .responder(ExampleResponder.self)
        }
        return app
    }

    static func main() async {
        await SwafkaCommand.main(app: ExampleApp.self)
    }
}
