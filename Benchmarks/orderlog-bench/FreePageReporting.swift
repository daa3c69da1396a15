import Foundation

/// Whether this machine, a virtual one, hands the memory it frees back to its host
/// (virtio-balloon free page reporting, `VIRTIO_BALLOON_F_REPORTING`), printed beside every
/// result because it moves them more than most code changes do.
///
/// With reporting on, the guest kernel tells the host about each free 2 MiB block and the host
/// discards it; the next write to such a page — a page-cache page of a growing LMDB file, a
/// fresh heap page — stops the virtual CPU while the host faults it back in. On the VM of
/// 2026-11-28 a new 1 GiB file was written at 323–529 MB/s into such memory and at 3.7–5.1 GB/s
/// into touched memory, and in one alternated pair (reporting off, then on) appends ran at
/// 112k / 65k events/s, in-process orders at 38.7k / 26.5k, HTTP orders at 13.0k / 10.0k: every
/// benchmark starts from an empty directory and grows its files (README, Performance).
enum FreePageReporting {
    /// `on`, `off` (a balloon device whose driver does not report, or is unbound), or `none`
    /// (no balloon device: bare metal, or a VM without one).
    static var state: String {
        let devices = "/sys/bus/virtio/devices"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: devices)) ?? []
        var sawBalloon = false
        for name in names.sorted() {
            let path = devices + "/" + name
            // virtio device id 5 is the memory balloon.
            guard read(path + "/device") == "0x0005" else { continue }
            sawBalloon = true
            // `driver` is there only while a driver is bound; `features` lists the negotiated
            // feature bits as '0'/'1' characters, bit 0 first.
            guard FileManager.default.fileExists(atPath: path + "/driver"), let features = read(path + "/features") else { continue }
            let bits = Array(features.utf8)
            if bits.count > reportingBit, bits[reportingBit] == UInt8(ascii: "1") { return "on" }
        }
        return sawBalloon ? "off" : "none"
    }

    /// `VIRTIO_BALLOON_F_REPORTING` (virtio 1.2, 5.5.3).
    private static let reportingBit = 5

    private static func read(_ path: String) -> String? {
        (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
