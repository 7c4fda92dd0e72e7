#!/bin/sh
# The demo: installs what is missing, builds, and runs recruitwatch over the bundled example
# agency feeds. Until the daemon lands, it runs the CLI's parse over packaging/examples/feeds/.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
./packaging/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc 2>/dev/null || echo 2)" --target recruitwatch >/dev/null
export RECRUITWATCH_DATA="$top/rules/data"
for feed in packaging/examples/feeds/*; do
	[ -f "$feed" ] || continue
	printf '\n### recruitwatch parse %s\n' "$feed"
	./build/daemon/recruitwatch parse "$feed"
done
printf '\nParsed every example feed into canonical documents (docs/canonical.md).\n'
