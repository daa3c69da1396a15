import Histogram

/// Latencies in microseconds, recorded per task and merged (no lock on the hot path).
struct Latencies: Sendable {
    var histogram = Histogram<UInt64>(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)

    mutating func record(nanoseconds: UInt64) {
        _ = histogram.record(max(1, nanoseconds / 1000))
    }

    mutating func merge(_ other: Latencies) {
        histogram.add(other.histogram)
    }

    var count: UInt64 { histogram.totalCount }

    func milliseconds(atPercentile p: Double) -> Double {
        guard histogram.totalCount > 0 else { return 0 }
        return Double(histogram.valueAtPercentile(p)) / 1000
    }

    var maxMilliseconds: Double { histogram.totalCount > 0 ? Double(histogram.max) / 1000 : 0 }
}
