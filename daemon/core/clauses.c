/* Clause classification by heading and wording: one PCRE2 pattern per kind, from a data file,
 * so the vocabulary of contracts can grow without touching C. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "clauses.h"

struct clause_kind {
	char *kind;
	pcre2_code *re;
};

struct clauses {
	struct clause_kind *kinds;
	size_t n;
};

void
clauses_free(struct clauses *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++) {
		free(c->kinds[i].kind);
		pcre2_code_free(c->kinds[i].re);
	}
	free(c->kinds);
	free(c);
}

struct clauses *
clauses_load(const char *path, struct rw_error *err)
{
	struct clauses *c;
	struct clause_kind *k;
	FILE *f;
	char *line = NULL, *p, *kind;
	size_t cap = 0;
	ssize_t n;
	long lineno = 0;
	int ec;
	PCRE2_SIZE eo;

	if ((f = fopen(path, "r")) == NULL) {
		rw_error_set(err, path, 0, 0, "cannot open clause kinds: %m");
		return NULL;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL)
		goto oom;
	while ((n = getline(&line, &cap, f)) != -1) {
		lineno++;
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		p = line;
		kind = strsep(&p, "\t");
		if (p == NULL || *p == '\0') {
			rw_error_set(err, path, lineno, 0, "expected: kind<TAB>pattern");
			goto fail;
		}
		if ((k = reallocarray(c->kinds, c->n + 1, sizeof(*k))) == NULL)
			goto oom;
		c->kinds = k;
		k = &c->kinds[c->n];
		k->re = pcre2_compile((PCRE2_SPTR)p, PCRE2_ZERO_TERMINATED,
		    PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS, &ec, &eo, NULL);
		if (k->re == NULL) {
			PCRE2_UCHAR msg[256];

			pcre2_get_error_message(ec, msg, sizeof(msg));
			rw_error_set(err, path, lineno, (long)eo + (long)strlen(kind) + 2,
			    "bad pattern: %s", (char *)msg);
			goto fail;
		}
		pcre2_jit_compile(
		    k->re, PCRE2_JIT_COMPLETE); /* interpreted if JIT is unavailable */
		if ((k->kind = strdup(kind)) == NULL) {
			pcre2_code_free(k->re);
			goto oom;
		}
		c->n++;
	}
	free(line);
	fclose(f);
	return c;
oom:
	rw_error_set(err, path, lineno, 0, "out of memory");
fail:
	free(line);
	fclose(f);
	clauses_free(c);
	return NULL;
}

static const char *
clauses_match(const struct clauses *c, const char *s)
{
	pcre2_match_data *md;
	const char *kind = NULL;
	size_t i;

	if (s == NULL || *s == '\0' || (md = pcre2_match_data_create(1, NULL)) == NULL)
		return NULL;
	for (i = 0; i < c->n && kind == NULL; i++)
		if (pcre2_match(c->kinds[i].re, (PCRE2_SPTR)s, strlen(s), 0, PCRE2_NO_UTF_CHECK, md,
			NULL) >= 0)
			kind = c->kinds[i].kind;
	pcre2_match_data_free(md);
	return kind;
}

const char *
clauses_kind(const struct clauses *c, const char *heading, const char *body)
{
	const char *k = clauses_match(c, heading);

	if (k == NULL)
		k = clauses_match(c, body);
	return k != NULL ? k : "other";
}
