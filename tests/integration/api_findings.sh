#!/bin/sh
# GET /v1/findings, /v1/findings/{id} and /v1/alerts.atom end to end over TLS: the daemon polls
# the fixture feed (v1, then v2) and every filter, the pagination, a finding's history and the
# Atom feed (validated against RFC 4287's schema) are checked against what the feed holds.
. "$(dirname "$0")/lib.inc"
. "$(dirname "$0")/tools/daemon.inc"
. "$(dirname "$0")/tools/api.inc"

RNG="$RW_SRC/tests/fixtures/atom/atom.rng"
start_httpd
cp "$DFIX/v1.xml" "$SRV/feed.xml"
API_CONF_API="public-url = https://alerts.example.org/rw/"
api_setup
api_tokens
api_start
AUTH="Authorization: Bearer $REGULATOR"

# v1 holds one item with findings (ng-1001: UK-RED-ACTIVE critical, REC-POSTING-NO-EMPLOYER
# low); v2 drops its red-list wording (UK-RED-ACTIVE resolved) and adds ng-1003 in Riyadh with
# a processing fee (FEE-DISGUISED high, REC-POSTING-NO-EMPLOYER low).
wait_for 30 "v1: two findings in the state" -- sh -c "[ \"\$(sqlite3 '$STATE/state.db' 'select count(*) from findings')\" = 2 ]"
cp "$DFIX/v2.xml" "$SRV/feed.xml"
wait_for 30 "v2: four findings, one resolved" -- sh -c "[ \"\$(sqlite3 '$STATE/state.db' \"select count(*) || '/' || sum(status = 'resolved') from findings\")\" = 4/1 ]"
wait_for 10 "v2: five events" -- sh -c "[ \"\$(sqlite3 '$STATE/state.db' 'select count(*) from events')\" = 5 ]"

