/* Canonical documents: raw facts from any format are resolved into the one shape of
 * docs/canonical.md, with entity mentions extracted and a content-derived id. */
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <libxml/tree.h>
#include <openssl/evp.h>

#include "doc.h"
#include "duration.h"
#include "gazetteer.h"
#include "money.h"
#include "occupation.h"
#include "roles.h"
#include "text.h"

struct doc {
	xmlDocPtr x;
	xmlNodePtr root;
	xmlNsPtr ns;
	xmlNodePtr origin;
	char id[80];
	char title_country
	    [3]; /* the last place named in the title: where the job is, failing better */
	char title_span[128];
};

/* Canonical child order; raw-only elements (description, eligibility) are consumed before. */
static const char *const doc_order[] = {"origin", "agency", "employer", "party", "title",
    "occupation", "employment-type", "posted", "valid-through", "destination", "source-country",
    "salary", "pay", "hours", "term", "language", "governing-law", "clause", "field", "country",
    "money", "duration", "text", NULL};

void
doc_free(struct doc *d)
{
	if (d == NULL)
		return;
	xmlFreeDoc(d->x);
	free(d);
}

struct doc *
doc_new(enum doc_kind kind, const char *source, const char *format, long index)
{
	struct doc *d;
	char buf[32];

	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return NULL;
	d->x = xmlNewDoc((const xmlChar *)"1.0");
	if (d->x == NULL)
		goto fail;
	d->root = xmlNewDocNode(
	    d->x, NULL, (const xmlChar *)(kind == DOC_CONTRACT ? "contract" : "posting"), NULL);
	if (d->root == NULL)
		goto fail;
	xmlDocSetRootElement(d->x, d->root);
	d->ns = xmlNewNs(d->root, (const xmlChar *)DOC_NS, NULL);
	xmlSetNs(d->root, d->ns);
	d->origin = xmlNewChild(d->root, d->ns, (const xmlChar *)"origin", NULL);
	if (d->origin == NULL)
		goto fail;
	xmlSetProp(d->origin, (const xmlChar *)"source", (const xmlChar *)(source ? source : "-"));
	xmlSetProp(d->origin, (const xmlChar *)"format", (const xmlChar *)format);
	snprintf(buf, sizeof(buf), "%ld", index);
	xmlSetProp(d->origin, (const xmlChar *)"index", (const xmlChar *)buf);
	return d;
fail:
	doc_free(d);
	return NULL;
}

/* Text as it reaches us from feeds: trimmed, and control characters that XML cannot carry
 * dropped (they arrive from JSON strings and plain text). */
static char *
doc_clean(const char *s)
{
	char *out, *w;
	const unsigned char *r;
	size_t len;

	while (isspace((unsigned char)*s))
		s++;
	len = strlen(s);
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	/* Whatever a parser let through, what goes on is valid UTF-8: the pattern engine is
	 * told not to check again. */
	out = text_utf8_check(s, len, NULL) == 0 ? strndup(s, len) : text_utf8_repair(s, len);
	if (out == NULL)
		return NULL;
	for (w = out, r = (const unsigned char *)out; *r != '\0'; r++)
		if (*r >= 0x20 || *r == '\n' || *r == '\t' || *r == '\r')
			*w++ = (char)*r;
	*w = '\0';
	return out;
}

void
doc_attr(xmlNodePtr n, const char *name, const char *value)
{
	char *v;

	if (n == NULL || value == NULL)
		return;
	v = doc_clean(value);
	if (v != NULL && *v != '\0')
		xmlSetProp(n, (const xmlChar *)name, (const xmlChar *)v);
	free(v);
}

void
doc_origin(struct doc *d, const char *attr, const char *value)
{
	doc_attr(d->origin, attr, value);
}

xmlNodePtr
doc_add(struct doc *d, const char *name, const char *text)
{
	xmlNodePtr n;
	char *v = NULL;

	if (text != NULL && (v = doc_clean(text)) == NULL)
		return NULL;
	n = xmlNewChild(d->root, d->ns, (const xmlChar *)name, NULL);
	if (n != NULL && v != NULL && *v != '\0')
		xmlNodeAddContent(n, (const xmlChar *)v);
	free(v);
	return n;
}

