/* Country-mention roles from cue patterns: each row of country-roles.tsv is a PCRE2 pattern for
 * the words before (or after) a mention, tried in file order within the mention's sentence. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "roles.h"

#define ROLES_WINDOW 120 /* bytes of context looked at on either side */

struct role_cue {
	char *role;
	int after; /* the cue follows the mention */
	int names; /* applies to country names */
	int demonyms; /* applies to demonyms */
	pcre2_code *re;
};

struct roles {
	struct role_cue *cues;
	size_t ncues;
};

void
roles_free(struct roles *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->ncues; i++) {
		free(r->cues[i].role);
		pcre2_code_free(r->cues[i].re);
	}
	free(r->cues);
	free(r);
}

static int
roles_add(struct roles *r, const char *path, long lineno, const char *role, const char *where,
    const char *applies, const char *pattern, struct rw_error *err)
{
	struct role_cue *c;
	char *full = NULL;
	int ec, after, names, demonyms;
	PCRE2_SIZE eo;

	names = strcmp(applies, "names") == 0 || strcmp(applies, "both") == 0;
	demonyms = strcmp(applies, "demonyms") == 0 || strcmp(applies, "both") == 0;
	if (!names && !demonyms) {
		rw_error_set(err, path, lineno, 0,
		    "third column must be 'names', 'demonyms' or 'both', not '%s'", applies);
		return -1;
	}
	if (strcmp(where, "before") == 0)
		after = 0;
	else if (strcmp(where, "after") == 0)
		after = 1;
	else {
		rw_error_set(err, path, lineno, 0,
		    "second column must be 'before' or 'after', not '%s'", where);
		return -1;
	}
	if (asprintf(&full,
		after ? "^[\\s,]*(?:%s)"
		      : "(?:%s)[\\s,:]*(?:the\\s+)?(?:(?:(?-i:\\p{Lu})[\\w'\xe2\x80\x99.-]*|and|&),"
			"?\\s+){0,4}$",
		pattern) < 0)
		return -1;
	c = reallocarray(r->cues, r->ncues + 1, sizeof(*r->cues));
	if (c == NULL) {
		free(full);
		return -1;
	}
	r->cues = c;
	c = &r->cues[r->ncues];
	c->re = pcre2_compile((PCRE2_SPTR)full, PCRE2_ZERO_TERMINATED,
	    PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS, &ec, &eo, NULL);
	free(full);
	if (c->re == NULL) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(ec, msg, sizeof(msg));
		rw_error_set(err, path, lineno, 0, "bad pattern: %s", (char *)msg);
		return -1;
	}
	pcre2_jit_compile(c->re, PCRE2_JIT_COMPLETE); /* interpreted if JIT is unavailable */
	c->role = strdup(role);
	c->after = after;
	c->names = names;
	c->demonyms = demonyms;
	r->ncues++;
	return c->role != NULL ? 0 : -1;
}

struct roles *
roles_load(const char *path, struct rw_error *err)
{
	struct roles *r;
	FILE *f;
	char *line = NULL, *p, *role, *where, *applies, *pat;
	size_t cap = 0;
	ssize_t n;
	long lineno = 0;

	if ((f = fopen(path, "r")) == NULL) {
		rw_error_set(err, path, 0, 0, "cannot open role cues: %m");
		return NULL;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL)
		goto fail;
	while ((n = getline(&line, &cap, f)) != -1) {
		lineno++;
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		p = line;
		role = strsep(&p, "\t");
		where = strsep(&p, "\t");
		applies = strsep(&p, "\t");
		pat = p;
		if (where == NULL || applies == NULL || pat == NULL || *pat == '\0') {
			rw_error_set(err, path, lineno, 0,
			    "expected: role<TAB>before|after<TAB>names|demonyms|both<TAB>pattern");
			goto fail;
		}
		if (roles_add(r, path, lineno, role, where, applies, pat, err) != 0) {
			if (err != NULL && err->msg[0] == '\0')
				rw_error_set(err, path, lineno, 0, "out of memory");
			goto fail;
		}
	}
	free(line);
	fclose(f);
	return r;
fail:
	free(line);
	fclose(f);
	roles_free(r);
	return NULL;
}

static int
roles_is_stop(const char *p)
{
	return *p == '\n' || *p == ';' || *p == '!' || *p == '?' ||
	    (*p == '.' && (p[1] == ' ' || p[1] == '\n'));
}

static int
roles_match(const pcre2_code *re, const char *s, size_t len)
{
	pcre2_match_data *md;
	int rc;

	md = pcre2_match_data_create(1, NULL);
	if (md == NULL)
		return 0;
	rc = pcre2_match(re, (PCRE2_SPTR)s, len, 0, PCRE2_NO_UTF_CHECK, md, NULL);
	pcre2_match_data_free(md);
	return rc >= 0;
}

const char *
roles_of(const struct roles *r, const char *text, size_t len, size_t start, size_t end,
    enum roles_term term)
{
	size_t bstart, aend, i;

	/* The sentence around the mention, at most ROLES_WINDOW bytes each way. */
	bstart = start > ROLES_WINDOW ? start - ROLES_WINDOW : 0;
	for (i = start; i > bstart; i--)
		if (roles_is_stop(&text[i - 1])) {
			bstart = i;
			break;
		}
	aend = end + ROLES_WINDOW < len ? end + ROLES_WINDOW : len;
	for (i = end; i < aend; i++)
		if (roles_is_stop(&text[i])) {
			aend = i;
			break;
		}
	/* Continuation bytes would split a character: move the window to a boundary. */
	while (bstart < start && ((unsigned char)text[bstart] & 0xc0) == 0x80)
		bstart++;
	while (aend > end && aend < len && ((unsigned char)text[aend] & 0xc0) == 0x80)
		aend--;

	for (i = 0; i < r->ncues; i++) {
		const struct role_cue *c = &r->cues[i];

		if (term == ROLES_NAME ? !c->names : !c->demonyms)
			continue;
		if (c->after ? roles_match(c->re, text + end, aend - end)
			     : roles_match(c->re, text + bstart, start - bstart))
			return c->role;
	}
	return term == ROLES_PLURAL_DEMONYM ? "nationality" : "mention";
}
