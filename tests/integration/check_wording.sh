#!/bin/sh
# The wordings the rulebook issue names, through the real program: each abusive sentence
# inside an otherwise ordinary posting must raise its category, each honest one nothing at
# medium or above. (The rules' own tests hold many more phrasings; these are the anchors.)
. "$(dirname "$0")/lib.inc"
export RECRUITWATCH_RULES="$RW_SRC/rules"

posting() { # title sentence
	printf '%s\nEmployer: Riverside Care Homes Ltd\nLocation: Doncaster, United Kingdom\nSalary: £25,500 per year\n\nRiverside Care Homes Ltd is recruiting senior carers for its homes in Doncaster, UK. %s Full induction and 28 days of annual leave.\n' "$1" "$2"
}

fires() { # category sentence
	posting "Senior Carer" "$2" >"$TMP/p.txt"
	"$RW" check --format json "$TMP/p.txt" >"$TMP/out" 2>"$TMP/err"
	if grep -q "\"category\":\"$1\"" "$TMP/out"; then ok; else fail "$1 not raised by: $2"; fi
}

quiet() { # sentence
	posting "Senior Carer" "$1" >"$TMP/p.txt"
	"$RW" check --min-severity medium "$TMP/p.txt" >"$TMP/out" 2>"$TMP/err"
	if [ $? -eq 0 ]; then ok; else fail "finding on honest wording: $1"; sed 's/^/  /' "$TMP/out" | head -8; fi
}

fires worker-fees "Applicants settle the processing charges themselves."
fires worker-fees "A security deposit is taken at interview."
fires document-retention "HR looks after your travel documents while you work with us."
fires repayment-clause "Leaving before your third anniversary means paying back what we invested."

quiet "This service is free to applicants."
quiet "Your documents stay with you."
quiet "The employer funds flights and visas."

# Recruitment through a named government-to-government programme, and a hospital in Ghana
# hiring in Ghana.
printf 'Registered Nurses – Kenya cohort\nLocation: Leicester, United Kingdom\nEmployer: Leicester Royal Infirmary\n\nWe recruit registered nurses from Kenya under the UK-Kenya bilateral agreement on healthcare workforce collaboration.\n' >"$TMP/g2g.txt"
expect_exit 0 "named G2G programme" -- "$RW" check --min-severity medium "$TMP/g2g.txt"
printf 'Staff Nurses – Emergency Unit\nEmployer: Ashanti Ridge Teaching Hospital\nLocation: Kumasi, Ghana\n\nAshanti Ridge Teaching Hospital in Kumasi, Ghana is recruiting staff nurses in Ghana for its Emergency Unit.\n' >"$TMP/ghana.txt"
expect_exit 0 "hospital in Ghana hiring in Ghana" -- "$RW" check --min-severity medium "$TMP/ghana.txt"

finish
