/* Streaming reader. XML goes through libxml2's push parser with the tree-building SAX handlers
 * wrapped: when an item element closes, it is mapped to a canonical document and cut from the
 * tree, so only one item is ever a whole tree. JSON, HTML pages and text are read whole within
 * a size bound. gzip is undone on the way in. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <zlib.h>

#include "feed.h"
#include "text.h"

#define FEED_SNIFF 512

struct feed {
	const struct norm *nm;
	char *source;
	enum fmt forced;
	enum fmt fmt; /* top level: FMT_XML, FMT_JSONLD, FMT_HTML, FMT_TEXT once sniffed */
	enum fmt xfmt; /* the XML dialect, from the root element or forced */
	struct feed_limits lim;
	feed_doc_cb cb;
	feed_item_err_cb ecb;
	void *arg;
	void *earg; /* for ecb; arg unless feed_set_error_arg() says otherwise */
	struct fmt_ctx fc;
	struct rw_error itemerr;
	long count;
	size_t total; /* bytes after decompression */
	int raw_started;
	int failed;

	/* gzip */
	int gzip;
	z_stream z;

	/* sniffing, then the whole input for JSON, HTML and text */
	char *buf;
	size_t len, cap;

	/* XML */
	xmlParserCtxtPtr ctxt;
	startElementNsSAX2Func sax_start;
	endElementNsSAX2Func sax_end;
	int depth;
	xmlNodePtr item;
	unsigned long item_start;
	struct rw_error xerr; /* first error raised inside the parser */
	int xerr_set;
	int stop; /* the callback asked to stop */
	xmlChar *raw; /* feed_raw's serialisation of the current item */
};

static int feed_in(struct feed *, const char *, size_t, struct rw_error *);

struct feed *
feed_new(const struct norm *nm, const char *source, enum fmt forced, const struct feed_limits *lim,
    feed_doc_cb cb, feed_item_err_cb ecb, void *arg)
{
	struct feed *f;

	f = calloc(1, sizeof(*f));
	if (f == NULL)
		return NULL;
	f->source = strdup(source != NULL ? source : "-");
	if (f->source == NULL) {
		free(f);
		return NULL;
	}
	f->nm = nm;
	f->forced = forced;
	if (lim != NULL)
		f->lim = *lim;
	if (f->lim.max_input == 0)
		f->lim.max_input = FEED_MAX_INPUT_DEFAULT;
	if (f->lim.max_single == 0)
		f->lim.max_single = FEED_MAX_SINGLE_DEFAULT;
	if (f->lim.max_item == 0)
		f->lim.max_item = FEED_MAX_ITEM_DEFAULT;
	f->cb = cb;
	f->ecb = ecb;
	f->arg = arg;
	f->earg = arg;
	return f;
}

void
feed_free(struct feed *f)
{
	if (f == NULL)
		return;
	if (f->ctxt != NULL) {
		xmlFreeDoc(f->ctxt->myDoc);
		f->ctxt->myDoc = NULL;
		xmlFreeParserCtxt(f->ctxt);
	}
	if (f->gzip)
		inflateEnd(&f->z);
	xmlFree(f->raw);
	free(f->buf);
	free(f->source);
	free(f);
}

void
feed_set_error_arg(struct feed *f, void *earg)
{
	f->earg = earg;
}

enum fmt
feed_format(const struct feed *f)
{
	return f->fmt == FMT_XML ? f->xfmt : f->fmt;
}

long
feed_count(const struct feed *f)
{
	return f->count;
}

/* A document is finished here, in one place, whatever format produced it. */
static int
feed_emit(struct doc *d, void *arg)
{
	struct feed *f = arg;
	struct rw_error err;

	rw_error_clear(&err);
	f->count++;
	if (doc_finish(d, f->nm, &err) != 0) {
		rw_error_set(&err, f->source, 0, 0, "document %ld: %s", f->count - 1, err.msg);
		if (f->ecb != NULL)
			f->ecb(&err, f->earg);
		doc_free(d);
		return 0;
	}
	if (f->cb(d, f->arg) != 0)
		f->stop = 1;
	return f->stop;
}

