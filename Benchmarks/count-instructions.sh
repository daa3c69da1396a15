#!/usr/bin/env bash
# make bench-count — instructions per hot-sku order, per server thread, under callgrind.
#
# Throughput on a shared VM moves ±20 % within minutes, so a change worth a few per cent cannot be
# seen in orders/s. Instructions can: valgrind's callgrind counts them, the same for the same
# work whatever the machine is doing. This starts the release server under callgrind with
# counting off, warms it up with wrk (the first requests pay one-off runtime costs), counts
# DURATION seconds of hot-sku orders (the order of `make bench-compare`, at C = 16), then as long
# of `GET /health` (the ceiling `make bench-compare` divides by), and prints each thread's
# instructions and reference-count calls divided by the orders placed, and by the /health
# requests answered. The last line is what an order costs in /health requests: when the server is
# CPU-bound, orders/s ÷ /health/s tends to its inverse, so it is a noise-free proxy for the
# "≥ 0.4 × /health" goal (which needs an order to cost at most 2.5 /health requests; `wrk` shares
# the cores in `make bench-compare`, which this proxy leaves out).
#
# Caveats (Benchmarks/JOURNAL.md, the session of 2026-11-28 from 06:46 UTC): valgrind runs one
# thread at a time, so batches are smaller than on two cores and per-batch costs weigh more;
# OpenSSL sees no SHA extensions under valgrind, so SHA-256 counts ~30 instructions a byte; and
# runs of one binary differ by ~2–3 % on a thread as the batches form differently. Compare two
# builds by running this for each, alternately.
#
# Settings: DURATION counted seconds (40), WARMUP seconds (15), BIN a server binary to count
# instead of building one, KEEP=1 keeps the work directory (callgrind's files, for
# callgrind_annotate).
set -euo pipefail

DURATION=${DURATION:-40}
WARMUP=${WARMUP:-15}
SWIFT=${SWIFT:-swift}
cd "$(dirname "$0")/.."

. Benchmarks/hot-sku.sh
need valgrind valgrind
need wrk wrk
need curl curl

if [ -z "${BIN:-}" ]; then
    RELEASE=${RELEASE:-$(make -s --no-print-directory release-flags)}
    $SWIFT build $RELEASE --product orderlog-server >&2
    BIN="$($SWIFT build $RELEASE --show-bin-path)/orderlog-server"
fi

