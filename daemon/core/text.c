/* Text normalisation shared by every format: HTML to readable text with libxml2's HTML parser,
 * encodings with iconv, and white-space folding so that rules see one spelling of a text. */
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "text.h"

static int
text_is_block(const xmlChar *name)
{
	static const char *const blocks[] = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3",
	    "h4", "h5", "h6", "tr", "table", "section", "article", "header", "footer", "blockquote",
	    "pre", "dd", "dt", "dl", "hr", "title", "main", "nav", "aside", "form", "address",
	    NULL};
	const char *const *b;

	for (b = blocks; *b != NULL; b++)
		if (xmlStrcasecmp(name, (const xmlChar *)*b) == 0)
			return 1;
	return 0;
}

static int
text_is_hidden(const xmlChar *name)
{
	return xmlStrcasecmp(name, (const xmlChar *)"script") == 0 ||
	    xmlStrcasecmp(name, (const xmlChar *)"style") == 0 ||
	    xmlStrcasecmp(name, (const xmlChar *)"noscript") == 0 ||
	    xmlStrcasecmp(name, (const xmlChar *)"template") == 0 ||
	    xmlStrcasecmp(name, (const xmlChar *)"head") == 0;
}

/* Iterative walk: hostile pages nest deeply and the stack must not be theirs to grow. */
static void
text_walk(xmlNodePtr top, xmlBufferPtr out)
{
	xmlNodePtr n = top;

	while (n != NULL) {
		int descend = 0;

		if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
			if (n->content != NULL)
				xmlBufferCat(out, n->content);
		} else if (n->type == XML_ELEMENT_NODE) {
			if (text_is_hidden(n->name))
				descend = 0;
			else {
				if (text_is_block(n->name))
					xmlBufferCCat(out, "\n");
				else if (xmlStrcasecmp(n->name, (const xmlChar *)"td") == 0 ||
				    xmlStrcasecmp(n->name, (const xmlChar *)"th") == 0)
					xmlBufferCCat(out, " ");
				descend = n->children != NULL;
			}
		} else if (n->type == XML_DOCUMENT_NODE || n->type == XML_HTML_DOCUMENT_NODE)
			descend = n->children != NULL;

		if (descend) {
			n = n->children;
			continue;
		}
		while (n != NULL && n != top && n->next == NULL) {
			n = n->parent;
			if (n != NULL && n->type == XML_ELEMENT_NODE && text_is_block(n->name))
				xmlBufferCCat(out, "\n");
		}
		if (n == NULL || n == top)
			break;
		n = n->next;
	}
}

/* Markup or an entity: worth a pass through the HTML parser. */
static int
text_looks_html(const char *s, size_t len)
{
	const char *p, *end = s + len;

	for (p = s; p < end; p++) {
		if (*p == '<' && p + 1 < end &&
		    ((p[1] >= 'a' && p[1] <= 'z') || (p[1] >= 'A' && p[1] <= 'Z') || p[1] == '/' ||
			p[1] == '!'))
			return 1;
		if (*p == '&' && p + 1 < end) {
			const char *q = p + 1;

			while (q < end && q - p < 12 &&
			    ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
				(*q >= '0' && *q <= '9') || *q == '#'))
				q++;
			if (q < end && *q == ';' && q > p + 1)
				return 1;
		}
	}
	return 0;
}

static char *
text_html_pass(const char *s, size_t len)
{
	htmlDocPtr doc;
	xmlBufferPtr buf;
	char *out;

	if (len > INT32_MAX)
		return NULL;
	doc = htmlReadMemory(s, (int)len, NULL, "UTF-8",
	    HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET | HTML_PARSE_COMPACT);
	if (doc == NULL)
		return strndup(s, len);
	buf = xmlBufferCreate();
	if (buf == NULL) {
		xmlFreeDoc(doc);
		return NULL;
	}
	text_walk((xmlNodePtr)doc, buf);
	out = strdup((const char *)xmlBufferContent(buf));
	xmlBufferFree(buf);
	xmlFreeDoc(doc);
	return out;
}

static char *
text_valid(char *s)
{
	char *r;

	if (s == NULL || text_utf8_check(s, strlen(s), NULL) == 0)
		return s;
	r = text_utf8_repair(s, strlen(s));
	free(s);
	return r;
}

