/* Streaming reader: bytes pushed in as they arrive (file, stdin, HTTP), documents out one
 * item at a time, so a feed of any size is read in bounded memory. */
#ifndef RW_FEED_H
#define RW_FEED_H

#include <stddef.h>

#include "doc.h"
#include "err.h"
#include "fmt.h"
#include "norm.h"

struct feed_limits {
	size_t max_input; /* bytes after decompression, whole source */
	size_t max_single; /* bytes of a source read whole: JSON, HTML, text */
	size_t max_item; /* bytes of one XML item */
};

#define FEED_MAX_INPUT_DEFAULT ((size_t)512 << 20)
#define FEED_MAX_SINGLE_DEFAULT ((size_t)16 << 20)
#define FEED_MAX_ITEM_DEFAULT ((size_t)4 << 20)

/* A finished document: the callee owns d (doc_free). Non-zero stops the feed. */
typedef int (*feed_doc_cb)(struct doc *d, void *arg);
/* An item that could not be read: reported, skipped, and the feed goes on. */
typedef void (*feed_item_err_cb)(const struct rw_error *, void *arg);

struct feed;

struct feed *feed_new(const struct norm *, const char *source, enum fmt forced,
    const struct feed_limits *, feed_doc_cb, feed_item_err_cb, void *arg);
void feed_free(struct feed *);
/* Item errors go to the error callback with this argument instead of the document one. */
void feed_set_error_arg(struct feed *, void *earg);

/* 0, or -1 with err when the source is broken, too large, or refused: documents already
 * passed to the callback stay valid. */
int feed_push(struct feed *, const char *data, size_t len, struct rw_error *err);
int feed_end(struct feed *, struct rw_error *err);

/* The format in use once known (FMT_AUTO before the first bytes). */
enum fmt feed_format(const struct feed *);
long feed_count(const struct feed *);

/* Inside the document callback: the bytes the document came from, so it can be kept and
 * checked again later. For XML feeds, a one-item feed of the same format (root, channel
 * metadata and this item); for JSON, HTML and text, the whole input. Valid until the callback
 * returns; NULL when out of memory. */
const char *feed_raw(struct feed *, size_t *len);

/* Convenience: a whole file (or "-" for stdin), read in chunks. */
int feed_read_file(struct feed *, const char *path, struct rw_error *err);

#endif
