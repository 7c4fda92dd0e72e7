/* The rulebook: rule files, lists and agreements from one or more directories, validated
 * against the shipped schema and compiled once (XPath, PCRE2), layered in directory order. */
#ifndef RW_RULEBOOK_H
#define RW_RULEBOOK_H

#include <stddef.h>

#include "err.h"

#define RULES_NS "urn:recruitwatch:rules:1"
#define RWX_NS "urn:recruitwatch:xpath:1"

enum severity { SEV_INFO, SEV_LOW, SEV_MEDIUM, SEV_HIGH, SEV_CRITICAL };

const char *severity_name(enum severity);
int severity_from_name(const char *, enum severity *);

struct rulebook;
struct rb_rule;

/* Loads each directory in order: the first is a full rulebook, later ones layer over it (new
 * rules, <disable>, <override>, <exception>, <in-force>). Rule files are validated against
 * schemadir/rules.rng. NULL with err naming the file, line and rule. */
struct rulebook *rb_load(
    char *const *dirs, size_t ndirs, const char *schemadir, struct rw_error *err);
void rb_free(struct rulebook *);

const char *rb_version(const struct rulebook *);
size_t rb_nrules(const struct rulebook *);
const struct rb_rule *rb_rule_at(const struct rulebook *, size_t);
const struct rb_rule *rb_find_rule(const struct rulebook *, const char *id);

const char *rb_rule_id(const struct rb_rule *);
const char *rb_rule_category(const struct rb_rule *);
const char *rb_rule_title(const struct rb_rule *);
enum severity rb_rule_severity(const struct rb_rule *);
int rb_rule_enabled(const struct rb_rule *);
int rb_rule_revision(const struct rb_rule *);
const char *rb_rule_file(const struct rb_rule *);
long rb_rule_line(const struct rb_rule *);

/* Lists: how many, and each one's id, edition, effective date and size (for `rules list`). */
size_t rb_nlists(const struct rulebook *);
void rb_list_info(const struct rulebook *, size_t i, const char **id, const char **family,
    const char **edition, const char **effective, size_t *ncodes);

/* The default rulebook and schema: $RECRUITWATCH_RULES, else installed, else the source tree. */
const char *rb_default_dir(void);
void rb_default_schemadir(char *buf, size_t len);

#endif
