#!/bin/sh
# Alerts are never lost and never sent twice after a clean restart: a subscriber that is down
# gets everything in order when it comes back; a subscriber that says 410 Gone is dead-lettered;
# a kill -9 in the middle of a delivery loses nothing; a clean restart resends nothing.
. "$(dirname "$0")/lib.inc"
. "$(dirname "$0")/tools/daemon.inc"

start_httpd
STATE="$TMP/state"
cat >"$TMP/rwd.conf" <<CONF
[daemon]
state-directory = $STATE
interval = 1s
jitter = 0

[limits]
retry-base = 1s
retry-max = 2s
drain = 5s

[feed northgate]
url = http://127.0.0.1:$PORT/feeds/feed.xml

[sink hook]
type = webhook
url = http://127.0.0.1:$PORT/hook/regulator
secret = $SECRET
timeout = 20s

[sink gone]
type = webhook
url = http://127.0.0.1:$PORT/hook/gone
secret = $SECRET

[subscription regulator]
sink = hook
min-severity = medium

[subscription gone]
sink = gone
min-severity = medium
CONF

# 1. The subscriber is down (503) while three alerts are made: opened, resolved, opened.
echo 503 >"$SRV/hook-regulator.status"
echo 410 >"$SRV/hook-gone.status"
cp "$DFIX/v1.xml" "$SRV/feed.xml"
start_daemon "$TMP/rwd.conf"
wait_for 30 "v1 alert made" -- at_least "sql 'select count(*) from events'" 1
cp "$DFIX/v2.xml" "$SRV/feed.xml"
wait_for 30 "v2 alerts made" -- at_least "sql 'select count(*) from events'" 3
wait_for 20 "retries while the subscriber is down" -- at_least "hook_lines regulator" 3
# Order is kept: while the first alert fails, the later ones are not attempted.
python3 - "$SRV/hook-regulator.jsonl" <<'PY' && ok || fail "only the head of the queue is retried while it fails"
import json, sys
ids = {json.loads(l)["headers"]["webhook-id"] for l in open(sys.argv[1])}
assert len(ids) == 1, ids
PY
# 410 Gone: dead-lettered at once, and the next alert goes (and dies) in turn.
wait_for 20 "410 Gone dead-letters the rows" -- sh -c "[ \"\$(sqlite3 $STATE/state.db \"select count(*) from outbox o join subscriptions s on s.id=o.sub_id where s.name='gone' and o.state='dead'\")\" = 3 ]"
sleep 2
echo 200 >"$SRV/hook-regulator.status"
wait_for 30 "the subscriber back: all three accepted" -- at_least "hook_accepted regulator" 3
python3 "$TOOLS/hooks.py" "$SRV/hook-regulator.jsonl" "$SECRET" --accepted-only >"$TMP/acc" && ok || fail "signatures of every attempt"
grep ' 200$' "$TMP/acc" | awk '{print $2, $3}' >"$TMP/order"
printf 'finding.opened UK-RED-ACTIVE\nfinding.resolved UK-RED-ACTIVE\n' >"$TMP/want"
head -2 "$TMP/order" | cmp -s - "$TMP/want" && ok || fail "delivered in order: $(cat "$TMP/order")"
[ "$(grep -c ' 200$' "$TMP/acc")" = 3 ] && ok || fail "each alert accepted exactly once"
[ "$(sql "select count(*) from outbox o join subscriptions s on s.id=o.sub_id where s.name='regulator' and o.attempts > 1")" -ge 1 ] && ok || fail "the first alert needed several attempts"
# Retries reuse the event id (the idempotency key): one id per alert across all attempts.
python3 - "$SRV/hook-regulator.jsonl" <<'PY' && ok || fail "three ids across all attempts"
import json, sys
assert len({json.loads(l)["headers"]["webhook-id"] for l in open(sys.argv[1])}) == 3
PY
stop_daemon && ok || fail "clean stop"

# 2. kill -9 in the middle of a delivery: the subscriber answers after 3 s.
echo 3 >"$SRV/hook-regulator.delay"
cp "$DFIX/v3.xml" "$SRV/feed.xml"
start_daemon "$TMP/rwd.conf"
inflight() { [ "$(grep -c 'POST-START /hook/regulator' "$SRV/requests.log")" -gt "$(hook_lines regulator)" ]; }
wait_for 30 "the v3 alert is being delivered" -- inflight
sleep 1
kill9_daemon
ok
echo 0 >"$SRV/hook-regulator.delay"
sleep 3 # the receiver finishes the request the daemon no longer waits for
start_daemon "$TMP/rwd.conf"
wait_for 30 "after the crash every alert is delivered" -- sh -c "[ \"\$(sqlite3 $STATE/state.db \"select count(*) from outbox o join subscriptions s on s.id=o.sub_id where s.name='regulator' and o.state <> 'delivered'\")\" = 0 ]"
python3 - "$SRV/hook-regulator.jsonl" "$STATE/state.db" <<'PY' && ok || fail "nothing lost across kill -9; at most the in-flight alert sent twice"
import json, sqlite3, sys, collections
acc = collections.Counter(json.loads(l)["headers"]["webhook-id"] for l in open(sys.argv[1]) if json.loads(l)["status"] == 200)
db = sqlite3.connect(sys.argv[2])
want = {r[0] for r in db.execute("select o.event_id from outbox o join subscriptions s on s.id=o.sub_id where s.name='regulator'")}
assert want == set(acc), (want, acc)
assert len(want) == 4, want
assert sum(1 for c in acc.values() if c > 1) <= 1, acc
PY
stop_daemon && ok || fail "clean stop after the crash"

# 3. A clean restart sends nothing again.
n=$(hook_lines regulator)
start_daemon "$TMP/rwd.conf"
sleep 4
stop_daemon && ok || fail "clean stop"
[ "$(hook_lines regulator)" = "$n" ] && ok || fail "a clean restart sent alerts again"
[ "$fails" -eq 0 ] || sed 's/^/  log: /' "$TMP/daemon.log" | tail -30
finish
