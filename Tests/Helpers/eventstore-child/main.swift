// A child process for crash tests: appends forever from several tasks and prints one line per
// acknowledged (durable) append, `ack <streamId> <version> <position>`, flushed at once. The
// test kills it with SIGKILL and checks that every acknowledged append survived, and can be
// read from its stream.
import CanonicalJSON
import EventStore
import Foundation

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: eventstore-child DIR [CONCURRENCY [INDEX-FLUSH-ENTRIES]]\n".utf8))
    exit(2)
}
let concurrency = arguments.count >= 3 ? Int(arguments[2]) ?? 8 : 8
var configuration = EventStore.Configuration()
// Small, so kills land before, during and after the stream index's flushes.
if arguments.count >= 4, let entries = Int(arguments[3]) { configuration.streamIndexFlushEntries = entries }
let store = try EventStore(directory: arguments[1], configuration: configuration)
let output = FileHandle.standardOutput

await withThrowingTaskGroup(of: Void.self) { group in
    for worker in 0..<concurrency {
        group.addTask {
            var n = 0
            while true {
                n += 1
                let event = try ProposedEvent(type: "Ticked", data: ["worker": .int(Int64(worker)), "n": .int(Int64(n))])
                let submission = try await store.append([StreamAppend(streamId: "worker-\(worker)", expectedVersion: .any, events: [event])])
                if case .completed(let outcome, let position) = submission {
                    let version = outcome.versions["worker-\(worker)"] ?? 0
                    output.write(Data("ack worker-\(worker) \(version) \(position)\n".utf8))
                }
            }
        }
    }
}
