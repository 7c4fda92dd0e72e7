#!/bin/sh
# The demo's configuration works as shipped: --check-config accepts it, and one pass of the
# daemon over the bundled sample feeds (--once) prints the alerts the demo shows, exits 0,
# and leaves a state file with every feed healthy.
. "$(dirname "$0")/lib.inc"
RWD="$RW_BIN/daemon/recruitwatchd"
EX="$RW_SRC/packaging/examples"
# A copy beside the same feeds, so the run writes its state under $TMP, not the source tree.
cp "$EX/recruitwatchd.conf" "$TMP/demo.conf"
ln -s "$EX/feeds" "$TMP/feeds"
expect_exit 0 "the example configuration is valid" -- "$RWD" --check-config -c "$TMP/demo.conf"
grep_out "configuration OK: 4 feeds, 1 sinks, 1 subscriptions" "example summary"
expect_exit 0 "one pass over the sample feeds" -- timeout 60 "$RWD" --once -c "$TMP/demo.conf"
# Alerts on the terminal, one line each, for the sample feeds' known breaches (checked by
# reading the feeds): red-list recruitment from Nigeria, a kept passport, a deposit.
grep_out "critical UK-RED-ACTIVE \[active-recruitment-ssl\] Harbourline Health Recruitment" "red-list alert"
grep_out "critical DOC-PASSPORT \[document-retention\]" "passport alert"
grep_out "high FEE-DEPOSIT \[worker-fees\]" "deposit alert"
if grep -qE ' (low|info) ' "$TMP/out"; then fail "min-severity medium lets low alerts through"; else ok; fi
grep_err "feed harbourline: polled, 4 items" "poll logged on stderr"
[ -f "$TMP/demo-state/state.db" ] && ok || fail "state under the config's directory"
expect_exit 0 "every feed healthy" -- "$RW_BIN/daemon/recruitwatch" feeds -c "$TMP/demo.conf"
grep_out "^contracts +ok" "contracts feed polled"
# A second pass finds the same items unchanged: no alert is repeated.
expect_exit 0 "second pass" -- timeout 60 "$RWD" --once -c "$TMP/demo.conf"
[ ! -s "$TMP/out" ] && ok || fail "a second pass repeats alerts: $(head -3 "$TMP/out")"
finish
