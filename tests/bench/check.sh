#!/bin/sh
# Checking benchmark: `recruitwatch check` over a generated feed of N postings (default
# 100,000) next to a parse-only pass over the same feed in the same run, so that the cost of
# the rulebook is read against the cost of parsing. Target: checking costs no more than twice
# parsing. usage: tests/bench/check.sh [ITEMS]
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
items=${1:-100000}
./packaging/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j2 --target recruitwatch >/dev/null
export RECRUITWATCH_DATA="$top/rules/data" RECRUITWATCH_RULES="$top/rules"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 tests/bench/gen_corpus.py --items "$items" >"$work/feed.xml"

run() { # label command...
	label=$1
	shift
	start=$(date +%s.%N)
	"$@" >"$work/out" 2>"$work/err" || [ $? -eq 1 ] || { tail -3 "$work/err" >&2; exit 1; }
	end=$(date +%s.%N)
	secs=$(echo "$end - $start" | bc -l)
	printf '%-40s %8.2f s %10.0f documents/s\n' "$label" "$secs" "$(echo "$items / $secs" | bc -l)" >&2
	echo "$secs"
}

rules=$(build/daemon/recruitwatch rules list | grep -c '^[A-Z]')
printf 'corpus: %d postings, %.1f MB; rulebook: %d rules\n' "$items" \
	"$(echo "$(stat -c %s "$work/feed.xml") / 1048576" | bc -l)" "$rules"
p=$(run "parse only (baseline)" build/daemon/recruitwatch parse --max-size 2000000000 "$work/feed.xml")
c=$(run "check --format json" build/daemon/recruitwatch check --format json "$work/feed.xml")
flagged=$(grep -c '"rule"' "$work/out" || true)
printf 'documents with findings: %d\n' "$flagged"
printf 'check / parse time: %.2f (target <= 2.00)\n' "$(echo "$c / $p" | bc -l)"
