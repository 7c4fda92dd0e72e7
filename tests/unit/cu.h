/* Shared main for the CUnit suites: each test_<module>.c defines its suite table and RW_CU_MAIN. */
#ifndef RW_CU_H
#define RW_CU_H

#include <CUnit/Basic.h>
#include <libxml/parser.h>

struct cu_test {
	const char *name;
	void (*fn)(void);
};

/* Exit status is the number of failures: CU_basic_run_tests() only reports framework errors. */
#define RW_CU_MAIN(suite, tests)                                                                   \
	int main(void)                                                                             \
	{                                                                                          \
		CU_pSuite s;                                                                       \
		const struct cu_test *t;                                                           \
		unsigned int nfail;                                                                \
		xmlInitParser();                                                                   \
		if (CU_initialize_registry() != CUE_SUCCESS)                                       \
			return 2;                                                                  \
		s = CU_add_suite(suite, NULL, NULL);                                               \
		for (t = tests; t->name != NULL; t++)                                              \
			CU_add_test(s, t->name, t->fn);                                            \
		CU_basic_set_mode(CU_BRM_VERBOSE);                                                 \
		CU_basic_run_tests();                                                              \
		nfail = CU_get_number_of_failures();                                               \
		CU_cleanup_registry();                                                             \
		xmlCleanupParser();                                                                \
		return nfail > 0 ? 1 : 0;                                                          \
	}

#endif
