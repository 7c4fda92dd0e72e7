/* Plain-text postings and contracts (and HTML pages without structured data): the first line
 * is the title, labelled lines ("Salary: …", "Location: …") are read as fields. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
    {NULL, NULL, NULL}};

static void
tx_label_line(struct doc *d, const char *line, size_t len)
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
			if (!doc_has(d, tx_labels[i].elem))
				doc_attr(doc_add(d, tx_labels[i].elem, NULL), tx_labels[i].attr, val);
		} else if (!doc_has(d, tx_labels[i].elem) || strcmp(tx_labels[i].elem, "eligibility") == 0)
			doc_add(d, tx_labels[i].elem, val);
		free(val);
		return;
	}
}

/* A contract announces itself in its heading. */
static int
tx_is_contract(const char *title)
{
	static const char *const words[] = {"contract", "agreement", "terms and conditions of employment",
	    "terms of employment", "arbeitsvertrag", "offer of employment", NULL};
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
	const char *p, *eol;
	int is_html = fmt_sniff(in, len) == FMT_HTML;

	text = is_html ? text_from_html(in, len) : strndup(in, len);
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
	d = doc_new(tx_is_contract(title) ? DOC_CONTRACT : DOC_POSTING, c->source,
	    is_html ? "html" : "text", c->index);
	if (d == NULL) {
		rw_error_set(c->err, c->source, 0, 0, "out of memory");
		free(title);
		free(text);
		return -1;
	}
	doc_add(d, "title", title);
	for (p = eol != NULL ? eol + 1 : p + strlen(p); *p != '\0';) {
		const char *s = p;

		eol = strchr(p, '\n');
		if (eol == NULL)
			eol = p + strlen(p);
		while (s < eol && (*s == ' ' || *s == '\t' || *s == '-' || *s == '*'))
			s++;
		tx_label_line(d, s, (size_t)(eol - s));
		p = *eol != '\0' ? eol + 1 : eol;
	}
	/* The body, without the title line, is the text. */
	p = strchr(text, '\n');
	doc_add(d, "text", p != NULL ? p + 1 : "");
	free(title);
	free(text);
	c->index++;
	return c->emit(d, c->arg) != 0 ? 1 : 0;
}