# findings QUERY EXPECTED: GET /v1/findings?QUERY should list the findings EXPECTED
# (guid/rule, any order). The bodies are checked together by one Python afterwards
# (check_batch), which reports each case.
: >"$TMP/cases"
nq=0
findings() {
	nq=$((nq + 1))
	code=$(acurl "/v1/findings?$1" -H "$AUTH")
	cp "$TMP/body" "$TMP/case.$nq"
	printf '%s\t%s\t%s\t%s\n' "$nq" "$code" "$1" "$2" >>"$TMP/cases"
}
# check_batch: the last line Python prints is the number of failed cases of $1 cases.
check_batch() {
	total=$1
	sed '$d' "$TMP/checked"
	nbad=$(tail -1 "$TMP/checked")
	case $nbad in ''|*[!0-9]*) nbad=$total ;; esac
	fails=$((fails + nbad))
	passes=$((passes + total - nbad))
}
RED=ng-1001/UK-RED-ACTIVE
REC1=ng-1001/REC-POSTING-NO-EMPLOYER
FEE=ng-1003/FEE-DISGUISED
REC3=ng-1003/REC-POSTING-NO-EMPLOYER
findings "" "$RED $REC1 $FEE $REC3"
findings "status=any" "$RED $REC1 $FEE $REC3"
findings "status=open" "$REC1 $FEE $REC3"
findings "status=resolved" "$RED"
findings "severity=high" "$RED $FEE"
findings "severity=critical" "$RED"
findings "severity=low" "$RED $REC1 $FEE $REC3"
findings "category=worker-fees" "$FEE"
findings "category=worker-fees,active-recruitment-ssl" "$RED $FEE"
findings "category=worker-fees&category=recruiter-transparency" "$REC1 $FEE $REC3"
findings "agency=northgate%20HEALTH%20staffing" "$RED $REC1 $FEE $REC3"
findings "agency=Southbay" ""
findings "feed=northgate" "$RED $REC1 $FEE $REC3"
findings "feed=elsewhere" ""
findings "destination=SA" "$FEE $REC3"
findings "destination=gb" "$RED $REC1"
findings "destination=FR,SA" "$FEE $REC3"
# Sources are those the finding was last alerted under: Nigeria and Ghana for the resolved
# red-list finding, the UK for ng-1001's employer finding (re-recorded from v2).
findings "source=NG" "$RED"
findings "source=GH" "$RED"
findings "source=GB" "$REC1"
# Days and times from the state itself, so that a run across midnight still agrees.
TODAY=$(sql "select date(min(opened_at), 'unixepoch') from findings")
TOMORROW=$(sql "select date(max(updated_at), 'unixepoch', '+1 day') from findings")
T2=$(sql "select resolved_at from findings where rule = 'UK-RED-ACTIVE'")
# T2 written in two other zones: since=T2 includes it, since=T2+1s does not.
T2_WEST=$(date -u -d "@$((T2 - 5 * 3600))" +%Y-%m-%dT%H:%M:%S-05:00)
T2_EAST=$(date -u -d "@$((T2 + 1 + 2 * 3600))" +%Y-%m-%dT%H:%M:%S.5+0200)
findings "since=$TODAY" "$RED $REC1 $FEE $REC3"
findings "since=$TOMORROW" ""
findings "until=2001-01-01" ""
findings "until=$TODAY" "$RED $REC1 $FEE $REC3"
findings "since=2001-01-01T00:00:00Z&until=${TOMORROW}T03:00:00%2B02:00" "$RED $REC1 $FEE $REC3"
findings "status=resolved&since=$T2_WEST" "$RED"
findings "status=resolved&since=$(echo "$T2_EAST" | sed 's/+/%2B/')" ""
findings "status=resolved&until=$T2_WEST" "$RED"
# Combined.
findings "status=open&severity=high" "$FEE"
findings "status=open&destination=GB" "$REC1"
findings "category=recruiter-transparency&destination=SA" "$REC3"
findings "status=resolved&source=NG&feed=northgate&severity=critical" "$RED"
findings "status=resolved&destination=SA" ""
python3 - "$TMP" <<'PY' >"$TMP/checked"
import json, sys
bad = 0
for line in open(sys.argv[1] + "/cases"):
    n, code, q, want = line.rstrip("\n").split("\t")
    try:
        j = json.load(open("%s/case.%s" % (sys.argv[1], n)))
        got = sorted(f["document"]["origin"]["guid"] + "/" + f["rule"] for f in j["findings"])
    except Exception as e:
        got = ["(%s)" % e]
    if code != "200" or got != sorted(want.split()):
        print("FAIL: GET /v1/findings?%s: HTTP %s, got %s, want %s" % (q, code, got, sorted(want.split())))
        bad += 1
print(bad)
PY
check_batch $nq

# The shape of one list entry (design §6 plus the lifecycle).
acurl "/v1/findings?category=worker-fees" -H "$AUTH" >/dev/null
api_json '(j["next_cursor"] is None and len(j["findings"]) == 1 and
    (lambda f: f["id"].startswith("f_") and f["severity"] == "high" and f["status"] == "open"
     and f["category"] == "worker-fees" and f["destinations"] == ["SA"] and f["feed"] == "northgate"
     and f["agency"] == "Northgate Health Staffing" and f["resolved_at"] is None
     and f["opened_at"].endswith("Z") and f["updated_at"] == f["opened_at"]
     and "processing fee" in f["evidence"][0]["text"]
     and f["document"]["title"] == "ICU Nurses - Riyadh")(j["findings"][0]))' &&
	ok || fail "a finding's fields: $(head -c 600 "$TMP/body")"

# Pagination with limit=1: four pages, each finding once, in the order of one full page.
acurl "/v1/findings?limit=500" -H "$AUTH" >/dev/null
python3 -c 'import json,sys; print("\n".join(f["id"] for f in json.load(open(sys.argv[1]))["findings"]))' "$TMP/body" >"$TMP/all"
: >"$TMP/paged"
cursor=""
pages=0
while [ $pages -lt 10 ]; do
	code=$(acurl "/v1/findings?limit=1$cursor" -H "$AUTH")
	[ "$code" = 200 ] || { fail "page $pages: HTTP $code"; break; }
	python3 -c 'import json,sys; [print(f["id"]) for f in json.load(open(sys.argv[1]))["findings"]]' "$TMP/body" >>"$TMP/paged"
	pages=$((pages + 1))
	next=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["next_cursor"] or "")' "$TMP/body")
	[ -n "$next" ] || break
	cursor="&cursor=$next"
