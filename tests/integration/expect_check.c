/* Checks `recruitwatch parse` output against a hand-written .expect file: "count N" and lines
 * "INDEX<TAB>XPATH<TAB>EXPECTED", XPath evaluated with the INDEX-th document as context. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

int
main(int argc, char **argv)
{
	xmlDocPtr doc;
	xmlXPathContextPtr xp;
	xmlXPathObjectPtr docs;
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	long lineno = 0;
	int failures = 0, checks = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: expect_check OUTPUT.xml FILE.expect\n");
		return 2;
	}
	doc = xmlReadFile(argv[1], NULL, XML_PARSE_NONET);
	if (doc == NULL) {
		fprintf(stderr, "%s: not well-formed XML\n", argv[1]);
		return 1;
	}
	xp = xmlXPathNewContext(doc);
	xmlXPathRegisterNs(xp, (const xmlChar *)"d", (const xmlChar *)"urn:recruitwatch:doc:1");
	docs = xmlXPathEvalExpression((const xmlChar *)"/d:documents/*", xp);
	if ((f = fopen(argv[2], "r")) == NULL) {
		perror(argv[2]);
		return 2;
	}
	while (getline(&line, &cap, f) != -1) {
		char *idx, *expr, *p = line;
		const char *want;
		long i;

		lineno++;
		if (*trim(line) == '\0' || line[0] == '#')
			continue;
		idx = strsep(&p, "\t");
		expr = strsep(&p, "\t");
		if (strcmp(idx, "count") == 0) {
			int got = docs->nodesetval ? docs->nodesetval->nodeNr : 0;

			checks++;
			if (expr == NULL || strtol(expr, NULL, 10) != got) {
				printf("%s:%ld: count: want %s, got %d\n", argv[2], lineno,
				    expr ? expr : "?", got);
				failures++;
			}
			continue;
		}
		want = p != NULL ? trim(p) : "";
		i = strtol(idx, NULL, 10);
		checks++;
		if (expr == NULL || docs->nodesetval == NULL || i < 0 ||
		    i >= docs->nodesetval->nodeNr) {
			printf("%s:%ld: no document %ld\n", argv[2], lineno, i);
			failures++;
			continue;
		}
		xp->node = docs->nodesetval->nodeTab[i];
		{
			xmlXPathObjectPtr r = xmlXPathEvalExpression((const xmlChar *)expr, xp);
			xmlChar *s = r != NULL ? xmlXPathCastToString(r) : NULL;
			const char *got = s != NULL ? trim((char *)s) : "(invalid XPath)";

			if (strcmp(got, want) != 0) {
				printf("%s:%ld: doc %ld: %s: want '%s', got '%s'\n", argv[2],
				    lineno, i, expr, want, got);
				failures++;
			}
			xmlFree(s);
			xmlXPathFreeObject(r);
		}
	}
	free(line);
	fclose(f);
	xmlXPathFreeObject(docs);
	xmlXPathFreeContext(xp);
	xmlFreeDoc(doc);
	printf("%s: %d checks, %d failed\n", argv[2], checks, failures);
	return failures > 0 ? 1 : 0;
}