static void
feed_item_failed(struct feed *f, long line)
{
	struct rw_error e = f->itemerr;

	if (e.source[0] == '\0')
		rw_error_set(&e, f->source, line, 0, "%s", f->itemerr.msg);
	f->count++;
	if (f->ecb != NULL)
		f->ecb(&e, f->earg);
}

const char *
feed_raw(struct feed *f, size_t *len)
{
	int n = 0;

	*len = 0;
	if (f->fmt != FMT_XML)
		return f->buf != NULL ? (*len = f->len, f->buf) : "";
	if (f->ctxt == NULL || f->ctxt->myDoc == NULL)
		return NULL;
	xmlFree(f->raw);
	f->raw = NULL;
	/* While an item's callback runs the tree holds the root, the channel's own children and
	 * this item only (earlier items were cut): a one-item feed in the source's format. */
	xmlDocDumpMemoryEnc(f->ctxt->myDoc, &f->raw, &n, "UTF-8");
	if (f->raw == NULL || n < 0)
		return NULL;
	*len = (size_t)n;
	return (const char *)f->raw;
}

/* --- XML --- */

static void feed_xml_fail(struct feed *, long, long, const char *, ...)
    __attribute__((format(printf, 4, 5)));

static void
feed_xml_fail(struct feed *f, long line, long col, const char *fmt, ...)
{
	va_list ap;

	if (!f->xerr_set) {
		rw_error_set(&f->xerr, f->source, line, col, "%s", "");
		va_start(ap, fmt);
		vsnprintf(f->xerr.msg, sizeof(f->xerr.msg), fmt, ap);
		va_end(ap);
		f->xerr_set = 1;
	}
	xmlStopParser(f->ctxt);
}

static void
feed_xml_item(struct feed *f, xmlNodePtr n)
{
	struct doc *d = NULL;

	rw_error_clear(&f->itemerr);
	f->fc.index = f->count;
	switch (f->xfmt) {
	case FMT_RSS2:
		d = fmt_rss_item(&f->fc, n);
		break;
	case FMT_ATOM:
		d = fmt_atom_entry(&f->fc, n);
		break;
	case FMT_JOBXML:
		d = fmt_jobxml_job(&f->fc, n);
		break;
	case FMT_HRXML:
		d = fmt_hrxml_opening(&f->fc, n);
		break;
	case FMT_CONTRACT:
		d = fmt_contract_xml(&f->fc, n);
		break;
	default:
		break;
	}
	if (d == NULL) {
		feed_item_failed(f, (long)xmlGetLineNo(n));
		return;
	}
	if (feed_emit(d, f) != 0)
		xmlStopParser(f->ctxt);
}

static void
feed_sax_start(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri,
    int nb_namespaces, const xmlChar **namespaces, int nb_attributes, int nb_defaulted,
    const xmlChar **attributes)
{
	xmlParserCtxtPtr ctxt = ctx;
	struct feed *f = ctxt->_private;

	f->sax_start(ctx, localname, prefix, uri, nb_namespaces, namespaces, nb_attributes,
	    nb_defaulted, attributes);
	if (f->depth == 0 && f->xfmt == FMT_AUTO) {
		f->xfmt = fmt_from_root(localname, uri);
		if (f->xfmt == FMT_AUTO) {
			feed_xml_fail(f, xmlSAX2GetLineNumber(ctx), xmlSAX2GetColumnNumber(ctx),
			    "root element <%s> is no feed format recruitwatch reads (RSS, Atom, "
			    "job "
			    "feed, HR-XML, contract); use --format to force one",
			    (const char *)localname);
			return;
		}
	}
	if (f->item == NULL && fmt_is_item(f->xfmt, localname, uri, f->depth)) {
		f->item = ctxt->node;
		f->item_start = xmlByteConsumed(ctxt);
	} else if (f->item != NULL &&
	    (unsigned long)xmlByteConsumed(ctxt) - f->item_start > f->lim.max_item) {
		feed_xml_fail(f, (long)xmlGetLineNo(f->item), 0,
		    "item larger than the limit of %zu bytes", f->lim.max_item);
	}
	f->depth++;
}

