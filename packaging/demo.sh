#!/bin/sh
# The demo: installs what is missing, builds, and runs recruitwatchd in the foreground on the
# bundled example configuration (packaging/examples/recruitwatchd.conf): the sample agency
# feeds are polled from files in the repository, the state is a SQLite file under
# packaging/examples/demo-state (emptied at each start, so the alerts show again), and alerts
# are printed to this terminal. The HTTP API listens on http://127.0.0.1:8088 (loopback only)
# and a fresh token per role is printed. Ctrl-C stops it.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
./packaging/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc 2>/dev/null || echo 2)" --target recruitwatch recruitwatchd >/dev/null
export RECRUITWATCH_DATA="$top/rules/data" RECRUITWATCH_RULES="$top/rules"
conf=packaging/examples/recruitwatchd.conf
rm -rf packaging/examples/demo-state

./build/daemon/recruitwatchd --check-config -c "$conf"
# One fresh token per role for the HTTP API (the state was just emptied: old ones are gone).
token() { ./build/daemon/recruitwatch tokens add --role "$1" --name "demo-$1" -c "$conf"; }
EMPLOYER=$(token employer)
REGULATOR=$(token regulator)
UNION=$(token union)
ADMIN=$(token admin)
api=http://127.0.0.1:8088
cat <<MSG

recruitwatchd runs on $conf: four sample agency feeds polled every 30 s,
alerts (medium severity and above) printed below as they are found.
In another terminal:  ./build/daemon/recruitwatch feeds -c $conf   (feed health)
                      sqlite3 packaging/examples/demo-state/state.db 'select rule, status from findings'

The HTTP API listens on $api (plain HTTP, loopback only; see docs/api.md).
Tokens, one per role (made now, shown only here):
  EMPLOYER=$EMPLOYER
  REGULATOR=$REGULATOR
  UNION=$UNION
  ADMIN=$ADMIN
Try (after setting the variables above in that terminal):
  employer:   curl -H "Authorization: Bearer \$EMPLOYER" -H "Content-Type: application/xml" --data-binary @packaging/examples/feeds/indeed-jobs.xml $api/v1/check
  regulator:  curl -H "Authorization: Bearer \$REGULATOR" '$api/v1/findings?status=open'
  regulator:  an Atom reader subscribed to $api/v1/alerts.atom?token=\$REGULATOR
  union:      curl -H "Authorization: Bearer \$UNION" $api/v1/agencies
  union:      curl -H "Authorization: Bearer \$UNION" '$api/v1/agencies/harbourline-health-recruitment/audit?format=csv'
  admin:      curl -H "Authorization: Bearer \$ADMIN" $api/metrics
  anyone:     curl $api/healthz
Ctrl-C stops the daemon.

MSG
exec ./build/daemon/recruitwatchd -c "$conf"
