#!/bin/sh
# The default rulebook's own tests: every rule fires on its fires/ documents and stays quiet
# on its quiet/ ones, and has both.
. "$(dirname "$0")/lib.inc"
export RECRUITWATCH_RULES="$RW_SRC/rules"
expect_exit 0 "rules lint" -- "$RW" rules lint
expect_exit 0 "rules test" -- "$RW" rules test
grep -v '^ok' "$TMP/out" | head -40
n=$(grep -c '^ok' "$TMP/out")
if [ "$n" -ge 30 ]; then ok; else fail "only $n rules tested (at least 30 expected)"; fi
finish
