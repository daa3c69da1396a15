#if canImport(Glibc)
import Glibc
#endif

/// CPU seconds (user + system) all threads of this process have used so far.
///
/// Reported beside throughput as `cpuCores` (CPU seconds per wall second): a closed-loop run
/// (each caller waits for its answer before the next request) using well under the machine's
/// cores is bound by latency — how long each command waits — not by CPU, and making a step
/// cheaper helps it only if that step is on every command's path.
func processCPUSeconds() -> Double {
    #if canImport(Glibc)
    var usage = rusage()
    guard getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage) == 0 else { return .nan }
    let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
    let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    return user + system
    #else
    return .nan
    #endif
}
