/* Text normalisation: markup stripped, encodings converted to UTF-8, white space folded. */
#ifndef RW_TEXT_H
#define RW_TEXT_H

#include <stddef.h>

#include "err.h"

/* Readable text from an HTML fragment or page: entities decoded, scripts dropped, block
 * elements become line breaks, white space folded. Text that is not HTML is only folded.
 * Entity-escaped HTML ("&lt;p&gt;…", common in JSON-LD) is unescaped and stripped too.
 * Returns a malloc'd string, NULL only when out of memory. */
char *text_from_html(const char *s, size_t len);

/* Folds runs of blanks into one space and runs of line breaks into one '\n', in place. */
void text_fold(char *s);

/* A copy of s[0,len) with every invalid UTF-8 sequence replaced by U+FFFD, so that what
 * reaches the pattern engine is always valid; NULL when out of memory. */
char *text_utf8_repair(const char *s, size_t len);

/* 0 when s is valid UTF-8; otherwise -1 and *bad is the offset of the first bad byte. */
int text_utf8_check(const char *s, size_t len, size_t *bad);

/* Converts bytes to UTF-8: a BOM (UTF-8, UTF-16, UTF-32) wins, then charset (may be NULL);
 * without either the bytes must already be UTF-8. Returns a malloc'd NUL-terminated copy and
 * its length, or NULL with err naming source, line and column of the first bad byte. */
char *text_to_utf8(const char *bytes, size_t len, const char *charset, size_t *outlen,
    const char *source, struct rw_error *err);

/* Number of characters (code points) in the first n bytes of s. */
size_t text_chars(const char *s, size_t n);

/* The sentence around s[ms,me): bounds in *a and *b, at most about 200 bytes either side,
 * ending at a line break or at '.', '!' or '?' followed by a space. */
void text_sentence(const char *s, size_t len, size_t ms, size_t me, size_t *a, size_t *b);

/* 1-based line and column of byte offset off in s. */
void text_position(const char *s, size_t off, long *line, long *col);

#endif
