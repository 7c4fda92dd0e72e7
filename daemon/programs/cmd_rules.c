/* recruitwatch rules lint|test|list: validate the rulebook, run every rule's own tests
 * (documents that must fire it and documents that must not), list rules and lists. */
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "cli_input.h"
#include "cli_rules.h"
#include "eval.h"

struct rt_run {
	struct evaluator *ev;
	const char *rule;
	int want_fire;
	const char *file;
	int docs;
	int wrong;
};

static int
rt_doc_cb(struct doc *d, void *arg)
{
	struct rt_run *t = arg;
	struct findings *fs = eval_doc(t->ev, doc_xml(d));
	int fired = fs != NULL && findings_has_rule(fs, t->rule);

	if (fired != t->want_fire) {
		xmlNodePtr n;
		xmlChar *title = NULL;

		for (n = xmlDocGetRootElement(doc_xml(d))->children; n != NULL; n = n->next)
			if (n->type == XML_ELEMENT_NODE &&
			    xmlStrcmp(n->name, (const xmlChar *)"title") == 0)
				title = xmlNodeGetContent(n);
		printf("    %s document %d (\"%s\") %s\n", t->file, t->docs,
		    title != NULL ? (const char *)title : "",
		    t->want_fire ? "should fire and does not" : "fires and should not");
		xmlFree(title);
		t->wrong++;
	}
	t->docs++;
	findings_free(fs);
	doc_free(d);
	return 0;
}

/* Runs every file in dir against the rule; returns the number of files, -1 on a failure. */
static int
rt_dir(const struct norm *nm, struct rt_run *t, const char *dir, int want_fire)
{
	struct dirent **ents;
	int n, i, files = 0, bad = 0;
	struct feed_limits lim = {0, 0, 0};
	struct urlget_opts uo = {NULL, 30, FEED_MAX_INPUT_DEFAULT};

	n = scandir(dir, &ents, NULL, alphasort);
	if (n < 0)
		return 0;
	for (i = 0; i < n; i++) {
		char path[4096];
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s", dir, ents[i]->d_name);
		if (ents[i]->d_name[0] != '.' && stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			t->want_fire = want_fire;
			t->file = path;
			t->docs = 0;
			if (cli_read(nm, path, FMT_AUTO, &lim, &uo, rt_doc_cb, t) != 0 ||
			    t->docs == 0) {
				printf("    %s: %s\n", path,
				    t->docs == 0 ? "no document in it" : "unreadable");
				bad = 1;
			}
			files++;
		}
		free(ents[i]);
	}
	free(ents);
	return bad ? -1 : files;
}

static int
rules_test(struct rulebook *rb, struct cli_rulebook *crb, const struct norm *nm)
{
	struct rt_run t;
	size_t i, k, passed = 0, failed = 0;
	const char *dirs[33];
	size_t ndirs = 0;

	if (!crb->no_default)
		dirs[ndirs++] = rb_default_dir();
	for (k = 0; k < crb->ndirs; k++)
		dirs[ndirs++] = crb->dirs[k];
	memset(&t, 0, sizeof(t));
	t.ev = eval_new(rb, nm);
	for (i = 0; i < rb_nrules(rb) && t.ev != NULL; i++) {
		const struct rb_rule *r = rb_rule_at(rb, i);
		int fires = 0, quiet = 0, rf = 0, rq = 0;
		char path[4096];

		if (!rb_rule_enabled(r))
			continue;
		t.rule = rb_rule_id(r);
		t.wrong = 0;
		for (k = 0; k < ndirs; k++) {
			snprintf(path, sizeof(path), "%s/tests/%s/fires", dirs[k], t.rule);
			if ((rf = rt_dir(nm, &t, path, 1)) < 0)
				t.wrong++;
			else
				fires += rf;
			snprintf(path, sizeof(path), "%s/tests/%s/quiet", dirs[k], t.rule);
			if ((rq = rt_dir(nm, &t, path, 0)) < 0)
				t.wrong++;
			else
				quiet += rq;
		}
		if (fires == 0 || quiet == 0) {
			printf(
			    "FAIL %s: needs documents that fire it (tests/%s/fires/) and documents "
			    "that must not (tests/%s/quiet/); has %d and %d\n",
			    t.rule, t.rule, t.rule, fires, quiet);
			failed++;
		} else if (t.wrong > 0) {
			printf("FAIL %s (%s:%ld)\n", t.rule, rb_rule_file(r), rb_rule_line(r));
			failed++;
		} else {
			printf("ok   %s: %d file%s fire it, %d stay quiet\n", t.rule, fires,
			    fires == 1 ? "" : "s", quiet);
			passed++;
		}
	}
	eval_free(t.ev);
	printf("rules: %zu passed, %zu failed\n", passed, failed);
	return failed > 0 ? CLI_EXIT_FINDINGS : CLI_EXIT_OK;
}

