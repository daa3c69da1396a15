import CLMDB
import Foundation

/// Measures this disk in the same run as a benchmark, so results compare as ratios on a noisy,
/// shared machine.
enum DiskProbe {
    /// Median latency of writing 4 KiB and fsyncing it, in milliseconds.
    static func fsyncMilliseconds(in directory: String, samples: Int = 200) -> Double {
        let path = directory + "/fsync-probe"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { return .nan }
        defer {
            close(fd)
            unlink(path)
        }
        let block = [UInt8](repeating: 0xAB, count: 4096)
        var durations: [Double] = []
        for i in 0..<samples {
            let start = now()
            _ = block.withUnsafeBytes { pwrite(fd, $0.baseAddress, 4096, off_t(i % 16) * 4096) }
            fsync(fd)
            durations.append(Double(now() - start) / 1e6)
        }
        durations.sort()
        return durations[durations.count / 2]
    }

    /// Durable LMDB appends straight through the C API: `count` values of `valueSize` bytes,
    /// `batch` per committed transaction, keys in order (MDB_APPEND). Events per second.
    ///
    /// `prezeroed`: the data file is first grown with zeros (written and flushed before the
    /// clock starts) past what the loop will write — the raw counterpart of the store's log
    /// headroom (`EventStore.Configuration.logHeadroomBytes`), so the two compare like for like.
    static func rawLMDBThroughput(in directory: String, count: Int, valueSize: Int, batch: Int, prezeroed: Bool = false) -> Double {
        var env: OpaquePointer?
        guard mdb_env_create(&env) == MDB_SUCCESS, let env else { return .nan }
        defer { mdb_env_close(env) }
        mdb_env_set_mapsize(env, 8 << 30)
        mkdir(directory, 0o750)
        guard mdb_env_open(env, directory, UInt32(MDB_NOTLS), 0o640) == MDB_SUCCESS else { return .nan }
        if prezeroed {
            // Leaf pages hold ~4 KiB each of 16 bytes of overhead per value; a fifth more for branches.
            guard zeroFill(directory + "/data.mdb", bytes: count * (valueSize + 16) * 6 / 5 + (1 << 20)) else { return .nan }
        }
        var value = [UInt8](repeating: UInt8(ascii: "x"), count: valueSize)
        let start = now()
        var key: UInt64 = 0
        var written = 0
        while written < count {
            var txn: OpaquePointer?
            guard mdb_txn_begin(env, nil, 0, &txn) == MDB_SUCCESS, let txn else { return .nan }
            var dbi = MDB_dbi()
            mdb_dbi_open(txn, nil, 0, &dbi)
            for _ in 0..<min(batch, count - written) {
                key += 1
                var bigEndian = key.bigEndian
                withUnsafeMutableBytes(of: &bigEndian) { k in
                    value.withUnsafeMutableBytes { v in
                        var kv = MDB_val(mv_size: 8, mv_data: k.baseAddress)
                        var vv = MDB_val(mv_size: valueSize, mv_data: v.baseAddress)
                        _ = mdb_put(txn, dbi, &kv, &vv, UInt32(MDB_APPEND))
                    }
                }
                written += 1
            }
            guard mdb_txn_commit(txn) == MDB_SUCCESS else { return .nan }
        }
        return Double(count) / (Double(now() - start) / 1e9)
    }

    /// Appends `bytes` of zeros to `path` and flushes them.
    private static func zeroFill(_ path: String, bytes: Int) -> Bool {
        let fd = open(path, O_WRONLY)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let end = lseek(fd, 0, SEEK_END)
        let block = [UInt8](repeating: 0, count: 1 << 20)
        var offset = 0
        while offset < bytes {
            let written = block.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, end + off_t(offset)) }
            guard written > 0 else { return false }
            offset += written
        }
        return fsync(fd) == 0
    }

    /// One durable single-event LMDB commit, median milliseconds.
    static func rawCommitMilliseconds(in directory: String, samples: Int = 200, valueSize: Int) -> Double {
        var env: OpaquePointer?
        guard mdb_env_create(&env) == MDB_SUCCESS, let env else { return .nan }
        defer { mdb_env_close(env) }
        mdb_env_set_mapsize(env, 1 << 30)
        mkdir(directory, 0o750)
        guard mdb_env_open(env, directory, UInt32(MDB_NOTLS), 0o640) == MDB_SUCCESS else { return .nan }
        var value = [UInt8](repeating: UInt8(ascii: "x"), count: valueSize)
        var durations: [Double] = []
        for i in 0..<samples {
            let start = now()
            var txn: OpaquePointer?
            guard mdb_txn_begin(env, nil, 0, &txn) == MDB_SUCCESS, let txn else { return .nan }
            var dbi = MDB_dbi()
            mdb_dbi_open(txn, nil, 0, &dbi)
            var bigEndian = UInt64(i + 1).bigEndian
            withUnsafeMutableBytes(of: &bigEndian) { k in
                value.withUnsafeMutableBytes { v in
                    var kv = MDB_val(mv_size: 8, mv_data: k.baseAddress)
                    var vv = MDB_val(mv_size: valueSize, mv_data: v.baseAddress)
                    _ = mdb_put(txn, dbi, &kv, &vv, UInt32(MDB_APPEND))
                }
            }
            guard mdb_txn_commit(txn) == MDB_SUCCESS else { return .nan }
            durations.append(Double(now() - start) / 1e6)
        }
        durations.sort()
        return durations[durations.count / 2]
    }
}
