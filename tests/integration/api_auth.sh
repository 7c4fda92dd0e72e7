#!/bin/sh
# The HTTP API's authentication and limits over TLS: every route x every role, no credentials,
# a bad and a revoked token; Basic and ?token= only where a feed reader needs them; client
# certificates; plain HTTP refused on the TLS port; body and header limits; a stalled and a
# garbage client that block no one; no token in the log; SIGHUP with the API on.
. "$(dirname "$0")/lib.inc"
. "$(dirname "$0")/tools/daemon.inc"
. "$(dirname "$0")/tools/api.inc"

start_httpd
API_CONF_API="request-timeout = 3s"
api_setup
api_tokens
REVOKED=$("$RW" tokens add --role admin --name test-revoked --state "$STATE")
BAD="rwt_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
api_start
wait_for 30 "the feed is polled" -- grep -q "feed northgate: polled" "$TMP/daemon.log"
"$RW" tokens revoke test-revoked --state "$STATE" >/dev/null || fail "tokens revoke"

# The role matrix: METHOD PATH (sample parameters filled) ALLOWED-ROLES (- none needed)
# TOKEN-IN-QUERY. "e r u a" = employer regulator union admin.
cat >"$TMP/matrix" <<'M'
GET    /healthz                          -        0
GET    /metrics                          r,a      0
GET    /v1/feeds                         r,u,a    0
GET    /v1/rules                         r,u,a    0
POST   /v1/reload                        a        0
POST   /v1/check                         e,r,a    0
GET    /v1/findings                      r,u,a    0
GET    /v1/findings/{id}                 r,u,a    0
GET    /v1/alerts.atom                   r,u,a    1
GET    /v1/subscriptions                 r,a      0
POST   /v1/subscriptions                 r,a      0
GET    /v1/subscriptions/{id}            r,a      0
DELETE /v1/subscriptions/{id}            r,a      0
POST   /v1/subscriptions/{id}/rotate     r,a      0
GET    /v1/agencies                      r,u,a    0
GET    /v1/agencies/{id}/audit           r,u,a    0
M

token_of() {
	case $1 in
	e) echo "$EMPLOYER" ;; r) echo "$REGULATOR" ;; u) echo "$UNION" ;; a) echo "$ADMIN" ;;
	esac
}
# call METHOD PATH [curl args]: the status. POSTs send a small JSON body.
call() {
	m=$1; p=$2; shift 2
	if [ "$m" = POST ]; then
		acurl "$p" -X POST -H "Content-Type: application/json" --data-binary '{}' "$@"
	else
		acurl "$p" -X "$m" "$@"
	fi
}
# The JSON error's code (the server writes compact JSON: a grep is enough, and much faster).
error_code_is() { grep -q "\"code\":\"$1\"" "$TMP/body"; }

present=0
absent=""
while read -r method pattern roles tiq; do
	path=$(echo "$pattern" | sed 's/{id}/nosuch-id/g')
	got=$(call "$method" "$path")
	if [ "$roles" = "-" ]; then
		[ "$got" = 200 ] && ok || fail "$method $path without credentials: $got, want 200"
		continue
	fi
	# A route not (yet) in the tables is a 404 before any authentication.
	if [ "$got" = 404 ] && error_code_is not-found; then
		absent="$absent $method:$pattern"
		continue
	fi
	present=$((present + 1))
	[ "$got" = 401 ] && ok || fail "$method $path without credentials: $got, want 401"
	if grep -qi '^WWW-Authenticate: Bearer realm="recruitwatch"' "$TMP/hdr" 2>/dev/null ||
		curl --silent --cacert "$CERTS/ca.crt" -o /dev/null -D "$TMP/hdr" -X "$method" \
			"https://127.0.0.1:$APIPORT$path" && grep -qi '^WWW-Authenticate: Bearer realm="recruitwatch"' "$TMP/hdr"; then ok; else
		fail "$method $path: 401 without WWW-Authenticate: Bearer"
	fi
	if [ "$tiq" = 1 ]; then
		grep -qi '^WWW-Authenticate: Basic realm=' "$TMP/hdr" && ok || fail "$method $path: no Basic challenge"
	else
		grep -qi '^WWW-Authenticate: Basic' "$TMP/hdr" && fail "$method $path: a Basic challenge" || ok
	fi
	rm -f "$TMP/hdr"
	for t in "$BAD" "$REVOKED" "rwt_garbage" "$ADMIN-x"; do
		got=$(call "$method" "$path" -H "Authorization: Bearer $t")
		[ "$got" = 401 ] && ok || fail "$method $path with a bad or revoked token: $got, want 401"
	done
	for role in e r u a; do
		got=$(call "$method" "$path" -H "Authorization: Bearer $(token_of $role)")
		case ",$roles," in
		*",$role,"*)
			case $got in
			401 | 403 | 000) fail "$method $path as $role: $got, want it allowed" ;;
			*) ok ;;
			esac
			;;
		*)
			[ "$got" = 403 ] && ok || fail "$method $path as $role: $got, want 403"
			error_code_is forbidden && ok || fail "$method $path as $role: error code not forbidden"
			;;
		esac
	done
