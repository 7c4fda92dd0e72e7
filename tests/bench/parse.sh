#!/bin/sh
# Parsing benchmark: a generated RSS feed of N items (default 100,000, about 160 MB) through
# `recruitwatch parse`, which streams item by item, next to a whole-tree parse of the same file
# by xmllint as the baseline, in the same run. Prints items/s and peak RSS for both.
# usage: tests/bench/parse.sh [ITEMS]   (builds into build/ if needed)
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
items=${1:-100000}
./packaging/deps.sh
[ -x build/daemon/recruitwatch ] || { cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null && cmake --build build -j2 >/dev/null; }
export RECRUITWATCH_DATA="$top/rules/data"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
feed="$work/feed.xml"
python3 tests/bench/gen_corpus.py --items "$items" >"$feed"
bytes=$(stat -c %s "$feed")

measure() { # label command...
	label=$1
	shift
	/usr/bin/time -f "%e %M" -o "$work/time" "$@" >"$work/out" 2>"$work/err" || {
		echo "$label failed:" >&2
		tail -3 "$work/err" >&2
		exit 1
	}
	read -r secs kb <"$work/time"
	printf '%-34s %8.2f s %10.0f items/s %8.1f MB peak RSS\n' "$label" "$secs" \
		"$(echo "$items / ($secs + 0.0001)" | bc -l)" "$(echo "$kb / 1024" | bc -l)"
}

printf 'feed: %d items, %.1f MB\n' "$items" "$(echo "$bytes / 1048576" | bc -l)"
measure "baseline: xmllint whole tree" xmllint --noout --huge "$feed"
measure "recruitwatch parse (streaming)" build/daemon/recruitwatch parse --max-size 2000000000 "$feed"
docs=$(grep -c '<posting ' "$work/out")
echo "documents out: $docs"
[ "$docs" -eq "$items" ] || { echo "expected $items documents" >&2; exit 1; }
