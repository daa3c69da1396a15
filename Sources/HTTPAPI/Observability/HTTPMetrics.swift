import Application
import CanonicalJSON
import Domain
import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Metrics
import Projections
import Prometheus
import Synchronization

/// HTTP and store metrics, cached per label set so a request costs a dictionary lookup.
final class HTTPMetrics: Sendable {
    private struct Key: Hashable {
        let route: String
        let method: String
        let status: Int
    }

    private let counters = Mutex<[Key: (Metrics.Counter, Metrics.Timer)]>([:])
    private let limited = Metrics.Counter(label: "orderlog_rate_limited_requests_total")
    private let batchEvents = Metrics.Recorder(label: "orderlog_append_batch_events", aggregate: true)
    private let commitDuration = Metrics.Timer(label: "orderlog_commit_duration_seconds")
    private let appended = Metrics.Counter(label: "orderlog_events_appended_total")
    private let writeFailures = Metrics.Counter(label: "orderlog_write_failures_total")
    /// The single writer's time inside batches (deciding, writing, committing): its rate is
    /// the writer's utilization, and near 1 the writer is what limits commands.
    private let writerBusy = Metrics.FloatingPointCounter(label: "orderlog_writer_busy_seconds_total")
    /// Read from the writer when scraped (`sampleWriter`), so a hung batch shows while it hangs.
    private let writerQueued = Metrics.Gauge(label: "orderlog_writer_queued_jobs")
    private let writerBatchAge = Metrics.Gauge(label: "orderlog_writer_batch_seconds")
    /// Idempotent replies remembered (25 h): the store holds a 36–48-byte hint of each in memory.
    private let rememberedReplies = Metrics.Gauge(label: "orderlog_idempotency_remembered_replies")

    func request(route: String, method: String, status: Int, seconds: Double) {
        let key = Key(route: route, method: method, status: status)
        let (counter, timer) = counters.withLock { cache in
            if let cached = cache[key] { return cached }
            let dimensions = [("route", route), ("method", method), ("status", String(status))]
            let made = (Metrics.Counter(label: "http_requests_total", dimensions: dimensions),
                        Metrics.Timer(label: "http_request_duration_seconds", dimensions: dimensions))
            cache[key] = made
            return made
        }
        counter.increment()
        timer.recordNanoseconds(Int64(seconds * 1e9))
    }

    func rateLimited() { limited.increment() }

    func batch(_ statistics: BatchStatistics) {
        batchEvents.record(statistics.events)
        commitDuration.recordNanoseconds(Int64(statistics.commitSeconds * 1e9))
        appended.increment(by: statistics.events)
        writerBusy.increment(by: statistics.seconds)
    }

    func sampleWriter(_ load: WriterLoad, rememberedReplies remembered: Int) {
        writerQueued.record(load.queuedJobs)
        writerBatchAge.record(load.batchSeconds)
        rememberedReplies.record(remembered)
    }

    func writeFailed() { writeFailures.increment() }
}

/// The Prometheus registry behind `/metrics`, bootstrapped into swift-metrics once per process.
enum MetricsRegistry {
    static let shared: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets["http_request_duration_seconds"] = [
            .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(3),
        ]
        factory.durationHistogramBuckets["orderlog_commit_duration_seconds"] = [
            .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
            .milliseconds(100), .seconds(1),
        ]
        factory.valueHistogramBuckets["orderlog_append_batch_events"] = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000]
        MetricsSystem.bootstrap(factory)
        return registry
    }()
}
