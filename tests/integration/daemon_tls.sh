#!/bin/sh
# Feeds over HTTPS: verified against the configured CA file, refused (and the feed marked
# failing, with a TLS error) when the certificate cannot be verified; gzip-encoded responses
# are read; a client certificate is presented when configured.
. "$(dirname "$0")/lib.inc"
. "$(dirname "$0")/tools/daemon.inc"

C="$TMP/certs"
mkdir -p "$C"
# A throwaway CA and a server certificate for 127.0.0.1, made here and deleted with $TMP.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$C/ca.key" -out "$C/ca.crt" -days 2 \
    -subj "/CN=recruitwatch test CA" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout "$C/srv.key" -out "$C/srv.csr" -subj "/CN=127.0.0.1" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$C/ext"
openssl x509 -req -in "$C/srv.csr" -CA "$C/ca.crt" -CAkey "$C/ca.key" -CAcreateserial \
    -out "$C/srv.crt" -days 2 -extfile "$C/ext" 2>/dev/null
[ -s "$C/srv.crt" ] && ok || fail "test certificates made"

start_httpd 0 "$C/srv.crt" "$C/srv.key"
STATE="$TMP/state"
cp "$DFIX/v1.xml" "$SRV/feed.xml"
cat >"$TMP/rwd.conf" <<CONF
[daemon]
state-directory = $STATE
interval = 1s
jitter = 0
cafile = $C/ca.crt

[feed verified]
url = https://127.0.0.1:$PORT/feeds/feed.xml

[sink lines]
type = jsonl
path = $TMP/alerts.jsonl

[subscription all]
sink = lines
min-severity = medium
CONF
sed "s#^cafile = .*#cafile = /etc/ssl/certs/ca-certificates.crt#" "$TMP/rwd.conf" >"$TMP/untrusted.conf"
sed -i "s#^state-directory = .*#state-directory = $TMP/state2#" "$TMP/untrusted.conf"

expect_exit 0 "one pass over HTTPS with our CA" -- timeout 60 "$RWD" --once -c "$TMP/rwd.conf"
grep -q '"UK-RED-ACTIVE"' "$TMP/alerts.jsonl" 2>/dev/null && ok || fail "the HTTPS feed was read and evaluated"
expect_exit 0 "one pass with the system CA store only" -- timeout 60 "$RWD" --once -c "$TMP/untrusted.conf"
grep_err "feed verified: poll failed.*(SSL|certificate)" "an unverifiable certificate is refused"
"$RW" feeds --state "$TMP/state2" >"$TMP/out" 2>&1
grep_out "^verified +failing" "the feed is marked failing"
[ "$(sqlite3 "$TMP/state2/state.db" 'select count(*) from items')" = 0 ] && ok || fail "nothing read from an unverified server"

# gzip: the server encodes (Content-Encoding), the changed feed is read.
echo 1 >"$SRV/gzip"
cp "$DFIX/v2.xml" "$SRV/feed.xml"
expect_exit 0 "a gzip-encoded HTTPS response" -- timeout 60 "$RWD" --once -c "$TMP/rwd.conf"
grep -q '"FEE-' "$TMP/alerts.jsonl" && ok || fail "the gzip-encoded feed was decoded and evaluated"

# A server that requires a client certificate: refused without one, read with one.
openssl req -newkey rsa:2048 -nodes -keyout "$C/cli.key" -out "$C/cli.csr" -subj "/CN=recruitwatch feed client" 2>/dev/null
openssl x509 -req -in "$C/cli.csr" -CA "$C/ca.crt" -CAkey "$C/ca.key" -CAcreateserial -out "$C/cli.crt" -days 2 2>/dev/null
stop_httpd
start_httpd 0 "$C/srv.crt" "$C/srv.key" "$C/ca.crt"
sed -i "s#^url = .*#url = https://127.0.0.1:$PORT/feeds/feed.xml#" "$TMP/rwd.conf"
sed "s#^state-directory = .*#state-directory = $TMP/state3#" "$TMP/rwd.conf" >"$TMP/nocert.conf"
expect_exit 0 "a pass without the client certificate" -- timeout 60 "$RWD" --once -c "$TMP/nocert.conf"
grep_err "feed verified: poll failed" "the server refuses a client without a certificate"
sed "s#^url = .*#&\nclient-cert = $C/cli.crt\nclient-key = $C/cli.key#; s#^state-directory = .*#state-directory = $TMP/state4#" \
    "$TMP/rwd.conf" >"$TMP/cert.conf"
expect_exit 0 "a pass with the client certificate" -- timeout 60 "$RWD" --once -c "$TMP/cert.conf"
[ "$(sqlite3 "$TMP/state4/state.db" 'select count(*) from items')" = 3 ] && ok || fail "the feed read with a client certificate"
finish
