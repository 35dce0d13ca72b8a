// swafkacat: kcat's command line on Swafka's pure-Swift client.
//
// The command line, formats and printers live in SwafkacatCore (pure, tested in-process); this file
// does the I/O: reads the environment, prints what the command line decided, and runs the mode.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import SwafkacatCore

// A closed stdout pipe must not kill the process (kcat catches SIGPIPE too); writes then fail instead.
signal(SIGPIPE, SIG_IGN)

let arguments = Array(Swift.CommandLine.arguments)
let environment = CommandLineEnvironment(programName: arguments.first ?? "swafkacat", variables: ProcessInfo.processInfo.environment,
                                         stdinIsTerminal: Output.stdinIsTerminal, readFile: readTextFile)

switch SwafkacatCore.CommandLine.interpret(Array(arguments.dropFirst()), environment: environment) {
case let .exit(termination):
    Output.write(termination.stdout)
    Output.error(termination.stderr)
    Output.exit(termination.status)
case let .run(invocation, notices):
    Output.error(notices)
    if invocation.unbuffered { Output.unbuffer() }
    let status = await Runner(invocation: invocation).run()
    Output.exit(status)
}
