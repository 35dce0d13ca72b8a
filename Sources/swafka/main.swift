// `swafka`: scaffold an app (`swafka install`), or run an app command in the app made by install
// (`swafka app routes` = `swift run <App> routes`). See SwafkaCLI's SwafkaTool.
import Foundation
import SwafkaCLI

exit(await SwafkaTool.run(Array(CommandLine.arguments.dropFirst())))