static void
feed_sax_end(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri)
{
	xmlParserCtxtPtr ctxt = ctx;
	struct feed *f = ctxt->_private;
	xmlNodePtr n = ctxt->node;

	f->sax_end(ctx, localname, prefix, uri);
	f->depth--;
	if (n == NULL || n != f->item)
		return;
	f->item = NULL;
	if ((unsigned long)xmlByteConsumed(ctxt) - f->item_start > f->lim.max_item) {
		feed_xml_fail(f, (long)xmlGetLineNo(n), 0,
		    "item larger than the limit of %zu bytes", f->lim.max_item);
		return;
	}
	feed_xml_item(f, n);
	if (n->parent != NULL && n->parent->type != XML_DOCUMENT_NODE) {
		xmlUnlinkNode(n);
		xmlFreeNode(n);
		/* SAX2 appends the next characters to the last text node using a length it cached
		 * for the node just closed; 0 makes it measure again (see SAX2.c, xmlSAX2Text). */
		ctxt->nodemem = 0;
		ctxt->nodelen = 0;
	}
}

/* Entity declarations are how billion-laughs and external-entity attacks start; no feed needs
 * them, so the first one ends the parse. */
static void
feed_sax_entity(void *ctx, const xmlChar *name, int type, const xmlChar *publicId,
    const xmlChar *systemId, xmlChar *content)
{
	xmlParserCtxtPtr ctxt = ctx;
	struct feed *f = ctxt->_private;

	feed_xml_fail(f, xmlSAX2GetLineNumber(ctx), xmlSAX2GetColumnNumber(ctx),
	    "entity declaration '%s' refused: documents may not declare entities",
	    (const char *)name);
}

static void
feed_sax_error(void *data, xmlErrorPtr e)
{
	xmlParserCtxtPtr ctxt = data;
	struct feed *f = ctxt->_private;
	char msg[512];
	size_t n;

	if (e->level < XML_ERR_ERROR || f->xerr_set)
		return;
	snprintf(msg, sizeof(msg), "%s", e->message != NULL ? e->message : "XML error");
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = '\0';
	rw_error_set(&f->xerr, f->source, e->line, e->int2, "%s", msg);
	f->xerr_set = 1;
}

static int
feed_xml_start(struct feed *f, struct rw_error *err)
{
	f->ctxt = xmlCreatePushParserCtxt(NULL, NULL, NULL, 0, f->source);
	if (f->ctxt == NULL) {
		rw_error_set(err, f->source, 0, 0, "out of memory creating the XML parser");
		return -1;
	}
	/* No network, no DTD loading, no entity substitution: nothing outside the bytes. */
	xmlCtxtUseOptions(f->ctxt, XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_COMPACT);
	f->ctxt->_private = f;
	f->sax_start = f->ctxt->sax->startElementNs;
	f->sax_end = f->ctxt->sax->endElementNs;
	f->ctxt->sax->startElementNs = feed_sax_start;
	f->ctxt->sax->endElementNs = feed_sax_end;
	f->ctxt->sax->entityDecl = feed_sax_entity;
	f->ctxt->sax->serror = feed_sax_error;
	f->ctxt->sax->error = NULL;
	f->ctxt->sax->warning = NULL;
	f->ctxt->vctxt.error = NULL;
	f->ctxt->vctxt.warning = NULL;
	f->xfmt = f->forced;
	f->fc.nm = f->nm;
	f->fc.source = f->source;
	f->fc.err = &f->itemerr;
	f->fc.emit = feed_emit;
	f->fc.arg = f;
	return 0;
}

