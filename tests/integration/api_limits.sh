#!/bin/sh
# Connection limit: with max-connections = 2, two idle TLS clients hold both places, a third
# gets 503 with Connection: close, and once one client leaves a request succeeds again.
. "$(dirname "$0")/lib.inc"
. "$(dirname "$0")/tools/daemon.inc"
. "$(dirname "$0")/tools/api.inc"

start_httpd
API_CONF_API="max-connections = 2
request-timeout = 60s"
api_setup
api_tokens
api_start

# Two clients finish the TLS handshake and then sit idle, holding their connections.
hold() {
	python3 - 127.0.0.1 "$APIPORT" "$TMP/certs/ca.crt" "$1" <<'PY' &
import socket, ssl, sys, time, os
host, port, ca, flag = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
ctx = ssl.create_default_context(cafile=ca)
s = ctx.wrap_socket(socket.create_connection((host, port)), server_hostname=host)
open(flag, "w").close()
while not os.path.exists(flag + ".stop"):
    time.sleep(0.1)
s.close()
PY
}
hold "$TMP/c1"
P1=$!
hold "$TMP/c2"
P2=$!
wait_for 10 "two idle TLS clients connected" -- sh -c "[ -f $TMP/c1 ] && [ -f $TMP/c2 ]"
expect_code 503 "a third connection over max-connections" /healthz -D "$TMP/hdr"
grep -qi '^connection: close' "$TMP/hdr" && ok || fail "the 503 closes the connection"
touch "$TMP/c1.stop"
wait "$P1"
healthy() { [ "$(acurl /healthz)" = 200 ]; }
wait_for 10 "a place freed by a leaving client is taken again" -- healthy
touch "$TMP/c2.stop"
wait "$P2"
stop_daemon && ok || fail "clean stop"
finish
