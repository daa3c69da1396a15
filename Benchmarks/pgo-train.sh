#!/usr/bin/env bash
# make pgo-profile — regenerates Benchmarks/pgo/orderlog.profdata.xz, the execution profile every
# release build is optimized with (profile-guided optimization: LLVM lays out hot paths, weights
# branches and inlines by measured counts instead of guesses).
#
# Two rounds, each a build of the three release binaries instrumented (a scratch directory of its
# own, a clean build) run through the same training workload:
#
# 1. IR-level counters, placed before inlining: what the compiler of each module uses.
# 2. Context-sensitive counters (CSPGO), placed at the link after full LTO has inlined across
#    modules, in a build that already uses round 1's profile: a function inlined into two callers
#    gets a count for each copy, not one shared by both. The compile must know of them too
#    (`-cs-profile-generate` marks the module's profile as context-sensitive; with the link's
#    `--lto-cs-profile-generate` alone the raw profile is written as a front-end one, which the
#    link's `--lto-cs-profile-file` then ignores without a word).
#
# Both rounds are merged into the one file: the compile reads round 1's records from it and the
# link (the Makefile's `RELEASE`) round 2's.
#
# The workload is what a shop's server does: the realistic shopping mix over HTTP (browse, search,
# cart, order, pay, cancel), hot-sku orders plain and with an Idempotency-Key, `/health`, and
# in-process the writer (orders, appends), a rebuild, search and an audit (`orderlog-replay
# verify`). Profiles are matched to functions by name and a hash of their control flow: a function
# changed since the profile was taken is compiled as if there were none (silently), so regenerate
# after changing a hot path — the figures in the README were measured with the profile of their
# commit.
#
# Round 2 is worth 0 to ~1.6 % of an HTTP order's server CPU (README, Performance) and takes ~30 of the
# ~45 minutes: CONTEXT_SENSITIVE=0 leaves it out (the link then finds no such counts and uses none).
#
# Settings: SWIFT, TRAIN_SECONDS (HTTP load per phase, 20), FIRST_ROUND (a profile of round 1
# made before, without context-sensitive records: only round 2 is run), CONTEXT_SENSITIVE (1).
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

WORK=$(mktemp -d /tmp/orderlog-pgo.XXXXXX)
SERVER_PID=""
cleanup() {
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

# build_instrumented SCRATCH FLAGS...: builds the three release binaries with FLAGS and the profile
# runtime (which the link must be told of), prints where they are.
build_instrumented() {
    local scratch=$1
    shift
    local flags=(-c release --static-swift-stdlib --scratch-path "$scratch" "$@" -Xlinker "$RUNTIME" -Xlinker -u__llvm_profile_runtime)
    for product in orderlog-server orderlog-bench orderlog-replay; do
        "$SWIFT" build "${flags[@]}" --product "$product" >&2
    done
    "$SWIFT" build "${flags[@]}" --show-bin-path
}

# train BIN OUT: the workload, run by the instrumented binaries in BIN; their raw profiles go to OUT.
train() {
    local bin=$1
    export LLVM_PROFILE_FILE="$2/%p.profraw"
    echo "== the server: shopping mix, hot-sku orders (plain, keyed), /health" >&2
    PORT=$(free_port)
    URL="http://127.0.0.1:$PORT"
    rm -rf "$WORK/data" "$WORK/rebuild"
    start_server "$WORK/server.log" 200 "$bin/orderlog-server" --port "$PORT" --data "$WORK/data"
    hot_sku 5 "$WORK/order.lua"
    "$bin/orderlog-bench" shopping --url "$URL" --duration "$TRAIN_SECONDS" --concurrency 64 >/dev/null
    wrk -t2 -c128 -d"${TRAIN_SECONDS}s" -s "$WORK/order.lua" "$URL/v1/orders" >/dev/null
    keyed_orders "$WORK/order.lua" "$WORK/keyed.lua"
    wrk -t2 -c128 -d"$((TRAIN_SECONDS / 2))s" -s "$WORK/keyed.lua" "$URL/v1/orders" >/dev/null
    wrk -t2 -c128 -d"$((TRAIN_SECONDS / 2))s" "$URL/health" >/dev/null
    # A graceful stop: the profile is written when the process exits.
    kill -TERM "$SERVER_PID"
    wait "$SERVER_PID" || true
    SERVER_PID=""

    echo "== in process: orders, appends, a rebuild, search; an audit" >&2
    "$bin/orderlog-bench" commands --concurrency 256 --skus 1 --orders 100000 >/dev/null
    "$bin/orderlog-bench" commands --concurrency 256 --skus 1000 --orders 50000 >/dev/null
    "$bin/orderlog-bench" append --events 100000 --concurrency 256 >/dev/null
    "$bin/orderlog-bench" rebuild --events 200000 --keep "$WORK/rebuild" >/dev/null
    "$bin/orderlog-bench" search --products 10000 --queries 2000 >/dev/null
    "$bin/orderlog-replay" verify --data "$WORK/rebuild" >/dev/null
    unset LLVM_PROFILE_FILE
}

# Not -sparse: a function the training never ran is then known to be cold (optimized for size and
# laid out apart from the hot code) rather than unknown; a sparse profile, a tenth of the size,
# saved ~1–2 % of an HTTP order's CPU where this one saves ~4–9 % (README, Performance).
if [ -n "${FIRST_ROUND:-}" ]; then
    "$PROFDATA" show --showcs "$FIRST_ROUND" | grep -q '^Total functions: 0$' ||
        { echo "$FIRST_ROUND already holds context-sensitive records: give a round-1 profile" >&2; exit 1; }
    cp "$FIRST_ROUND" "$WORK/first.profdata"
else
    echo "== round 1: IR-level counters" >&2
    # `-ir-profile-generate` reaches the frontend only through -Xfrontend (the driver drops it).
    # (`-profile-generate`, the SIL-level kind, crashes 6.3.1's optimizer when its profile is used:
    # ColdBlockInfo asserts on NIO's code.)
    BIN=$(build_instrumented .build/pgo-instrumented -Xswiftc -Xfrontend -Xswiftc -ir-profile-generate)
    train "$BIN" "$WORK/first"
    "$PROFDATA" merge -o "$WORK/first.profdata" "$WORK"/first/*.profraw
fi

if [ "${CONTEXT_SENSITIVE:-1}" = 0 ]; then
    cp "$WORK/first.profdata" "$WORK/orderlog.profdata"
else
    echo "== round 2: context-sensitive counters at the full-LTO link" >&2
    BIN=$(build_instrumented .build/pgo-cs-instrumented --experimental-lto-mode=full \
        -Xswiftc -Xfrontend -Xswiftc -ir-profile-use="$WORK/first.profdata" -Xswiftc -Xfrontend -Xswiftc -cs-profile-generate \
        -Xlinker --lto-cs-profile-generate)
    train "$BIN" "$WORK/second"
    "$PROFDATA" merge -o "$WORK/orderlog.profdata" "$WORK/first.profdata" "$WORK"/second/*.profraw
fi

mkdir -p Benchmarks/pgo
xz -9 -c "$WORK/orderlog.profdata" >Benchmarks/pgo/orderlog.profdata.xz
"$PROFDATA" show "$WORK/orderlog.profdata" | tail -n 5 >&2
"$PROFDATA" show --showcs "$WORK/orderlog.profdata" | sed -n 2p | sed 's/^/context-sensitive: /' >&2
echo "wrote Benchmarks/pgo/orderlog.profdata.xz ($(wc -c <Benchmarks/pgo/orderlog.profdata.xz) bytes)" >&2
