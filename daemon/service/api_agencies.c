/* The HTTP API's agencies: the list of recruiters the state knows, and one agency's audit
 * (findings by category and month, open against resolved, time to resolve, the evidence) as
 * JSON or as a CSV download, for unions and regulators. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/http.h>

#include "api.h"
#include "audit.h"

static json_t *
agencies_time(int64_t t)
{
	char buf[32];

	if (t == 0)
		return json_null();
	audit_time_str(t, buf, sizeof(buf));
	return json_string(buf);
}

static json_t *
agencies_agency_json(const struct audit_agency *a)
{
	return json_pack("{s:s, s:s, s:I, s:I, s:I, s:o}", "id", a->id, "name", a->name, "items",
	    (json_int_t)a->items, "open_findings", (json_int_t)a->open, "resolved_findings",
	    (json_int_t)a->resolved, "last_seen", agencies_time(a->last_seen));
}

static int
agencies_add(const struct audit_agency *a, void *arg)
{
	return json_array_append_new(arg, agencies_agency_json(a)) != 0;
}

static void
agencies_list(struct api_ctx *ctx, struct api_req *r)
{
	json_t *list = json_array();
	struct rw_error err;
	char buf[1200];

	if (list == NULL) {
		api_reply_error(r, 500, "internal", "out of memory");
		return;
	}
	rw_error_clear(&err);
	if (audit_agencies(ctx->db, agencies_add, list, &err) != 0) {
		json_decref(list);
		api_reply_error(r, 500, "internal", "%s", rw_error_str(&err, buf, sizeof(buf)));
		return;
	}
	api_reply_json(r, 200, json_pack("{s:o}", "agencies", list));
}

/* ?since and ?until: a date (YYYY-MM-DD, the whole day: until is inclusive) or a UTC time
 * (YYYY-MM-DDTHH:MM:SSZ, until exclusive). 0 when absent, -1 when malformed. */
static int
agencies_date(const char *v, int end, int64_t *out)
{
	struct tm tm;
	const char *p;

	*out = 0;
	if (v == NULL || *v == '\0')
		return 0;
	memset(&tm, 0, sizeof(tm));
	if ((p = strptime(v, "%Y-%m-%d", &tm)) == NULL)
		return -1;
	if (*p == '\0') {
		*out = (int64_t)timegm(&tm) + (end ? 86400 : 0);
		return 0;
	}
	if ((p = strptime(p, "T%H:%M:%S", &tm)) == NULL || strcmp(p, "Z") != 0)
		return -1;
	*out = (int64_t)timegm(&tm);
	return 0;
}

static json_t *
agencies_report_json(const struct audit_report *a)
{
	json_t *months = json_array(), *ev = json_array(), *ttr, *texts;
	size_t i, j;

	for (i = 0; i < a->nbuckets; i++) {
		const struct audit_bucket *b = &a->buckets[i];

		json_array_append_new(months,
		    json_pack("{s:s, s:s, s:I, s:I}", "month", b->month, "category", b->category,
			"opened", (json_int_t)b->opened, "resolved", (json_int_t)b->resolved));
	}
	for (i = 0; i < a->nevidence; i++) {
		const struct audit_evidence *e = &a->evidence[i];

		texts = json_array();
		for (j = 0; j < e->ntexts; j++)
			json_array_append_new(texts, json_string(e->texts[j]));
		json_array_append_new(ev,
		    json_pack(
			"{s:s, s:s, s:s, s:s, s:s, s:s?, s:o, s:o, s:{s:s?, s:s?, s:s?}, s:o}",
			"id", e->id, "rule", e->rule, "category", e->category, "severity",
			e->severity, "status", e->status, "message", e->message, "opened_at",
			agencies_time(e->opened_at), "resolved_at", agencies_time(e->resolved_at),
			"document", "title", e->title, "guid", e->guid, "url", e->url, "evidence",
			texts));
	}
	if (a->ttr_count > 0)
		ttr = json_pack("{s:I, s:f, s:f}", "count", (json_int_t)a->ttr_count, "median",
		    a->ttr_median_days, "mean", a->ttr_mean_days);
	else
		ttr = json_pack("{s:i, s:n, s:n}", "count", 0, "median", "mean");
	return json_pack("{s:o, s:o, s:o, s:o, s:{s:I, s:I, s:I}, s:o, s:o}", "agency",
	    agencies_agency_json(&a->agency), "since", agencies_time(a->since), "until",
	    agencies_time(a->until), "by_category_month", months, "totals", "findings",
	    (json_int_t)(a->open + a->resolved), "open", (json_int_t)a->open, "resolved",
	    (json_int_t)a->resolved, "time_to_resolve_days", ttr, "evidence", ev);
}

static void
agencies_audit(struct api_ctx *ctx, struct api_req *r)
{
	const char *id = r->params[0], *format = api_query(r, "format");
	struct audit_report a;
	struct rw_error err;
	int64_t since, until;
	char buf[1200], disp[256];
	size_t len;
	char *csv;
	int rc;

	if (format != NULL && strcmp(format, "json") != 0 && strcmp(format, "csv") != 0) {
		api_reply_error(
		    r, 400, "bad-request", "query: format: \"%s\" is not json or csv", format);
		return;
	}
	if (agencies_date(api_query(r, "since"), 0, &since) != 0 ||
	    agencies_date(api_query(r, "until"), 1, &until) != 0) {
		api_reply_error(r, 400, "bad-request",
		    "query: since and until are ISO 8601 dates (YYYY-MM-DD) or UTC times "
		    "(YYYY-MM-DDTHH:MM:SSZ)");
		return;
	}
	if (since != 0 && until != 0 && since >= until) {
		api_reply_error(r, 400, "bad-request", "query: since is not before until");
		return;
	}
	rw_error_clear(&err);
	if ((rc = audit_report(ctx->db, id, since, until, &a, &err)) == -1) {
		api_reply_error(r, 500, "internal", "%s", rw_error_str(&err, buf, sizeof(buf)));
		return;
	}
	if (rc == 0) {
		api_reply_error(r, 404, "not-found", "agency %s: no such agency", id);
		return;
	}
	if (format == NULL || strcmp(format, "json") == 0) {
		api_reply_json(r, 200, agencies_report_json(&a));
		audit_report_clear(&a);
		return;
	}
	csv = audit_csv(&a, &len);
	/* the id is a slug: nothing in it needs quoting in a header */
	snprintf(disp, sizeof(disp), "attachment; filename=\"%s-audit.csv\"", a.agency.id);
	audit_report_clear(&a);
	if (csv == NULL) {
		api_reply_error(r, 500, "internal", "out of memory");
		return;
	}
	evhttp_add_header(evhttp_request_get_output_headers(r->req), "Content-Disposition", disp);
	api_reply_raw(r, 200, "text/csv; charset=utf-8; header=present", csv, len);
	free(csv);
}

const struct api_route api_agencies_routes[] = {
    {"GET", "/v1/agencies", ROLE_REGULATOR | ROLE_UNION | ROLE_ADMIN, agencies_list, 0},
    {"GET", "/v1/agencies/{id}/audit", ROLE_REGULATOR | ROLE_UNION | ROLE_ADMIN, agencies_audit, 0},
    {NULL, NULL, 0, NULL, 0},
};
