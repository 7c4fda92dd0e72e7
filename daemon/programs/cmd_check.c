/* recruitwatch check: every document of each input against the rulebook; findings as text
 * (for the employer about to publish) or JSON lines (design §6). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_input.h"
#include "cli_rules.h"
#include "eval.h"

struct check_run {
	struct evaluator *ev;
	enum severity min;
	int json;
	int color;
	const char *explain;
	size_t flagged; /* documents with findings at or above min */
};

static int
check_doc_cb(struct doc *d, void *arg)
{
	struct check_run *r = arg;
	xmlDocPtr x = doc_xml(d);
	struct findings *fs;

	fs = eval_doc(r->ev, x);
	if (fs != NULL && r->explain != NULL) {
		findings_text(stdout, fs, x, SEV_INFO, r->color);
		eval_explain(r->ev, x, r->explain, stdout);
		fputc('\n', stdout);
	} else if (fs != NULL && r->json) {
		json_t *j = findings_json(fs, x, r->min);

		json_dumpf(j, stdout, JSON_COMPACT);
		fputc('\n', stdout);
		json_decref(j);
	} else if (fs != NULL)
		findings_text(stdout, fs, x, r->min, r->color);
	if (fs != NULL && findings_at_least(fs, r->min) > 0)
		r->flagged++;
	findings_free(fs);
	fflush(stdout);
	doc_free(d);
	return 0;
}

static void
check_usage(FILE *f)
{
	fprintf(f,
	    "usage: recruitwatch check [--rules DIR]... [--no-default-rules] [--format text|json]\n"
	    "                          [--min-severity S] [--explain RULE] [--input-format F]\n"
	    "                          [--data DIR] [--cacert FILE] FILE|URL|-...\n"
	    "exit: 0 no finding at or above --min-severity (default low), 1 findings, 2 error\n");
}

int
cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {{"rules", required_argument, NULL, 'r'},
	    {"no-default-rules", no_argument, NULL, 'N'}, {"format", required_argument, NULL, 'o'},
	    {"min-severity", required_argument, NULL, 's'},
	    {"explain", required_argument, NULL, 'e'},
	    {"input-format", required_argument, NULL, 'f'}, {"data", required_argument, NULL, 'D'},
	    {"cacert", required_argument, NULL, 'C'}, {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0}};
	struct cli_rulebook crb;
	struct check_run r;
	struct feed_limits lim = {0, 0, 0};
	struct urlget_opts uo = {NULL, 300, FEED_MAX_INPUT_DEFAULT};
	enum fmt forced = FMT_AUTO;
	const char *datadir = NULL;
	struct rulebook *rb;
	struct norm *nm;
	struct rw_error err;
	char ebuf[1200];
	int ch, i, status = CLI_EXIT_OK;

	memset(&crb, 0, sizeof(crb));
	memset(&r, 0, sizeof(r));
	r.min = SEV_LOW;
	r.color = isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL;
	while ((ch = getopt_long(argc, argv, "r:No:s:e:f:D:C:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'r':
			if (cli_rules_add(&crb, optarg) != 0) {
				fprintf(stderr, "recruitwatch check: too many --rules\n");
				return CLI_EXIT_ERROR;
			}
			break;
		case 'N':
			crb.no_default = 1;
			break;
		case 'o':
			if (strcmp(optarg, "json") == 0)
				r.json = 1;
			else if (strcmp(optarg, "text") != 0) {
				fprintf(stderr, "recruitwatch check: --format is text or json\n");
				return CLI_EXIT_ERROR;
			}
			break;
		case 's':
			if (severity_from_name(optarg, &r.min) != 0) {
				fprintf(stderr,
				    "recruitwatch check: severity is one of critical, high, "
				    "medium, low, info\n");
				return CLI_EXIT_ERROR;
			}
			break;
		case 'e':
			r.explain = optarg;
			break;
		case 'f':
			if (fmt_from_name(optarg, &forced) != 0 || forced == FMT_XML) {
				fprintf(stderr, "recruitwatch check: unknown input format '%s'\n",
				    optarg);
				return CLI_EXIT_ERROR;
			}
			break;
		case 'D':
			datadir = optarg;
			break;
		case 'C':
			uo.cafile = optarg;
			break;
		case 'h':
			check_usage(stdout);
			return CLI_EXIT_OK;
		default:
			check_usage(stderr);
			return CLI_EXIT_ERROR;
		}
	}
	if (optind >= argc) {
		check_usage(stderr);
		return CLI_EXIT_ERROR;
	}
	if (crb.no_default && crb.ndirs == 0) {
		fprintf(
		    stderr, "recruitwatch check: --no-default-rules needs at least one --rules\n");
		return CLI_EXIT_ERROR;
	}
	rw_error_clear(&err);
	if ((nm = norm_new(datadir != NULL ? datadir : norm_default_datadir(), &err)) == NULL) {
		fprintf(stderr, "%s\n", rw_error_str(&err, ebuf, sizeof(ebuf)));
		return CLI_EXIT_ERROR;
	}
	if ((rb = cli_rules_load(&crb)) == NULL) {
		norm_free(nm);
		return CLI_EXIT_ERROR;
	}
	if (r.explain != NULL && rb_find_rule(rb, r.explain) == NULL) {
		fprintf(stderr, "recruitwatch check: no rule %s\n", r.explain);
		rb_free(rb);
		norm_free(nm);
		return CLI_EXIT_ERROR;
	}
	r.ev = eval_new(rb, nm);
	for (i = optind; i < argc && r.ev != NULL; i++)
		if (cli_read(nm, argv[i], forced, &lim, &uo, check_doc_cb, &r) != 0)
			status = CLI_EXIT_ERROR;
	if (status == CLI_EXIT_OK && r.flagged > 0)
		status = CLI_EXIT_FINDINGS;
	eval_free(r.ev);
	rb_free(rb);
	norm_free(nm);
	return status;
}
