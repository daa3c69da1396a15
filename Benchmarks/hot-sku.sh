# Sourced by Benchmarks/compare.sh, count-instructions.sh and pgo-train.sh: what each needs to put a
# server under hot-sku orders — tools from Debian, a free port, a server started with the
# benchmark settings, and the hot sku with its buyer and wrk script.

need() { # need COMMAND PACKAGE: install PACKAGE from Debian when COMMAND is missing.
    command -v "$1" >/dev/null 2>&1 && return
    echo "installing $2" >&2
    apt-get install -y -qq "$2" >/dev/null || (apt-get update -qq && apt-get install -y -qq "$2" >/dev/null)
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
json_field() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

ADMIN_PASSWORD=bench-admin-password
PAYMENT_SECRET=bench-payment-secret

# start_server LOG TRIES COMMAND...: runs COMMAND (the server, or a wrapper around it, with its
# --port and --data) in the background with the benchmark settings — no rate limit, cheap
# password hashing, logs at warning — sets SERVER_PID, and waits up to TRIES × 0.2 s for /health.
start_server() {
    local log=$1 tries=$2
    shift 2
    ORDERLOG_RATE_LIMIT=0 ORDERLOG_ADMIN_PASSWORD=$ADMIN_PASSWORD ORDERLOG_PAYMENT_SECRET=$PAYMENT_SECRET \
    ORDERLOG_PBKDF2_ITERATIONS=1000 ORDERLOG_MASTER_KEY=$(printf 'ab%.0s' {1..32}) LOG_LEVEL=warning \
        "$@" 2>"$log" &
    SERVER_PID=$!
    for _ in $(seq "$tries"); do curl -sf "$URL/health" >/dev/null && return; sleep 0.2; done
    cat "$log" >&2
    exit 1
}

post() { curl -sf -X POST -H 'Content-Type: application/json' ${3:+-H "Authorization: Bearer $3"} -d "$2" "$URL$1"; }

# hot_sku RESTOCKS LUA: the product HOT with its one sku HOT-1, restocked RESTOCKS times by a
# million units; a buyer; and LUA, the wrk script of one buyer ordering one unit of it again and
# again (the order of `make bench-compare`).
hot_sku() {
    local admin buyer
    admin=$(post /v1/auth/login "{\"username\":\"admin\",\"password\":\"$ADMIN_PASSWORD\"}" | json_field token)
    post /v1/admin/products '{"productId":"HOT","title":"秒杀 爆款手机","category":"秒杀","skus":[{"skuId":"HOT-1","specs":{"版本":"限量"},"priceCents":99900}]}' "$admin" >/dev/null
    for _ in $(seq "$1"); do post /v1/admin/skus/HOT-1/restock '{"quantity":1000000}' "$admin" >/dev/null; done
    buyer=$(post /v1/auth/register '{"username":"hot_buyer","password":"hot-buyer-password"}' | json_field token)
    cat >"$2" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $buyer"
wrk.body = '{"items":[{"skuId":"HOT-1","quantity":1}],"address":{"name":"张三","phone":"13800138000","line1":"建国路88号","city":"北京"}}'
LUA
}

# keyed_orders LUA OUT: OUT, the wrk script LUA with a fresh Idempotency-Key on every order. A
# client that retries safely sends one with every order, made at random (a UUID): random keys are
# what a store keyed by them would scatter. Each key here starts with 24 random hex digits and
# ends with the thread and a counter, so it is surely fresh and every request must make exactly
# one order.
keyed_orders() {
    cat >"$2" <<EOF
$(cat "$1")
local threads = {}
local counter = 0
local hex = "0123456789abcdef"
function setup(thread) thread:set("tid", #threads + 1); table.insert(threads, thread) end
function init(args) math.randomseed(os.time() * 1000 + tid * 7919 + math.floor(os.clock() * 1e6)) end
function request()
  counter = counter + 1
  local digits = {}
  for i = 1, 24 do local r = math.random(1, 16); digits[i] = hex:sub(r, r) end
  wrk.headers["Idempotency-Key"] = table.concat(digits) .. "-" .. tid .. "-" .. counter
  return wrk.format()
end
EOF
}
