/* Recruitment contracts in our XML format (docs/contract-format.md): every term becomes a
 * clause with its kind, every amount a money element with who pays it. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clauses.h"
#include "fmt.h"

static void
ct_copy_attrs(xmlNodePtr from, xmlNodePtr to, const char *const *names)
{
	for (; *names != NULL; names++) {
		char *v = xu_attr(from, *names);

		doc_attr(to, *names, v);
		free(v);
	}
}

/* Clause text goes into the document's text as well, so text rules read contracts too. */
static xmlNodePtr
ct_clause(struct doc *d, const char *kind, xmlNodePtr src, const char *heading)
{
	xmlNodePtr cl;
	char *v = xu_text(src), *line = NULL;

	cl = doc_add(d, "clause", v);
	doc_attr(cl, "kind", kind);
	if (v != NULL) {
		if (asprintf(&line, "%s: %s", heading, v) >= 0)
			doc_add(d, "text", line);
		free(line);
	}
	free(v);
	return cl;
}

/* The clause's amount as a money child, so a rule sees the term and its price together. */
static void
ct_money(xmlNodePtr clause, xmlNodePtr src, const char *kind, const char *payer)
{
	static const char *const attrs[] = {"amount", "currency", "period", "purpose", NULL};
	xmlNodePtr m;
	char *amount = xu_attr(src, "amount");

	if (amount == NULL || clause == NULL)
		return;
	free(amount);
	m = xmlNewChild(clause, clause->ns, (const xmlChar *)"money", NULL);
	ct_copy_attrs(src, m, attrs);
	doc_attr(m, "kind", kind);
	doc_attr(m, "payer", payer);
}

