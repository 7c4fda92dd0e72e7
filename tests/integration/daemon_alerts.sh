#!/bin/sh
# recruitwatchd end to end: a feed served over HTTP changes between polls and the alerts that
# reach a signed webhook and a JSON-lines file, the state file, conditional GET, reload and
# clean stop are checked.
. "$(dirname "$0")/lib.inc"
. "$(dirname "$0")/tools/daemon.inc"

start_httpd
STATE="$TMP/state"
cp "$DFIX/v1.xml" "$SRV/feed.xml"
write_config() {
	cat >"$TMP/rwd.conf" <<CONF
# integration test configuration
[daemon]
state-directory = $STATE
interval = 1s
jitter = 0
log-level = debug

[limits]
retry-base = 1s
retry-max = 2s

[feed northgate]
url = http://127.0.0.1:$PORT/feeds/feed.xml
agency = Northgate Health Staffing

[feed broken]
url = http://127.0.0.1:$PORT/feeds/missing.xml

[sink hook]
type = webhook
url = http://127.0.0.1:$PORT/hook/regulator
secret = $SECRET

[sink lines]
type = jsonl
path = $TMP/alerts.jsonl

[subscription regulator]
sink = hook
min-severity = ${1:-medium}

[subscription everything]
sink = lines
min-severity = info
CONF
}
write_config

# --check-config: good and bad.
expect_exit 0 "check-config accepts the test configuration" -- "$RWD" --check-config -c "$TMP/rwd.conf"
grep_out "configuration OK: 2 feeds, 2 sinks, 2 subscriptions" "check-config summary"
sed 's/^interval = 1s/interval = soon/' "$TMP/rwd.conf" >"$TMP/bad.conf"
expect_exit 2 "check-config refuses a bad duration" -- "$RWD" --check-config -c "$TMP/bad.conf"
grep_err "bad.conf:4:" "the error names file and line"
expect_exit 2 "a missing config file" -- "$RWD" --check-config -c "$TMP/none.conf"

start_daemon "$TMP/rwd.conf"
wait_for 30 "v1: the red-list alert reaches the webhook" -- at_least "hook_lines regulator" 1
python3 "$TOOLS/hooks.py" "$SRV/hook-regulator.jsonl" "$SECRET" >"$TMP/h1" 2>"$TMP/h1.err"
if [ $? -eq 0 ]; then ok; else fail "webhook signatures and ids (Python's hmac)"; cat "$TMP/h1.err"; fi
if grep -q '^evt_[0-9a-f]* finding.opened UK-RED-ACTIVE open 200$' "$TMP/h1"; then ok; else fail "v1 alert is UK-RED-ACTIVE opened: $(cat "$TMP/h1")"; fi
# The alert body carries design §6's document and finding, plus type and id.
python3 - "$SRV/hook-regulator.jsonl" <<'PY' || fail "v1 alert body"
import json, sys
b = json.loads(json.loads(open(sys.argv[1]).readline())["body"])
d, f = b["document"], b["findings"][0]
assert b["type"] == "finding.opened" and b["id"].startswith("evt_"), b
assert b["finding_id"].startswith("f_") and f["id"] == b["finding_id"], b
assert d["origin"]["guid"] == "ng-1001" and d["agency"] == "Northgate Health Staffing", d
assert d["origin"]["url"] == "https://northgate.example/jobs/1001", d
assert f["category"] == "active-recruitment-ssl" and f["severity"] == "critical", f
assert any("Nigeria" in e["text"] for e in f["evidence"]), f
assert f["cite"] and f["cite"][0]["instrument"], f
PY
ok
# Conditional GET: the unchanged feed is answered 304.
wait_for 15 "an unchanged feed is polled with a conditional GET (304)" -- grep -q "GET /feeds/feed.xml 304" "$SRV/requests.log"

# v2: the red-list wording is gone (resolved) and a fee-charging item appears (opened).
cp "$DFIX/v2.xml" "$SRV/feed.xml"
wait_for 30 "v2: two more alerts" -- at_least "hook_lines regulator" 3
python3 "$TOOLS/hooks.py" "$SRV/hook-regulator.jsonl" "$SECRET" >"$TMP/h2"
sed -n 2p "$TMP/h2" | grep -q ' finding.resolved UK-RED-ACTIVE resolved 200$' && ok || fail "v2: UK-RED-ACTIVE resolved second: $(cat "$TMP/h2")"
sed -n 3p "$TMP/h2" | grep -q ' finding.opened FEE-' && ok || fail "v2: a worker-fees rule opened third: $(cat "$TMP/h2")"

# v3: the fee item is withdrawn from the feed: its finding is resolved as removed.
cp "$DFIX/v3.xml" "$SRV/feed.xml"
wait_for 30 "v3: the removed item's alert" -- at_least "hook_lines regulator" 4
python3 - "$SRV/hook-regulator.jsonl" <<'PY' && ok || fail "v3: resolved with reason item-removed"
import json, sys
b = json.loads(json.loads(open(sys.argv[1]).readlines()[3])["body"])
assert b["type"] == "finding.resolved" and b["reason"] == "item-removed", b
assert b["document"]["origin"]["guid"] == "ng-1003", b
PY

