#!/bin/sh
# GET /v1/agencies and /v1/agencies/{id}/audit over TLS: after the feed goes v1 -> v2 -> v3, the
# agency list, the audit's totals and months (worked out by hand from the fixtures), the CSV
# download parsed back with Python's csv module, date bounds, an unknown agency, and roles.
. "$(dirname "$0")/lib.inc"
. "$(dirname "$0")/tools/daemon.inc"
. "$(dirname "$0")/tools/api.inc"

start_httpd
cp "$DFIX/v1.xml" "$SRV/feed.xml"
api_setup
api_tokens
api_start
alerts() { [ -f "$TMP/alerts.jsonl" ] && wc -l <"$TMP/alerts.jsonl" || echo 0; }
# Findings (daemon_alerts.sh): v1 opens UK-RED-ACTIVE and REC-POSTING-NO-EMPLOYER on ng-1001;
# v2 resolves UK-RED-ACTIVE and opens a FEE- rule and REC-POSTING-NO-EMPLOYER on ng-1003; v3
# removes ng-1003, resolving both. Seven events.
wait_for 30 "v1: two alerts" -- at_least alerts 2
cp "$DFIX/v2.xml" "$SRV/feed.xml"
wait_for 30 "v2: five alerts" -- at_least alerts 5
cp "$DFIX/v3.xml" "$SRV/feed.xml"
wait_for 30 "v3: seven alerts" -- at_least alerts 7
MONTH=$(date -u +%Y-%m)
TODAY=$(date -u +%Y-%m-%d)
TOMORROW=$(date -u -d tomorrow +%Y-%m-%d)
YESTERDAY=$(date -u -d yesterday +%Y-%m-%d)
AG=northgate-health-staffing

# Roles: union, regulator and admin read audits; an employer cannot; nobody without a token.
expect_code 200 "union lists agencies" /v1/agencies -H "Authorization: Bearer $UNION"
api_json 'j["agencies"] == [{"id": "northgate-health-staffing", "name": "Northgate Health Staffing", "items": 3, "open_findings": 1, "resolved_findings": 3, "last_seen": j["agencies"][0]["last_seen"]}]' && ok || fail "the agency list: $(cat "$TMP/body")"
api_json 'j["agencies"][0]["last_seen"].startswith("'"$TODAY"'T")' && ok || fail "last_seen is today"
expect_code 200 "regulator lists agencies" /v1/agencies -H "Authorization: Bearer $REGULATOR"
expect_code 200 "admin lists agencies" /v1/agencies -H "Authorization: Bearer $ADMIN"
expect_code 403 "employer may not list agencies" /v1/agencies -H "Authorization: Bearer $EMPLOYER"
expect_code 401 "no token, no agencies" /v1/agencies
expect_code 403 "employer may not read an audit" /v1/agencies/$AG/audit -H "Authorization: Bearer $EMPLOYER"
expect_code 401 "no token, no audit" /v1/agencies/$AG/audit
expect_code 200 "regulator reads an audit" /v1/agencies/$AG/audit -H "Authorization: Bearer $REGULATOR"
expect_code 404 "an unknown agency" /v1/agencies/nobody-at-all/audit -H "Authorization: Bearer $UNION"
api_json 'j["error"]["status"] == 404 and j["error"]["code"] == "not-found"' && ok || fail "404 body"

# The audit as JSON.
expect_code 200 "union reads the audit" /v1/agencies/$AG/audit -H "Authorization: Bearer $UNION"
cp "$TMP/body" "$TMP/audit.json"
python3 - "$TMP/audit.json" "$MONTH" <<'PY' && ok || fail "audit JSON: $(head -c 600 "$TMP/audit.json")"
import json, sys
j, m = json.load(open(sys.argv[1])), sys.argv[2]
assert j["agency"]["id"] == "northgate-health-staffing" and j["agency"]["items"] == 3, j["agency"]
assert j["since"] is None and j["until"] is None
assert j["totals"] == {"findings": 4, "open": 1, "resolved": 3}, j["totals"]
assert j["by_category_month"] == [
    {"month": m, "category": "active-recruitment-ssl", "opened": 1, "resolved": 1},
    {"month": m, "category": "recruiter-transparency", "opened": 2, "resolved": 1},
    {"month": m, "category": "worker-fees", "opened": 1, "resolved": 1}], j["by_category_month"]
t = j["time_to_resolve_days"]
# the three were resolved within the test's minute or two
assert t["count"] == 3 and 0 <= t["median"] <= t["mean"] * 3 and t["mean"] < 0.01, t
ev = j["evidence"]
assert len(ev) == 4, ev
by = {(e["document"]["guid"], e["rule"].split("-")[0]): e for e in ev}
assert sorted(by) == [("ng-1001", "REC"), ("ng-1001", "UK"), ("ng-1003", "FEE"), ("ng-1003", "REC")], sorted(by)
red = by[("ng-1001", "UK")]
assert red["status"] == "resolved" and red["resolved_at"] >= red["opened_at"], red
assert red["category"] == "active-recruitment-ssl" and red["severity"] == "critical", red
assert red["document"]["title"] == "Registered Nurses for NHS Trust in Leeds, UK", red
assert red["document"]["url"] == "https://northgate.example/jobs/1001", red
assert any("Nigeria" in x for x in red["evidence"]), red
open_ = [e for e in ev if e["status"] == "open"]
assert len(open_) == 1 and open_[0]["rule"] == "REC-POSTING-NO-EMPLOYER" and open_[0]["resolved_at"] is None, open_
assert by[("ng-1003", "FEE")]["category"] == "worker-fees" and by[("ng-1003", "FEE")]["evidence"], by
assert all(e["id"].startswith("f_") for e in ev)
PY
# the state agrees with the evidence list
[ "$(sql "select count(*) from findings")" = 4 ] && ok || fail "four findings in the state"

