#!/usr/bin/env bash
# make pgo-profile — regenerates Benchmarks/pgo/orderlog.profdata.xz, the execution profile every
# release build is optimized with (profile-guided optimization: LLVM lays out hot paths, weights
# branches and inlines by measured counts instead of guesses).
#
# It builds the release binaries instrumented (IR-level counters; a scratch directory of its own,
# a clean build of several minutes), runs them through a training workload, and merges what they
# counted. The workload is what a shop's server does: the realistic shopping mix over HTTP
# (browse, search, cart, order, pay, cancel), hot-sku orders plain and with an Idempotency-Key,
# `/health`, and in-process the writer (orders, appends), a rebuild, search and an audit
# (`orderlog-replay verify`). Profiles are matched to functions by name and a hash of their
# control flow: a function changed since the profile was taken is compiled as if there were none
# (silently), so regenerate after changing a hot path — the figures in the README were measured
# with the profile of their commit.
#
# Settings: SWIFT, TRAIN_SECONDS (HTTP load per phase, 20).
set -euo pipefail
SWIFT=${SWIFT:-swift}
TRAIN_SECONDS=${TRAIN_SECONDS:-20}
cd "$(dirname "$0")/.."
. Benchmarks/hot-sku.sh
need wrk wrk
need curl curl

TOOLCHAIN=$(dirname "$(readlink -f "$(command -v "$SWIFT")")")
PROFDATA=$TOOLCHAIN/llvm-profdata
RUNTIME=$(ls "$TOOLCHAIN"/../lib/clang/*/lib/linux/libclang_rt.profile-x86_64.a 2>/dev/null | head -n1)
[ -x "$PROFDATA" ] && [ -n "$RUNTIME" ] || { echo "the toolchain has no llvm-profdata or profile runtime" >&2; exit 1; }

# `-ir-profile-generate` reaches the frontend only through -Xfrontend (the driver drops it), and the
# link then needs the profile runtime named. (`-profile-generate`, the SIL-level kind, crashes
# 6.3.1's optimizer when its profile is used: ColdBlockInfo asserts on NIO's code.)
SCRATCH=.build/pgo-instrumented
INSTRUMENTED=(-c release --static-swift-stdlib --scratch-path "$SCRATCH"
    -Xswiftc -Xfrontend -Xswiftc -ir-profile-generate -Xlinker "$RUNTIME" -Xlinker -u__llvm_profile_runtime)
for product in orderlog-server orderlog-bench orderlog-replay; do
    "$SWIFT" build "${INSTRUMENTED[@]}" --product "$product" >&2
done
BIN=$("$SWIFT" build "${INSTRUMENTED[@]}" --show-bin-path)

WORK=$(mktemp -d /tmp/orderlog-pgo.XXXXXX)
SERVER_PID=""
cleanup() {
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
export LLVM_PROFILE_FILE="$WORK/profiles/%p.profraw"

echo "== the server: shopping mix, hot-sku orders (plain, keyed), /health" >&2
PORT=$(free_port)
URL="http://127.0.0.1:$PORT"
start_server "$WORK/server.log" 200 "$BIN/orderlog-server" --port "$PORT" --data "$WORK/data"
hot_sku 5 "$WORK/order.lua"
"$BIN/orderlog-bench" shopping --url "$URL" --duration "$TRAIN_SECONDS" --concurrency 64 >/dev/null
wrk -t2 -c128 -d"${TRAIN_SECONDS}s" -s "$WORK/order.lua" "$URL/v1/orders" >/dev/null
keyed_orders "$WORK/order.lua" "$WORK/keyed.lua"
wrk -t2 -c128 -d"$((TRAIN_SECONDS / 2))s" -s "$WORK/keyed.lua" "$URL/v1/orders" >/dev/null
wrk -t2 -c128 -d"$((TRAIN_SECONDS / 2))s" "$URL/health" >/dev/null
# A graceful stop: the profile is written when the process exits.
kill -TERM "$SERVER_PID"
wait "$SERVER_PID" || true
SERVER_PID=""

echo "== in process: orders, appends, a rebuild, search; an audit" >&2
"$BIN/orderlog-bench" commands --concurrency 256 --skus 1 --orders 100000 >/dev/null
"$BIN/orderlog-bench" commands --concurrency 256 --skus 1000 --orders 50000 >/dev/null
"$BIN/orderlog-bench" append --events 100000 --concurrency 256 >/dev/null
"$BIN/orderlog-bench" rebuild --events 200000 --keep "$WORK/rebuild" >/dev/null
"$BIN/orderlog-bench" search --products 10000 --queries 2000 >/dev/null
"$BIN/orderlog-replay" verify --data "$WORK/rebuild" >/dev/null

mkdir -p Benchmarks/pgo
# Not -sparse: a function the training never ran is then known to be cold (optimized for size and
# laid out apart from the hot code) rather than unknown; a sparse profile, a tenth of the size,
# saved ~1–2 % of an HTTP order's CPU where this one saves ~4–9 % (README, Performance).
"$PROFDATA" merge -o "$WORK/orderlog.profdata" "$WORK"/profiles/*.profraw
xz -9 -c "$WORK/orderlog.profdata" >Benchmarks/pgo/orderlog.profdata.xz
"$PROFDATA" show "$WORK/orderlog.profdata" | tail -n 5 >&2
echo "wrote Benchmarks/pgo/orderlog.profdata.xz ($(wc -c <Benchmarks/pgo/orderlog.profdata.xz) bytes)" >&2
