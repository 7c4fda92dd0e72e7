#!/bin/sh
# Every fixture through `recruitwatch parse`, checked against its hand-written .expect file;
# then the same feeds gzipped, from stdin, from a file:// URL and with --format forced.
. "$(dirname "$0")/lib.inc"

for exp in $(find "$FIX" -name '*.expect' | sort); do
	in=${exp%.expect}
	name=${in#"$FIX"/}
	expect_exit 0 "parse $name" -- "$RW" parse "$in"
	cp "$TMP/out" "$TMP/parsed.xml"
	if "$RW_BIN/tests/expect_check" "$TMP/parsed.xml" "$exp" >"$TMP/check"; then ok; else
		fail "$name"; sed 's/^/  /' "$TMP/check"
	fi
done

# gzip is undone on the way in: the same documents as the plain feed.
gzip -c "$FIX/jobxml/indeed.xml" >"$TMP/indeed.xml.gz"
"$RW" parse "$FIX/jobxml/indeed.xml" >"$TMP/plain.xml"
expect_exit 0 "parse gzip" -- "$RW" parse "$TMP/indeed.xml.gz"
sed 's/source="[^"]*"//' "$TMP/out" >"$TMP/a"; sed 's/source="[^"]*"//' "$TMP/plain.xml" >"$TMP/b"
if cmp -s "$TMP/a" "$TMP/b"; then ok; else fail "gzip feed differs from the plain feed"; fi

# stdin and file:// URLs.
expect_exit 0 "parse stdin" -- sh -c "\"$RW\" parse - < \"$FIX/rss/agency-feed.xml\""
grep_out '<posting ' "stdin"
expect_exit 0 "parse file URL" -- "$RW" parse "file://$FIX/atom/agency.atom"
grep_out 'format="atom"' "file URL"

# --format: a forced format that does not match is an error, not a silent guess.
expect_exit 0 "forced rss2" -- "$RW" parse --format rss2 "$FIX/rss/agency-feed.xml"
expect_exit 2 "forced atom on rss" -- "$RW" parse --format text /nonexistent
expect_exit 2 "unknown format" -- "$RW" parse --format pdf "$FIX/rss/agency-feed.xml"

# Ids are content hashes: stable across runs and sources.
"$RW" parse "$FIX/rss/agency-feed.xml" | grep -o 'id="sha256:[0-9a-f]*"' >"$TMP/ids1"
"$RW" parse - <"$FIX/rss/agency-feed.xml" | grep -o 'id="sha256:[0-9a-f]*"' >"$TMP/ids2"
if [ -s "$TMP/ids1" ] && cmp -s "$TMP/ids1" "$TMP/ids2"; then ok; else fail "ids not stable"; fi
if [ "$(sort -u "$TMP/ids1" | wc -l)" -eq "$(wc -l <"$TMP/ids1")" ]; then ok; else fail "ids not unique"; fi

finish
