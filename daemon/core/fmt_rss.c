/* RSS 2.0 (and RSS 1.0) items, with the Google Base job namespace and content:encoded. */
#include <stdlib.h>
#include <string.h>

#include "fmt.h"

static void
rss_add(struct doc *d, const char *elem, char *v)
{
	if (v != NULL)
		doc_add(d, elem, v);
	free(v);
}

struct doc *
fmt_rss_item(struct fmt_ctx *c, xmlNodePtr item)
{
	static const char *const known[] = {"title", "description", "link", "guid", "pubDate",
	    "author", "category", "comments", "source", "enclosure", NULL};
	struct doc *d;
	xmlNodePtr channel = item->parent, n;
	char *v, *content;
	const char *uri = item->ns != NULL ? (const char *)item->ns->href : "";

	d = doc_new(DOC_POSTING, c->source, "rss2", c->index);
	if (d == NULL) {
		rw_error_set(c->err, c->source, (long)xmlGetLineNo(item), 0, "out of memory");
		return NULL;
	}
	v = xu_child_text(item, uri, "guid");
	doc_origin(d, "guid", v);
	free(v);
	v = xu_child_text(item, uri, "link");
	if (v == NULL)
		v = xu_attr(item, "about"); /* RSS 1.0 */
	doc_origin(d, "url", v);
	free(v);
	v = xu_child_text(item, uri, "pubDate");
	if (v == NULL)
		v = xu_child_text(item, NS_DC, "date");
	doc_origin(d, "date", v);
	if (v != NULL)
		doc_add(d, "posted", v);
	free(v);

	/* The publisher: dc:creator or author on the item, else the channel's title. */
	v = xu_child_text(item, NS_DC, "creator");
	if (v == NULL)
		v = xu_child_text(item, uri, "author");
	if (v == NULL && channel != NULL)
		v = xu_child_text(channel, uri, "title");
	if (v != NULL)
		doc_attr(doc_add(d, "agency", NULL), "name", v);
	free(v);

	rss_add(d, "title", xu_child_text(item, uri, "title"));
	/* content:encoded is the full text; description is often a summary of it. */
	content = xu_child_text(item, NS_CONTENT, "encoded");
	v = xu_child_text(item, uri, "description");
	if (content != NULL) {
		if (v != NULL && strstr(content, v) == NULL)
			doc_add(d, "description", v);
		doc_add(d, "description", content);
	} else if (v != NULL)
		doc_add(d, "description", v);
	free(v);
	free(content);

	/* Google Base jobs. */
	v = xu_child_text(item, NS_GBASE, "employer");
	if (v != NULL)
		doc_attr(doc_add(d, "employer", NULL), "name", v);
	free(v);
	rss_add(d, "employment-type", xu_child_text(item, NS_GBASE, "job_type"));
	if ((v = xu_child_text(item, NS_GBASE, "salary")) != NULL) {
		xmlNodePtr s = doc_add(d, "salary", v);
		char *cur = xu_child_text(item, NS_GBASE, "currency");
		char *per = xu_child_text(item, NS_GBASE, "salary_type");

		doc_attr(s, "currency", cur);
		doc_attr(s, "period", per);
		free(cur);
		free(per);
	}
	free(v);
	rss_add(d, "destination", xu_child_text(item, NS_GBASE, "location"));
	rss_add(d, "eligibility", xu_child_text(item, NS_GBASE, "immigration_status"));
	rss_add(d, "valid-through", xu_child_text(item, NS_GBASE, "expiration_date"));
	rss_add(d, "occupation", xu_child_text(item, NS_GBASE, "job_function"));
	/* <category domain="location|salary|…"> as job boards recommend. */
	for (n = xu_child(item, uri, "category"); n != NULL;
	     n = xu_next(n->next, uri, "category")) {
		char *dom = xu_attr(n, "domain");

		v = xu_text(n);
		if (dom != NULL && v != NULL) {
			if (strcmp(dom, "location") == 0 || strcmp(dom, "country") == 0)
				doc_add(d, "destination", v);
			else if (strcmp(dom, "salary") == 0 && !doc_has(d, "salary"))
				doc_add(d, "salary", v);
		}
		free(dom);
		free(v);
	}
	xu_keep_fields(d, item, known);
	return d;
}
