#!/bin/sh
# A full disk under the state directory: the poll that cannot be recorded fails as a whole
# (logged, feed marked unhealthy), nothing half-written is delivered, and once space is back
# every alert goes out exactly once. Uses a real 16 MiB tmpfs when this machine lets us mount
# one (root in CI), else the state-max-size bound, which fails the same way (SQLITE_FULL).
. "$(dirname "$0")/lib.inc"
. "$(dirname "$0")/tools/daemon.inc"

start_httpd
STATE="$TMP/state"
mkdir -p "$STATE"
real=0
if mount -t tmpfs -o size=16m tmpfs "$STATE" 2>/dev/null; then
	real=1
	trap 'umount "$STATE" 2>/dev/null; cleanup_daemon' EXIT
	echo "using a real 16 MiB tmpfs"
else
	echo "cannot mount a tmpfs here: using state-max-size"
fi
write_config() {
	cat >"$TMP/rwd.conf" <<CONF
[daemon]
state-directory = $STATE
interval = 1s
jitter = 0

[limits]
retry-base = 1s
retry-max = 2s
feed-backoff-max = 2s
state-max-size = $1

[feed northgate]
url = http://127.0.0.1:$PORT/feeds/feed.xml

[sink hook]
type = webhook
url = http://127.0.0.1:$PORT/hook/regulator
secret = $SECRET

[subscription regulator]
sink = hook
min-severity = medium
CONF
}
write_config 0
cp "$DFIX/v1.xml" "$SRV/feed.xml"
start_daemon "$TMP/rwd.conf"
wait_for 30 "v1 alert delivered" -- at_least "hook_accepted regulator" 1

# Fill the disk (or bound the file at its current size), then change the feed.
if [ $real -eq 1 ]; then
	dd if=/dev/zero of="$STATE/filler" bs=4k 2>/dev/null
else
	stop_daemon
	write_config "$(($(stat -c %s "$STATE/state.db") + 4096))"
	start_daemon "$TMP/rwd.conf"
fi
# v2 and 400 honest items: more than SQLite's write-ahead log has room for.
python3 - "$DFIX/v2.xml" >"$SRV/feed.xml" <<'PY'
import sys, hashlib
s = open(sys.argv[1]).read()
extra = "".join("<item><title>Staff nurse %d - Leeds, UK</title><guid>bulk-%d</guid>"
                "<description>Ward %d of a Leeds hospital employs a staff nurse, permanent, "
                "37.5 hours a week; employer Leeds General Care Ltd, salary GBP %d per year. "
                "%s</description></item>\n" % (i, i, i, 30000 + i, hashlib.sha256(str(i).encode()).hexdigest() * 30) for i in range(400))
sys.stdout.write(s.replace("</channel>", extra + "</channel>"))
PY
wait_for 30 "the failed poll is logged" -- grep -qiE "poll failed.*(full|disk|space)" "$TMP/daemon.log"
sleep 2
# Whatever part of the poll was committed is whole: every event the subscription wants
# (medium and above) has its outbox row.
[ "$(sql "select count(*) from events e where json_extract(e.payload, '$.findings[0].severity') in ('medium','high','critical') and not exists (select 1 from outbox o where o.event_id = e.id)")" = 0 ] && ok || fail "no event without its outbox row"
kill -0 "$DAEMON_PID" && ok || fail "the daemon keeps running on a full disk"

# Space is back: the same poll succeeds and its two alerts go out once each.
if [ $real -eq 1 ]; then
	rm -f "$STATE/filler"
else
	write_config 0
	kill -HUP "$DAEMON_PID"
	stop_daemon
	start_daemon "$TMP/rwd.conf"
fi
wait_for 40 "after space returns, both v2 alerts are delivered" -- at_least "hook_accepted regulator" 3
sleep 3
python3 - "$SRV/hook-regulator.jsonl" <<'PY' && ok || fail "each alert exactly once"
import json, sys, collections
c = collections.Counter(json.loads(l)["headers"]["webhook-id"] for l in open(sys.argv[1]))
assert len(c) == 3 and max(c.values()) == 1, c
PY
[ "$(sql "select count(*) from items where guid like 'bulk-%'")" = 400 ] && ok || fail "every item recorded in the end"
stop_daemon && ok || fail "clean stop"
[ "$fails" -eq 0 ] || grep -v "marking an alert" "$TMP/daemon.log" | sed "s/^/  log: /" | tail -40
finish
