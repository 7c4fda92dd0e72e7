#!/bin/sh
# Hostile and broken input: each gets a clear error naming the source and place, in bounded
# time and memory, and what came before the damage is still delivered.
. "$(dirname "$0")/lib.inc"
H="$FIX/hostile"

# Entity bomb and external entity: refused at the declaration.
expect_exit 2 "billion laughs" -- "$RW" parse "$H/billion-laughs.xml"
grep_err 'billion-laughs.xml:[0-9]+:[0-9]+: entity declaration .* refused' "billion laughs"
expect_exit 2 "external entity" -- "$RW" parse "$H/xxe.xml"
grep_err 'xxe.xml:[0-9]+:[0-9]+: entity declaration' "xxe"
if grep -q 'root:' "$TMP/out"; then fail "xxe leaked /etc/passwd"; else ok; fi

# Truncated feed: the complete first item is still printed, then the error with its place.
expect_exit 2 "truncated" -- "$RW" parse "$H/truncated.xml"
grep_out '<posting ' "truncated keeps the first item"
grep_out '</documents>' "truncated output stays well-formed"
grep_err 'truncated.xml:[0-9]+:[0-9]+: ' "truncated"

# Encodings: invalid UTF-8 in text, and XML that lies about its encoding.
expect_exit 2 "bad utf-8" -- "$RW" parse "$H/bad-utf8.txt"
grep_err 'bad-utf8.txt:[0-9]+:[0-9]+: invalid UTF-8' "bad utf-8"
expect_exit 2 "mislabeled encoding" -- "$RW" parse "$H/mislabeled.xml"
grep_err 'mislabeled.xml:[0-9]+:[0-9]+: .*(UTF-8|encoding)' "mislabeled"
expect_exit 2 "bad json" -- "$RW" parse "$H/bad-json.json"
grep_err 'bad-json.json:3:[0-9]+: JSON' "bad json names line 3"

# 10,000-deep nesting, XML and JSON.
python3 -c "print('<rss><channel><item><title>x</title><description>' + '<a>'*10000 + '</a>'*10000 + '</description></item></channel></rss>')" >"$TMP/deep.xml"
expect_exit 2 "deep xml" -- timeout 20 "$RW" parse "$TMP/deep.xml"
grep_err 'deep.xml:[0-9]+:[0-9]+: .*[Dd]epth' "deep xml"
python3 -c "print('['*10000 + ']'*10000)" >"$TMP/deep.json"
expect_exit 2 "deep json" -- timeout 20 "$RW" parse "$TMP/deep.json"
grep_err 'deep.json:[0-9]+:[0-9]+: JSON: .*depth' "deep json"

# A 1 GB file is refused before it is read; the same through a pipe is cut at the limit.
truncate -s 1G "$TMP/huge.xml"
expect_exit 2 "1 GB file" -- timeout 20 "$RW" parse "$TMP/huge.xml"
grep_err 'huge.xml: file of 1073741824 bytes is larger than the limit' "1 GB file"
expect_exit 2 "1 GB stream" -- timeout 60 sh -c "head -c 1073741824 /dev/zero | \"$RW\" parse --max-size 10000000 -"
grep_err 'larger than the limit|not|NUL' "1 GB stream"

# Entity-escaped bytes that are not a document at all.
printf '\0\1\2\3binary' >"$TMP/bin.dat"
expect_exit 2 "binary" -- "$RW" parse "$TMP/bin.dat"
grep_err 'bin.dat:' "binary names the file"

# An HTML page with a stray invalid byte (found by fuzz_check: invalid UTF-8 reached the
# pattern engine, which is told not to re-check): repaired, parsed and checked.
expect_exit 0 "HTML page with an invalid byte" -- "$RW" parse "$H/page-bad-utf8.html"
grep_out '<posting ' "page with an invalid byte still parsed"
"$RW" check "$H/page-bad-utf8.html" >"$TMP/out" 2>"$TMP/err"
if [ $? -le 1 ]; then ok; else fail "check crashed on a page with an invalid byte"; cat "$TMP/err" | head -5; fi

# A text contract with stray bytes read as a page (fuzz_html): the text path repairs them too.
expect_exit 0 "text with invalid bytes forced as HTML" -- "$RW" parse --format html "$H/contract-bad-utf8.txt"
grep_out '<contract ' "contract with invalid bytes still parsed"

# An unknown XML dialect is named, not guessed.
printf '<?xml version="1.0"?><catalog><book/></catalog>' >"$TMP/other.xml"
expect_exit 2 "unknown root" -- "$RW" parse "$TMP/other.xml"
grep_err 'other.xml:1:[0-9]+: root element <catalog>' "unknown root"

# A broken item does not stop the good ones after it: a second file still parses.
expect_exit 2 "bad then good" -- "$RW" parse "$H/bad-json.json" "$FIX/rss/agency-feed.xml"
grep_out 'format="rss2"' "good file after a bad one"

finish
