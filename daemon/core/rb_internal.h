/* Inside the rulebook: the compiled form that rulebook.c builds and eval.c and rw_functions.c
 * read. Everything else sees only rulebook.h. */
#ifndef RW_RB_INTERNAL_H
#define RW_RB_INTERNAL_H

#include <stddef.h>

#include <libxml/xpath.h>

#include "rulebook.h"

struct rb_cite {
	char *instrument;
	char *article; /* may be NULL */
	char *edition; /* may be NULL */
};

struct rb_cond {
	char *src; /* the XPath as written, for --explain */
	long line; /* where it is written */
	xmlXPathCompExprPtr expr;
};

struct rb_evidence {
	xmlXPathCompExprPtr select; /* nodes to show, or NULL */
	char *pattern; /* a named pattern whose matches in `in` to show, or NULL */
	char *unless; /* skip matches whose sentence matches this pattern */
	xmlXPathCompExprPtr in; /* where to look for the pattern */
};

/* A message template: literal text and {XPath} parts, compiled once. */
struct rb_tpl_part {
	char *text; /* literal, or NULL */
	xmlXPathCompExprPtr expr; /* or an expression whose string value goes here */
};

struct rb_rule {
	char *id;
	char *category;
	enum severity severity;
	int revision;
	int posting, contract; /* applies to */
	char **destinations; /* only for these destination countries (NULL: any) */
	char **except_destinations; /* never for these */
	char *title;
	char *advice;
	struct rb_cite *cites;
	size_t ncites;
	struct rb_cond *when; /* all must be true */
	size_t nwhen;
	struct rb_cond *unless; /* none may be true; exceptions from local rulebooks join here */
	size_t nunless;
	struct rb_tpl_part *message;
	size_t nmessage;
	struct rb_evidence *evidence;
	size_t nevidence;
	char *file;
	long line;
	int disabled;
};

struct rb_list {
	char *id;
	char *family; /* editions of one list share a family ("who-ssl") */
	char *edition;
	char *effective; /* YYYY-MM-DD from which this edition applies */
	char *title;
	char **codes; /* sorted */
	size_t ncodes;
};

struct rb_agreement {
	char *id;
	char *title;
	char *destination; /* alpha-2 */
	char *source; /* alpha-2 */
	char **professions; /* ISCO-08 prefixes; NULL: all health professions */
	char *from, *to; /* YYYY-MM-DD; to may be NULL */
	char *channel; /* the named channel recruitment must go through, if any */
};

struct rb_pattern {
	char *name;
	void *re; /* pcre2_code */
	char *file;
	long line;
};

struct rulebook {
	char *version; /* of the default rulebook, + local layers */
	struct rb_rule *rules;
	size_t nrules;
	struct rb_list *lists;
	size_t nlists;
	struct rb_agreement *agreements;
	size_t nagreements;
	struct rb_pattern *patterns;
	size_t npatterns;
	char **pinned; /* "family=list-id" pairs: an edition in force whatever the date */
	size_t npinned;
	char **dirs;
	size_t ndirs;
};

const struct rb_rule *rb_rule(const struct rulebook *, const char *id);
/* The edition of a list family in force on date (YYYY-MM-DD, may be NULL: the latest), or the
 * list with that exact id. */
const struct rb_list *rb_list_for(
    const struct rulebook *, const char *id_or_family, const char *date);
int rb_list_has(const struct rb_list *, const char *code);
const struct rb_pattern *rb_pattern(const struct rulebook *, const char *name);

#endif