static xmlNodePtr
doc_first(const struct doc *d, const char *name)
{
	xmlNodePtr n;

	for (n = d->root->children; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE && xmlStrcmp(n->name, (const xmlChar *)name) == 0)
			return n;
	return NULL;
}

int
doc_has(const struct doc *d, const char *name)
{
	return doc_first(d, name) != NULL;
}

xmlDocPtr
doc_xml(const struct doc *d)
{
	return d->x;
}

xmlDocPtr
doc_take_xml(struct doc *d)
{
	xmlDocPtr x = d->x;

	d->x = NULL;
	return x;
}

const char *
doc_id(const struct doc *d)
{
	return d->id;
}

static char *
doc_prop(xmlNodePtr n, const char *name)
{
	return (char *)xmlGetProp(n, (const xmlChar *)name);
}

static char *
doc_content(xmlNodePtr n)
{
	return (char *)xmlNodeGetContent(n);
}

static void
doc_set_text(xmlNodePtr n, const char *s)
{
	xmlNodeSetContent(n, NULL);
	if (s != NULL && *s != '\0')
		xmlNodeAddContent(n, (const xmlChar *)s);
}

static void doc_setf(xmlNodePtr, const char *, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static void
doc_setf(xmlNodePtr n, const char *name, const char *fmt, ...)
{
	char buf[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	xmlSetProp(n, (const xmlChar *)name, (const xmlChar *)buf);
}

/* Numbers as people write them in XML attributes: 28407, 19.5. */
static void
doc_set_number(xmlNodePtr n, const char *name, double v)
{
	char buf[64];
	size_t len;

	snprintf(buf, sizeof(buf), "%.2f", v);
	len = strlen(buf);
	while (len > 0 && buf[len - 1] == '0')
		buf[--len] = '\0';
	if (len > 0 && buf[len - 1] == '.')
		buf[--len] = '\0';
	xmlSetProp(n, (const xmlChar *)name, (const xmlChar *)buf);
}

int
doc_parse_date(const char *in, char *out, size_t outlen)
{
	static const char *const fmts[] = {"%a, %d %b %Y %H:%M:%S %z", "%a, %d %b %Y %H:%M:%S %Z",
	    "%a, %d %b %Y %H:%M %z", "%d %b %Y %H:%M:%S %z", "%a, %d %b %Y", "%d %b %Y",
	    "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S",
	    "%Y-%m-%dT%H:%M%z", "%Y-%m-%d", "%d.%m.%Y %H:%M", "%d.%m.%Y", "%d/%m/%Y", "%Y%m%d",
	    NULL};
	const char *const *f;
	struct tm tm;
	char buf[64], *end;
	size_t i, j;

	while (isspace((unsigned char)*in))
		in++;
	/* "+01:00" to "+0100" and fractional seconds dropped, which strptime cannot read. */
	for (i = j = 0; in[i] != '\0' && j + 1 < sizeof(buf); i++) {
		if (in[i] == '.' && i > 0 && isdigit((unsigned char)in[i + 1]) && j >= 19 &&
		    buf[j - 3] == ':') {
			while (isdigit((unsigned char)in[i + 1]))
				i++;
			continue;
		}
		if (in[i] == ':' && j >= 22 && (buf[j - 3] == '+' || buf[j - 3] == '-') &&
		    isdigit((unsigned char)in[i + 1]))
			continue;
		buf[j++] = in[i];
	}
	buf[j] = '\0';
	while (j > 0 && isspace((unsigned char)buf[j - 1]))
		buf[--j] = '\0';
	for (f = fmts; *f != NULL; f++) {
		memset(&tm, 0, sizeof(tm));
		end = strptime(buf, *f, &tm);
		if (end == NULL || *end != '\0')
			continue;
		if (tm.tm_year < 0 || tm.tm_year > 200)
			continue;
		/* Dates, not instants: rules compare days, and feeds disagree on time zones. */
		strftime(out, outlen, "%Y-%m-%d", &tm);
		return 0;
	}
	return -1;
}

/* --- resolution of raw facts --- */

static void
doc_resolve_country(const struct norm *nm, xmlNodePtr n, const char *attr, const char *rawattr)
{
	char *raw, *code;
	const char *c;

	raw = doc_prop(n, rawattr);
	if (raw == NULL && xmlStrcmp(n->name, (const xmlChar *)"destination") == 0)
		raw = doc_content(n);
	if (raw == NULL && xmlStrcmp(n->name, (const xmlChar *)"source-country") == 0)
		raw = doc_content(n);
	code = doc_prop(n, attr);
	if (raw != NULL && *raw != '\0' && (code == NULL || strlen(code) != 2)) {
		c = gaz_lookup(nm->gaz, raw);
		if (c != NULL)
			xmlSetProp(n, (const xmlChar *)attr, (const xmlChar *)c);
		else
			xmlUnsetProp(n, (const xmlChar *)attr);
	}
	xmlFree(raw);
	xmlFree(code);
}

static void
doc_resolve_salary(const struct norm *nm, xmlNodePtr n)
{
	struct money m;
	char *text, *min, *max, *cur, *per;
	enum period p;

	text = doc_content(n);
	min = doc_prop(n, "min");
	max = doc_prop(n, "max");
	cur = doc_prop(n, "currency");
	per = doc_prop(n, "period");
	memset(&m, 0, sizeof(m));
	if ((min == NULL || *min == '\0') && text != NULL && *text != '\0' &&
	    money_parse(nm->money, text, &m) == 0) {
		doc_set_number(n, "min", m.amount);
		doc_set_number(n, "max", m.max);
		if (m.currency[0] != '\0' && (cur == NULL || *cur == '\0'))
			xmlSetProp(n, (const xmlChar *)"currency", (const xmlChar *)m.currency);
		if (m.period != PERIOD_NONE && (per == NULL || *per == '\0'))
			xmlSetProp(
			    n, (const xmlChar *)"period", (const xmlChar *)period_name(m.period));
	} else if (min != NULL && *min != '\0') {
		/* Structured numbers still arrive as strings, with separators or a currency. */
		if (money_parse(nm->money, min, &m) == 0) {
			doc_set_number(n, "min", m.amount);
			if (max == NULL || *max == '\0')
				doc_set_number(n, "max", m.amount);
			if (m.currency[0] != '\0' && (cur == NULL || *cur == '\0'))
				xmlSetProp(
				    n, (const xmlChar *)"currency", (const xmlChar *)m.currency);
		}
		if (max != NULL && *max != '\0' && money_parse(nm->money, max, &m) == 0)
			doc_set_number(n, "max", m.amount);
	}
	if (per != NULL && *per != '\0') {
		p = period_from_name(per);
		if (p != PERIOD_NONE)
			xmlSetProp(n, (const xmlChar *)"period", (const xmlChar *)period_name(p));
		else
			xmlUnsetProp(n, (const xmlChar *)"period");
	}
	if (cur != NULL) {
		char up[8];
		size_t i;

		for (i = 0; i < sizeof(up) - 1 && cur[i] != '\0'; i++)
			up[i] = (char)toupper((unsigned char)cur[i]);
		up[i] = '\0';
		if (strlen(up) == 3)
			xmlSetProp(n, (const xmlChar *)"currency", (const xmlChar *)up);
		else if (money_parse(nm->money, cur, &m) == 0 || m.currency[0] != '\0')
			xmlSetProp(n, (const xmlChar *)"currency", (const xmlChar *)m.currency);
	}
	xmlFree(text);
	xmlFree(min);
	xmlFree(max);
	xmlFree(cur);
	xmlFree(per);
}

static void
doc_resolve_occupation(const struct doc *d, const struct norm *nm, xmlNodePtr n, const char *text)
{
	char *list, *code, *label;
	char digits[8]; /* occ_map_code may point into it: it lives as long as isco is used */
	const char *isco = NULL;
	size_t s, e;

	list = doc_prop(n, "list");
	code = doc_prop(n, "code");
	label = doc_content(n);
	if (code != NULL && *code != '\0') {
		xmlSetProp(n, (const xmlChar *)"declared", (const xmlChar *)code);
		isco = occ_map_code(nm->occ, list != NULL ? list : "ISCO2008", code);
		/* One spelling of the scheme, whatever the feed called its code list. */
		if (list != NULL && strstr(list, "88") != NULL)
			xmlSetProp(n, (const xmlChar *)"scheme", (const xmlChar *)"ISCO-88");
		else if (list != NULL)
			xmlSetProp(n, (const xmlChar *)"scheme", (const xmlChar *)"ISCO-08");
		if (isco != NULL)
			xmlSetProp(n, (const xmlChar *)"how", (const xmlChar *)"structured");
	}
	/* A label like "2221 Nursing professionals" carries its code in the text. */
	if (isco == NULL && label != NULL && isdigit((unsigned char)label[0])) {
		size_t i;

		for (i = 0; i < sizeof(digits) - 1 && isdigit((unsigned char)label[i]); i++)
			digits[i] = label[i];
		digits[i] = '\0';
		if (i >= 3 && i <= 4 &&
		    (isco = occ_map_code(nm->occ, "ISCO2008", digits)) != NULL) {
			xmlSetProp(n, (const xmlChar *)"declared", (const xmlChar *)digits);
			xmlSetProp(n, (const xmlChar *)"scheme", (const xmlChar *)"ISCO-08");
			xmlSetProp(n, (const xmlChar *)"how", (const xmlChar *)"structured");
		}
	}
	if (isco == NULL && label != NULL && *label != '\0' &&
	    (isco = occ_match(nm->occ, label, strlen(label), &s, &e)) != NULL)
		xmlSetProp(n, (const xmlChar *)"how", (const xmlChar *)"text");
	if (isco == NULL) {
		xmlNodePtr t = doc_first(d, "title");
		char *title = t != NULL ? doc_content(t) : NULL;

		if (title != NULL &&
		    (isco = occ_match(nm->occ, title, strlen(title), &s, &e)) != NULL)
			xmlSetProp(n, (const xmlChar *)"how", (const xmlChar *)"text");
		xmlFree(title);
	}
	/* Contracts and odd titles ("Join our team!") name the job early in the text. */
	if (isco == NULL && text != NULL) {
		size_t len = strlen(text);

		if ((isco = occ_match(nm->occ, text, len > 600 ? 600 : len, &s, &e)) != NULL) {
			xmlSetProp(n, (const xmlChar *)"how", (const xmlChar *)"text");
			if (label == NULL || *label == '\0') {
				char *span = strndup(text + s, e - s);

				doc_set_text(n, span);
				free(span);
			}
		}
	}
	if (isco != NULL)
		xmlSetProp(n, (const xmlChar *)"isco", (const xmlChar *)isco);
	xmlUnsetProp(n, (const xmlChar *)"list");
	xmlUnsetProp(n, (const xmlChar *)"code");
	xmlFree(list);
	xmlFree(code);
	xmlFree(label);
}

static void
doc_resolve_date(xmlNodePtr n)
{
	char *v = doc_content(n), out[40];

	if (v != NULL && doc_parse_date(v, out, sizeof(out)) == 0) {
		xmlSetProp(n, (const xmlChar *)"raw", (const xmlChar *)v);
		doc_set_text(n, out);
	}
	xmlFree(v);
}

/* --- extraction of mentions from title and text --- */

struct doc_scan {
	struct doc *d;
	const struct norm *nm;
	const char *where; /* "title" or "text" */
	const char *s;
	size_t len;
	int forced_role; /* eligibility text: every country mention is an eligibility */
	size_t last_end; /* the previous country mention, for "Nigeria and Ghana" */
	const char *last_role;
	int need_salary; /* no structured salary: take the one the wording names */
	struct money fallback; /* else the first amount with a period */
	int have_fallback;
};

/* Words that say an amount is the pay; looked for just before it in its sentence. */
static int
doc_pay_cue(const char *s, size_t start)
{
	static const char *const cues[] = {"salary", "pay", "wage", "rate", "package",
	    "remuneration", "earn", "compensation", "income", "stipend", "gehalt", "vergütung",
	    "lohn", "verdienst", NULL};
	char win[96];
	size_t from = start > 80 ? start - 80 : 0, i;

	for (i = start; i > from; i--)
		if (s[i - 1] == '\n' || (s[i - 1] == '.' && s[i] == ' ')) {
			from = i;
			break;
		}
	memcpy(win, s + from, start - from);
	win[start - from] = '\0';
	for (i = 0; cues[i] != NULL; i++)
		if (strcasestr(win, cues[i]) != NULL)
			return 1;
	return 0;
}

static void
doc_salary_from(struct doc_scan *sc, const struct money *m)
{
	xmlNodePtr n;
	char *span = strndup(sc->s + m->start, m->end - m->start);

	n = doc_add(sc->d, "salary", span);
	free(span);
	if (n == NULL)
		return;
	doc_set_number(n, "min", m->amount);
	doc_set_number(n, "max", m->max);
	if (m->currency[0] != '\0')
		xmlSetProp(n, (const xmlChar *)"currency", (const xmlChar *)m->currency);
	if (m->period != PERIOD_NONE)
		xmlSetProp(n, (const xmlChar *)"period", (const xmlChar *)period_name(m->period));
	xmlSetProp(n, (const xmlChar *)"how", (const xmlChar *)"text");
	sc->need_salary = 0;
}

/* Only a list between two mentions ("X and Y", "X, Y or Z", "Nairobi, Kenya and Kampala,
 * Uganda"): joining words, commas and capitalised place names. Y then shares X's role. */
static int
doc_is_list_gap(const char *s, size_t len)
{
	static const char *const joins[] = {
	    "and", "or", "&", "/", "und", "oder", "as", "well", NULL};
	char buf[64], *p, *tok;
	int joined = 0;
	size_t i;

	if (len >= sizeof(buf))
		return 0;
	memcpy(buf, s, len);
	buf[len] = '\0';
	for (i = 0; i < len; i++)
		if (buf[i] == ',')
			joined = 1;
	p = buf;
	while ((tok = strsep(&p, " ")) != NULL) {
		size_t n = strlen(tok), j;
		int ok = 0;

		if (n > 0 && tok[n - 1] == ',')
			tok[--n] = '\0';
		if (n == 0)
			continue;
		for (j = 0; joins[j] != NULL && !ok; j++)
			if (strcasecmp(tok, joins[j]) == 0)
				ok = joined = 1;
		if (!ok && ((tok[0] >= 'A' && tok[0] <= 'Z') || (unsigned char)tok[0] >= 0xc0))
			ok = 1;
		if (!ok)
			return 0;
	}
	return joined;
}

static xmlNodePtr
doc_mention(struct doc_scan *sc, const char *name, size_t start, size_t end)
{
	xmlNodePtr n;
	char *span;

	span = strndup(sc->s + start, end - start);
	if (span == NULL)
		return NULL;
	n = xmlNewChild(sc->d->root, sc->d->ns, (const xmlChar *)name, NULL);
	if (n != NULL) {
		xmlNodeAddContent(n, (const xmlChar *)span);
		xmlSetProp(n, (const xmlChar *)"in", (const xmlChar *)sc->where);
		doc_setf(n, "start", "%.0f", (double)text_chars(sc->s, start));
		doc_setf(n, "end", "%.0f", (double)text_chars(sc->s, end));
	}
	free(span);
	return n;
}

static int
doc_has_country(
    const struct doc *d, const char *elem, const char *attr, const char *code, const char *role)
{
	xmlNodePtr n;
	int found = 0;

	for (n = d->root->children; n != NULL && !found; n = n->next) {
		char *c, *r;

		if (n->type != XML_ELEMENT_NODE || xmlStrcmp(n->name, (const xmlChar *)elem) != 0)
			continue;
		c = doc_prop(n, attr);
		r = doc_prop(n, "role");
		found = c != NULL && strcmp(c, code) == 0 &&
		    (role == NULL || (r != NULL && strcmp(r, role) == 0));
		xmlFree(c);
		xmlFree(r);
	}
	return found;
}

static int
doc_country_cb(const struct gaz_mention *m, void *arg)
{
	struct doc_scan *sc = arg;
	const char *role;
	xmlNodePtr n;
	char *span;

	if (sc->forced_role)
		role = "eligibility";
	else if (sc->last_role != NULL && m->start >= sc->last_end &&
	    doc_is_list_gap(sc->s + sc->last_end, m->start - sc->last_end))
		role = sc->last_role;
	else
		role = roles_of(sc->nm->roles, sc->s, sc->len, m->start, m->end,
		    !m->demonym     ? ROLES_NAME
			: m->plural ? ROLES_PLURAL_DEMONYM
				    : ROLES_DEMONYM);
	sc->last_end = m->end;
	sc->last_role = role;
	n = doc_mention(sc, "country", m->start, m->end);
	if (n == NULL)
		return 0;
	xmlSetProp(n, (const xmlChar *)"code", (const xmlChar *)m->code);
	xmlSetProp(n, (const xmlChar *)"role", (const xmlChar *)role);
	if (m->place)
		xmlSetProp(n, (const xmlChar *)"via", (const xmlChar *)"place");
	/* The last one: titles end with where the job is ("Kenya cohort – Leicester, UK"). */
	if (strcmp(sc->where, "title") == 0 && strcmp(role, "mention") == 0 && !m->demonym) {
		memcpy(sc->d->title_country, m->code, 3);
		snprintf(sc->d->title_span, sizeof(sc->d->title_span), "%.*s",
		    (int)(m->end - m->start), sc->s + m->start);
	}
	span = strndup(sc->s + m->start, m->end - m->start);
	if (strcmp(role, "destination") == 0) {
		if (!doc_has_country(sc->d, "destination", "country", m->code, NULL)) {
			xmlNodePtr dn = doc_add(sc->d, "destination", span);

			doc_attr(dn, "country", m->code);
			doc_attr(dn, "how", "text");
		}
	} else if (strcmp(role, "source") == 0 || strcmp(role, "eligibility") == 0 ||
	    strcmp(role, "nationality") == 0) {
		if (!doc_has_country(sc->d, "source-country", "code", m->code, role)) {
			xmlNodePtr sn = doc_add(sc->d, "source-country", span);

			doc_attr(sn, "code", m->code);
			doc_attr(sn, "how", "text");
			doc_attr(sn, "role", role);
		}
	}
	free(span);
	return 0;
}

static int
doc_money_cb(const struct money *m, void *arg)
{
	struct doc_scan *sc = arg;
	xmlNodePtr n;

	n = doc_mention(sc, "money", m->start, m->end);
	if (n == NULL)
		return 0;
	doc_set_number(n, "amount", m->amount);
	if (m->max != m->amount)
		doc_set_number(n, "max", m->max);
	if (m->currency[0] != '\0')
		xmlSetProp(n, (const xmlChar *)"currency", (const xmlChar *)m->currency);
	if (m->period != PERIOD_NONE)
		xmlSetProp(n, (const xmlChar *)"period", (const xmlChar *)period_name(m->period));
	if (sc->need_salary && m->currency[0] != '\0') {
		if (doc_pay_cue(sc->s, m->start))
			doc_salary_from(sc, m);
		else if (!sc->have_fallback && m->period != PERIOD_NONE) {
			sc->fallback = *m;
			sc->have_fallback = 1;
		}
	}
	return 0;
}

static int
doc_dur_cb(const struct duration *du, void *arg)
{
	struct doc_scan *sc = arg;
	xmlNodePtr n;

	n = doc_mention(sc, "duration", du->start, du->end);
	if (n != NULL)
		doc_set_number(n, "months", du->months);
	return 0;
}

static void
doc_scan_text(
    struct doc *d, const struct norm *nm, const char *where, const char *s, int eligibility)
{
	struct doc_scan sc;

	memset(&sc, 0, sizeof(sc));
	sc.d = d;
	sc.nm = nm;
	sc.where = where;
	sc.s = s;
	sc.len = strlen(s);
	sc.forced_role = eligibility;
	gaz_scan(nm->gaz, s, sc.len, doc_country_cb, &sc);
	if (eligibility)
		return;
	sc.need_salary = !doc_has(d, "salary");
	money_scan(nm->money, s, sc.len, doc_money_cb, &sc);
	if (sc.need_salary && sc.have_fallback)
		doc_salary_from(&sc, &sc.fallback);
	dur_scan(nm->dur, s, sc.len, doc_dur_cb, &sc);
}

/* --- ordering and id --- */

static int
doc_rank(const xmlChar *name)
{
	int i;

	for (i = 0; doc_order[i] != NULL; i++)
		if (xmlStrcmp(name, (const xmlChar *)doc_order[i]) == 0)
			return i;
	return i;
}

static void
doc_sort(struct doc *d)
{
	xmlNodePtr *v = NULL, n, next;
	size_t cnt = 0, i, j;

	for (n = d->root->children; n != NULL; n = n->next)
		cnt++;
	if (cnt == 0 || (v = calloc(cnt, sizeof(*v))) == NULL)
		return;
	for (i = 0, n = d->root->children; n != NULL; n = next) {
		next = n->next;
		xmlUnlinkNode(n);
		v[i++] = n;
	}
	/* Insertion sort: stable, and documents have tens of children. */
	for (i = 1; i < cnt; i++) {
		xmlNodePtr k = v[i];
		int r = doc_rank(k->name);

		for (j = i; j > 0 && doc_rank(v[j - 1]->name) > r; j--)
			v[j] = v[j - 1];
		v[j] = k;
	}
	for (i = 0; i < cnt; i++)
		xmlAddChild(d->root, v[i]);
	free(v);
}

static int
doc_compute_id(struct doc *d)
{
	xmlBufferPtr buf;
	xmlNodePtr next = d->origin->next;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	int ok;

	/* The id is the content's, not the delivery's: origin is left out. */
	xmlUnlinkNode(d->origin);
	buf = xmlBufferCreate();
	ok = buf != NULL && xmlNodeDump(buf, d->x, d->root, 0, 0) >= 0 &&
	    EVP_Digest(xmlBufferContent(buf), (size_t)xmlBufferLength(buf), md, &mdlen,
		EVP_sha256(), NULL) == 1;
	xmlBufferFree(buf);
	if (next != NULL)
		xmlAddPrevSibling(next, d->origin);
	else
		xmlAddChild(d->root, d->origin);
	if (!ok)
		return -1;
	memcpy(d->id, "sha256:", 7);
	for (i = 0; i < mdlen; i++)
		snprintf(d->id + 7 + i * 2, 3, "%02x", md[i]);
	xmlSetProp(d->root, (const xmlChar *)"id", (const xmlChar *)d->id);
	return 0;
}

int
doc_finish(struct doc *d, const struct norm *nm, struct rw_error *err)
{
	xmlNodePtr n, next, textnode, title;
	xmlBufferPtr body;
	char *v;
	int has_occ = 0;

	body = xmlBufferCreate();
	if (body == NULL)
		goto oom;
	/* Description (HTML) and extra text join into one <text>; eligibility wording too, and it
	 * is scanned separately so its countries get the eligibility role. */
	for (n = d->root->children; n != NULL; n = next) {
		next = n->next;
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (xmlStrcmp(n->name, (const xmlChar *)"description") == 0 ||
		    xmlStrcmp(n->name, (const xmlChar *)"text") == 0) {
			char *plain;

			v = doc_content(n);
			plain = v != NULL ? text_from_html(v, strlen(v)) : NULL;
			if (plain != NULL && *plain != '\0') {
				if (xmlBufferLength(body) > 0)
					xmlBufferCCat(body, "\n");
				xmlBufferCCat(body, plain);
			}
			free(plain);
			xmlFree(v);
			xmlUnlinkNode(n);
			xmlFreeNode(n);
		} else if (xmlStrcmp(n->name, (const xmlChar *)"eligibility") == 0) {
			char *plain;

			v = doc_content(n);
			plain = v != NULL ? text_from_html(v, strlen(v)) : NULL;
			if (plain != NULL && *plain != '\0')
				doc_scan_text(d, nm, "eligibility", plain, 1);
			free(plain);
			xmlFree(v);
			xmlUnlinkNode(n);
			xmlFreeNode(n);
		}
	}
	title = doc_first(d, "title");
	if (title != NULL) {
		char *plain;

		v = doc_content(title);
		plain = v != NULL ? text_from_html(v, strlen(v)) : NULL;
		if (plain != NULL) {
			for (char *p = plain; *p != '\0'; p++)
				if (*p == '\n')
					*p = ' ';
			doc_set_text(title, plain);
		}
		free(plain);
		xmlFree(v);
	}

	for (n = d->root->children; n != NULL; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (xmlStrcmp(n->name, (const xmlChar *)"destination") == 0)
			doc_resolve_country(nm, n, "country", "country");
		else if (xmlStrcmp(n->name, (const xmlChar *)"source-country") == 0)
			doc_resolve_country(nm, n, "code", "code");
		else if (xmlStrcmp(n->name, (const xmlChar *)"employer") == 0 ||
		    xmlStrcmp(n->name, (const xmlChar *)"party") == 0 ||
		    xmlStrcmp(n->name, (const xmlChar *)"agency") == 0)
			doc_resolve_country(nm, n, "country", "country");
		else if (xmlStrcmp(n->name, (const xmlChar *)"salary") == 0)
			doc_resolve_salary(nm, n);
		else if (xmlStrcmp(n->name, (const xmlChar *)"occupation") == 0) {
			doc_resolve_occupation(d, nm, n, (const char *)xmlBufferContent(body));
			has_occ = 1;
		} else if (xmlStrcmp(n->name, (const xmlChar *)"posted") == 0 ||
		    xmlStrcmp(n->name, (const xmlChar *)"valid-through") == 0)
			doc_resolve_date(n);
	}
	/* Party nationality and residence are countries in any spelling as well. */
	for (n = d->root->children; n != NULL; n = n->next)
		if (n->type == XML_ELEMENT_NODE &&
		    xmlStrcmp(n->name, (const xmlChar *)"party") == 0) {
			doc_resolve_country(nm, n, "nationality", "nationality");
			doc_resolve_country(nm, n, "residence", "residence");
		}
	/* Structured countries whose spelling is unknown stay out: a code-less element misleads. */
	for (n = d->root->children; n != NULL; n = next) {
		char *c = NULL;

		next = n->next;
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (xmlStrcmp(n->name, (const xmlChar *)"destination") == 0)
			c = doc_prop(n, "country");
		else if (xmlStrcmp(n->name, (const xmlChar *)"source-country") == 0)
			c = doc_prop(n, "code");
		else
			continue;
		if (c == NULL) {
			xmlUnlinkNode(n);
			xmlFreeNode(n);
		} else if (xmlHasProp(n, (const xmlChar *)"how") == NULL)
			xmlSetProp(n, (const xmlChar *)"how", (const xmlChar *)"structured");
		xmlFree(c);
	}

	if (title != NULL) {
		v = doc_content(title);
		if (v != NULL)
			doc_scan_text(d, nm, "title", v, 0);
		xmlFree(v);
	}
	textnode = xmlNewChild(d->root, d->ns, (const xmlChar *)"text", NULL);
	if (textnode == NULL)
		goto oom;
	if (xmlBufferLength(body) > 0) {
		text_fold((char *)(uintptr_t)xmlBufferContent(body));
		xmlNodeAddContent(textnode, xmlBufferContent(body));
		doc_scan_text(d, nm, "text", (const char *)xmlBufferContent(body), 0);
	}
	/* "Staff Nurse – Leeds, UK": with no other word on it, the place in the title is where
	 * the job is. */
	if (!doc_has(d, "destination") && d->title_country[0] != '\0') {
		n = doc_add(d, "destination", d->title_span);
		doc_attr(n, "country", d->title_country);
		doc_attr(n, "how", "title");
	}
	/* An occupation nobody declared: from the title, else from the start of the text. */
	if (!has_occ && (n = doc_add(d, "occupation", NULL)) != NULL) {
		doc_resolve_occupation(d, nm, n, (const char *)xmlBufferContent(body));
		if (xmlHasProp(n, (const xmlChar *)"isco") == NULL) {
			xmlUnlinkNode(n);
			xmlFreeNode(n);
		} else if (n->children == NULL && title != NULL) {
			v = doc_content(title);
			doc_set_text(n, v);
			xmlFree(v);
		}
	}
	xmlBufferFree(body);
	body = NULL;
	doc_sort(d);
	if (doc_compute_id(d) != 0)
		goto oom;
	return 0;
oom:
	xmlBufferFree(body);
	rw_error_set(err, "", 0, 0, "out of memory building the canonical document");
	return -1;
}
