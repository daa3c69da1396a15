import Application
import Foundation

/// One scenario's result: printed as a table, or as one JSON object with `--json`.
struct Report {
    var scenario: String
    var requests: UInt64
    var ok: UInt64
    var rejected: UInt64 = 0
    var errors: UInt64 = 0
    var seconds: Double
    /// Successful operations (orders, appends) per second.
    var throughput: Double
    var latencies: Latencies
    var invariantsHold: Bool = true
    var invariantFailures: [String] = []
    /// Scenario-specific figures, in the order they were added.
    var extra: [(String, Double)] = []

    func print(json: Bool) {
        if json {
            var object: [String: Any] = [
                "scenario": scenario, "requests": requests, "ok": ok, "rejected": rejected, "errors": errors,
                "seconds": round3(seconds), "throughput": round3(throughput),
                "p50Ms": round3(latencies.milliseconds(atPercentile: 50)), "p90Ms": round3(latencies.milliseconds(atPercentile: 90)),
                "p99Ms": round3(latencies.milliseconds(atPercentile: 99)), "p999Ms": round3(latencies.milliseconds(atPercentile: 99.9)),
                "maxMs": round3(latencies.maxMilliseconds), "invariantsHold": invariantsHold, "allocator": MemoryAllocator.description,
                "freePageReporting": FreePageReporting.state,
            ]
            if !invariantFailures.isEmpty { object["invariantFailures"] = invariantFailures }
            // A figure the platform could not measure (NaN) is left out: JSON has no NaN, and one
            // would make the whole report unprintable.
            for (key, value) in extra where value.isFinite { object[key] = round3(value) }
            if let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) {
                Swift.print(String(decoding: data, as: UTF8.self))
            }
            return
        }
        Swift.print("scenario      \(scenario)")
        Swift.print("requests      \(requests)   ok \(ok)   rejected \(rejected)   errors \(errors)")
        Swift.print(String(format: "seconds       %.3f", seconds))
        Swift.print(String(format: "throughput    %.0f /s", throughput))
        Swift.print(String(format: "latency ms    p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f",
                           latencies.milliseconds(atPercentile: 50), latencies.milliseconds(atPercentile: 90),
                           latencies.milliseconds(atPercentile: 99), latencies.milliseconds(atPercentile: 99.9), latencies.maxMilliseconds))
        for (key, value) in extra {
            let shown = value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(format: "%.3f", value)
            Swift.print(key.padding(toLength: max(14, key.count + 2), withPad: " ", startingAt: 0) + shown)
        }
        Swift.print("allocator     \(MemoryAllocator.description)")
        Swift.print("pageReporting \(FreePageReporting.state) (memory freed to the host faults back in on first write)")
        Swift.print("invariants    \(invariantsHold ? "hold" : "FAILED: " + invariantFailures.joined(separator: "; "))")
    }

    private func round3(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
}

/// Monotonic nanoseconds.
func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