char *
text_from_html(const char *s, size_t len)
{
	char *out, *again;

	if (!text_looks_html(s, len)) {
		out = text_valid(strndup(s, len));
		if (out != NULL)
			text_fold(out);
		return out;
	}
	out = text_html_pass(s, len);
	/* HTML escaped once more ("&lt;p&gt;"): the first pass leaves markup as text. */
	if (out != NULL && text_looks_html(out, strlen(out))) {
		again = text_html_pass(out, strlen(out));
		free(out);
		out = again;
	}
	out = text_valid(out);
	if (out != NULL)
		text_fold(out);
	return out;
}

static int
text_is_blank(const char *p, size_t *n)
{
	const unsigned char *u = (const unsigned char *)p;

	if (*u == ' ' || *u == '\t' || *u == '\r' || *u == '\f' || *u == '\v') {
		*n = 1;
		return 1;
	}
	if (u[0] == 0xc2 && u[1] == 0xa0) { /* no-break space */
		*n = 2;
		return 1;
	}
	if (u[0] == 0xe2 && u[1] == 0x80 && (u[2] == 0x89 || u[2] == 0xaf || u[2] == 0x8b)) {
		*n = 3; /* thin, narrow no-break and zero-width spaces */
		return 1;
	}
	return 0;
}

void
text_fold(char *s)
{
	char *r = s, *w = s;
	int pending_space = 0, pending_nl = 0;
	size_t n;

	while (*r != '\0') {
		if (*r == '\n') {
			pending_nl = 1;
			r++;
		} else if (text_is_blank(r, &n)) {
			pending_space = 1;
			r += n;
		} else {
			if (w != s) {
				if (pending_nl)
					*w++ = '\n';
				else if (pending_space)
					*w++ = ' ';
			}
			pending_nl = pending_space = 0;
			*w++ = *r++;
		}
	}
	*w = '\0';
}

int
text_utf8_check(const char *s, size_t len, size_t *bad)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, n, k;
	unsigned int cp;

	while (i < len) {
		if (u[i] < 0x80) {
			i++;
			continue;
		}
		if (u[i] >= 0xc2 && u[i] <= 0xdf) {
			n = 1;
			cp = u[i] & 0x1f;
		} else if (u[i] >= 0xe0 && u[i] <= 0xef) {
			n = 2;
			cp = u[i] & 0x0f;
		} else if (u[i] >= 0xf0 && u[i] <= 0xf4) {
			n = 3;
			cp = u[i] & 0x07;
		} else
			goto bad;
		if (i + n >= len)
			goto bad;
		for (k = 1; k <= n; k++) {
			if ((u[i + k] & 0xc0) != 0x80)
				goto bad;
			cp = (cp << 6) | (u[i + k] & 0x3f);
		}
		/* Overlong forms, surrogates and code points past U+10FFFF. */
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			goto bad;
		i += n + 1;
	}
	return 0;
bad:
	if (bad != NULL)
		*bad = i;
	return -1;
}

char *
text_utf8_repair(const char *s, size_t len)
{
	char *out, *w;
	size_t bad, i = 0;

	/* Every bad byte may become three: U+FFFD. */
	if ((out = malloc(len * 3 + 1)) == NULL)
		return NULL;
	w = out;
	while (i < len) {
		if (text_utf8_check(s + i, len - i, &bad) == 0)
			bad = len - i;
		memcpy(w, s + i, bad);
		w += bad;
		i += bad;
		if (i < len) {
			memcpy(w, "\xef\xbf\xbd", 3);
			w += 3;
			i++;
		}
	}
	*w = '\0';
	return out;
}

void
text_position(const char *s, size_t off, long *line, long *col)
{
	size_t i;

	*line = 1;
	*col = 1;
	for (i = 0; i < off && s[i] != '\0'; i++) {
		if (s[i] == '\n') {
			(*line)++;
			*col = 1;
		} else if (((unsigned char)s[i] & 0xc0) != 0x80)
			(*col)++;
	}
}

size_t
text_chars(const char *s, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			c++;
	return c;
}

static char *
text_iconv(const char *bytes, size_t len, const char *charset, size_t *outlen, const char *source,
    struct rw_error *err)
{
	iconv_t cd;
	size_t cap = len * 4 + 4, inleft = len, outleft;
	char *out, *in = (char *)(uintptr_t)bytes, *o;

