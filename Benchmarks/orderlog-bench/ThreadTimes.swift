import Foundation

/// Where one thread's wall time went, from the kernel's scheduler statistics
/// (`/proc/self/task/<tid>/schedstat`: nanoseconds on a core, nanoseconds runnable but waiting
/// for one).
///
/// The writer is the serial step of every durable command, so its time says what a run was
/// bound by: on a core (deciding, staging — CPU per order is the figure to compare across runs
/// on a noisy machine), waiting for a core (other threads took them), or neither (blocked: the
/// commit's disk writes and flushes, or nothing queued). `writerBusy` and `writerCommitShare`
/// are the writer's own clock and cannot tell these apart.
struct ThreadTimes {
    /// The name the EventStore's writer gives its thread (`Writer.start`).
    static let writerName = "ol-writer"

    struct Times {
        var onCPU: UInt64 = 0
        var waiting: UInt64 = 0
    }

    /// By thread id, with the thread's name.
    private var threads: [Int: (name: String, times: Times)] = [:]

    /// Every thread of this process now; empty where `/proc` is not there.
    static func sample() -> ThreadTimes {
        var sample = ThreadTimes()
        let tasks = "/proc/self/task"
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: tasks)) ?? [] {
            guard let tid = Int(entry),
                  let name = try? String(contentsOfFile: "\(tasks)/\(entry)/comm", encoding: .utf8),
                  let stat = try? String(contentsOfFile: "\(tasks)/\(entry)/schedstat", encoding: .utf8)
            else { continue }
            let fields = stat.split(separator: " ").compactMap { UInt64($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            guard fields.count >= 2 else { continue }
            sample.threads[tid] = (name.trimmingCharacters(in: .whitespacesAndNewlines), Times(onCPU: fields[0], waiting: fields[1]))
        }
        return sample
    }

    /// Each thread's times since `earlier`, summed by name (a thread born since counts whole).
    func byName(since earlier: ThreadTimes) -> [String: Times] {
        var sums: [String: Times] = [:]
        for (tid, thread) in threads {
            let before = earlier.threads[tid]?.times ?? Times()
            // A thread id reused by a newer thread may show less than before: count nothing then.
            sums[thread.name, default: Times()].onCPU += thread.times.onCPU - min(before.onCPU, thread.times.onCPU)
            sums[thread.name, default: Times()].waiting += thread.times.waiting - min(before.waiting, thread.times.waiting)
        }
        return sums
    }

    /// The report's figures for the writer thread (`writerName`) over `seconds` of wall time and
    /// `units` (orders, events): its CPU per unit, the shares of the wall time it spent on a core
    /// and waiting for one, and every other thread's CPU per unit. Empty without `/proc`.
    static func writerFigures(from start: ThreadTimes, to end: ThreadTimes, seconds: Double, units: Double, unit: String) -> [(String, Double)] {
        let names = end.byName(since: start)
        guard let writer = names[writerName], seconds > 0, units > 0 else { return [] }
        let others = names.filter { $0.key != writerName }.values.reduce(UInt64(0)) { $0 + $1.onCPU }
        let wall = seconds * 1e9
        return [("writerCpuUsPer\(unit)", Double(writer.onCPU) / 1e3 / units),
                ("writerOnCpu", Double(writer.onCPU) / wall),
                ("writerWaitingForCpu", Double(writer.waiting) / wall),
                ("otherCpuUsPer\(unit)", Double(others) / 1e3 / units)]
    }
}
