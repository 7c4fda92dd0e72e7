#!/bin/sh
# The whole test suite: dependencies, build, CTest, the same under ASan+UBSan, a short fuzz run
# of every parser, then static checks (cppcheck, clang-format, banned functions).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
jobs=$(nproc 2>/dev/null || echo 2)

step() { printf '\n=== %s\n' "$*"; }

step "dependencies"
./packaging/deps.sh

step "build (gcc, -Werror)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRW_WERROR=ON >/dev/null
cmake --build build -j "$jobs"

step "tests"
(cd build && ctest --output-on-failure -j "$jobs")

step "build with AddressSanitizer and UndefinedBehaviorSanitizer"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DRW_SANITIZE=ON -DRW_WERROR=ON >/dev/null
cmake --build build-asan -j "$jobs"

step "tests under ASan+UBSan"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j "$jobs")

step "fuzz (libFuzzer, a few seconds per parser)"
CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DRW_FUZZ=ON -DRW_BUILD_TESTS=OFF \
	-DRW_WERROR=ON >/dev/null
cmake --build build-fuzz -j "$jobs"
for f in build-fuzz/fuzz/fuzz_*; do
	[ -x "$f" ] || continue
	name=$(basename "$f")
	corpus=$(mktemp -d)
	# Seeds: every fixture, whatever its format: the forced parser must survive them all;
	# the rulebook loader starts from the rule files.
	if [ "$name" = fuzz_rulebook ]; then
		find rules/who-code -name '*.xml' -exec cp {} "$corpus"/ \;
	elif [ "$name" = fuzz_config ]; then
		cp packaging/examples/recruitwatchd.conf "$corpus"/
	elif [ "$name" = fuzz_opml ]; then
		cp packaging/examples/feeds.opml "$corpus"/
	else
		find tests/fixtures -type f ! -name '*.expect' -exec cp {} "$corpus"/ \;
	fi
	echo "$name"
	RECRUITWATCH_DATA="$top/rules/data" RECRUITWATCH_RULES="$top/rules" "$f" -max_total_time="${RW_FUZZ_SECONDS:-10}" \
		-rss_limit_mb=1024 -timeout=10 -print_final_stats=0 "$corpus" 2>"$corpus.log" || {
		tail -50 "$corpus.log"
		exit 1
	}
	tail -1 "$corpus.log"
	rm -rf "$corpus" "$corpus.log"
done

step "static checks"
srcs=$(git ls-files 'daemon/*.c' 'daemon/*.h' 'tests/*.c' 'tests/*.h' 2>/dev/null ||
	find daemon tests -name '*.[ch]')
clang-format --dry-run --Werror $srcs
cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
	--inline-suppr --suppress=missingIncludeSystem -D__GNUC__ -Idaemon/core daemon
if grep -nE '\b(atoi|sprintf|strcpy|strcat|strtok|gets)\s*\(' $(echo "$srcs" | grep '^daemon/'); then
	echo "banned function used (see style notes: use snprintf, strlcpy, strtonum)" >&2
	exit 1
fi

printf '\nall tests passed\n'