struct prof_run {
	struct evaluator *ev;
	size_t docs;
};

static int
prof_doc_cb(struct doc *d, void *arg)
{
	struct prof_run *p = arg;

	findings_free(eval_doc(p->ev, doc_xml(d)));
	p->docs++;
	doc_free(d);
	return 0;
}

struct prof_row {
	const struct rb_rule *r;
	double secs;
};

static int
prof_cmp(const void *a, const void *b)
{
	const struct prof_row *x = a, *y = b;

	return x->secs < y->secs ? 1 : x->secs > y->secs ? -1 : 0;
}

/* Time per rule over real documents: what a rule author needs before a rule ships. */
static int
rules_profile(struct rulebook *rb, const struct norm *nm, char **files, int nfiles)
{
	struct prof_run p = {eval_new(rb, nm), 0};
	struct feed_limits lim = {0, 0, 0};
	struct urlget_opts uo = {NULL, 300, FEED_MAX_INPUT_DEFAULT};
	struct prof_row *rows;
	double total = 0;
	size_t i, n = rb_nrules(rb);
	int k, status = CLI_EXIT_OK;

	if (p.ev == NULL || eval_profile_enable(p.ev) != 0 ||
	    (rows = calloc(n > 0 ? n : 1, sizeof(*rows))) == NULL) {
		eval_free(p.ev);
		return CLI_EXIT_ERROR;
	}
	for (k = 0; k < nfiles; k++)
		if (cli_read(nm, files[k], FMT_AUTO, &lim, &uo, prof_doc_cb, &p) != 0)
			status = CLI_EXIT_ERROR;
	for (i = 0; i < n; i++) {
		rows[i].r = rb_rule_at(rb, i);
		rows[i].secs = eval_profile_seconds(p.ev, i);
		total += rows[i].secs;
	}
	qsort(rows, n, sizeof(*rows), prof_cmp);
	printf("%zu documents; rules took %.1f us per document in all\n", p.docs,
	    p.docs > 0 ? total * 1e6 / (double)p.docs : 0.0);
	for (i = 0; i < n; i++)
		printf("%10.1f us/doc  %5.1f%%  %s (%s:%ld)\n",
		    p.docs > 0 ? rows[i].secs * 1e6 / (double)p.docs : 0.0,
		    total > 0 ? 100 * rows[i].secs / total : 0.0, rb_rule_id(rows[i].r),
		    rb_rule_file(rows[i].r), rb_rule_line(rows[i].r));
	free(rows);
	eval_free(p.ev);
	return status;
}

static void
rules_list(struct rulebook *rb)
{
	size_t i, n;
	const char *id, *fam, *ed, *eff;

	printf("rulebook %s\n", rb_version(rb));
	for (i = 0; i < rb_nrules(rb); i++) {
		const struct rb_rule *r = rb_rule_at(rb, i);

		printf("%-28s %-8s %-24s r%d %s%s\n", rb_rule_id(r),
		    severity_name(rb_rule_severity(r)), rb_rule_category(r), rb_rule_revision(r),
		    rb_rule_title(r), rb_rule_enabled(r) ? "" : " [disabled]");
	}
	for (i = 0; i < rb_nlists(rb); i++) {
		rb_list_info(rb, i, &id, &fam, &ed, &eff, &n);
		printf("list %-24s family %-10s edition %-6s effective %-10s %zu countries\n", id,
		    fam ? fam : "-", ed ? ed : "-", eff ? eff : "-", n);
	}
}

