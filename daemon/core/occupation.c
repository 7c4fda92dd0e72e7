/* Health occupations: title patterns and the ISCO-88 to ISCO-08 table, both read from
 * tab-separated data files so they can be corrected without a rebuild. */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bsd/string.h>
#include <pcre2.h>

#include "occupation.h"

#define OCC_CODE_MAX 5 /* four digits and NUL */

struct occ_row {
	char isco[OCC_CODE_MAX];
	pcre2_code *re;
};

struct occ_map {
	char isco88[OCC_CODE_MAX];
	char isco08[OCC_CODE_MAX];
};

/* Owned by the caller of occ_load; read-only afterwards, so threads may share it. */
struct occ {
	struct occ_row *rows; /* in file order: the first row that matches wins */
	size_t nrows;
	struct occ_map *map;
	size_t nmap;
};

/* Whether s is an ISCO code: one to four digits, nothing else. */
static int
occ_code_valid(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (!isdigit((unsigned char)s[i]) || i >= 4)
			return 0;
	return i > 0;
}

/* Splits a line on tabs into at most max fields; returns how many there were. */
static size_t
occ_split(char *line, char **fields, size_t max)
{
	size_t n;
	char *p;

	n = 0;
	p = line;
	for (;;) {
		if (n < max)
			fields[n] = p;
		n++;
		p = strchr(p, '\t');
		if (p == NULL)
			break;
		*p++ = '\0';
	}
	return n;
}

/*
 * Reads path line by line, calling fn for each line that is neither blank nor a '#' comment
 * with its tab-separated fields and the byte column where the second field starts (so a
 * pattern error can point at its column).  Stops at the first error fn reports.
 */
typedef int (*occ_line_fn)(
    struct occ *, char **, size_t, const char *, long, size_t, struct rw_error *);

static int
occ_read(struct occ *o, const char *path, occ_line_fn fn, struct rw_error *err)
{
	FILE *f;
	char *line, *fields[4], *p;
	size_t cap, nf;
	ssize_t n;
	long lineno;
	int rc;

	f = fopen(path, "r");
	if (f == NULL) {
		rw_error_set(err, path, 0, 0, "%s", strerror(errno));
		return -1;
	}
	line = NULL;
	cap = 0;
	lineno = 0;
	rc = 0;
	while ((n = getline(&line, &cap, f)) != -1) {
		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		for (p = line; *p == ' ' || *p == '\t'; p++)
			;
		if (*p == '\0' || *p == '#')
			continue;
		nf = occ_split(line, fields, 4);
		if ((rc = fn(o, fields, nf, path, lineno, nf > 1 ? (size_t)(fields[1] - line) : 0,
			 err)) != 0)
			break;
	}
	if (rc == 0 && ferror(f)) {
		rw_error_set(err, path, lineno, 0, "read error: %s", strerror(errno));
		rc = -1;
	}
	free(line);
	fclose(f);
	return rc;
}

static int
occ_row_line(struct occ *o, char **fields, size_t nf, const char *path, long lineno, size_t col,
    struct rw_error *err)
{
	struct occ_row *rows, *row;
	pcre2_code *re;
	PCRE2_SIZE erroff;
	PCRE2_UCHAR msg[256];
	int errcode;

	if (nf != 3) {
		rw_error_set(err, path, lineno, 0,
		    "expected 3 tab-separated fields (isco08, pattern, label), found %zu", nf);
		return -1;
	}
	if (!occ_code_valid(fields[0])) {
		rw_error_set(err, path, lineno, 1, "bad ISCO-08 code '%s'", fields[0]);
		return -1;
	}
	re = pcre2_compile((PCRE2_SPTR)fields[1], PCRE2_ZERO_TERMINATED,
	    PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS | PCRE2_MATCH_INVALID_UTF, &errcode, &erroff,
	    NULL);
	if (re == NULL) {
		pcre2_get_error_message(errcode, msg, sizeof(msg));
		rw_error_set(
		    err, path, lineno, (long)(col + erroff) + 1, "bad pattern: %s", (char *)msg);
		return -1;
	}
	/* JIT is an optimisation: where it is unavailable the interpreter gives the same answers. */
	(void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
	rows = reallocarray(o->rows, o->nrows + 1, sizeof(*rows));
	if (rows == NULL) {
		pcre2_code_free(re);
		rw_error_set(err, path, lineno, 0, "out of memory");
		return -1;
	}
	o->rows = rows;
	row = &o->rows[o->nrows++];
	strlcpy(row->isco, fields[0], sizeof(row->isco));
	row->re = re;
	return 0;
}

static int
occ_map_line(struct occ *o, char **fields, size_t nf, const char *path, long lineno, size_t col,
    struct rw_error *err)
{
	struct occ_map *map;

