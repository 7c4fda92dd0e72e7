#!/bin/sh
# Webhook subscriptions through the API over TLS: a regulator subscribes a receiver (verified by
# a signed test delivery), alerts then reach it signed with the secret shown once, a rotation
# signs with both secrets until it is finished, a failing receiver is refused, other roles and
# other regulators are kept out, and a deleted subscription gets nothing more. Every signature
# is checked with Python's hmac (tools/hooks.py), not with recruitwatch's code.
. "$(dirname "$0")/lib.inc"
. "$(dirname "$0")/tools/daemon.inc"
. "$(dirname "$0")/tools/api.inc"

start_httpd
cp "$DFIX/v1.xml" "$SRV/feed.xml"
api_setup
api_tokens
OTHER=$("$RW" tokens add --role regulator --name other-regulator --state "$STATE") || fail "tokens add other"
api_start
alerts() { [ -f "$TMP/alerts.jsonl" ] && wc -l <"$TMP/alerts.jsonl" || echo 0; }
reloads() { grep -c 'subscriptions changed' "$TMP/daemon.log"; }
wait_for 30 "v1: two alerts in the JSON-lines file" -- at_least alerts 2
HOOK="http://127.0.0.1:$PORT/hook"
AUTH="Authorization: Bearer $REGULATOR"
JSON="Content-Type: application/json"

# Bad bodies, before anything is made.
expect_code 400 "not JSON" /v1/subscriptions -H "$AUTH" -H "$JSON" -d '{"name": '
api_json 'j["error"]["message"].startswith("body:1:")' && ok || fail "a parse error names body:line: $(cat "$TMP/body")"
expect_code 400 "a name with a space" /v1/subscriptions -H "$AUTH" -H "$JSON" -d "{\"name\": \"a b\", \"url\": \"$HOOK/x\"}"
expect_code 400 "an ftp URL" /v1/subscriptions -H "$AUTH" -H "$JSON" -d '{"name": "x", "url": "ftp://127.0.0.1/x"}'
expect_code 400 "no URL" /v1/subscriptions -H "$AUTH" -H "$JSON" -d '{"name": "x"}'
expect_code 400 "an unknown key" /v1/subscriptions -H "$AUTH" -H "$JSON" -d "{\"name\": \"x\", \"url\": \"$HOOK/x\", \"colour\": 1}"
expect_code 400 "a bad filter" /v1/subscriptions -H "$AUTH" -H "$JSON" -d "{\"name\": \"x\", \"url\": \"$HOOK/x\", \"filter\": {\"min-severity\": \"dire\"}}"
api_json '"filter" in j["error"]["message"] and "min-severity" in j["error"]["message"]' && ok || fail "the filter error says which: $(cat "$TMP/body")"
[ "$(hook_lines x)" = 0 ] && ok || fail "nothing was sent for bad bodies"

# Roles: union and employer may not subscribe; nobody without a token.
expect_code 403 "union may not subscribe" /v1/subscriptions -H "Authorization: Bearer $UNION" -H "$JSON" -d "{\"name\": \"u\", \"url\": \"$HOOK/u\"}"
expect_code 403 "union may not list subscriptions" /v1/subscriptions -H "Authorization: Bearer $UNION"
expect_code 403 "employer may not subscribe" /v1/subscriptions -H "Authorization: Bearer $EMPLOYER" -H "$JSON" -d "{\"name\": \"e\", \"url\": \"$HOOK/e\"}"
expect_code 401 "no token" /v1/subscriptions
[ "$(hook_lines u)$(hook_lines e)" = 00 ] && ok || fail "nothing was sent for refused roles"