	cd = iconv_open("UTF-8", charset);
	if (cd == (iconv_t)-1) {
		rw_error_set(err, source, 0, 0, "unknown character encoding '%s'", charset);
		return NULL;
	}
	out = malloc(cap);
	if (out == NULL) {
		iconv_close(cd);
		rw_error_set(err, source, 0, 0, "out of memory");
		return NULL;
	}
	o = out;
	outleft = cap - 1;
	if (iconv(cd, &in, &inleft, &o, &outleft) == (size_t)-1) {
		size_t off = len - inleft;

		rw_error_set(err, source, 0, 0, "byte offset %zu: not valid %s (%s)", off, charset,
		    errno == EINVAL ? "truncated sequence" : "invalid sequence");
		free(out);
		iconv_close(cd);
		return NULL;
	}
	iconv_close(cd);
	*o = '\0';
	*outlen = (size_t)(o - out);
	return out;
}

char *
text_to_utf8(const char *bytes, size_t len, const char *charset, size_t *outlen, const char *source,
    struct rw_error *err)
{
	const unsigned char *u = (const unsigned char *)bytes;
	size_t bad;
	char *out;
	long line, col;

	if (len >= 4 && memcmp(u, "\xff\xfe\0\0", 4) == 0)
		return text_iconv(bytes + 4, len - 4, "UTF-32LE", outlen, source, err);
	if (len >= 4 && memcmp(u, "\0\0\xfe\xff", 4) == 0)
		return text_iconv(bytes + 4, len - 4, "UTF-32BE", outlen, source, err);
	if (len >= 2 && u[0] == 0xff && u[1] == 0xfe)
		return text_iconv(bytes + 2, len - 2, "UTF-16LE", outlen, source, err);
	if (len >= 2 && u[0] == 0xfe && u[1] == 0xff)
		return text_iconv(bytes + 2, len - 2, "UTF-16BE", outlen, source, err);
	if (len >= 3 && u[0] == 0xef && u[1] == 0xbb && u[2] == 0xbf) {
		bytes += 3;
		len -= 3;
	} else if (charset != NULL && strcasecmp(charset, "utf-8") != 0 &&
	    strcasecmp(charset, "utf8") != 0)
		return text_iconv(bytes, len, charset, outlen, source, err);

	if (memchr(bytes, '\0', len) != NULL) {
		bad = (size_t)((const char *)memchr(bytes, '\0', len) - bytes);
		out = strndup(bytes, bad);
		text_position(out != NULL ? out : "", bad, &line, &col);
		free(out);
		rw_error_set(err, source, line, col,
		    "NUL byte in text (binary data or UTF-16 without a byte order mark?)");
		return NULL;
	}
	if (text_utf8_check(bytes, len, &bad) != 0) {
		out = strndup(bytes, bad);
		text_position(out != NULL ? out : "", bad, &line, &col);
		free(out);
		rw_error_set(err, source, line, col,
		    "invalid UTF-8 (byte 0x%02x); declare the encoding or convert the file",
		    (unsigned char)bytes[bad]);
		return NULL;
	}
	out = malloc(len + 1);
	if (out == NULL) {
		rw_error_set(err, source, 0, 0, "out of memory");
		return NULL;
	}
	memcpy(out, bytes, len);
	out[len] = '\0';
	*outlen = len;
	return out;
}

static int
text_is_end(const char *s, size_t len, size_t i)
{
	/* s[i] ends a sentence when it is a line break or ". " / "! " / "? " */
	return s[i] == '\n' ||
	    ((s[i] == '.' || s[i] == '!' || s[i] == '?') && (i + 1 >= len || s[i + 1] == ' '));
}

void
text_sentence(const char *s, size_t len, size_t ms, size_t me, size_t *a, size_t *b)
{
	size_t x = ms, y = me;

	while (x > 0 && ms - x < 200 && !text_is_end(s, len, x - 1))
		x--;
	while (y < len && y - me < 200 && !text_is_end(s, len, y))
		y++;
	if (y < len && s[y] != '\n')
		y++; /* keep the full stop */
	while (x < ms && ((unsigned char)s[x] & 0xc0) == 0x80)
		x++;
	while (y > me && y < len && ((unsigned char)s[y] & 0xc0) == 0x80)
		y--;
	while (x < ms && s[x] == ' ')
		x++;
	*a = x;
	*b = y;
}
