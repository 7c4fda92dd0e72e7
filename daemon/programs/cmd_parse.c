/* recruitwatch parse: every document in each input, as canonical XML inside one <documents>
 * element, written as each is read. Errors go to stderr as FILE:LINE:COL: message. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "cli.h"
#include "cli_input.h"
#include "feed.h"
#include "urlget.h"

static int
parse_doc_cb(struct doc *d, void *arg)
{
	xmlBufferPtr buf = xmlBufferCreate();

	if (buf != NULL) {
		xmlDocPtr x = doc_xml(d);

		xmlNodeDump(buf, x, xmlDocGetRootElement(x), 1, 1);
		fwrite(xmlBufferContent(buf), 1, (size_t)xmlBufferLength(buf), stdout);
		fputc('\n', stdout);
		/* Each document as soon as it is read, even into a pipe. */
		fflush(stdout);
		xmlBufferFree(buf);
	}
	doc_free(d);
	return 0;
}

static void
parse_usage(FILE *f)
{
	fprintf(f,
	    "usage: recruitwatch parse [--format FORMAT] [--data DIR] [--cacert FILE] "
	    "[--max-size BYTES] FILE|URL|-...\n"
	    "formats: auto (default), rss2, atom, jobxml, jsonld, html, hrxml, contract, text\n");
}

int
cmd_parse(int argc, char **argv)
{
	static const struct option opts[] = {{"format", required_argument, NULL, 'f'},
	    {"data", required_argument, NULL, 'D'}, {"cacert", required_argument, NULL, 'C'},
	    {"max-size", required_argument, NULL, 'M'}, {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0}};
	struct feed_limits lim = {0, 0, 0};
	struct urlget_opts uo = {NULL, 300, FEED_MAX_INPUT_DEFAULT};
	enum fmt forced = FMT_AUTO;
	const char *datadir = NULL;
	struct rw_error err;
	struct norm *nm;
	char ebuf[1200];
	int ch, i, status = CLI_EXIT_OK;

	while ((ch = getopt_long(argc, argv, "f:D:C:M:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			if (fmt_from_name(optarg, &forced) != 0 || forced == FMT_XML) {
				fprintf(
				    stderr, "recruitwatch parse: unknown format '%s'\n", optarg);
				parse_usage(stderr);
				return CLI_EXIT_ERROR;
			}
			break;
		case 'D':
			datadir = optarg;
			break;
		case 'C':
			uo.cafile = optarg;
			break;
		case 'M': {
			char *end;
			unsigned long long v = strtoull(optarg, &end, 10);

			if (*end != '\0' || v == 0) {
				fprintf(
				    stderr, "recruitwatch parse: bad --max-size '%s'\n", optarg);
				return CLI_EXIT_ERROR;
			}
			lim.max_input = uo.max_bytes = (size_t)v;
			break;
		}
		case 'h':
			parse_usage(stdout);
			return CLI_EXIT_OK;
		default:
			parse_usage(stderr);
			return CLI_EXIT_ERROR;
		}
	}
	if (optind >= argc) {
		parse_usage(stderr);
		return CLI_EXIT_ERROR;
	}
	rw_error_clear(&err);
	if ((nm = norm_new(datadir != NULL ? datadir : norm_default_datadir(), &err)) == NULL) {
		fprintf(stderr, "%s\n", rw_error_str(&err, ebuf, sizeof(ebuf)));
		return CLI_EXIT_ERROR;
	}
	printf("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<documents xmlns=\"" DOC_NS "\">\n");
	fflush(stdout);
	for (i = optind; i < argc; i++)
		if (cli_read(nm, argv[i], forced, &lim, &uo, parse_doc_cb, NULL) != 0)
			status = CLI_EXIT_ERROR;
	printf("</documents>\n");
	norm_free(nm);
	return status;
}