done
[ $pages -eq 4 ] && ok || fail "limit=1: $pages pages, want 4"
[ "$(wc -l <"$TMP/all")" -eq 4 ] && cmp -s "$TMP/all" "$TMP/paged" && ok || fail "paged ids differ from one page: $(cat "$TMP/paged")"
[ "$(sort -u "$TMP/paged" | wc -l)" -eq 4 ] && ok || fail "a finding repeated across pages"
# The resolved one moved last (T2) and is the newest: it opens the list.
[ "$(head -1 "$TMP/all")" = "$(sql "select id from findings where rule = 'UK-RED-ACTIVE'")" ] && ok || fail "newest update first"

# One finding with its document and history: opened at v1, resolved at v2.
RED_ID=$(sql "select id from findings where rule = 'UK-RED-ACTIVE'")
expect_code 200 "GET /v1/findings/{id}" "/v1/findings/$RED_ID" -H "$AUTH"
OPENED_AT=$(sql "select strftime('%Y-%m-%dT%H:%M:%SZ', at, 'unixepoch') from events where finding_id = '$RED_ID' and type = 'finding.opened'")
RESOLVED_AT=$(sql "select strftime('%Y-%m-%dT%H:%M:%SZ', at, 'unixepoch') from events where finding_id = '$RED_ID' and type = 'finding.resolved'")
api_json "(j['id'] == '$RED_ID' and j['status'] == 'resolved' and j['rule'] == 'UK-RED-ACTIVE'
    and j['severity'] == 'critical' and j['resolved_at'] == '$RESOLVED_AT' and j['opened_at'] == '$OPENED_AT'
    and [h['type'] for h in j['history']] == ['finding.opened', 'finding.resolved']
    and [h['at'] for h in j['history']] == ['$OPENED_AT', '$RESOLVED_AT']
    and j['history'][1]['reason'] == 'no-longer-triggers' and j['history'][0]['reason'] is None
    and all(h['id'].startswith('evt_') for h in j['history'])
    and j['document']['origin']['guid'] == 'ng-1001'
    and j['document']['origin']['url'] == 'https://northgate.example/jobs/1001'
    and any('Nigeria' in e['text'] for e in j['evidence'])
    and j['sources'] == ['NG', 'GH'] and j['destinations'] == ['GB'])" &&
	ok || fail "the finding's detail and history: $(head -c 800 "$TMP/body")"
expect_code 404 "an unknown finding" "/v1/findings/f_00000000000000000000000000000000" -H "$AUTH"
api_json 'j["error"]["status"] == 404 and j["error"]["code"] == "not-found"' && ok || fail "404 body"
expect_code 404 "a finding id that cannot be" "/v1/findings/%3Cscript%3E" -H "$AUTH"

# Bad values: 400, and the message names the parameter (checked together as above).
: >"$TMP/bads"
nb=0
bad() {
	nb=$((nb + 1))
	code=$(acurl "/v1/findings?$1" -H "$AUTH")
	cp "$TMP/body" "$TMP/bad.$nb"
	printf '%s\t%s\t%s\t%s\n' "$nb" "$code" "$1" "$2" >>"$TMP/bads"
}
bad "status=closed" status
bad "severity=urgent" severity
bad "category=fees" category
bad "destination=GBR" destination
bad "source=N1" source
bad "since=yesterday" since
bad "until=2024-13-45" until
bad "since=2024-05-01T25:00:00Z" since
bad "limit=0" limit
bad "limit=501" limit
bad "limit=ten" limit
bad "cursor=xyz" cursor
bad "cursor=MTIzOmZfYWI%3D" cursor
bad "colour=red" colour
bad "agency=" agency
python3 - "$TMP" <<'PY' >"$TMP/checked"
import json, sys
bad = 0
for line in open(sys.argv[1] + "/bads"):
    n, code, q, param = line.rstrip("\n").split("\t")
    try:
        e = json.load(open("%s/bad.%s" % (sys.argv[1], n)))["error"]
        good = code == "400" and e["code"] == "bad-request" and e["message"].startswith(param + ":")
    except Exception as x:
        e, good = str(x), False
    if not good:
        print("FAIL: ?%s: HTTP %s, want 400 naming %s: %s" % (q, code, param, e))
        bad += 1