struct doc *
fmt_contract_xml(struct fmt_ctx *c, xmlNodePtr ct)
{
	static const char *const party_attrs[] = {
	    "name", "country", "licence", "nationality", "residence", NULL};
	struct doc *d;
	xmlNodePtr parties, n, e;
	char *v;

	d = doc_new(DOC_CONTRACT, c->source, "contract", c->index);
	if (d == NULL) {
		rw_error_set(c->err, c->source, (long)xmlGetLineNo(ct), 0, "out of memory");
		return NULL;
	}
	v = xu_attr(ct, "id");
	doc_origin(d, "guid", v);
	free(v);
	if ((v = xu_attr(ct, "date")) != NULL) {
		doc_origin(d, "date", v);
		doc_add(d, "posted", v);
	}
	free(v);

	parties = xu_child(ct, NS_CONTRACT, "parties");
	for (n = parties != NULL ? parties->children : NULL; n != NULL; n = n->next) {
		const char *role = (const char *)n->name;

		if (n->type != XML_ELEMENT_NODE)
			continue;
		e = doc_add(d, "party", NULL);
		doc_attr(e, "role", role);
		ct_copy_attrs(n, e, party_attrs);
		v = xu_attr(n, "name");
		if (strcmp(role, "employer") == 0 || strcmp(role, "agency") == 0) {
			char *country = xu_attr(n, "country");
			xmlNodePtr p = doc_add(d, role, NULL);

			doc_attr(p, "name", v);
			doc_attr(p, "country", country);
			free(country);
		} else if (strcmp(role, "worker") == 0) {
			char *res = xu_attr(n, "residence"), *nat = xu_attr(n, "nationality");

			if (res != NULL)
				doc_attr(doc_add(d, "source-country", res), "role", "source");
			if (nat != NULL)
				doc_attr(doc_add(d, "source-country", nat), "role", "nationality");
			free(res);
			free(nat);
		}
		free(v);
	}

	if ((n = xu_child(ct, NS_CONTRACT, "position")) != NULL) {
		char *isco = xu_attr(n, "isco"), *isco88 = xu_attr(n, "isco88");

		v = xu_text(n);
		if (v != NULL)
			doc_add(d, "title", v);
		e = doc_add(d, "occupation", v);
		if (isco != NULL) {
			doc_attr(e, "list", "ISCO2008");
			doc_attr(e, "code", isco);
		} else if (isco88 != NULL) {
			doc_attr(e, "list", "ISCO88");
			doc_attr(e, "code", isco88);
		}
		free(isco);
		free(isco88);
		free(v);
	}
	if ((n = xu_child(ct, NS_CONTRACT, "destination")) != NULL) {
		v = xu_attr(n, "country");
		if (v != NULL)
			doc_add(d, "destination", v);
		free(v);
	}
	if ((n = xu_child(ct, NS_CONTRACT, "pay")) != NULL) {
		static const char *const pay_attrs[] = {"currency", "min", "max", "period", NULL};

		static const char *const decl_attrs[] = {
		    "currency", "amount", "min", "max", "period", NULL};

		/* pay is the term as declared; salary the same normalised like a posting's. */
		ct_copy_attrs(n, doc_add(d, "pay", NULL), decl_attrs);
		e = doc_add(d, "salary", NULL);
		ct_copy_attrs(n, e, pay_attrs);
		v = xu_attr(n, "amount");
		if (v != NULL) {
			doc_attr(e, "min", v);
			doc_attr(e, "max", v);
		}
		free(v);
	}
	if ((n = xu_child(ct, NS_CONTRACT, "hours")) != NULL) {
		static const char *const a[] = {"per", NULL};

		v = xu_text(n);
		e = doc_add(d, "hours", v);
		ct_copy_attrs(n, e, a);
		free(v);
	}
	if ((n = xu_child(ct, NS_CONTRACT, "term")) != NULL) {
		static const char *const a[] = {"months", "start", "end", NULL};

		ct_copy_attrs(n, doc_add(d, "term", NULL), a);
	}
	if ((n = xu_child(ct, NS_CONTRACT, "fees")) != NULL)
		for (n = xu_child(n, NS_CONTRACT, "fee"); n != NULL;
		     n = xu_next(n->next, NS_CONTRACT, "fee")) {
			static const char *const a[] = {"payer", "amount", "currency", NULL};
			char *payer = xu_attr(n, "payer");

			xmlNodePtr cl = ct_clause(d, "fee", n, "Fee");

			ct_copy_attrs(n, cl, a);
			ct_money(cl, n, "fee", payer);
			free(payer);
		}
	for (n = xu_child(ct, NS_CONTRACT, "repayment"); n != NULL;
	     n = xu_next(n->next, NS_CONTRACT, "repayment")) {
		static const char *const a[] = {"amount", "currency", "months", NULL};
		char *months = xu_attr(n, "months");

		xmlNodePtr cl = ct_clause(d, "repayment", n, "Repayment");

		ct_copy_attrs(n, cl, a);
		ct_money(cl, n, "repayment", "worker");
		if (months != NULL) {
			e = doc_add(d, "duration", NULL);
			doc_attr(e, "kind", "repayment");
			doc_attr(e, "months", months);
		}
		free(months);
	}
	if ((n = xu_child(ct, NS_CONTRACT, "deductions")) != NULL)
		for (n = xu_child(n, NS_CONTRACT, "deduction"); n != NULL;
		     n = xu_next(n->next, NS_CONTRACT, "deduction")) {
			static const char *const a[] = {
			    "amount", "currency", "period", "purpose", NULL};

			xmlNodePtr cl = ct_clause(d, "deduction", n, "Deduction");

			ct_copy_attrs(n, cl, a);
			ct_money(cl, n, "deduction", "worker");
		}
	if ((n = xu_child(ct, NS_CONTRACT, "documents")) != NULL) {
		static const char *const a[] = {"holder", NULL};

		ct_copy_attrs(n, ct_clause(d, "documents", n, "Documents"), a);
	}
	if ((n = xu_child(ct, NS_CONTRACT, "language")) != NULL) {
		static const char *const a[] = {"worker-reads", NULL};

		v = xu_text(n);
		ct_copy_attrs(n, doc_add(d, "language", v), a);
		free(v);
	} else if ((v = xu_attr(ct, "language")) != NULL) {
		doc_add(d, "language", v);
		free(v);
	}
	if ((n = xu_child(ct, NS_CONTRACT, "termination")) != NULL) {
		static const char *const a[] = {"notice-weeks", NULL};

		ct_copy_attrs(n, ct_clause(d, "termination", n, "Termination"), a);
	}
	if ((n = xu_child(ct, NS_CONTRACT, "governing-law")) != NULL) {
		static const char *const a[] = {"country", NULL};

		ct_copy_attrs(n, doc_add(d, "governing-law", NULL), a);
	}
	for (n = xu_child(ct, NS_CONTRACT, "clause"); n != NULL;
	     n = xu_next(n->next, NS_CONTRACT, "clause")) {
		char *heading = xu_attr(n, "heading");

		char *body = xu_text(n);

		doc_attr(ct_clause(d, clauses_kind(c->nm->clauses, heading, body), n,
			     heading ? heading : "Clause"),
		    "heading", heading);
		free(body);
		free(heading);
	}
	return d;
}
