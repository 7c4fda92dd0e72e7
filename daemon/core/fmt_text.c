/* Plain-text postings and contracts (and HTML pages without structured data): the first line
 * is the title, labelled lines ("Salary: …", "Location: …") are read as fields. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clauses.h"
#include "fmt.h"
#include "text.h"

/* Labels people put at the start of a line, and the raw element each one feeds. */
static const struct {
	const char *label, *elem, *attr;
} tx_labels[] = {{"salary", "salary", NULL}, {"pay", "salary", NULL}, {"wage", "salary", NULL},
    {"remuneration", "salary", NULL}, {"gehalt", "salary", NULL}, {"location", "destination", NULL},
    {"country", "destination", NULL}, {"place of work", "destination", NULL},
    {"arbeitsort", "destination", NULL}, {"employer", "employer", "name"},
    {"company", "employer", "name"}, {"arbeitgeber", "employer", "name"},
    {"agency", "agency", "name"}, {"recruiter", "agency", "name"},
    {"recruitment agency", "agency", "name"}, {"closing date", "valid-through", NULL},
    {"apply by", "valid-through", NULL}, {"job type", "employment-type", NULL},
    {"contract type", "employment-type", NULL}, {"eligibility", "eligibility", NULL},
    {"nationality", "eligibility", NULL}, {"reference", NULL, "guid"}, {"ref", NULL, "guid"},
    {"date posted", "posted", NULL}, {"posted", "posted", NULL}, {"published", "posted", NULL},
    {"date", "posted", NULL}, {"datum", "posted", NULL}, {NULL, NULL, NULL}};

static void
tx_label_line(struct doc *d, const char *line, size_t len, int contract)
{
	size_t i, l;
	const char *v;
	char *val;

	for (i = 0; tx_labels[i].label != NULL; i++) {
		l = strlen(tx_labels[i].label);
		if (len <= l + 1 || strncasecmp(line, tx_labels[i].label, l) != 0)
			continue;
		v = line + l;
		while (v < line + len && (*v == ' ' || *v == '\t'))
			v++;
		if (v >= line + len || (*v != ':' && *v != '-'))
			continue;
		v++;
		if ((val = strndup(v, len - (size_t)(v - line))) == NULL)
			return;
		if (tx_labels[i].elem == NULL)
			doc_origin(d, tx_labels[i].attr, val);
		else if (tx_labels[i].attr != NULL) {
			/* "Employer: Name Ltd, Street, City, Country": the name, then where it is. */
			char *comma = strchr(val, ',');
			xmlNodePtr e;

			if (comma != NULL)
				*comma = '\0';
			if (!doc_has(d, tx_labels[i].elem)) {
				e = doc_add(d, tx_labels[i].elem, NULL);
				doc_attr(e, tx_labels[i].attr, val);
				if (comma != NULL)
					doc_attr(e, "country", comma + 1);
			}
		} else if (strcmp(tx_labels[i].elem, "eligibility") == 0 && contract) {
			/* In a contract the nationality line is the worker's own. */
			doc_attr(doc_add(d, "source-country", val), "role", "nationality");
		} else if (!doc_has(d, tx_labels[i].elem) ||
		    strcmp(tx_labels[i].elem, "eligibility") == 0)
			doc_add(d, tx_labels[i].elem, val);
		free(val);
		return;
	}
}

/* A section heading: "4. RECRUITMENT AND PROCESSING", "DOCUMENTS", "§ 5 Rückzahlung". */
static int
tx_heading(const char *s, size_t len, const char **name, size_t *nlen)
{
	const char *p = s, *end = s + len;
	int numbered = 0, lower = 0, letters = 0;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p < end && (*p == '#' || strncmp(p, "\xc2\xa7", 2) == 0))
		p += *p == '#' ? 1 : 2;
	while (p < end && ((*p >= '0' && *p <= '9') || *p == '.' || *p == ' ' || *p == ')')) {
		numbered = 1;
		p++;
	}
	if (p >= end || len > 90)
		return 0;
	for (const char *q = p; q < end; q++) {
		if (*q >= 'a' && *q <= 'z')
			lower++;
		if ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z'))
			letters++;
	}
	/* Upper-case headings, or short numbered ones that do not end like a sentence. */
	if (letters < 3 || (lower > 0 && (!numbered || end - p > 60 || end[-1] == '.')))
		return 0;
	if (lower > 0 && !(*p >= 'A' && *p <= 'Z'))
		return 0;
	*name = p;
	*nlen = (size_t)(end - p);
	return 1;
}