print(bad)
PY
check_batch $nb

# Roles: union and admin read findings; an employer may not; nobody without a token.
expect_code 200 "union reads findings" "/v1/findings" -H "Authorization: Bearer $UNION"
expect_code 200 "admin reads findings" "/v1/findings/$RED_ID" -H "Authorization: Bearer $ADMIN"
expect_code 403 "employer: findings forbidden" "/v1/findings" -H "Authorization: Bearer $EMPLOYER"
expect_code 403 "employer: a finding forbidden" "/v1/findings/$RED_ID" -H "Authorization: Bearer $EMPLOYER"
expect_code 401 "no token: findings" "/v1/findings"

# --- the Atom feed ---
code=$(acurl "/v1/alerts.atom" -H "$AUTH" -D "$TMP/headers")
[ "$code" = 200 ] && ok || fail "GET /v1/alerts.atom: HTTP $code"
grep -qi '^content-type: application/atom+xml' "$TMP/headers" && ok || fail "Atom content type: $(cat "$TMP/headers")"
cp "$TMP/body" "$TMP/feed1.xml"
xmllint --noout --relaxng "$RNG" "$TMP/feed1.xml" 2>"$TMP/xmllint.err" && ok || { fail "the feed is not valid Atom"; head -5 "$TMP/xmllint.err"; }
NEWEST=$(sql "select strftime('%Y-%m-%dT%H:%M:%SZ', max(at), 'unixepoch') from events")
sql "select id from events order by seq desc" >"$TMP/events"
python3 - "$TMP/feed1.xml" "$NEWEST" "$TMP/events" "$RED_ID" <<'PY' && ok || fail "the Atom feed's content"
import sys, xml.etree.ElementTree as ET
A = "{http://www.w3.org/2005/Atom}"
feed = ET.parse(sys.argv[1]).getroot()
newest, red = sys.argv[2], sys.argv[4]
events = open(sys.argv[3]).read().split()
assert feed.tag == A + "feed", feed.tag
assert feed.find(A + "id").text.startswith("urn:recruitwatch:alerts:"), feed.find(A + "id").text
assert feed.find(A + "updated").text == newest, (feed.find(A + "updated").text, newest)
self = [l.get("href") for l in feed.findall(A + "link") if l.get("rel") == "self"]
assert self == ["https://alerts.example.org/rw/v1/alerts.atom"], self
assert feed.find(A + "author/" + A + "name").text
entries = feed.findall(A + "entry")
ids = [e.find(A + "id").text for e in entries]
assert ids == ["urn:recruitwatch:event:" + e for e in events], (ids, events)
assert entries[0].find(A + "updated").text == newest
titles = [e.find(A + "title").text for e in entries]
assert "Resolved: CRITICAL UK-RED-ACTIVE: Registered Nurses for NHS Trust in Leeds, UK" in titles, titles
assert "HIGH FEE-DISGUISED: ICU Nurses - Riyadh" in titles, titles
assert titles.count("CRITICAL UK-RED-ACTIVE: Registered Nurses for NHS Trust in Leeds, UK") == 1, titles
for e in entries:
    t = e.find(A + "title").text
    if "UK-RED-ACTIVE" in t:
        assert e.find(A + "link").get("href") == "https://alerts.example.org/rw/v1/findings/" + red
        assert e.find(A + "category").get("term") == "active-recruitment-ssl"
    if "FEE-DISGUISED" in t:
        c = e.find(A + "content")
        assert c.get("type") == "text" and "processing fee" in c.text and "Advice:" in c.text, c.text
        assert "processing" in e.find(A + "summary").text
PY
# Stable: the same ids on a second request.
acurl "/v1/alerts.atom" -H "$AUTH" >/dev/null
cmp -s "$TMP/body" "$TMP/feed1.xml" && ok || fail "a second request gives another feed"

