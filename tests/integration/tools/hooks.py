#!/usr/bin/env python3
"""Reads a webhook receiver's record (httpd.py's hook-NAME.jsonl) and checks it independently
of recruitwatch's code: every Standard Webhooks signature is recomputed here with Python's hmac.

usage: hooks.py FILE SECRET [--accepted-only]   prints one line per delivery:
       "EVENT_ID TYPE RULE STATUS" and exits 1 if a signature or a required field is wrong.
       A subscription's test delivery prints "EVENT_ID subscription.verify NAME - STATUS"."""
import base64
import hashlib
import hmac
import json
import sys


def main():
    path, secret = sys.argv[1], sys.argv[2]
    accepted = "--accepted-only" in sys.argv
    key = base64.b64decode(secret[len("whsec_"):])
    bad = 0
    for line in open(path):
        rec = json.loads(line)
        h = rec["headers"]
        mid, ts, sigs = h.get("webhook-id"), h.get("webhook-timestamp"), h.get("webhook-signature")
        if not (mid and ts and sigs):
            print("MISSING-HEADERS", file=sys.stderr)
            bad += 1
            continue
        want = base64.b64encode(hmac.new(key, ("%s.%s.%s" % (mid, ts, rec["body"])).encode(),
                                         hashlib.sha256).digest()).decode()
        if ("v1," + want) not in sigs.split(" "):
            print("BAD-SIGNATURE %s" % mid, file=sys.stderr)
            bad += 1
        body = json.loads(rec["body"])
        if body.get("id") != mid or h.get("content-type") != "application/json":
            print("ID-MISMATCH %s" % mid, file=sys.stderr)
            bad += 1
        if accepted and rec["status"] >= 300:
            continue
        if body.get("type") == "subscription.verify":
            print("%s %s %s - %s" % (mid, body["type"], body["subscription"], rec["status"]))
            continue
        f = body["findings"][0]
        print("%s %s %s %s %s" % (mid, body["type"], f["rule"], body["status"], rec["status"]))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
