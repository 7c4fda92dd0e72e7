#!/bin/sh
# Streaming through the real program: the first documents are printed while the feed is still
# arriving (the writer holds back the second half until it sees them), and every item arrives.
. "$(dirname "$0")/lib.inc"

python3 "$RW_SRC/tests/bench/gen_corpus.py" --items 2000 --seed 7 >"$TMP/feed.xml"
size=$(stat -c %s "$TMP/feed.xml")
half=$((size / 2))
mkfifo "$TMP/pipe"
"$RW" parse - <"$TMP/pipe" >"$TMP/out" 2>"$TMP/err" &
reader=$!
{
	head -c "$half" "$TMP/feed.xml"
	# Hold the rest back until the reader has printed documents, for at most 60 s.
	i=0
	while [ $i -lt 600 ] && ! grep -q '<posting ' "$TMP/out" 2>/dev/null; do
		sleep 0.1
		i=$((i + 1))
	done
	if grep -q '<posting ' "$TMP/out"; then echo streamed >"$TMP/verdict"; else echo buffered >"$TMP/verdict"; fi
	tail -c +"$((half + 1))" "$TMP/feed.xml"
} >"$TMP/pipe"
wait $reader
rc=$?
if [ "$rc" -eq 0 ]; then ok; else fail "parse exited $rc"; cat "$TMP/err"; fi
if [ "$(cat "$TMP/verdict")" = streamed ]; then ok; else fail "no document before the second half of the feed was written"; fi
n=$(grep -c '<posting ' "$TMP/out")
if [ "$n" -eq 2000 ]; then ok; else fail "$n documents, want 2000"; fi
finish
