#!/bin/sh
# The default rulebook's own tests: every rule fires on its fires/ documents and stays quiet
# on its quiet/ ones, and has both.
. "$(dirname "$0")/lib.inc"
export RECRUITWATCH_RULES="$RW_SRC/rules"
expect_exit 0 "rules lint" -- "$RW" rules lint
expect_exit 0 "rules test" -- "$RW" rules test
grep -v '^ok' "$TMP/out" | head -40
n=$(grep -c '^ok' "$TMP/out")
if [ "$n" -ge 30 ]; then ok; else fail "only $n rules tested (at least 30 expected)"; fi
# Every rule cites an instrument with an article, says what to do, and every category of the
# design has rules.
if python3 - "$RW_SRC/rules/who-code" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
ns = {"r": "urn:recruitwatch:rules:1"}
cats = {"active-recruitment-ssl", "worker-fees", "repayment-clause", "document-retention",
        "contract-transparency", "unequal-treatment", "working-conditions", "wage-deductions",
        "restricted-mobility", "deceptive-recruitment", "recruiter-transparency"}
seen, bad = set(), []
for f in glob.glob(sys.argv[1] + "/*.xml"):
    for r in ET.parse(f).getroot().findall("r:rule", ns):
        seen.add(r.get("category"))
        if not any(c.get("article") for c in r.findall("r:cite", ns)):
            bad.append(r.get("id") + ": no cite with an article")
        if not (r.findtext("r:advice", "", ns) or "").strip():
            bad.append(r.get("id") + ": no advice")
missing = cats - seen
for b in bad:
    print(b)
if missing:
    print("categories without rules:", sorted(missing))
sys.exit(1 if bad or missing else 0)
PY
then ok; else fail "rule metadata"; fi
finish