WORK=$(mktemp -d /tmp/orderlog-count.XXXXXX)
SERVER_PID=""
cleanup() {
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
    if [ "${KEEP:-0}" = 1 ]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# Valgrind 3.19 cannot read the DWARF 5 that Swift 6 writes, and gives up on a binary with it;
# the symbol table is all callgrind needs.
strip --strip-debug -o "$WORK/orderlog-server" "$BIN"

PORT=$(free_port)
URL="http://127.0.0.1:$PORT"
start_server "$WORK/server.log" 600 \
    valgrind --tool=callgrind --separate-threads=yes --instr-atstart=no --callgrind-out-file="$WORK/callgrind.%p" \
    "$WORK/orderlog-server" --port "$PORT" --data "$WORK/data"
hot_sku 5 "$WORK/order.lua"

echo "== warm-up: wrk -t1 -c16 -d${WARMUP}s, not counted" >&2
wrk -t1 -c16 -d"${WARMUP}s" -s "$WORK/order.lua" "$URL/v1/orders" >/dev/null
echo "== counted: wrk -t1 -c16 -d${DURATION}s" >&2
callgrind_control -i on "$SERVER_PID" >/dev/null 2>&1
wrk -t1 -c16 -d"${DURATION}s" -s "$WORK/order.lua" "$URL/v1/orders" >"$WORK/wrk.txt"
callgrind_control -i off "$SERVER_PID" >/dev/null 2>&1
ORDERS=$(awk '/requests in/ {print $1}' "$WORK/wrk.txt")
# A dump writes what was counted so far (callgrind.PID.1-THREAD) and zeroes the counters, so the
# files written at exit hold the /health requests alone.
callgrind_control -d orders "$SERVER_PID" >/dev/null 2>&1
echo "== counted: wrk -t1 -c16 -d${DURATION}s /health" >&2
callgrind_control -i on "$SERVER_PID" >/dev/null 2>&1
wrk -t1 -c16 -d"${DURATION}s" "$URL/health" >"$WORK/wrk-health.txt"
callgrind_control -i off "$SERVER_PID" >/dev/null 2>&1
HEALTH=$(awk '/requests in/ {print $1}' "$WORK/wrk-health.txt")
# The threads' names in creation order, which is how valgrind numbers them (a best guess: it
# reuses the number of a thread that ended, and the concurrency pool's threads come and go).
NAMES=$(for task in /proc/$SERVER_PID/task/*; do echo "$(basename "$task") $(cat "$task/comm")"; done | sort -n | awk '{print $2}' |
    sed -e 's/.*default-qos$/Swift concurrency pool/' -e 's/.*overcommit$/dispatch (timers)/' -e 's/^NIO-SGLTN.*/NIO event loop/' \
        -e 's/^ol-writer$/EventStore writer/' -e 's/^ol-readmodels.*/read-model writer/')
SERVER_PID_COUNTED=$SERVER_PID
kill "$SERVER_PID"
wait "$SERVER_PID" 2>/dev/null || true
SERVER_PID=""

echo "orders placed while counting: $ORDERS ($(awk '/^Requests\/sec:/ {print $2}' "$WORK/wrk.txt")/s under valgrind);" \
    "/health requests: $HEALTH ($(awk '/^Requests\/sec:/ {print $2}' "$WORK/wrk-health.txt")/s)"
# Reference-count calls: swift_retain/release and their bridgeObject and _n forms, called from
# code that is not one of them. Each is an atomic operation on memory other threads touch too —
# cheap in instructions, dear in time (perf: a quarter of the writer's samples, 2026-11-28).
refcounts() {
    awk '
        function name(s,   id) {
            if (match(s, /^\([0-9]+\)/)) {
                id = substr(s, 2, RLENGTH - 2)
                if (length(s) > RLENGTH) names[id] = substr(s, RLENGTH + 2)
                return names[id]
            }
            return s
        }
        function counting(f) { return f ~ /^swift_(bridgeObjectR|r)(etain|elease)(_n)?$/ }
        /^fn=/ { caller = name(substr($0, 4)) }
        /^cfn=/ { callee = name(substr($0, 5)) }
        /^calls=/ { if (counting(callee) && !counting(caller)) { split(substr($0, 7), a, " "); total += a[1] } }
        END { print total + 0 }' "$1"
}
# A thread's instructions in FILE; nothing when the thread wrote no such file (it ended, or began later).
instructions() { if [ -f "$1" ]; then awk '/^totals:/ {print $2}' "$1"; fi; }
echo "| thread (by creation order) | instructions an order | reference-count calls an order | instructions a /health |"
echo "|---|---:|---:|---:|"
total=0
total_refcounts=0
total_health=0
# Each thread's files: callgrind.PID.1-NN (the orders, dumped) and callgrind.PID-NN (at exit: the
# /health requests); a thread may have only one of them.
for thread in $(ls "$WORK" | sed -n "s/^callgrind\.$SERVER_PID_COUNTED\(\.1\)\{0,1\}-\([0-9]*\)$/\2/p" | sort -u); do
    orders_file="$WORK/callgrind.$SERVER_PID_COUNTED.1-$thread"
    count=$(instructions "$orders_file")
    health=$(instructions "$WORK/callgrind.$SERVER_PID_COUNTED-$thread")
    per=$((${count:-0} / ORDERS))
    health=$((${health:-0} / HEALTH))
    [ "$per" = 0 ] && [ "$health" = 0 ] && continue
    refs=0
    [ -f "$orders_file" ] && refs=$(($(refcounts "$orders_file") / ORDERS))
    index=$((10#$thread))
    name=$(echo "$NAMES" | sed -n "${index}p")
    total=$((total + per))
    total_health=$((total_health + health))
    total_refcounts=$((total_refcounts + refs))
    echo "| $index: ${name:-?} | $per | $refs | $health |"
done
echo "| **all** | **$total** | **$total_refcounts** | **$total_health** |"
awk -v o="$total" -v h="$total_health" 'BEGIN { if (h > 0) printf "an order costs %.2f /health requests (the 0.4 × goal needs ≤ 2.50)\n", o / h }'
