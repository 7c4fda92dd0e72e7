/* Aggregator XML job feeds (<source>/<jobs> of <job>): Indeed's tag set by default, and the
 * other boards' names for the same fields (table in docs/formats.md). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fmt.h"

/* Candidate tag names per field, in priority order; the first one present wins. */
static const char *const jx_title[] = {"title", "name", "jobtitle", "job_title", "position", NULL};
static const char *const jx_desc[] = {
    "description", "desc", "body", "content", "job_description", NULL};
static const char *const jx_guid[] = {"referencenumber", "reference", "job_reference", "id",
    "partnerJobId", "requisitionid", "jobid", NULL};
static const char *const jx_url[] = {"url", "link", "apply_url", "application_url", NULL};
static const char *const jx_company[] = {
    "company", "company-name", "company_name", "employer", "hiring_organization", NULL};
static const char *const jx_agency[] = {"sourcename", "agency", "recruiter", "agency_name", NULL};
static const char *const jx_country[] = {
    "country", "countrycode", "country_code", "addresscountry", NULL};
static const char *const jx_place[] = {"location", "region", "city", "state", NULL};
static const char *const jx_salary[] = {"salary", "salary_text", "compensation", "pay", NULL};
static const char *const jx_type[] = {"jobtype", "job_type", "employment_type", "contract_type",
    "contract_time", "working_hours", NULL};
static const char *const jx_date[] = {"date", "pubdate", "date_posted", "posted", "updated", NULL};
static const char *const jx_expiry[] = {
    "expirationdate", "expiration_date", "expire", "expiry", "closing_date", "valid_through", NULL};
static const char *const jx_occ[] = {"occupation", "category", "job_category", "function", NULL};

static xmlNodePtr
jx_find(xmlNodePtr job, const char *const *names)
{
	const char *const *n;
	xmlNodePtr c;

	for (n = names; *n != NULL; n++)
		for (c = job->children; c != NULL; c = c->next)
			if (c->type == XML_ELEMENT_NODE &&
			    xmlStrcasecmp(c->name, (const xmlChar *)*n) == 0)
				return c;
	return NULL;
}

static char *
jx_get(xmlNodePtr job, const char *const *names)
{
	return xu_text(jx_find(job, names));
}

struct doc *
fmt_jobxml_job(struct fmt_ctx *c, xmlNodePtr job)
{
	static const char *const *const all[] = {jx_title, jx_desc, jx_guid, jx_url, jx_company,
	    jx_agency, jx_country, jx_place, jx_salary, jx_type, jx_date, jx_expiry, jx_occ, NULL};
	struct doc *d;
	xmlNodePtr n, sal, loc;
	char *v;
	size_t i;

	d = doc_new(DOC_POSTING, c->source, "jobxml", c->index);
	if (d == NULL) {
		rw_error_set(c->err, c->source, (long)xmlGetLineNo(job), 0, "out of memory");
		return NULL;
	}
	v = jx_get(job, jx_guid);
	if (v == NULL)
		v = xu_attr(job, "id"); /* Jooble: <job id="…"> */
	doc_origin(d, "guid", v);
	free(v);
	v = jx_get(job, jx_url);
	doc_origin(d, "url", v);
	free(v);
	if ((v = jx_get(job, jx_date)) != NULL) {
		doc_origin(d, "date", v);
		doc_add(d, "posted", v);
	}
	free(v);
	if ((v = jx_get(job, jx_expiry)) != NULL)
		doc_add(d, "valid-through", v);
	free(v);

	v = jx_get(job, jx_agency);
	if (v == NULL && job->parent != NULL)
		v = xu_child_text(job->parent, NULL, "publisher");
	if (v != NULL)
		doc_attr(doc_add(d, "agency", NULL), "name", v);
	free(v);
	if ((v = jx_get(job, jx_company)) != NULL)
		doc_attr(doc_add(d, "employer", NULL), "name", v);
	free(v);
	if ((v = jx_get(job, jx_title)) != NULL)
		doc_add(d, "title", v);
	free(v);
	if ((v = jx_get(job, jx_desc)) != NULL)
		doc_add(d, "description", v);
	free(v);

	/* Country, or else the location text (Careerjet nests it: location/country). */
	loc = jx_find(job, jx_place);
	v = jx_get(job, jx_country);
	if (v == NULL && loc != NULL)
		v = xu_child_text(loc, NULL, "country");
	if (v == NULL && loc != NULL)
		v = xu_text(loc);
	if (v != NULL)
		doc_add(d, "destination", v);
	free(v);

	if ((sal = jx_find(job, jx_salary)) != NULL && (v = xu_text(sal)) != NULL) {
		xmlNodePtr s = doc_add(d, "salary", v);
		char *cur = xu_attr(sal, "currency"), *per = xu_attr(sal, "periodicity");

		doc_attr(s, "currency", cur);
		doc_attr(s, "period", per);
		free(cur);
		free(per);
		free(v);
	}
	if ((v = jx_get(job, jx_type)) != NULL)
		doc_add(d, "employment-type", v);
	free(v);
	if ((v = jx_get(job, jx_occ)) != NULL)
		doc_add(d, "occupation", v);
	free(v);

	/* Everything not mapped above is kept as a field. */
	for (n = job->children; n != NULL; n = n->next) {
		int mapped = 0;

		if (n->type != XML_ELEMENT_NODE)
			continue;
		for (i = 0; all[i] != NULL && !mapped; i++)
			for (const char *const *k = all[i]; *k != NULL && !mapped; k++)
				mapped = xmlStrcasecmp(n->name, (const xmlChar *)*k) == 0;
		if (mapped || (v = xu_text(n)) == NULL)
			continue;
		doc_attr(doc_add(d, "field", v), "name", (const char *)n->name);
		free(v);
	}
	return d;
}