# Every alert went to the JSON-lines sink too, including the low ones the webhook filters out:
# opened (1001: no employer, red list), resolved (red list), opened (1003: fee, no employer),
# resolved (1003: both).
wait_for 10 "seven alerts in the JSON-lines file" -- at_least "wc -l <$TMP/alerts.jsonl" 7
python3 - "$TMP/alerts.jsonl" <<'PY' && ok || fail "JSON-lines sink content"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
assert len(ev) == 7, len(ev)
kinds = sorted((e["type"], e["findings"][0]["rule"].split("-")[0]) for e in ev)
assert kinds.count(("finding.opened", "REC")) == 2, kinds
assert kinds.count(("finding.resolved", "REC")) == 1, kinds
assert ("finding.resolved", "UK") in kinds and ("finding.opened", "UK") in kinds, kinds
assert len({e["id"] for e in ev}) == 7
PY

# The state file: one finding still open, the withdrawn item gone, nothing pending.
[ "$(sql "select count(*) from findings where status='open'")" = 1 ] && ok || fail "one open finding in the state"
[ "$(sql "select rule from findings where status='open'")" = REC-POSTING-NO-EMPLOYER ] && ok || fail "the open finding is the employer one"
[ "$(sql "select count(*) from items where gone_at is not null")" = 1 ] && ok || fail "one item gone"
[ "$(sql "select count(*) from outbox where state <> 'delivered'")" = 0 ] && ok || fail "outbox fully delivered"
[ "$(sql "select count(*) from events")" = 7 ] && ok || fail "seven events"
[ "$(sql "select failures from feeds where name='northgate'")" = 0 ] && ok || fail "feed healthy"
[ "$(sql "select count(*) from feeds where name='northgate' and last_success > 0 and etag <> ''")" = 1 ] && ok || fail "feed validators kept"
# Feed health as an operator sees it: the broken feed is failing (exit 1) with its error.
"$RW" feeds --state "$STATE" >"$TMP/out" 2>"$TMP/err"
[ $? -eq 1 ] && ok || fail "recruitwatch feeds exits 1 when a feed fails"
grep_out "^northgate +ok" "northgate is healthy"
grep_out "^broken +failing" "the 404 feed is failing"
grep_out "last error .*missing.xml: HTTP 404" "the failing feed's last error"
"$RW" feeds --state "$STATE" --format json | python3 -c '
import json, sys
f = {x["name"]: x for x in json.load(sys.stdin)}
assert f["broken"]["failures"] >= 1 and f["broken"]["last_success"] is None, f
assert f["northgate"]["health"] == "ok" and f["northgate"]["items"] == 2, f
' && ok || fail "recruitwatch feeds --format json"

# The raw copy of an item re-checks to the same findings with the CLI.
sql "select hex(zlib) from raws r join items i on i.raw_sha256 = r.sha256 where i.guid='ng-1003'" |
    python3 -c 'import sys,zlib; sys.stdout.buffer.write(zlib.decompress(bytes.fromhex(sys.stdin.read().strip())))' >"$TMP/raw.xml"
"$RW" check --format json --min-severity medium "$TMP/raw.xml" >"$TMP/recheck.json"
grep -q '"FEE-' "$TMP/recheck.json" && ok || fail "the stored raw item re-checks to its fee finding"

# SIGHUP with a broken file: refused, logged with file:line, the daemon keeps running.
cp "$TMP/rwd.conf" "$TMP/good.conf"
printf '[sink broken]\ntype = pigeon\n' >>"$TMP/rwd.conf"
kill -HUP "$DAEMON_PID"
wait_for 10 "a bad reload is refused with file and line" -- grep -q "reload refused.*rwd.conf:[0-9]*:" "$TMP/daemon.log"
kill -0 "$DAEMON_PID" && ok || fail "the daemon survives a bad reload"
# A good reload takes effect: the webhook now also gets the low findings of a new item.
write_config low
kill -HUP "$DAEMON_PID"
wait_for 10 "a good reload" -- sh -c "grep -c 'reloading' $TMP/daemon.log | grep -q 2"
n=$(hook_lines regulator)
sed 's#<guid>ng-1001</guid>#<guid>ng-2001</guid>#' "$DFIX/v3.xml" >"$SRV/feed.xml"
wait_for 20 "after reload, low findings reach the webhook" -- at_least "hook_lines regulator" $((n + 1))

stop_daemon && ok || fail "SIGTERM: exit status 0"
grep -q "stopped" "$TMP/daemon.log" && ok || fail "stop logged"
! grep -q "$SECRET" "$TMP/daemon.log" && ok || fail "the webhook secret never appears in the log"
[ "$fails" -eq 0 ] || sed 's/^/  log: /' "$TMP/daemon.log" | tail -30
finish