# Date bounds: today includes everything; tomorrow on, or up to yesterday, nothing.
expect_code 200 "since today" "/v1/agencies/$AG/audit?since=$TODAY&until=$TODAY" -H "Authorization: Bearer $UNION"
api_json 'j["totals"]["findings"] == 4 and j["since"] == "'"$TODAY"'T00:00:00Z" and j["until"] == "'"$TOMORROW"'T00:00:00Z"' && ok || fail "since/until today: $(head -c 300 "$TMP/body")"
expect_code 200 "since tomorrow" "/v1/agencies/$AG/audit?since=$TOMORROW" -H "Authorization: Bearer $UNION"
api_json 'j["totals"] == {"findings": 0, "open": 0, "resolved": 0} and j["evidence"] == [] and j["by_category_month"] == [] and j["time_to_resolve_days"] == {"count": 0, "median": None, "mean": None}' && ok || fail "since tomorrow: empty"
expect_code 200 "until yesterday" "/v1/agencies/$AG/audit?until=$YESTERDAY" -H "Authorization: Bearer $UNION"
api_json 'j["totals"]["findings"] == 0' && ok || fail "until yesterday: empty"
expect_code 200 "a UTC time as bound" "/v1/agencies/$AG/audit?since=${TODAY}T00:00:00Z" -H "Authorization: Bearer $UNION"
api_json 'j["totals"]["findings"] == 4' && ok || fail "since midnight UTC: all four"
expect_code 400 "a bad date" "/v1/agencies/$AG/audit?since=yesterday" -H "Authorization: Bearer $UNION"
api_json 'j["error"]["code"] == "bad-request" and "since" in j["error"]["message"]' && ok || fail "bad date message"
expect_code 400 "since after until" "/v1/agencies/$AG/audit?since=$TOMORROW&until=$YESTERDAY" -H "Authorization: Bearer $UNION"
expect_code 400 "an unknown format" "/v1/agencies/$AG/audit?format=xml" -H "Authorization: Bearer $UNION"

# CSV: a download with a header row, parsed back with Python's csv module.
code=$(curl --silent --show-error --cacert "$CERTS/ca.crt" -D "$TMP/headers" -o "$TMP/audit.csv" -w '%{http_code}' \
	"https://127.0.0.1:$APIPORT/v1/agencies/$AG/audit?format=csv" -H "Authorization: Bearer $UNION")
[ "$code" = 200 ] && ok || fail "CSV: HTTP $code"
grep -qi '^content-type: text/csv' "$TMP/headers" && ok || fail "CSV content type: $(cat "$TMP/headers")"
grep -qi '^content-disposition: attachment; filename="northgate-health-staffing-audit.csv"' "$TMP/headers" && ok || fail "CSV content disposition"
python3 - "$TMP/audit.csv" "$TMP/audit.json" <<'PY' && ok || fail "CSV content: $(head -c 600 "$TMP/audit.csv")"
import csv, json, sys
raw = open(sys.argv[1], newline="").read()
assert raw.endswith("\r\n"), "RFC 4180 line ends"
rows = list(csv.reader(open(sys.argv[1], newline="")))
assert rows[0] == ["id", "rule", "category", "severity", "status", "opened_at", "resolved_at",
                   "title", "guid", "url", "message", "evidence"], rows[0]
ev = json.load(open(sys.argv[2]))["evidence"]
assert len(rows) == 1 + len(ev) == 5, len(rows)
for r, e in zip(rows[1:], ev):
    assert r[0] == e["id"] and r[1] == e["rule"] and r[2] == e["category"], (r, e)
    assert r[3] == e["severity"] and r[4] == e["status"] and r[5] == e["opened_at"], (r, e)
    assert r[6] == (e["resolved_at"] or ""), (r, e)
    assert r[7] == e["document"]["title"] and r[8] == e["document"]["guid"], (r, e)
    assert r[9] == (e["document"]["url"] or "") and r[10] == e["message"], (r, e)
    assert r[11] == " | ".join(e["evidence"]), (r, e)
# a title with a comma survived the quoting
assert any(r[7] == "Registered Nurses for NHS Trust in Leeds, UK" for r in rows[1:])
assert any("Nigeria" in r[11] for r in rows[1:])
PY
expect_code 200 "CSV with bounds" "/v1/agencies/$AG/audit?format=csv&since=$TOMORROW" -H "Authorization: Bearer $UNION"
[ "$(wc -l <"$TMP/body")" = 1 ] && ok || fail "an empty CSV has its header row only"

stop_daemon && ok || fail "SIGTERM: exit status 0"
[ "$fails" -eq 0 ] || sed 's/^/  log: /' "$TMP/daemon.log" | tail -30
finish