# A slow receiver (3 s to answer the test delivery) holds up only its own request: a request
# made meanwhile is answered first (order, not time).
echo 3 >"$SRV/hook-slow.delay"
acurl /v1/subscriptions -H "$AUTH" -H "$JSON" -d "{\"name\": \"slow-hook\", \"url\": \"$HOOK/slow\"}" >"$TMP/slow.code" &
SLOWPID=$!
sleep 0.5
expect_code 200 "healthz while a test delivery is pending" /healthz
if kill -0 "$SLOWPID" 2>/dev/null; then ok; else fail "the subscription request was answered before healthz: the loop waited for the test delivery"; fi
wait "$SLOWPID"
[ "$(cat "$TMP/slow.code")" = 201 ] && ok || fail "the slow receiver's subscription: $(cat "$TMP/slow.code")"
expect_code 204 "the slow receiver's subscription deleted" "/v1/subscriptions/$(sql "select id from subscriptions where name='slow-hook'")" -X DELETE -H "$AUTH"
# A receiver that answers 500 at creation: 422 and nothing kept.
echo 500 >"$SRV/hook-bad.status"
expect_code 422 "a failing receiver is refused" /v1/subscriptions -H "$AUTH" -H "$JSON" -d "{\"name\": \"bad-hook\", \"url\": \"$HOOK/bad\"}"
api_json 'j["error"]["status"] == 422 and "HTTP 500" in j["error"]["message"]' && ok || fail "422 says why: $(cat "$TMP/body")"
[ "$(hook_lines bad)" = 1 ] && ok || fail "one test delivery to the failing receiver"
[ "$(sql "select count(*) from subscriptions where name like 'bad-hook%'")" = 0 ] && ok || fail "no row kept for the refused subscription"
expect_code 422 "an unreachable receiver" /v1/subscriptions -H "$AUTH" -H "$JSON" -d "{\"name\": \"gone\", \"url\": \"http://127.0.0.1:$(free_port)/hook/gone\"}"

# The regulator subscribes: verified by a signed test delivery, the secret shown once.
r0=$(reloads)
expect_code 201 "a regulator subscribes" /v1/subscriptions -H "$AUTH" -H "$JSON" \
	-d "{\"name\": \"reg-hook\", \"url\": \"$HOOK/reg\", \"filter\": {\"min-severity\": \"medium\"}}"
cp "$TMP/body" "$TMP/created.json"
api_json 'j["name"] == "reg-hook" and j["verified"] is True and j["secret"].startswith("whsec_") and j["filter"]["min-severity"] == "medium" and j["url"].endswith("/hook/reg")' && ok || fail "201 body: $(cat "$TMP/body")"
ID=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$TMP/created.json")
S1=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["secret"])' "$TMP/created.json")
[ "$(hook_lines reg)" = 1 ] && ok || fail "one test delivery"
python3 "$TOOLS/hooks.py" "$SRV/hook-reg.jsonl" "$S1" >"$TMP/h0" 2>&1 && ok || fail "the test delivery's signature: $(cat "$TMP/h0")"
grep -q '^evt_[0-9a-f]* subscription.verify reg-hook - 200$' "$TMP/h0" && ok || fail "the test delivery's body: $(cat "$TMP/h0")"
expect_code 409 "the same name again" /v1/subscriptions -H "$AUTH" -H "$JSON" -d "{\"name\": \"reg-hook\", \"url\": \"$HOOK/reg2\"}"
expect_code 409 "a config subscription's name" /v1/subscriptions -H "$AUTH" -H "$JSON" -d "{\"name\": \"everything\", \"url\": \"$HOOK/reg2\"}"
[ "$(hook_lines reg2)" = 0 ] && ok || fail "no test delivery for a taken name"

# The secret is never shown again.
expect_code 200 "the regulator lists its subscriptions" /v1/subscriptions -H "$AUTH"
api_json '[s["name"] for s in j["subscriptions"]] == ["reg-hook"] and j["subscriptions"][0]["owner"] == "test-regulator" and j["subscriptions"][0]["rotating"] is False' && ok || fail "own list: $(cat "$TMP/body")"
! grep -q whsec_ "$TMP/body" && ok || fail "no secret in GET"
expect_code 200 "one subscription" /v1/subscriptions/$ID -H "$AUTH"
! grep -q whsec_ "$TMP/body" && ok || fail "no secret in GET {id}"
expect_code 200 "admin lists every subscription" /v1/subscriptions -H "Authorization: Bearer $ADMIN"
api_json 'sorted(s["name"] for s in j["subscriptions"]) == ["everything", "reg-hook"]' && ok || fail "admin list: $(cat "$TMP/body")"
! grep -q whsec_ "$TMP/body" && ok || fail "no secret in the admin's list"

