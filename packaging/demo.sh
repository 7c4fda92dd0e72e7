#!/bin/sh
# The demo: installs what is missing, builds, and runs recruitwatchd in the foreground on the
# bundled example configuration (packaging/examples/recruitwatchd.conf): the sample agency
# feeds are polled from files in the repository, the state is a SQLite file under
# packaging/examples/demo-state (emptied at each start, so the alerts show again), and alerts
# are printed to this terminal. Ctrl-C stops it.
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
cat <<MSG

recruitwatchd runs on $conf: four sample agency feeds polled every 30 s,
alerts (medium severity and above) printed below as they are found.
In another terminal:  ./build/daemon/recruitwatch feeds -c $conf   (feed health)
                      sqlite3 packaging/examples/demo-state/state.db 'select rule, status from findings'
Ctrl-C stops the daemon.

MSG
exec ./build/daemon/recruitwatchd -c "$conf"
