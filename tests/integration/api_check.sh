#!/bin/sh
# POST /v1/check over TLS: the same findings as `recruitwatch check` for every format, the
# Content-Type rules, clear 400/403/413/415 answers, recording into the state with an alert,
# nothing stored without ?record=true, and a stalled client that blocks no one.
. "$(dirname "$0")/lib.inc"
. "$(dirname "$0")/tools/daemon.inc"
. "$(dirname "$0")/tools/api.inc"

EX="$RW_SRC/packaging/examples/feeds"
start_httpd
API_CONF_API="max-body = 256K"
api_setup
api_tokens
api_start
EMP=$EMPLOYER
REG=$REGULATOR

# check TOKEN CONTENT-TYPE FILE [QUERY]: the status on stdout, the body in $TMP/resp.
# CONTENT-TYPE "-" sends none.
check() {
	if [ "$2" = "-" ]; then ct="Content-Type:"; else ct="Content-Type: $2"; fi
	acurl "/v1/check$4" -H "Authorization: Bearer $1" -H "$ct" --data-binary "@$3"
	cp "$TMP/body" "$TMP/resp" 2>/dev/null
}
# expect_status WANT DESCRIPTION TOKEN CONTENT-TYPE FILE [QUERY]
expect_status() {
	want=$1; what=$2; shift 2
	got=$(check "$@")
	if [ "$got" = "$want" ]; then ok; else
		fail "$what: HTTP $got, want $want: $(head -c 300 "$TMP/resp")"
	fi
}
# resp_has PYTHON-EXPRESSION DESCRIPTION: r is the parsed response.
resp_has() {
	if python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' \
		"$TMP/resp" "$1" 2>/dev/null; then ok; else fail "$2: $(head -c 300 "$TMP/resp")"; fi
}
# same_findings FILE: the response's rule ids per document are the CLI's for FILE.
same_findings() {
	"$RW" check --format json --min-severity info "$1" >"$TMP/cli.jsonl" 2>"$TMP/cli.err"
	python3 - "$TMP/cli.jsonl" "$TMP/resp" <<'PY'
import json, sys
cli = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
api = json.load(open(sys.argv[2]))
def rules(docs):
    return [(d["document"]["id"], sorted(f["rule"] for f in d["findings"])) for d in docs]
assert api["rulebook"], api
assert rules(api["documents"]) == rules(cli), (rules(api["documents"]), rules(cli))
# The §6 object itself, not only the rule ids.
for a, c in zip(api["documents"], cli):
    assert a["findings"] == c["findings"], (a["findings"], c["findings"])
    assert a["document"]["origin"]["source"] == "body", a["document"]
PY
}

# 1. Each format, auto-detected, gives the CLI's findings.
for f in "$EX/harbourline-rss.xml" "$EX/atlas-careers.json" "$EX/contracts.xml" \
	"$EX/indeed-jobs.xml" "$FIX/atom/agency.atom" "$FIX/hrxml/eures-isco08.xml" \
	"$FIX/jobxml/adzuna.xml" "$FIX/jsonld/graph.json" "$FIX/jsonld/page.html" \
	"$FIX/contract/contract.txt" "$FIX/rss/cp1252.xml" "$FIX/rss/utf16.xml"; do
	expect_status 200 "employer checks $(basename "$f")" "$EMP" application/octet-stream "$f"
	if same_findings "$f" 2>"$TMP/py.err"; then ok; else
		fail "$(basename "$f"): API findings differ from the CLI's: $(tail -1 "$TMP/py.err" | head -c 600)"
	fi
done
expect_status 200 "harbourline" "$EMP" - "$EX/harbourline-rss.xml"
resp_has 'len(r["documents"]) >= 2 and any(d["findings"] for d in r["documents"]) and r["errors"] == [] and "recorded" not in r' \
	"a multi-item feed gives one object per document, no errors, nothing recorded"

