#!/bin/sh
# The demo: installs what is missing, builds, and runs recruitwatch over the bundled example
# agency feeds. Until the daemon lands, it runs the CLI: the canonical documents of one feed,
# then every example feed checked against the WHO Code rulebook.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
./packaging/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc 2>/dev/null || echo 2)" --target recruitwatch >/dev/null
export RECRUITWATCH_DATA="$top/rules/data" RECRUITWATCH_RULES="$top/rules"
rw=./build/daemon/recruitwatch

printf '\n### recruitwatch parse packaging/examples/feeds/indeed-jobs.xml (canonical documents)\n'
$rw parse packaging/examples/feeds/indeed-jobs.xml
for feed in packaging/examples/feeds/*; do
	[ -f "$feed" ] || continue
	printf '\n### recruitwatch check %s\n' "$feed"
	# Exit status 1 means findings: that is what the demo is for.
	$rw check "$feed" || [ $? -eq 1 ]
done
printf '\nEvery example feed parsed and checked (docs/canonical.md, docs/rules.md).\n'
