/* Reading the CLI's inputs (files, stdin, URLs) into documents, shared by every subcommand. */
#ifndef RW_CLI_INPUT_H
#define RW_CLI_INPUT_H

#include "feed.h"
#include "urlget.h"

/* Reads one input, passing each document to cb; errors are printed as FILE:LINE:COL: message.
 * Returns 0 when the input was read completely and every item was readable, -1 otherwise
 * (documents read before the error were still passed on). */
int cli_read(const struct norm *, const char *input, enum fmt forced, const struct feed_limits *,
    const struct urlget_opts *, feed_doc_cb cb, void *arg);

#endif
