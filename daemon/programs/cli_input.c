/* One input into documents: a file or stdin through feed_read_file, a URL streamed by libcurl
 * into the same feed reader. */
#include <stdio.h>
#include <string.h>

#include "cli_input.h"

struct cli_run {
	struct feed *feed;
	struct rw_error err;
	int item_errors;
};

static void
cli_item_err(const struct rw_error *e, void *arg)
{
	struct cli_run *r = arg;
	char buf[1200];

	fprintf(stderr, "%s\n", rw_error_str(e, buf, sizeof(buf)));
	r->item_errors++;
}

static int
cli_chunk(const char *data, size_t len, void *arg)
{
	struct cli_run *r = arg;

	return feed_push(r->feed, data, len, &r->err);
}

int
cli_read(const struct norm *nm, const char *input, enum fmt forced, const struct feed_limits *lim,
    const struct urlget_opts *uo, feed_doc_cb cb, void *arg)
{
	struct cli_run r;
	char buf[1200];
	int rc;

	memset(&r, 0, sizeof(r));
	r.feed = feed_new(nm, input, forced, lim, cb, cli_item_err, arg);
	if (r.feed == NULL) {
		fprintf(stderr, "recruitwatch: out of memory\n");
		return -1;
	}
	/* Item errors reach cli_item_err through the feed's argument: give it ours. */
	feed_set_error_arg(r.feed, &r);
	if (strncmp(input, "http://", 7) == 0 || strncmp(input, "https://", 8) == 0 ||
	    strncmp(input, "file://", 7) == 0) {
		rc = urlget_fetch(input, uo, cli_chunk, &r, &r.err);
		if (rc == 0)
			rc = feed_end(r.feed, &r.err);
	} else
		rc = feed_read_file(r.feed, input, &r.err);
	if (rc != 0)
		fprintf(stderr, "%s\n", rw_error_str(&r.err, buf, sizeof(buf)));
	feed_free(r.feed);
	return rc != 0 || r.item_errors > 0 ? -1 : 0;
}
