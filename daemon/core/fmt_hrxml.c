/* HR-XML PositionOpening as EURES exchanges it (HR-XML 3 with OAGIS components); HR-XML 2
 * names are looked up too. Declared occupation code lists are honoured: 2221 is a nurse in
 * ISCO-08 but a doctor in ISCO-88. */
#include <stdlib.h>
#include <string.h>

#include "fmt.h"

/* First descendant with this local name, any namespace, document order. */
static xmlNodePtr
hx_find(xmlNodePtr top, const char *name)
{
	xmlNodePtr n = top != NULL ? top->children : NULL;

	while (n != NULL) {
		if (n->type == XML_ELEMENT_NODE && xmlStrcmp(n->name, (const xmlChar *)name) == 0)
			return n;
		if (n->type == XML_ELEMENT_NODE && n->children != NULL) {
			n = n->children;
			continue;
		}
		while (n != NULL && n->next == NULL) {
			n = n->parent;
			if (n == top)
				return NULL;
		}
		if (n != NULL)
			n = n->next;
	}
	return NULL;
}

static char *
hx_text(xmlNodePtr top, const char *name)
{
	return xu_text(hx_find(top, name));
}

static char *
hx_first_text(xmlNodePtr top, const char *const *names)
{
	char *v = NULL;

	for (; *names != NULL && v == NULL; names++)
		v = hx_text(top, *names);
	return v;
}

struct doc *
fmt_hrxml_opening(struct fmt_ctx *c, xmlNodePtr po)
{
	static const char *const guid[] = {"DocumentID", "IdValue", NULL};
	static const char *const title[] = {"PositionTitle", NULL};
	static const char *const employer[] = {"OrganizationName", "Name", NULL};
	static const char *const desc[] = {"PositionFormattedDescription",
	    "FormattedPositionDescription", "PositionDescription", NULL};
	static const char *const country[] = {"CountryCode", NULL};
	static const char *const closes[] = {"ApplicationCloseDate", "MaximumEndDate", NULL};
	static const char *const posted[] = {"PostingDate", "PositionOpenDate", "StartDate", NULL};
	static const char *const sched[] = {
	    "PositionScheduleTypeCode", "PositionOfferingTypeCode", NULL};
	struct doc *d;
	xmlNodePtr n, req, org, loc, profile;
	char *v;

	d = doc_new(DOC_POSTING, c->source, "hrxml", c->index);
	if (d == NULL) {
		rw_error_set(c->err, c->source, (long)xmlGetLineNo(po), 0, "out of memory");
		return NULL;
	}
	v = hx_first_text(po, guid);
	doc_origin(d, "guid", v);
	free(v);

	req = hx_find(po, "PostingRequester");
	if (req != NULL) {
		v = hx_text(req, "PartyName");
		if (v == NULL)
			v = hx_text(req, "Name");
		if (v == NULL)
			v = hx_text(req, "PartyID");
		if (v != NULL)
			doc_attr(doc_add(d, "agency", NULL), "name", v);
		free(v);
	}
	profile = hx_find(po, "PositionProfile");
	if (profile == NULL)
		profile = po;
	v = hx_first_text(profile, posted);
	doc_origin(d, "date", v);
	if (v != NULL)
		doc_add(d, "posted", v);
	free(v);
	if ((v = hx_first_text(profile, closes)) != NULL)
		doc_add(d, "valid-through", v);
	free(v);
	if ((v = hx_text(hx_find(profile, "ApplicationMethod"), "Instructions")) != NULL &&
	    strncmp(v, "http", 4) == 0)
		doc_origin(d, "url", v);
	free(v);

	org = hx_find(profile, "PositionOrganization");
	if (org == NULL)
		org = hx_find(profile, "Company");
	if (org != NULL && (v = hx_first_text(org, employer)) != NULL) {
		xmlNodePtr e = doc_add(d, "employer", NULL);
		char *cc = hx_text(org, "CountryCode");

		doc_attr(e, "name", v);
		doc_attr(e, "country", cc);
		free(cc);
		free(v);
	}
	if ((v = hx_first_text(profile, title)) != NULL)
		doc_add(d, "title", v);
	free(v);

	loc = hx_find(profile, "PositionLocation");
	if (loc == NULL)
		loc = hx_find(profile, "PhysicalLocation");
	if ((v = hx_first_text(loc != NULL ? loc : profile, country)) != NULL)
		doc_add(d, "destination", v);
	free(v);

	for (n = hx_find(profile, "JobCategoryCode"); n != NULL;
	     n = xu_next(n->next, NULL, "JobCategoryCode")) {
		char *list = xu_attr(n, "listName"), *code = xu_text(n);

		if (list == NULL)
			list = xu_attr(n, "listURI");
		if (code != NULL && list != NULL && strstr(list, "ISCO") != NULL) {
			xmlNodePtr o = doc_add(d, "occupation", NULL);
			char *t = hx_text(profile, "PositionTitle");

			doc_attr(o, "list", list);
			doc_attr(o, "code", code);
			if (t != NULL)
				xmlNodeAddContent(o, (const xmlChar *)t);
			free(t);
			free(list);
			free(code);
			break;
		}
		free(list);
		free(code);
	}
	if ((v = hx_first_text(profile, sched)) != NULL)
		doc_add(d, "employment-type", v);
	free(v);

	/* Remuneration: BasePayAmountMin/Max with currencyID, or the package as text. */
	if ((n = hx_find(profile, "BasePayAmountMin")) != NULL ||
	    (n = hx_find(profile, "MinimumAmount")) != NULL ||
	    (n = hx_find(profile, "BasePayAmount")) != NULL) {
		xmlNodePtr s = doc_add(d, "salary", NULL),
			   mx = hx_find(profile, "BasePayAmountMax");
		char *per;

		if (mx == NULL)
			mx = hx_find(profile, "MaximumAmount");
		per = hx_text(profile, "BasePayFrequencyCode");
		if (per == NULL)
			per = hx_text(profile, "IntervalCode");
		if (per == NULL)
			per = xu_attr(n->parent, "intervalCode");
		char *min = xu_text(n), *max = xu_text(mx), *cur = xu_attr(n, "currencyID");

		doc_attr(s, "min", min);
		doc_attr(s, "max", max);
		doc_attr(s, "currency", cur);
		doc_attr(s, "period", per);
		free(min);
		free(max);
		free(cur);
		free(per);
	} else if ((v = hx_text(profile, "RemunerationPackage")) != NULL ||
	    (v = hx_text(profile, "OfferedRemunerationPackage")) != NULL) {
		doc_add(d, "salary", v);
		free(v);
	}

	for (const char *const *k = desc; *k != NULL; k++)
		for (n = hx_find(profile, *k); n != NULL; n = xu_next(n->next, NULL, *k)) {
			char *content = hx_text(n, "Content");

			if (content == NULL)
				content = hx_text(n, "Value");
			if (content == NULL)
				content = xu_text(n);
			if (content != NULL)
				doc_add(d, "description", content);
			free(content);
		}
	return d;
}