static void
tx_add_clause(struct fmt_ctx *c, struct doc *d, const char *heading, const char *body, size_t blen)
{
	char *b = strndup(body, blen);
	xmlNodePtr cl;

	if (b == NULL)
		return;
	text_fold(b);
	if (*b != '\0') {
		cl = doc_add(d, "clause", b);
		doc_attr(cl, "kind", clauses_kind(c->nm->clauses, heading, b));
		doc_attr(cl, "heading", heading);
	}
	free(b);
}

/* A contract's sections become clauses, each classified by its heading or wording. */
static void
tx_sections(struct fmt_ctx *c, struct doc *d, const char *p)
{
	char heading[96] = "";
	const char *body = NULL, *eol, *name;
	size_t nlen;

	for (; p != NULL && *p != '\0'; p = *eol != '\0' ? eol + 1 : eol) {
		if (*p == '\n') {
			eol = p;
			continue;
		}
		eol = strchr(p, '\n');
		if (eol == NULL)
			eol = p + strlen(p);
		if (!tx_heading(p, (size_t)(eol - p), &name, &nlen))
			continue;
		if (body != NULL && heading[0] != '\0')
			tx_add_clause(c, d, heading, body, (size_t)(p - body));
		snprintf(heading, sizeof(heading), "%.*s", (int)nlen, name);
		body = *eol != '\0' ? eol + 1 : eol;
	}
	if (body != NULL && heading[0] != '\0')
		tx_add_clause(c, d, heading, body, strlen(body));
}

/* A contract announces itself in its heading. */
static int
tx_is_contract(const char *title)
{
	static const char *const words[] = {"contract", "agreement",
	    "terms and conditions of employment", "terms of employment", "arbeitsvertrag",
	    "offer of employment", NULL};
	const char *const *w;

	for (w = words; *w != NULL; w++)
		if (strcasestr(title, *w) != NULL)
			return 1;
	return 0;
}

int
fmt_text_parse(struct fmt_ctx *c, const char *in, size_t len)
{
	struct doc *d;
	char *text, *title = NULL;
	const char *p, *eol, *body, *next;
	int is_html = fmt_sniff(in, len) == FMT_HTML;
	enum doc_kind kind;

	/* Pages reach here straight from the HTML reader, unchecked: repair what is not UTF-8
	 * before any pattern sees it. */
	if (is_html)
		text = text_from_html(in, len);
	else if (text_utf8_check(in, len, NULL) == 0)
		text = strndup(in, len);
	else
		text = text_utf8_repair(in, len);
	if (text == NULL) {
		rw_error_set(c->err, c->source, 0, 0, "out of memory");
		return -1;
	}
	for (p = text; *p != '\0' && isspace((unsigned char)*p); p++)
		;
	eol = strchr(p, '\n');
	title = strndup(p, eol != NULL ? (size_t)(eol - p) : strlen(p));
	if (title == NULL || *title == '\0') {
		rw_error_set(c->err, c->source, 0, 0, "empty document");
		free(title);
		free(text);
		return -1;
	}
	if (strlen(title) > 200)
		title[200] = '\0';
	kind = tx_is_contract(title) ? DOC_CONTRACT : DOC_POSTING;
	d = doc_new(kind, c->source, is_html ? "html" : "text", c->index);
	if (d == NULL) {
		rw_error_set(c->err, c->source, 0, 0, "out of memory");
		free(title);
		free(text);
		return -1;
	}
	doc_add(d, "title", title);
	body = eol != NULL ? eol + 1 : NULL;
	for (p = body; p != NULL && *p != '\0'; p = next) {
		const char *s = p, *end = strchr(p, '\n');

		if (end == NULL)
			end = p + strlen(p);
		next = *end != '\0' ? end + 1 : end;
		while (s < end && (*s == ' ' || *s == '\t' || *s == '-' || *s == '*'))
			s++;
		tx_label_line(d, s, (size_t)(end - s), kind == DOC_CONTRACT);
	}
	if (kind == DOC_CONTRACT)
		tx_sections(c, d, body);
	/* The body, without the title line, is the text. */
	p = strchr(text, '\n');
	doc_add(d, "text", p != NULL ? p + 1 : "");
	free(title);
	free(text);
	c->index++;
	return c->emit(d, c->arg) != 0 ? 1 : 0;
}
