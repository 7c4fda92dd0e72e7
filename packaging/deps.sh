#!/bin/sh
# The one list of Debian packages recruitwatch needs to build, test and run; installs the
# missing ones (as root, or through sudo).
set -eu

PACKAGES="
build-essential cmake pkg-config
libcurl4-openssl-dev libxml2-dev libssl-dev libevent-dev libsqlite3-dev libjansson-dev
libpcre2-dev libsystemd-dev libbsd-dev zlib1g-dev libinih-dev
systemd sqlite3 openssl
libcunit1-dev
clang libclang-rt-14-dev clang-format cppcheck
ca-certificates curl gzip python3 time bc libxml2-utils
"

missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "deps.sh: installing$missing" >&2
$SUDO apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