done <"$TMP/matrix"
[ -n "$absent" ] && echo "note: routes not served yet:$absent"
[ "$present" -ge 5 ] && ok || fail "only $present authenticated routes answered"

# Routes in the tables but not in the matrix: at least authentication must hold.
for f in "$RW_SRC"/daemon/service/api_*.c; do
	grep -oE '\{"(GET|POST|DELETE)", "/[^"]*"' "$f" | sed 's/^{"//; s/", "/ /; s/"$//'
done | while read -r method pattern; do
	if ! grep -qE "^$method +$(echo "$pattern" | sed 's/[.]/[.]/g')( |$)" "$TMP/matrix"; then
		path=$(echo "$pattern" | sed 's/{[a-z_]*}/nosuch-id/g')
		got=$(call "$method" "$path")
		[ "$got" = 401 ] && echo ok || echo "FAIL: $method $path (not in the matrix) without credentials: $got"
	fi
done >"$TMP/extra"
passes=$((passes + $(grep -c '^ok' "$TMP/extra")))
fails=$((fails + $(grep -c '^FAIL' "$TMP/extra")))
grep '^FAIL' "$TMP/extra"

# Unknown paths and methods.
expect_code 404 "an unknown path" /v1/nothing -H "Authorization: Bearer $ADMIN"
error_code_is not-found && ok || fail "404 body is not the JSON error"
expect_code 405 "DELETE on a GET route" /v1/feeds -X DELETE -H "Authorization: Bearer $ADMIN"
curl --silent --cacert "$CERTS/ca.crt" -o /dev/null -D "$TMP/hdr" -X DELETE "https://127.0.0.1:$APIPORT/v1/feeds"
grep -qi '^Allow: GET' "$TMP/hdr" && ok || fail "405 without Allow: GET"
grep -qi '^Cache-Control: no-store' "$TMP/hdr" && ok || fail "reply without Cache-Control: no-store"
grep -qi '^X-Content-Type-Options: nosniff' "$TMP/hdr" && ok || fail "reply without nosniff"
grep -qi '^Content-Type: application/json' "$TMP/hdr" && ok || fail "error reply not JSON"
got=$(acurl /healthz -X PUT)
case $got in 4* | 5*) ok ;; *) fail "PUT answered $got" ;; esac

# Health, metrics, feeds, rules: the bodies.
expect_code 200 "healthz" /healthz
api_json 'j["status"] == "ok" and j["version"] == "0.1.0" and j["uptime_s"] >= 0' && ok || fail "healthz body: $(cat "$TMP/body")"
expect_code 200 "metrics as regulator" /metrics -H "Authorization: Bearer $REGULATOR"
for m in "# TYPE recruitwatch_polls_total counter" "^recruitwatch_polls_total [1-9]" \
	'^recruitwatch_findings_open\{category="active-recruitment-ssl"\} 1$' \
	'^recruitwatch_events_total\{type="finding.opened"\} [1-9]' \
	'^recruitwatch_http_requests_total\{code="4xx"\} [1-9]' \
	'^recruitwatch_http_request_duration_seconds_bucket\{le="\+Inf"\} [1-9]' \
	'^recruitwatch_feed_failures\{feed="northgate"\} 0$' '^recruitwatch_outbox_pending [0-9]+$' \
	'^recruitwatch_deliveries_total\{result="dead"\} 0$'; do
	grep -qE "$m" "$TMP/body" && ok || fail "metrics lack /$m/"