# 2. Content-Type decides the parser when it is specific.
for v in "application/rss+xml|$EX/harbourline-rss.xml" "application/rss+xml; charset=UTF-8|$EX/harbourline-rss.xml" \
	"text/xml|$EX/harbourline-rss.xml" "application/xml|$FIX/atom/agency.atom" \
	"application/atom+xml|$FIX/atom/agency.atom" "application/ld+json|$EX/atlas-careers.json" \
	"application/json|$EX/atlas-careers.json" "text/html|$FIX/jsonld/page.html" \
	"text/plain|$FIX/contract/contract.txt" "-|$EX/contracts.xml"; do
	ct=${v%%|*}; f=${v#*|}
	expect_status 200 "Content-Type $ct" "$EMP" "$ct" "$f"
	if same_findings "$f" 2>"$TMP/py.err"; then ok; else fail "Content-Type $ct: findings differ: $(tail -1 "$TMP/py.err" | head -c 400)"; fi
done
# text/plain forces the text reader: an RSS feed read as text is one document, not one per item.
expect_status 200 "text/plain on XML" "$EMP" text/plain "$EX/harbourline-rss.xml"
resp_has 'len(r["documents"]) == 1' "text/plain reads the body as one text document"
# A specific type that does not fit the body: the reader says where.
expect_status 400 "an RSS feed sent as JSON" "$EMP" application/json "$EX/harbourline-rss.xml"
resp_has 'r["error"]["status"] == 400 and r["error"]["message"].startswith("body:1")' "the JSON error names body:1"

# 3. 415 with the accepted list; ?format= forces the reader.
printf '\211PNG\r\n\032\n' >"$TMP/x.png"
expect_status 415 "image/png" "$EMP" image/png "$TMP/x.png"
resp_has 'r["error"]["code"] == "unsupported-media-type" and "application/rss+xml" in r["error"]["message"] and "text/plain" in r["error"]["message"]' \
	"415 lists the accepted types"
got=$(acurl /v1/check -H "Authorization: Bearer $EMP" -F "file=@$EX/harbourline-rss.xml")
if [ "$got" = 415 ]; then ok; else fail "multipart/form-data: HTTP $got, want 415"; fi
expect_status 415 "curl -d's form type" "$EMP" application/x-www-form-urlencoded "$EX/harbourline-rss.xml"
expect_status 200 "?format=rss2 overrides a form type" "$EMP" application/x-www-form-urlencoded \
	"$EX/harbourline-rss.xml" "?format=rss2"
if same_findings "$EX/harbourline-rss.xml" 2>"$TMP/py.err"; then ok; else fail "?format=rss2: findings differ"; fi
expect_status 200 "?format=text" "$EMP" application/rss+xml "$EX/harbourline-rss.xml" "?format=text"
resp_has 'len(r["documents"]) == 1' "?format=text reads one text document"
expect_status 400 "?format=bogus" "$EMP" text/xml "$EX/harbourline-rss.xml" "?format=bogus"
resp_has '"bogus" in r["error"]["message"]' "the 400 names the unknown format"
expect_status 400 "?min-severity=extreme" "$EMP" text/xml "$EX/harbourline-rss.xml" "?min-severity=extreme"
expect_status 200 "?min-severity=critical" "$EMP" text/xml "$EX/harbourline-rss.xml" "?min-severity=critical"
resp_has 'all(f["severity"] == "critical" for d in r["documents"] for f in d["findings"]) and any(d["findings"] for d in r["documents"])' \
	"?min-severity=critical keeps only critical findings"

# 4. Bodies that cannot be read.
expect_status 400 "truncated XML" "$EMP" - "$FIX/hostile/truncated.xml"
resp_has 'r["error"]["code"] == "bad-request" and __import__("re").match(r"body:\d+(:\d+)?: ", r["error"]["message"])' \
	"the 400 for broken XML names body:LINE"
expect_status 400 "an entity declaration (billion laughs)" "$EMP" application/xml "$FIX/hostile/billion-laughs.xml"
resp_has 'r["error"]["message"].startswith("body:")' "the entity refusal names the body"
expect_status 400 "external entity" "$EMP" - "$FIX/hostile/xxe.xml"
expect_status 400 "broken JSON" "$EMP" application/json "$FIX/hostile/bad-json.json"
resp_has 'r["error"]["message"].startswith("body:")' "the JSON error names the body"
expect_status 400 "bad UTF-8" "$EMP" text/plain "$FIX/hostile/bad-utf8.txt"
: >"$TMP/empty"
expect_status 400 "an empty body" "$EMP" application/rss+xml "$TMP/empty"
# Over 1 MiB, so curl asks "Expect: 100-continue" and evhttp can refuse before the body is
# sent (a smaller body may still be in flight when the server closes, and the client then
# sees a reset instead of the 413).
python3 -c 'import sys; sys.stdout.write("<rss version=\"2.0\"><channel>" + "<item><title>x</title><description>" + "a" * 2000000 + "</description></item></channel></rss>")' >"$TMP/big.xml"
expect_status 413 "a body over max-body" "$EMP" application/rss+xml "$TMP/big.xml"
printf '<?xml version="1.0"?>\n<rss version="2.0"><channel><title>none</title></channel></rss>\n' >"$TMP/none.xml"
expect_status 200 "a feed with no postings" "$EMP" application/rss+xml "$TMP/none.xml"
resp_has 'r["documents"] == [] and r["errors"] == []' "no postings: an empty documents list"

# 5. Recording: employers may not; nothing is stored without it; a regulator's record is kept
# and alerted.
# Counted for the "api" feed only: the configured feed is polled meanwhile.
API_ITEMS="SELECT i.id FROM items i JOIN feeds d ON d.id = i.feed_id WHERE d.name = 'api'"
events() { sql "SELECT count(*) FROM events WHERE finding_id IN (SELECT id FROM findings WHERE item_id IN ($API_ITEMS))"; }
items() { sql "SELECT count(*) FROM ($API_ITEMS)"; }
expect_status 403 "employer ?record=true" "$EMP" application/rss+xml "$EX/harbourline-rss.xml" "?record=true"
resp_has 'r["error"]["message"] == "recording needs the regulator or admin role"' "the 403 says who may record"
expect_status 200 "regulator check without record" "$REG" application/rss+xml "$EX/harbourline-rss.xml"
if [ "$(events)" = 0 ] && [ "$(items)" = 0 ]; then ok; else
	fail "a check without ?record=true stored something"; fi
expect_status 400 "?record=maybe" "$REG" application/rss+xml "$EX/harbourline-rss.xml" "?record=maybe"
expect_status 200 "regulator ?record=true" "$REG" application/rss+xml "$EX/harbourline-rss.xml" "?record=true"
cp "$TMP/resp" "$TMP/recorded.json"
resp_has 'r["recorded"] == len(r["documents"]) >= 2 and all(f["id"].startswith("f_") for d in r["documents"] for f in d["findings"])' \
	"the response counts the recorded documents and gives finding ids"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print("\n".join(f["id"] for d in r["documents"] for f in d["findings"]))' \
	"$TMP/recorded.json" >"$TMP/ids"
n=$(wc -l <"$TMP/ids")
inlist=$(sed "s/.*/'&'/" "$TMP/ids" | paste -sd, -)
if [ "$n" -gt 0 ] && [ "$(sql "SELECT count(*) FROM findings f JOIN items i ON i.id = f.item_id JOIN feeds d ON d.id = i.feed_id WHERE d.name = 'api' AND f.id IN ($inlist)")" = "$n" ]; then ok; else
	fail "the $n recorded findings are in the state under the api feed"; fi
if [ "$(events)" -ge "$n" ] && [ "$(items)" -ge 2 ]; then ok; else fail "recording wrote items and events"; fi
first=$(head -1 "$TMP/ids")
wait_for 15 "an alert for a recorded finding reaches the jsonl sink" -- grep -q "$first" "$TMP/alerts.jsonl"
# The same body again changes nothing.
before=$(events)
expect_status 200 "regulator records the same body again" "$REG" application/rss+xml "$EX/harbourline-rss.xml" "?record=true"
if [ "$(events)" = "$before" ]; then ok; else fail "recording an unchanged body wrote events"; fi

# 6. A client that sends its headers and half its body, then stalls, blocks no one.
python3 - 127.0.0.1 "$APIPORT" "$CERTS/ca.crt" "$EMP" "$EX/harbourline-rss.xml" <<'PY' &
import socket, ssl, sys, time
host, port, ca, tok, path = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
body = open(path, "rb").read()
ctx = ssl.create_default_context(cafile=ca)
s = ctx.wrap_socket(socket.create_connection((host, port)), server_hostname=host)
s.sendall(("POST /v1/check HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n"
           "Content-Type: application/rss+xml\r\nContent-Length: %d\r\n\r\n" % (host, tok, len(body))).encode())
s.sendall(body[: len(body) // 2])
time.sleep(30)
s.close()
PY
SLOW=$!
sleep 1
expect_status 200 "a check while another client stalls" "$EMP" application/rss+xml "$EX/harbourline-rss.xml"
# Order, not time: the stalled client is still stalled (alive) when the check has its answer.
if kill -0 "$SLOW" 2>/dev/null; then ok; else fail "the check waited for the stalled client"; fi
kill "$SLOW" 2>/dev/null
wait "$SLOW" 2>/dev/null

if stop_daemon; then ok; else fail "the daemon stops cleanly"; tail -20 "$TMP/daemon.log"; fi
finish
