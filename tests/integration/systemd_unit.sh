#!/bin/sh
# The systemd unit: `systemd-analyze verify` is clean (with ExecStart pointing at the built
# daemon), it is Type=notify with a watchdog and a dedicated user, and it carries the hardening
# a reviewer expects; the sysusers and tmpfiles snippets parse.
. "$(dirname "$0")/lib.inc"
UNIT="$RW_SRC/systemd/recruitwatchd.service"
mkdir -p "$TMP/units"
sed "s#/usr/sbin/recruitwatchd#$RW_BIN/daemon/recruitwatchd#" "$UNIT" >"$TMP/units/recruitwatchd.service"
if command -v systemd-analyze >/dev/null 2>&1; then
	(cd "$TMP/units" && SYSTEMD_LOG_LEVEL=warning systemd-analyze verify ./recruitwatchd.service) >"$TMP/out" 2>&1
	rc=$?
	# verify may warn about the host's own units it loads for dependencies; only lines about
	# ours count.
	if [ $rc -eq 0 ] && ! grep -q 'recruitwatchd' "$TMP/out"; then ok; else
		fail "systemd-analyze verify (rc $rc)"; sed 's/^/  /' "$TMP/out"; fi
else
	fail "systemd-analyze is not installed (packaging/deps.sh installs systemd)"
fi
for key in Type=notify WatchdogSec= User=recruitwatch StateDirectory=recruitwatch \
    ProtectSystem=strict NoNewPrivileges=yes PrivateTmp=yes RestrictAddressFamilies= \
    SystemCallFilter=@system-service CapabilityBoundingSet= ProtectHome=yes \
    ExecReload=; do
	grep -q "^$key" "$UNIT" && ok || fail "unit lacks $key"
done
# MemoryDenyWriteExecute would break PCRE2's JIT: it must stay off.
! grep -q '^MemoryDenyWriteExecute=yes' "$UNIT" && ok || fail "MemoryDenyWriteExecute breaks the JIT"
grep -q '^u recruitwatch ' "$RW_SRC/systemd/recruitwatchd.sysusers" && ok || fail "sysusers user"
grep -q '^d /etc/recruitwatch 0750 root recruitwatch' "$RW_SRC/systemd/recruitwatchd.tmpfiles" && ok || fail "tmpfiles dir"
if command -v systemd-analyze >/dev/null 2>&1 && systemd-analyze security --help 2>/dev/null | grep -q offline; then
	(cd "$TMP/units" && systemd-analyze security --offline=yes --threshold=30 ./recruitwatchd.service) >"$TMP/sec" 2>&1 &&
	    ok || { fail "systemd-analyze security above 3.0"; tail -3 "$TMP/sec"; }
	grep -E "Overall exposure" "$TMP/sec"
fi
finish