done
expect_code 200 "feeds as union" /v1/feeds -H "Authorization: Bearer $UNION"
api_json 'j["feeds"][0]["name"] == "northgate" and j["feeds"][0]["health"] == "ok" and j["feeds"][0]["items"] == 2' && ok || fail "feeds body: $(head -c 300 "$TMP/body")"
expect_code 200 "rules as union" /v1/rules -H "Authorization: Bearer $UNION"
api_json 'len(j["rules"]) > 10 and any(r["id"] == "UK-RED-ACTIVE" and r["category"] == "active-recruitment-ssl" for r in j["rules"]) and all(set(l) >= {"id","edition","effective","size"} for l in j["lists"]) and j["version"]' && ok || fail "rules body: $(head -c 300 "$TMP/body")"

# Basic and ?token=: only on the feed reader's route, and the token never reaches the log.
expect_code 401 "?token= on a Bearer-only route" "/v1/feeds?token=$REGULATOR"
expect_code 401 "Basic on a Bearer-only route" /v1/feeds -u "reader:$REGULATOR"
if echo "$absent" | grep -q alerts.atom; then
	echo "note: /v1/alerts.atom absent, Basic and ?token= acceptance not tested"
else
	got=$(acurl "/v1/alerts.atom?token=$UNION")
	[ "$got" = 200 ] && ok || fail "?token= on the Atom feed: $got"
	got=$(acurl /v1/alerts.atom -u "reader:$REGULATOR")
	[ "$got" = 200 ] && ok || fail "Basic on the Atom feed: $got"
	expect_code 401 "Basic with a wrong password" /v1/alerts.atom -u "reader:$BAD"
	expect_code 403 "?token= of an employer on the Atom feed" "/v1/alerts.atom?token=$EMPLOYER"
fi

# Client certificates: mapped CN gets the role, an unmapped CN nothing, a token still wins.
expect_code 200 "regulator-client certificate on /metrics" /metrics \
	--cert "$CERTS/regulator-client.crt" --key "$CERTS/regulator-client.key"
expect_code 403 "regulator-client certificate on POST /v1/reload" /v1/reload -X POST \
	--cert "$CERTS/regulator-client.crt" --key "$CERTS/regulator-client.key"
expect_code 401 "union-client certificate (no mapping)" /metrics \
	--cert "$CERTS/union-client.crt" --key "$CERTS/union-client.key"
expect_code 401 "a bad token beside a good certificate" /metrics -H "Authorization: Bearer $BAD" \
	--cert "$CERTS/regulator-client.crt" --key "$CERTS/regulator-client.key"
# A certificate from another CA: the handshake fails.
sh "$RW_SRC/certs/make-certs.sh" "$TMP/other" || fail "second make-certs.sh"
got=$(acurl /metrics --cert "$TMP/other/regulator-client.crt" --key "$TMP/other/regulator-client.key" 2>/dev/null)
case $got in 2*) fail "a certificate of another CA was accepted" ;; *) ok ;; esac

# Plain HTTP on the TLS port, and TLS below 1.2.
got=$(curl --silent -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$APIPORT/healthz")
case $got in 2*) fail "plain HTTP on the TLS port answered $got" ;; *) ok ;; esac
got=$(acurl /healthz --tls-max 1.1 --max-time 5 2>/dev/null)
case $got in 2*) fail "TLS 1.1 accepted" ;; *) ok ;; esac

# Limits: a 5 MB body and an oversized header block.
head -c 5242880 /dev/zero | tr '\0' 'x' >"$TMP/big"
got=$(acurl /v1/check -H "Authorization: Bearer $EMPLOYER" --data-binary "@$TMP/big" 2>/dev/null)
[ "$got" = 413 ] && ok || fail "a 5 MB body: $got, want 413"
big=$(head -c 20000 /dev/zero | tr '\0' 'y')
got=$(acurl /healthz -H "X-Big: $big" 2>/dev/null)
case $got in 4*) ok ;; *) fail "a 20 KB header: $got, want 4xx" ;; esac

# A stalled half request and garbage: others are answered meanwhile; the stalled one is closed
# at the request timeout (3 s).
python3 - "$APIPORT" "$CERTS/ca.crt" >"$TMP/slow.out" 2>&1 <<'PY' &
import socket, ssl, sys, time
ctx = ssl.create_default_context(cafile=sys.argv[2])
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[1]))), server_hostname="localhost")
s.sendall(b"POST /v1/check HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000\r\n\r\nabc")
t0 = time.time()
s.settimeout(15)
try:
    data = s.recv(4096)
except Exception as e:
    data = b""