# Another regulator sees nothing of it and cannot touch it.
expect_code 200 "another regulator's list" /v1/subscriptions -H "Authorization: Bearer $OTHER"
api_json 'j["subscriptions"] == []' && ok || fail "another regulator sees none: $(cat "$TMP/body")"
expect_code 404 "another regulator's GET" /v1/subscriptions/$ID -H "Authorization: Bearer $OTHER"
expect_code 404 "another regulator's DELETE" /v1/subscriptions/$ID -X DELETE -H "Authorization: Bearer $OTHER"
expect_code 404 "another regulator's rotate" /v1/subscriptions/$ID/rotate -X POST -H "Authorization: Bearer $OTHER"
expect_code 403 "union may not delete" /v1/subscriptions/$ID -X DELETE -H "Authorization: Bearer $UNION"
CFGID=$(sql "select id from subscriptions where name = 'everything'")
expect_code 409 "a config subscription cannot be deleted" /v1/subscriptions/$CFGID -X DELETE -H "Authorization: Bearer $ADMIN"
expect_code 404 "nor seen by a regulator" /v1/subscriptions/$CFGID -X DELETE -H "$AUTH"
expect_code 404 "no such subscription" /v1/subscriptions/99999 -H "$AUTH"

# An alert from a feed change reaches it, signed with that secret.
wait_for 10 "the daemon takes the new subscriptions" -- at_least reloads $((r0 + 1))
cp "$DFIX/v2.xml" "$SRV/feed.xml"
wait_for 30 "v2: an alert reaches the new subscription" -- at_least "hook_lines reg" 2
wait_for 10 "v2: every alert" -- at_least alerts 5
sleep 1
python3 "$TOOLS/hooks.py" "$SRV/hook-reg.jsonl" "$S1" >"$TMP/h1" 2>&1 && ok || fail "v2 signatures: $(cat "$TMP/h1")"
grep -q ' finding.opened FEE-[A-Z0-9-]* open 200$' "$TMP/h1" && ok || fail "v2: the fee finding reached it: $(cat "$TMP/h1")"
! grep -q 'REC-POSTING-NO-EMPLOYER' "$TMP/h1" && ok || fail "the min-severity filter holds back low findings"

# Rotation: a new secret; both sign until the rotation is finished.
r0=$(reloads)
expect_code 200 "rotate" /v1/subscriptions/$ID/rotate -X POST -H "$AUTH"
S2=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["secret"])' "$TMP/body")
[ -n "$S2" ] && [ "$S2" != "$S1" ] && ok || fail "a new secret"
expect_code 200 "one subscription while rotating" /v1/subscriptions/$ID -H "$AUTH"
api_json 'j["rotating"] is True' && ok || fail "rotating shown"
wait_for 10 "the daemon takes the rotated secret" -- at_least reloads $((r0 + 1))
n=$(hook_lines reg)
cp "$DFIX/v3.xml" "$SRV/feed.xml"
wait_for 30 "v3: an alert during the rotation" -- at_least "hook_lines reg" $((n + 1))
sleep 1
tail -n 1 "$SRV/hook-reg.jsonl" >"$TMP/rot.jsonl"
python3 - "$TMP/rot.jsonl" "$S1" "$S2" <<'PY' && ok || fail "during the rotation: two signatures, one per secret"
import base64, hashlib, hmac, json, sys
rec = json.loads(open(sys.argv[1]).readline())
h = rec["headers"]
sigs = h["webhook-signature"].split(" ")
assert len(sigs) == 2, sigs
for secret in sys.argv[2:4]:
    key = base64.b64decode(secret[len("whsec_"):])
    mac = hmac.new(key, ("%s.%s.%s" % (h["webhook-id"], h["webhook-timestamp"], rec["body"])).encode(), hashlib.sha256)
    assert "v1," + base64.b64encode(mac.digest()).decode() in sigs, secret[:8]