# Filters apply; the feed id follows the filter, not its spelling.
acurl "/v1/alerts.atom?severity=high&category=worker-fees,active-recruitment-ssl" -H "$AUTH" >/dev/null
cp "$TMP/body" "$TMP/feed2.xml"
xmllint --noout --relaxng "$RNG" "$TMP/feed2.xml" 2>/dev/null && ok || fail "the filtered feed is not valid Atom"
acurl "/v1/alerts.atom?category=active-recruitment-ssl&category=worker-fees&severity=high" -H "$AUTH" >/dev/null
python3 - "$TMP/feed1.xml" "$TMP/feed2.xml" "$TMP/body" <<'PY' && ok || fail "filtered Atom feed"
import sys, xml.etree.ElementTree as ET
A = "{http://www.w3.org/2005/Atom}"
f1, f2, f3 = (ET.parse(p).getroot() for p in sys.argv[1:4])
t = [e.find(A + "title").text.split(":")[0] for e in f2.findall(A + "entry")]
# Newest first: v2's resolution and fee (in the order written), then v1's red-list opening.
assert sorted(t) == sorted(["Resolved", "HIGH FEE-DISGUISED", "CRITICAL UK-RED-ACTIVE"]), t
assert t[-1] == "CRITICAL UK-RED-ACTIVE", t
assert f2.find(A + "id").text != f1.find(A + "id").text
assert f2.find(A + "id").text == f3.find(A + "id").text
self = [l.get("href") for l in f2.findall(A + "link") if l.get("rel") == "self"][0]
assert self.startswith("https://alerts.example.org/rw/v1/alerts.atom?severity=high&category="), self
PY
acurl "/v1/alerts.atom?status=resolved" -H "$AUTH" >/dev/null
[ "$(grep -c '<entry>' "$TMP/body")" = 1 ] && ok || fail "status=resolved: one entry"
acurl "/v1/alerts.atom?limit=2" -H "$AUTH" >/dev/null
[ "$(grep -c '<entry>' "$TMP/body")" = 2 ] && ok || fail "limit=2: two entries"
acurl "/v1/alerts.atom?feed=elsewhere" -H "$AUTH" >/dev/null
xmllint --noout --relaxng "$RNG" "$TMP/body" 2>/dev/null && ok || fail "an empty feed is valid Atom"
grep -q '<updated>' "$TMP/body" && [ "$(grep -c '<entry>' "$TMP/body")" = 0 ] && ok || fail "an empty feed has no entries"
expect_code 400 "Atom: a bad filter" "/v1/alerts.atom?severity=urgent" -H "$AUTH"
expect_code 400 "Atom: no cursor" "/v1/alerts.atom?cursor=MTIzOmZfYWI" -H "$AUTH"

# Feed readers: the token as ?token= or as the Basic password; never echoed, never logged.
code=$(acurl "/v1/alerts.atom?severity=high&token=$REGULATOR")
[ "$code" = 200 ] && ok || fail "?token=: HTTP $code"
xmllint --noout --relaxng "$RNG" "$TMP/body" 2>/dev/null && ok || fail "?token= feed is valid Atom"
! grep -q "$REGULATOR" "$TMP/body" && ok || fail "the token appears in the feed"
grep -q 'rel="self" href="https://alerts.example.org/rw/v1/alerts.atom?severity=high"' "$TMP/body" && ok || fail "the self link without the token: $(grep self "$TMP/body")"
code=$(acurl "/v1/alerts.atom" -u "reader:$REGULATOR")
[ "$code" = 200 ] && ok || fail "Basic auth: HTTP $code"
cmp -s "$TMP/body" "$TMP/feed1.xml" && ok || fail "Basic auth gives the same feed"
code=$(acurl "/v1/alerts.atom?token=$UNION")
[ "$code" = 200 ] && ok || fail "union with ?token=: HTTP $code"
expect_code 401 "Atom: a wrong ?token=" "/v1/alerts.atom?token=rwt_nope_nope"
expect_code 401 "Atom: no credentials" "/v1/alerts.atom" -D "$TMP/headers"
grep -qi '^www-authenticate: basic' "$TMP/headers" && ok || fail "Atom 401 offers Basic: $(cat "$TMP/headers")"
expect_code 403 "Atom: employer forbidden" "/v1/alerts.atom" -H "Authorization: Bearer $EMPLOYER"
expect_code 403 "Atom: employer with ?token=" "/v1/alerts.atom?token=$EMPLOYER"
expect_code 401 "findings take no ?token=" "/v1/findings?token=$REGULATOR"

