/* recruitwatch feeds: each feed's health as the daemon's state file records it (last success,
 * last error, consecutive failures, next poll), for an operator without the HTTP API. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "cli.h"
#include "cli_state.h"
#include "config.h"
#include "db.h"
#include "feeds.h"

struct feeds_out {
	int json;
	int failing;
	json_t *arr;
};

static const char *
feeds_health(const struct feed_row *r)
{
	if (!r->active)
		return "inactive";
	if (r->failures > 0)
		return "failing";
	return r->last_success > 0 ? "ok" : "new";
}

static int
feeds_row_cb(const struct feed_row *r, void *arg)
{
	struct feeds_out *o = arg;
	char a[32], b[32], c[32];

	if (r->active && r->failures > 0)
		o->failing++;
	if (o->json) {
		json_array_append_new(o->arr,
		    json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s?, s:s?, s:i, s:I, s:s?, s:I}", "name",
			r->name, "url", r->url, "health", feeds_health(r), "agency", r->agency,
			"last_success",
			r->last_success ? cli_when(r->last_success, "never", a, 32) : NULL,
			"last_error_at",
			r->last_error_at ? cli_when(r->last_error_at, "never", b, 32) : NULL,
			"last_error", r->last_error[0] ? r->last_error : NULL, "failures",
			r->failures, "items", (json_int_t)r->items, "next_poll",
			r->next_poll ? cli_when(r->next_poll, "never", c, 32) : NULL, "polls",
			(json_int_t)r->polls));
		return 0;
	}
	printf("%-20s %-8s items %-6lld last success %-20s failures %d  next %s\n", r->name,
	    feeds_health(r), (long long)r->items, cli_when(r->last_success, "never", a, sizeof(a)),
	    r->failures, cli_when(r->next_poll, "never", c, sizeof(c)));
	if (r->last_error[0] != '\0')
		printf("%-20s last error %s: %s\n", "",
		    cli_when(r->last_error_at, "never", b, sizeof(b)), r->last_error);
	return 0;
}

static void
feeds_usage(FILE *f)
{
	fprintf(f,
	    "usage: recruitwatch feeds [-c CONFIG | --state DIR] [--format text|json]\n"
	    "exit: 0 every active feed healthy, 1 some feed failing, 2 error\n");
}

int
cmd_feeds(int argc, char **argv)
{
	static const struct option opts[] = {{"config", required_argument, NULL, 'c'},
	    {"state", required_argument, NULL, 's'}, {"format", required_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	const char *cfgpath = CONFIG_DEFAULT_PATH, *statedir = NULL;
	struct feeds_out o = {0, 0, NULL};
	struct rw_error err;
	struct db *db = NULL;
	char buf[1200];
	int ch, rc = CLI_EXIT_ERROR;

	while ((ch = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			cfgpath = optarg;
			break;
		case 's':
			statedir = optarg;
			break;
		case 'f':
			if (strcmp(optarg, "json") != 0 && strcmp(optarg, "text") != 0) {
				feeds_usage(stderr);
				return CLI_EXIT_ERROR;
			}
			o.json = strcmp(optarg, "json") == 0;
			break;
		case 'h':
			feeds_usage(stdout);
			return CLI_EXIT_OK;
		default:
			feeds_usage(stderr);
			return CLI_EXIT_ERROR;
		}
	}
	if ((db = cli_state_open(cfgpath, statedir, 0, &err)) == NULL)
		goto fail;
	o.arr = json_array();
	if (feeds_each(db, feeds_row_cb, &o, &err) != 0)
		goto fail;
	if (o.json) {
		json_dumpf(o.arr, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
	}
	rc = o.failing > 0 ? CLI_EXIT_FINDINGS : CLI_EXIT_OK;
	goto out;
fail:
	fprintf(stderr, "recruitwatch feeds: %s\n", rw_error_str(&err, buf, sizeof(buf)));
out:
	json_decref(o.arr);
	db_close(db);
	return rc;
}