static int
feed_xml_chunk(struct feed *f, const char *data, size_t len, int end, struct rw_error *err)
{
	int rc;

	while (len > 0 || end) {
		int n = len > (1 << 20) ? (1 << 20) : (int)len;

		rc = xmlParseChunk(f->ctxt, data, n, end && (size_t)n == len);
		if (f->stop)
			return 0;
		if (f->xerr_set || rc != 0) {
			if (f->xerr_set)
				*err = f->xerr;
			else
				rw_error_set(err, f->source,
				    f->ctxt->input ? f->ctxt->input->line : 0,
				    f->ctxt->input ? f->ctxt->input->col : 0, "XML error %d", rc);
			return -1;
		}
		data += n;
		len -= (size_t)n;
		if (len == 0)
			break;
	}
	if (end && f->xfmt == FMT_AUTO) {
		rw_error_set(err, f->source, 0, 0, "no XML root element");
		return -1;
	}
	return 0;
}

/* --- whole inputs --- */

static int
feed_whole(struct feed *f, struct rw_error *err)
{
	char *utf8;
	size_t ulen;
	int rc;

	f->fc.nm = f->nm;
	f->fc.source = f->source;
	f->fc.err = err;
	f->fc.emit = feed_emit;
	f->fc.arg = f;
	f->fc.index = 0;
	if (f->fmt == FMT_HTML)
		return fmt_html_parse(&f->fc, f->buf != NULL ? f->buf : "", f->len);
	utf8 = text_to_utf8(f->buf != NULL ? f->buf : "", f->len, NULL, &ulen, f->source, err);
	if (utf8 == NULL)
		return -1;
	if (f->fmt == FMT_JSONLD)
		rc = fmt_jsonld_parse(&f->fc, utf8, ulen, 0);
	else
		rc = fmt_text_parse(&f->fc, utf8, ulen);
	free(utf8);
	return rc;
}

static int
feed_append(struct feed *f, const char *data, size_t len, size_t limit, struct rw_error *err)
{
	if (f->len + len > limit) {
		rw_error_set(err, f->source, 0, 0,
		    "%s larger than the limit of %zu bytes for a document read whole",
		    fmt_name(f->fmt == FMT_AUTO ? FMT_TEXT : f->fmt), limit);
		return -1;
	}
	if (f->len + len + 1 > f->cap) {
		size_t cap = f->cap ? f->cap : 8192;
		char *b;

		while (cap < f->len + len + 1)
			cap *= 2;
		if ((b = realloc(f->buf, cap)) == NULL) {
			rw_error_set(err, f->source, 0, 0, "out of memory");
			return -1;
		}
		f->buf = b;
		f->cap = cap;
	}
	memcpy(f->buf + f->len, data, len);
	f->len += len;
	f->buf[f->len] = '\0';
	return 0;
}

/* The format is known: start its reader and hand it what was buffered while sniffing. */
static int
feed_decide(struct feed *f, struct rw_error *err)
{
	enum fmt sniffed = fmt_sniff(f->buf, f->len);

	switch (f->forced) {
	case FMT_AUTO:
		f->fmt = sniffed;
		break;
	case FMT_JSONLD:
		f->fmt = sniffed == FMT_HTML ? FMT_HTML : FMT_JSONLD;
		break;
	case FMT_TEXT:
	case FMT_HTML:
		f->fmt = f->forced;
		break;
	default:
		f->fmt = FMT_XML;
		break;
	}
	if (f->fmt != FMT_XML) {
		if (f->len > f->lim.max_single) {
			rw_error_set(err, f->source, 0, 0,
			    "%s larger than the limit of %zu bytes for a document read whole",
			    fmt_name(f->fmt), f->lim.max_single);
			return -1;
		}
		return 0;
	}
	if (feed_xml_start(f, err) != 0)
		return -1;
	if (f->len > 0 && feed_xml_chunk(f, f->buf, f->len, 0, err) != 0)
		return -1;
	free(f->buf);
	f->buf = NULL;
	f->len = f->cap = 0;
	return 0;
}

static int
feed_in(struct feed *f, const char *data, size_t len, struct rw_error *err)
{
	if (f->total + len > f->lim.max_input) {
		rw_error_set(err, f->source, 0, 0, "input larger than the limit of %zu bytes",
		    f->lim.max_input);
		return -1;
	}
	f->total += len;
	if (f->fmt == FMT_AUTO) {
		/* Sniffing holds a few hundred bytes whatever the format turns out to be. */
		if (feed_append(f, data, len, f->lim.max_input, err) != 0)
			return -1;
		if (f->len < FEED_SNIFF)
			return 0;
		return feed_decide(f, err);
	}
	if (f->fmt == FMT_XML)
		return feed_xml_chunk(f, data, len, 0, err);
	return feed_append(f, data, len, f->lim.max_single, err);
}