static void
rules_usage(FILE *f)
{
	fprintf(f,
	    "usage: recruitwatch rules lint|test|list [--no-default-rules] [--data DIR] [DIR...]\n"
	    "       recruitwatch rules profile [--rules DIR]... FILE...\n"
	    "  DIRs are rulebook directories layered over the default one; tests are read from\n"
	    "  each directory's tests/RULE-ID/fires/ and tests/RULE-ID/quiet/; profile prints\n"
	    "  the time each rule takes per document over FILEs\n");
}

int
cmd_rules(int argc, char **argv)
{
	static const struct option opts[] = {{"no-default-rules", no_argument, NULL, 'N'},
	    {"data", required_argument, NULL, 'D'}, {"rules", required_argument, NULL, 'r'},
	    {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	struct cli_rulebook crb;
	const char *datadir = NULL, *verb;
	struct rulebook *rb;
	struct norm *nm = NULL;
	struct rw_error err;
	char ebuf[1200];
	int ch, status;

	if (argc < 2) {
		rules_usage(stderr);
		return CLI_EXIT_ERROR;
	}
	verb = argv[1];
	memset(&crb, 0, sizeof(crb));
	optind = 2;
	while ((ch = getopt_long(argc, argv, "ND:r:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'r':
			if (cli_rules_add(&crb, optarg) != 0)
				return CLI_EXIT_ERROR;
			break;
		case 'N':
			crb.no_default = 1;
			break;
		case 'D':
			datadir = optarg;
			break;
		case 'h':
			rules_usage(stdout);
			return CLI_EXIT_OK;
		default:
			rules_usage(stderr);
			return CLI_EXIT_ERROR;
		}
	}
	/* For profile the arguments are documents; otherwise rulebook directories. */
	if (strcmp(verb, "profile") != 0)
		for (; optind < argc; optind++)
			if (cli_rules_add(&crb, argv[optind]) != 0)
				return CLI_EXIT_ERROR;
	if (strcmp(verb, "lint") != 0 && strcmp(verb, "test") != 0 && strcmp(verb, "list") != 0 &&
	    strcmp(verb, "profile") != 0) {
		rules_usage(stderr);
		return CLI_EXIT_ERROR;
	}
	if (crb.no_default && crb.ndirs == 0) {
		fprintf(stderr, "recruitwatch rules: --no-default-rules needs a DIR\n");
		return CLI_EXIT_ERROR;
	}
	if ((rb = cli_rules_load(&crb)) == NULL)
		return CLI_EXIT_ERROR;
	if (strcmp(verb, "lint") == 0) {
		printf("rulebook %s: %zu rules, %zu lists: OK\n", rb_version(rb), rb_nrules(rb),
		    rb_nlists(rb));
		status = CLI_EXIT_OK;
	} else if (strcmp(verb, "list") == 0) {
		rules_list(rb);
		status = CLI_EXIT_OK;
	} else {
		rw_error_clear(&err);
		nm = norm_new(datadir != NULL ? datadir : norm_default_datadir(), &err);
		if (nm == NULL) {
			fprintf(stderr, "%s\n", rw_error_str(&err, ebuf, sizeof(ebuf)));
			status = CLI_EXIT_ERROR;
		} else if (strcmp(verb, "profile") == 0)
			status = optind < argc ? rules_profile(rb, nm, argv + optind, argc - optind)
					       : CLI_EXIT_ERROR;
		else
			status = rules_test(rb, &crb, nm);
	}
	norm_free(nm);
	rb_free(rb);
	return status;
}
