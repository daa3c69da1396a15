// A child process for crash tests: applies an existing log to the read models in tiny
// batches, slowly, until the test SIGKILLs it. Usage: projections-child DATA_DIR BATCH_SIZE
import EventStore
import Foundation
import Projections

let arguments = CommandLine.arguments
guard arguments.count >= 3, let batchSize = Int(arguments[2]) else {
    FileHandle.standardError.write(Data("usage: projections-child DATA_DIR BATCH_SIZE\n".utf8))
    exit(2)
}
let store = try EventStore.openReadOnly(directory: arguments[1] + "/events", sideTables: ["user-orders", "deadlines", "keys", "vault"])
let readModels = try ReadModelStore(directory: arguments[1] + "/readmodels")
let runner = try ProjectionRunner(store: store, readModels: readModels, projections: AllProjections.make(), batchSize: batchSize)
FileHandle.standardOutput.write(Data("started\n".utf8))
try await runner.run()
FileHandle.standardOutput.write(Data("finished\n".utf8))
