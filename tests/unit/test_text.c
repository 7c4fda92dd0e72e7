/* Text normalisation: HTML to text, entity decoding, folding, UTF-8 checks, encodings. */
#include <stdlib.h>
#include <string.h>

#include "cu.h"
#include "text.h"

static void
test_html_strip(void)
{
	char *s = text_from_html("<p>Hello <b>nurses</b> &amp; midwives</p><p>Second</p>", 54);

	CU_ASSERT_STRING_EQUAL(s, "Hello nurses & midwives\nSecond");
	free(s);
}

static void
test_html_scripts_dropped(void)
{
	const char *in = "<div>Apply<script>var x = 'secret';</script><style>p{}</style> now</div>";
	char *s = text_from_html(in, strlen(in));

	CU_ASSERT_STRING_EQUAL(s, "Apply now");
	free(s);
}

static void
test_html_escaped_twice(void)
{
	const char *in =
	    "&lt;p&gt;Fees &amp;amp; costs&lt;/p&gt;&lt;ul&gt;&lt;li&gt;one&lt;/li&gt;&lt;/ul&gt;";
	char *s = text_from_html(in, strlen(in));

	CU_ASSERT_STRING_EQUAL(s, "Fees & costs\none");
	free(s);
}

static void
test_plain_text_untouched(void)
{
	const char *in = "  Salary:   £30k\t a year \n\n\n Apply   today ";
	char *s = text_from_html(in, strlen(in));

	CU_ASSERT_STRING_EQUAL(s, "Salary: £30k a year\nApply today");
	free(s);
}

static void
test_numeric_entities(void)
{
	const char *in = "2 years&#8217; experience &#163;5,000 &nbsp;bond";
	char *s = text_from_html(in, strlen(in));

	CU_ASSERT_STRING_EQUAL(s,
	    "2 years\xe2\x80\x99 experience \xc2\xa3"
	    "5,000 bond");
	free(s);
}

static void
test_utf8_check(void)
{
	size_t bad = 0;

	CU_ASSERT_EQUAL(text_utf8_check("caf\xc3\xa9", 5, &bad), 0);
	CU_ASSERT_EQUAL(text_utf8_check("caf\xe9!", 5, &bad), -1);
	CU_ASSERT_EQUAL(bad, 3);
	CU_ASSERT_EQUAL(text_utf8_check("\xc0\xaf", 2, &bad), -1); /* overlong */
	CU_ASSERT_EQUAL(text_utf8_check("\xed\xa0\x80", 3, &bad), -1); /* surrogate */
	CU_ASSERT_EQUAL(text_utf8_check("ab\xe2\x82", 4, &bad), -1); /* truncated */
	CU_ASSERT_EQUAL(bad, 2);
}

static void
test_to_utf8_bom_and_charset(void)
{
	struct rw_error err;
	size_t n;
	char *s;

	s = text_to_utf8("\xff\xfeH\0i\0", 6, NULL, &n, "x", &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_STRING_EQUAL(s, "Hi");
	free(s);
	s = text_to_utf8("\xa3"
			 "5 caf\xe9",
	    7, "ISO-8859-1", &n, "x", &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_STRING_EQUAL(s,
	    "\xc2\xa3"
	    "5 caf\xc3\xa9");
	free(s);
	s = text_to_utf8("\x80 \x93ok\x94", 6, "WINDOWS-1252", &n, "x", &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_STRING_EQUAL(s, "\xe2\x82\xac \xe2\x80\x9cok\xe2\x80\x9d");
	free(s);
}

static void
test_to_utf8_error_position(void)
{
	struct rw_error err;
	size_t n;
	char *s;

	rw_error_clear(&err);
	s = text_to_utf8("line one\nbad \xff here", 19, NULL, &n, "post.txt", &err);
	CU_ASSERT_PTR_NULL(s);
	CU_ASSERT_STRING_EQUAL(err.source, "post.txt");
	CU_ASSERT_EQUAL(err.line, 2);
	CU_ASSERT_EQUAL(err.col, 5);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "invalid UTF-8"));
}

static void
test_utf8_repair(void)
{
	char *s = text_utf8_repair("ok \xc4t and \xff\xfe end", 16);

	CU_ASSERT_STRING_EQUAL(s, "ok \xef\xbf\xbdt and \xef\xbf\xbd\xef\xbf\xbd end");
	CU_ASSERT_EQUAL(text_utf8_check(s, strlen(s), NULL), 0);
	free(s);
	/* What the HTML parser lets through comes out valid. */
	s = text_from_html("<p>caf\xc4 t</p>", 14);
	CU_ASSERT_EQUAL(text_utf8_check(s, strlen(s), NULL), 0);
	free(s);
}

static void
test_chars(void)
{
	CU_ASSERT_EQUAL(text_chars("\xc2\xa3"
				   "50",
			    4),
	    3);
	CU_ASSERT_EQUAL(text_chars("abc", 3), 3);
}

static const struct cu_test tests[] = {{"html_strip", test_html_strip},
    {"html_scripts_dropped", test_html_scripts_dropped},
    {"html_escaped_twice", test_html_escaped_twice}, {"plain_text", test_plain_text_untouched},
    {"numeric_entities", test_numeric_entities}, {"utf8_check", test_utf8_check},
    {"to_utf8", test_to_utf8_bom_and_charset}, {"to_utf8_error", test_to_utf8_error_position},
    {"chars", test_chars}, {"utf8_repair", test_utf8_repair}, {NULL, NULL}};

RW_CU_MAIN("text", tests)