PY
python3 "$TOOLS/hooks.py" "$TMP/rot.jsonl" "$S1" >/dev/null 2>&1 && ok || fail "hooks.py verifies the old secret"
python3 "$TOOLS/hooks.py" "$TMP/rot.jsonl" "$S2" >/dev/null 2>&1 && ok || fail "hooks.py verifies the new secret"

r0=$(reloads)
expect_code 200 "finish the rotation" "/v1/subscriptions/$ID/rotate?finish=true" -X POST -H "$AUTH"
api_json 'j["rotating"] is False and "secret" not in j' && ok || fail "finish body: $(cat "$TMP/body")"
expect_code 400 "finish=maybe" "/v1/subscriptions/$ID/rotate?finish=maybe" -X POST -H "$AUTH"
wait_for 10 "the daemon takes the finished rotation" -- at_least reloads $((r0 + 1))
n=$(hook_lines reg)
# ng-1001 is back with its red-list wording (reopened) and ng-3001 is new: critical findings.
sed 's#<guid>ng-1002</guid>#<guid>ng-3002</guid>#' "$DFIX/v1.xml" >"$SRV/feed.xml"
wait_for 30 "an alert after the rotation" -- at_least "hook_lines reg" $((n + 1))
sleep 1
tail -n 1 "$SRV/hook-reg.jsonl" >"$TMP/fin.jsonl"
python3 -c 'import json,sys; s=json.loads(open(sys.argv[1]).readline())["headers"]["webhook-signature"]; sys.exit(0 if len(s.split(" ")) == 1 else 1)' "$TMP/fin.jsonl" && ok || fail "after finishing: one signature"
python3 "$TOOLS/hooks.py" "$TMP/fin.jsonl" "$S2" >/dev/null 2>&1 && ok || fail "after finishing: the new secret verifies"
python3 "$TOOLS/hooks.py" "$TMP/fin.jsonl" "$S1" >/dev/null 2>&1 && fail "after finishing: the old secret must not verify" || ok

# DELETE: 204, gone from every view, and no more deliveries.
expect_code 204 "the owner deletes it" /v1/subscriptions/$ID -X DELETE -H "$AUTH"
expect_code 404 "deleted: GET" /v1/subscriptions/$ID -H "$AUTH"
expect_code 404 "deleted: DELETE again" /v1/subscriptions/$ID -X DELETE -H "$AUTH"
expect_code 200 "deleted: list" /v1/subscriptions -H "$AUTH"
api_json 'j["subscriptions"] == []' && ok || fail "deleted: not listed"
[ "$(sql "select count(*) from outbox o join subscriptions s on s.id = o.sub_id where s.id = $ID and o.state = 'pending'")" = 0 ] && ok || fail "no pending rows for the deleted subscription"
sleep 2
n=$(hook_lines reg)
a=$(alerts)
cp "$DFIX/v2.xml" "$SRV/feed.xml"
wait_for 30 "after the delete, alerts still reach the JSON-lines file" -- at_least alerts $((a + 1))
sleep 2
[ "$(hook_lines reg)" = "$n" ] && ok || fail "no delivery after DELETE ($(hook_lines reg) lines, was $n)"

# The name is free again.
expect_code 201 "the name again after the delete" /v1/subscriptions -H "$AUTH" -H "$JSON" -d "{\"name\": \"reg-hook\", \"url\": \"$HOOK/reg3\"}"
! grep -q "$S1" "$TMP/daemon.log" && ! grep -q "$S2" "$TMP/daemon.log" && ok || fail "no secret in the log"
! grep -q "${S1#whsec_}" "$TMP/daemon.log" && ok || fail "no key in the log"

stop_daemon && ok || fail "SIGTERM: exit status 0"
[ "$fails" -eq 0 ] || sed 's/^/  log: /' "$TMP/daemon.log" | tail -40
finish
