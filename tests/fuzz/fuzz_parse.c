/* libFuzzer target: arbitrary bytes through the feed reader with one format forced (FUZZ_FORMAT
 * at build time), pushed in two chunks to exercise the streaming path; with FUZZ_CHECK every
 * document is also evaluated against the default rulebook. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <libxml/parser.h>

#include "eval.h"
#include "feed.h"

static struct norm *nm;
#ifdef FUZZ_CHECK
static struct rulebook *rb;
static struct evaluator *ev;
#endif

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct rw_error err;

	xmlInitParser();
	nm = norm_new(norm_default_datadir(), &err);
	if (nm == NULL) {
		fprintf(stderr, "fuzz: %s: %s\n", err.source, err.msg);
		abort();
	}
#ifdef FUZZ_CHECK
	{
		char *dirs[1] = {(char *)rb_default_dir()}, schema[4096];

		rb_default_schemadir(schema, sizeof(schema));
		if ((rb = rb_load(dirs, 1, schema, &err)) == NULL ||
		    (ev = eval_new(rb, nm)) == NULL) {
			fprintf(stderr, "fuzz: %s:%ld: %s\n", err.source, err.line, err.msg);
			abort();
		}
	}
#endif
	return 0;
}

static int
fuzz_doc_cb(struct doc *d, void *arg)
{
#ifdef FUZZ_CHECK
	struct findings *fs = eval_doc(ev, doc_xml(d));
	json_t *j = fs != NULL ? findings_json(fs, doc_xml(d), SEV_INFO) : NULL;

	json_decref(j);
	findings_free(fs);
#endif
	doc_free(d);
	return 0;
}

static void
fuzz_err_cb(const struct rw_error *e, void *arg)
{
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct feed_limits lim = {1 << 20, 1 << 20, 1 << 18};
	struct rw_error err;
	struct feed *f;
	enum fmt forced = FMT_AUTO;
	size_t half = size / 2;

	fmt_from_name(FUZZ_FORMAT, &forced);
	f = feed_new(nm, "fuzz", forced, &lim, fuzz_doc_cb, fuzz_err_cb, NULL);
	if (f == NULL)
		return 0;
	if (feed_push(f, (const char *)data, half, &err) == 0 &&
	    feed_push(f, (const char *)data + half, size - half, &err) == 0)
		feed_end(f, &err);
	feed_free(f);
	return 0;
}