print("closed after %.1f s: %r" % (time.time() - t0, data[:40]))
PY
SLOW=$!
sleep 0.5
t0=$(date +%s)
expect_code 200 "healthz while a client stalls" /healthz --max-time 2
expect_code 200 "rules while a client stalls" /v1/rules -H "Authorization: Bearer $ADMIN" --max-time 2
python3 - "$APIPORT" "$CERTS/ca.crt" >"$TMP/garbage.out" 2>&1 <<'PY'
import os, socket, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[2])
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[1]))), server_hostname="localhost")
s.settimeout(10)
s.sendall(os.urandom(300).replace(b"\n", b"") + b"\r\n\r\n")
try:
    print(s.recv(100))
except Exception as e:
    print("closed", e)
# Raw garbage on TCP: the TLS handshake fails.
r = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
r.settimeout(10)
r.sendall(b"\x00\xffGARBAGE\r\n\r\n" * 10)
try:
    print("raw", r.recv(100))
except Exception as e:
    print("raw closed", e)
PY
if grep -qE "^b'HTTP/1.1 400|^b''|^closed" "$TMP/garbage.out"; then ok; else fail "garbage: $(cat "$TMP/garbage.out")"; fi
expect_code 200 "healthz after garbage" /healthz --max-time 2
wait "$SLOW"
if grep -qE "^closed after ([3-6])\.[0-9] s" "$TMP/slow.out"; then ok; else fail "the stalled client was not closed at the timeout: $(cat "$TMP/slow.out")"; fi

# No token in the log, not even from a query string or a failed attempt.
acurl "/v1/rules?token=$ADMIN" -H "Authorization: Bearer $UNION" >/dev/null
for t in "$EMPLOYER" "$REGULATOR" "$UNION" "$ADMIN" "$REVOKED"; do
	secret=${t#rwt_*_}
	if grep -qF "$secret" "$TMP/daemon.log"; then fail "a token's secret is in the log"; else ok; fi
done
grep -qE "api: GET /v1/rules 200 test-union [0-9.]+ ms" "$TMP/daemon.log" && ok || fail "access log line: method path status principal duration"
grep -q "api: GET /metrics 200 cert:regulator-client" "$TMP/daemon.log" && ok || fail "access log names the certificate's CN"
grep -q "token=" "$TMP/daemon.log" && fail "a query string in the log" || ok

# SIGHUP with the API on; [api] changes wait for a restart.
n=$(grep -c "reloading" "$TMP/daemon.log")
sed -i 's/^request-timeout = 3s/request-timeout = 4s/' "$TMP/rwd.conf"
kill -HUP "$DAEMON_PID"
wait_for 10 "SIGHUP reloads" -- test "$(grep -c "reloading" "$TMP/daemon.log")" -gt "$n"
wait_for 10 "an [api] change waits for a restart" -- grep -q "api settings change at the next restart" "$TMP/daemon.log"
expect_code 200 "the API after SIGHUP" /v1/feeds -H "Authorization: Bearer $REGULATOR"
expect_code 202 "POST /v1/reload" /v1/reload -X POST -H "Authorization: Bearer $ADMIN"
wait_for 10 "the API reload runs" -- test "$(grep -c "reloading" "$TMP/daemon.log")" -gt "$((n + 1))"
expect_code 200 "the API after an API reload" /healthz

# A broken [api] is refused at --check-config with its line.
sed 's/^tls-key = .*/tls-key =/' "$TMP/rwd.conf" >"$TMP/bad.conf"
expect_exit 2 "--check-config refuses an empty tls-key" -- "$RWD" --check-config -c "$TMP/bad.conf"
grep_err "bad.conf:[0-9]+: tls-key has no value" "the error names the line"
sed 's/^client-ca = .*/plain-http = yes/; s/^client-role = .*//; s/^listen = .*/listen = 0.0.0.0:1/' "$TMP/rwd.conf" >"$TMP/bad.conf"
expect_exit 2 "--check-config refuses plain HTTP off loopback" -- "$RWD" --check-config -c "$TMP/bad.conf"
grep_err "bad.conf:[0-9]+: plain-http = yes is refused" "plain-http error names its line"

stop_daemon && ok || fail "the daemon did not stop cleanly"
grep -qE "runtime error|AddressSanitizer|LeakSanitizer" "$TMP/daemon.log" && fail "sanitizer report in the log" || ok
finish