	if (nf != 3) {
		rw_error_set(err, path, lineno, 0,
		    "expected 3 tab-separated fields (isco88, isco08, label), found %zu", nf);
		return -1;
	}
	if (!occ_code_valid(fields[0])) {
		rw_error_set(err, path, lineno, 1, "bad ISCO-88 code '%s'", fields[0]);
		return -1;
	}
	if (!occ_code_valid(fields[1])) {
		rw_error_set(err, path, lineno, (long)col + 1, "bad ISCO-08 code '%s'", fields[1]);
		return -1;
	}
	map = reallocarray(o->map, o->nmap + 1, sizeof(*map));
	if (map == NULL) {
		rw_error_set(err, path, lineno, 0, "out of memory");
		return -1;
	}
	o->map = map;
	strlcpy(o->map[o->nmap].isco88, fields[0], OCC_CODE_MAX);
	strlcpy(o->map[o->nmap].isco08, fields[1], OCC_CODE_MAX);
	o->nmap++;
	return 0;
}

struct occ *
occ_load(const char *datadir, struct rw_error *err)
{
	struct occ *o;
	char path[1024];

	o = calloc(1, sizeof(*o));
	if (o == NULL) {
		rw_error_set(err, datadir, 0, 0, "out of memory");
		return NULL;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/occupations.tsv", datadir) >= sizeof(path)) {
		rw_error_set(err, datadir, 0, 0, "data directory path too long");
		goto fail;
	}
	if (occ_read(o, path, occ_row_line, err) != 0)
		goto fail;
	if ((size_t)snprintf(path, sizeof(path), "%s/isco88-08.tsv", datadir) >= sizeof(path)) {
		rw_error_set(err, datadir, 0, 0, "data directory path too long");
		goto fail;
	}
	if (occ_read(o, path, occ_map_line, err) != 0)
		goto fail;
	return o;
fail:
	occ_free(o);
	return NULL;
}

void
occ_free(struct occ *o)
{
	size_t i;

	if (o == NULL)
		return;
	for (i = 0; i < o->nrows; i++)
		pcre2_code_free(o->rows[i].re);
	free(o->rows);
	free(o->map);
	free(o);
}

const char *
occ_match(const struct occ *o, const char *text, size_t len, size_t *start, size_t *end)
{
	pcre2_match_data *md;
	PCRE2_SIZE *ov;
	const char *code;
	size_t i;
	int rc;

	code = NULL;
	/* Per call, not per occ: the same occ is matched from several threads at once. */
	md = pcre2_match_data_create(1, NULL);
	if (md == NULL)
		return NULL;
	for (i = 0; i < o->nrows; i++) {
		rc = pcre2_match(o->rows[i].re, (PCRE2_SPTR)text, len, 0, 0, md, NULL);
		if (rc == PCRE2_ERROR_NOMATCH)
			continue;
		if (rc < 0)
			break;
		ov = pcre2_get_ovector_pointer(md);
		if (start != NULL)
			*start = ov[0];
		if (end != NULL)
			*end = ov[1];
		code = o->rows[i].isco;
		break;
	}
	pcre2_match_data_free(md);
	return code;
}

/* Which ISCO edition a code list names: 8 for ISCO-08, 88 for ISCO-88, 0 if unknown. */
static int
occ_list_edition(const char *list)
{
	char buf[32];
	const char *p;
	size_t o;

	/* ESCO names the list by URI: ".../ConceptScheme/ISCO2008". */
	p = strrchr(list, '/');
	p = p != NULL ? p + 1 : list;
	o = 0;
	for (; *p != '\0' && o + 1 < sizeof(buf); p++)
		if (isalnum((unsigned char)*p))
			buf[o++] = (char)tolower((unsigned char)*p);
	buf[o] = '\0';
	if (strcmp(buf, "isco08") == 0 || strcmp(buf, "isco2008") == 0)
		return 8;
	if (strcmp(buf, "isco88") == 0 || strcmp(buf, "isco1988") == 0)
		return 88;
	return 0;
}

/*
 * For ISCO-08 the answer points into code itself (past a URI path, blanks or ESCO's 'C'), so
 * it lives as long as code does; for ISCO-88 it points into o's table.
 */
const char *
occ_map_code(const struct occ *o, const char *list, const char *code)
{
	const char *p;
	size_t i;
	int edition;

	if (list == NULL || code == NULL)
		return NULL;
	edition = occ_list_edition(list);
	if (edition == 0)
		return NULL;
	p = strrchr(code, '/');
	p = p != NULL ? p + 1 : code;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == 'C' || *p == 'c')
		p++;
	if (!occ_code_valid(p))
		return NULL;
	if (edition == 8)
		return p;
	for (i = 0; i < o->nmap; i++)
		if (strcmp(o->map[i].isco88, p) == 0)
			return o->map[i].isco08;
	return NULL;
}