static int
feed_gunzip(struct feed *f, const char *data, size_t len, int end, struct rw_error *err)
{
	char out[65536];
	int zr;

	f->z.next_in = (Bytef *)(uintptr_t)data;
	f->z.avail_in = (uInt)len;
	do {
		f->z.next_out = (Bytef *)out;
		f->z.avail_out = sizeof(out);
		zr = inflate(&f->z, Z_NO_FLUSH);
		if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR) {
			rw_error_set(err, f->source, 0, 0, "gzip: %s",
			    f->z.msg != NULL ? f->z.msg : "corrupt data");
			return -1;
		}
		if (sizeof(out) - f->z.avail_out > 0 &&
		    feed_in(f, out, sizeof(out) - f->z.avail_out, err) != 0)
			return -1;
		if (f->stop || zr == Z_STREAM_END)
			break;
	} while (f->z.avail_in > 0 || f->z.avail_out == 0);
	if (end && zr != Z_STREAM_END) {
		rw_error_set(err, f->source, 0, 0, "gzip: truncated stream");
		return -1;
	}
	return 0;
}

int
feed_push(struct feed *f, const char *data, size_t len, struct rw_error *err)
{
	int rc;

	if (f->failed || f->stop)
		return f->failed ? -1 : 0;
	if (!f->raw_started && len > 0) {
		f->raw_started = 1;
		/* gzip magic; a split after one byte is possible only for 1-byte pushes, which
		 * nobody makes of a real feed. */
		if (len >= 2 && (unsigned char)data[0] == 0x1f && (unsigned char)data[1] == 0x8b) {
			if (inflateInit2(&f->z, 16 + MAX_WBITS) != Z_OK) {
				rw_error_set(err, f->source, 0, 0, "gzip: cannot initialise");
				f->failed = 1;
				return -1;
			}
			f->gzip = 1;
		}
	}
	rc = f->gzip ? feed_gunzip(f, data, len, 0, err) : feed_in(f, data, len, err);
	if (rc != 0)
		f->failed = 1;
	return rc;
}

int
feed_end(struct feed *f, struct rw_error *err)
{
	int rc = 0;

	if (f->failed)
		return -1;
	if (f->stop)
		return 0;
	if (f->gzip && feed_gunzip(f, "", 0, 1, err) != 0)
		rc = -1;
	else if (f->fmt == FMT_AUTO && feed_decide(f, err) != 0)
		rc = -1;
	else if (f->fmt == FMT_XML)
		rc = feed_xml_chunk(f, NULL, 0, 1, err);
	else
		rc = feed_whole(f, err);
	if (rc != 0)
		f->failed = 1;
	return rc;
}

int
feed_read_file(struct feed *f, const char *path, struct rw_error *err)
{
	char buf[65536];
	struct stat st;
	ssize_t n;
	int fd;

	if (strcmp(path, "-") == 0)
		fd = STDIN_FILENO;
	else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		rw_error_set(err, path, 0, 0, "%s", strerror(errno));
		return -1;
	}
	/* Refuse an oversized file before reading a byte of it. */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size > f->lim.max_input) {
		rw_error_set(err, path, 0, 0, "file of %lld bytes is larger than the limit of %zu",
		    (long long)st.st_size, f->lim.max_input);
		if (fd != STDIN_FILENO)
			close(fd);
		return -1;
	}
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rw_error_set(err, path, 0, 0, "read: %s", strerror(errno));
			break;
		}
		if (feed_push(f, buf, (size_t)n, err) != 0)
			break;
		if (f->stop)
			break;
	}
	if (fd != STDIN_FILENO)
		close(fd);
	if (n != 0 && !f->stop)
		return -1;
	return feed_end(f, err);
}
