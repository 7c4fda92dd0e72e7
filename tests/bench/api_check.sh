#!/bin/sh
# HTTP API benchmark: POST /v1/check with an employer token, N requests with CONCURRENCY in
# flight from a second process (rw_loadgen, libcurl multi) over loopback, next to the same
# load on GET /healthz in the same run, so that the cost of checking is read against the
# server's own overhead. Plain HTTP on 127.0.0.1 (bench only); nothing is asserted.
# usage: tests/bench/api_check.sh [N] [CONCURRENCY]    (build dir: $RW_BUILD, default build-bench)
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
n=${1:-5000}
conc=${2:-16}
build=${RW_BUILD:-build-bench}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j2 --target recruitwatch recruitwatchd rw_loadgen >/dev/null
export RECRUITWATCH_DATA="$top/rules/data" RECRUITWATCH_RULES="$top/rules"
work=$(mktemp -d)
pid=""
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$work/rwd.conf" <<CONF
# API benchmark: no feeds, the API on plain HTTP on loopback
[daemon]
state-directory = $work/state

[api]
listen = 127.0.0.1:$port
plain-http = yes
max-connections = $((conc + 16))
CONF
mkdir -p "$work/state"
token=$("$build/daemon/recruitwatch" tokens add --role employer --name bench --state "$work/state")
"$build/daemon/recruitwatchd" -c "$work/rwd.conf" 2>"$work/daemon.log" &
pid=$!
i=0
until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; do
	i=$((i + 1))
	if [ $i -gt 100 ] || ! kill -0 "$pid" 2>/dev/null; then
		echo "the daemon did not start:" >&2
		tail -5 "$work/daemon.log" >&2
		exit 1
	fi
	sleep 0.1
done

sample=packaging/examples/feeds/harbourline-rss.xml
docs=$(curl -s -H "Authorization: Bearer $token" -H 'Content-Type: application/rss+xml' \
	--data-binary "@$sample" "http://127.0.0.1:$port/v1/check" |
	python3 -c 'import json,sys; r=json.load(sys.stdin); print(len(r["documents"]), sum(len(d["findings"]) for d in r["documents"]))')
printf 'sample: %s (%d bytes; %s documents, %s findings per check)\n' "$sample" \
	"$(stat -c %s "$sample")" "${docs% *}" "${docs#* }"
printf 'load: %d requests per endpoint, %d in flight, rw_loadgen over 127.0.0.1\n' "$n" "$conc"
lg="$build/tests/rw_loadgen"
# Warm-up, then the baseline and the check; a failed request is reported, not fatal.
"$lg" -n 200 -c "$conc" -l warmup "http://127.0.0.1:$port/healthz" >/dev/null || true
"$lg" -n "$n" -c "$conc" -l healthz "http://127.0.0.1:$port/healthz" || true
"$lg" -n "$n" -c "$conc" -l check -H "Authorization: Bearer $token" \
	-H 'Content-Type: application/rss+xml' -d "@$sample" "http://127.0.0.1:$port/v1/check" || true
if curl -s "http://127.0.0.1:$port/healthz" >/dev/null; then :; else
	echo "the daemon stopped answering" >&2
	exit 1
fi