# Conditional GET: the ETag and Last-Modified answer 304 until a new event.
acurl "/v1/alerts.atom" -H "$AUTH" -D "$TMP/headers" >/dev/null
ETAG=$(sed -n 's/^[Ee][Tt][Aa][Gg]: *//p' "$TMP/headers" | tr -d '\r')
LASTMOD=$(sed -n 's/^[Ll]ast-[Mm]odified: *//p' "$TMP/headers" | tr -d '\r')
NEWEST_ID=$(sql "select id from events order by seq desc limit 1")
[ "$ETAG" = "\"$NEWEST_ID\"" ] && ok || fail "ETag is the newest event id: $ETAG"
# One Cache-Control, saying "revalidate" (not no-store, which would forbid the reader's copy).
[ "$(grep -ci '^cache-control:' "$TMP/headers")" = 1 ] && grep -qi '^cache-control: private, no-cache' "$TMP/headers" && ok || fail "Atom Cache-Control: $(grep -i cache-control "$TMP/headers")"
rm -f "$TMP/body"
expect_code 304 "If-None-Match" "/v1/alerts.atom" -H "$AUTH" -D "$TMP/headers" -H "If-None-Match: $ETAG"
[ ! -s "$TMP/body" ] && ! grep -qi '^content-length: [1-9]' "$TMP/headers" && ok || fail "a 304 has no body"
expect_code 304 "If-None-Match in a list, weak" "/v1/alerts.atom" -H "$AUTH" -H "If-None-Match: \"x\", W/$ETAG"
expect_code 200 "If-None-Match of another tag" "/v1/alerts.atom" -H "$AUTH" -H "If-None-Match: \"evt_other\""
expect_code 304 "If-Modified-Since" "/v1/alerts.atom" -H "$AUTH" -H "If-Modified-Since: $LASTMOD"
expect_code 200 "If-Modified-Since long ago" "/v1/alerts.atom" -H "$AUTH" -H "If-Modified-Since: Mon, 01 Jan 2001 00:00:00 GMT"
expect_code 304 "?token= and If-None-Match" "/v1/alerts.atom?token=$REGULATOR" -H "If-None-Match: $ETAG"
# v3 withdraws ng-1003: two resolutions, so the old tag no longer matches.
cp "$DFIX/v3.xml" "$SRV/feed.xml"
wait_for 30 "v3: seven events" -- sh -c "[ \"\$(sqlite3 '$STATE/state.db' 'select count(*) from events')\" = 7 ]"
expect_code 200 "after a new event the old ETag gets the feed" "/v1/alerts.atom" -H "$AUTH" -H "If-None-Match: $ETAG"
[ "$(grep -c '<entry>' "$TMP/body")" = 7 ] && ok || fail "v3: seven entries"
python3 - "$TMP/feed1.xml" "$TMP/body" <<'PY' && ok || fail "old entries keep their ids and content"
import sys, xml.etree.ElementTree as ET
A = "{http://www.w3.org/2005/Atom}"
old, new = (ET.parse(p).getroot() for p in sys.argv[1:3])
o = {e.find(A + "id").text: ET.tostring(e) for e in old.findall(A + "entry")}
n = {e.find(A + "id").text: ET.tostring(e) for e in new.findall(A + "entry")}
assert set(o) <= set(n) and all(o[k] == n[k] for k in o)
PY

stop_daemon && ok || fail "SIGTERM: exit status 0"
for t in "$REGULATOR" "$UNION" "$EMPLOYER" "$ADMIN"; do
	! grep -qF "$t" "$TMP/daemon.log" && ok || fail "a token appears in the daemon's log"
done
grep -q "GET /v1/alerts.atom 200" "$TMP/daemon.log" && ok || fail "Atom requests are logged (path only)"
! grep -qE "runtime error|AddressSanitizer|LeakSanitizer" "$TMP/daemon.log" && ok || fail "sanitizer reports in the daemon's log"
[ "$fails" -eq 0 ] || sed 's/^/  log: /' "$TMP/daemon.log" | grep -v 'GET /v1' | tail -20
finish
