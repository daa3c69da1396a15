import ArgumentParser

/// `orderlog-bench`: proves speed and correctness under concurrency (API.md "Processes").
@main
struct OrderLogBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "orderlog-bench",
        abstract: "Benchmarks OrderLog and checks its invariants under concurrency.",
        subcommands: [FlashSaleScenario.self, ShoppingScenario.self, AppendScenario.self, CommandsScenario.self, RebuildScenario.self, SearchScenario.self]
    )
}

/// Options every scenario shares.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print one JSON object instead of a table.")
    var json = false
}
