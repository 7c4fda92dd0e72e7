/* Unit tests for occupation.c over the shipped rules/data files, plus broken data files
 * written to a temporary directory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsd/string.h>

#include "cu.h"
#include "occupation.h"

/* Records a failed check with the caller's line, and says what went wrong on stderr. */
#define CHECK(line, cond, ...)                                                                     \
	do {                                                                                       \
		int ok_ = (cond);                                                                  \
		if (!ok_)                                                                          \
			fprintf(stderr, __VA_ARGS__);                                              \
		CU_assertImplementation(ok_ ? CU_TRUE : CU_FALSE, (unsigned int)(line), #cond,     \
		    __FILE__, "", CU_FALSE);                                                       \
	} while (0)

static struct occ *
load(void)
{
	struct rw_error err;
	struct occ *o;
	char buf[1200];

	o = occ_load(DATADIR, &err);
	if (o == NULL)
		fprintf(stderr, "%s\n", rw_error_str(&err, buf, sizeof(buf)));
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	return o;
}

/* text names occupation isco (NULL: none), and the match is exactly mention. */
static void
expect_at(int line, const char *text, const char *isco, const char *mention)
{
	struct occ *o;
	const char *got, *where;
	size_t start, end;

	o = load();
	start = end = 0;
	got = occ_match(o, text, strlen(text), &start, &end);
	if (isco == NULL) {
		CHECK(line, got == NULL, "\"%s\": %s, expected none\n", text, got);
	} else {
		CHECK(line, got != NULL && strcmp(got, isco) == 0, "\"%s\": %s, expected %s\n",
		    text, got != NULL ? got : "none", isco);
		where = strstr(text, mention);
		CHECK(line,
		    got != NULL && where != NULL && start == (size_t)(where - text) &&
			end == start + strlen(mention),
		    "\"%s\": matched \"%.*s\", expected \"%s\"\n", text, (int)(end - start),
		    text + start, mention);
	}
	occ_free(o);
}

#define EXPECT(text, isco, mention) expect_at(__LINE__, text, isco, mention)
#define EXPECT_NONE(text) expect_at(__LINE__, text, NULL, NULL)

static void
test_registered_nurse(void)
{
	EXPECT("Registered Nurse - Medical Ward", "2221", "Registered Nurse");
	EXPECT("RGN / RMN required", "2221", "RGN");
	EXPECT("Band 5 RN (Adult)", "2221", "RN");
}

static void
test_specialist_nurses(void)
{
	EXPECT("ICU Nurse", "2221", "ICU Nurse");
	EXPECT("Theatre Nurse", "2221", "Theatre Nurse");
	EXPECT("Charge Nurse", "2221", "Charge Nurse");
	EXPECT("Ward Sister", "2221", "Ward Sister");
	EXPECT("Advanced Nurse Practitioner", "2221", "Nurse Practitioner");
}

static void
test_nurse_before_carer(void)
{
	/* A named nurse row comes before the care worker rows. */
	EXPECT("Staff Nurse / Care Assistant", "2221", "Staff Nurse");
}

static void
test_bare_nurse_after_carer(void)
{
	/* The bare word comes last: "Nurse Assistant" is a nursing aide. */
	EXPECT("Nurse Assistant", "5321", "Nurse Assistant");
	EXPECT("Care Home Nurse", "2221", "Nurse");
}

static void
test_german_nurses(void)
{
	EXPECT(
	    "Gesundheits- und Krankenpfleger (m/w/d)", "2221", "Gesundheits- und Krankenpfleger");
	EXPECT("Pflegefachfrau/-mann gesucht", "2221", "Pflegefachfrau");
	EXPECT("Pflegefachkraft Intensivpflege", "2221", "Pflegefachkraft");
	EXPECT("Krankenpfleger/in", "2221", "Krankenpfleger");
}

static void
test_nursing_associates(void)
{
	EXPECT("Trainee Nursing Associate", "3221", "Nursing Associate");
	EXPECT("Enrolled Nurse", "3221", "Enrolled Nurse");
	EXPECT("Licensed Practical Nurse (LPN)", "3221", "Practical Nurse");
	EXPECT("LPN nights", "3221", "LPN");
	EXPECT("Altenpfleger/in", "3221", "Altenpfleger");
}

static void
test_midwife(void)
{
	EXPECT("Registered Midwife", "2222", "Midwife");
	EXPECT("Hebamme (m/w/d)", "2222", "Hebamme");
}

static void
test_care_workers(void)
{
	EXPECT("Senior Care Assistant", "5321", "Care Assistant");
	EXPECT("Healthcare Assistant - GP Surgery", "5321", "Healthcare Assistant");
	EXPECT("HCA nights", "5321", "HCA");
	EXPECT("Support Worker", "5321", "Support Worker");
	EXPECT("Altenpflegehelfer (m/w/d)", "5321", "Altenpflegehelfer");
	EXPECT("Pflegehelfer", "5321", "Pflegehelfer");
	EXPECT("Domiciliary Care Worker", "5322", "Domiciliary Care Worker");
}

static void
test_managers(void)
{
	EXPECT("Nursing Home Manager (RGN)", "1342", "Nursing Home Manager");
	EXPECT("nursing home administrator", "1342", "nursing home administrator");
	EXPECT("Registered Manager", "1342", "Registered Manager");
	EXPECT("Director of Nursing", "1342", "Director of Nursing");
}

static void
test_nurse_look_alikes(void)
{
	EXPECT("Nursery Nurse", "5311", "Nursery Nurse");
	EXPECT("Dental Nurse", "3251", "Dental Nurse");
	EXPECT("Veterinary Nurse", "3240", "Veterinary Nurse");
	EXPECT_NONE("nursery assistant");
}

static void
test_specialists(void)
{
	EXPECT("Consultant Psychiatrist", "2212", "Consultant Psychiatrist");
	EXPECT("Consultant in Emergency Medicine", "2212", "Consultant in Emergency Medicine");
	EXPECT("Specialty Doctor", "2212", "Specialty Doctor");
	EXPECT("Facharzt für Innere Medizin", "2212", "Facharzt");
	EXPECT("Oberarzt Kardiologie", "2212", "Oberarzt");
	EXPECT("Fachärztin für Psychiatrie", "2212", "Fachärztin");
}

static void
test_general_practitioners(void)
{
	EXPECT("Salaried GP", "2211", "GP");
	EXPECT("General Practitioner", "2211", "General Practitioner");
	EXPECT("Family Physician", "2211", "Family Physician");
	EXPECT("Facharzt für Allgemeinmedizin", "2211", "Allgemeinmedizin");
}

static void
test_doctors(void)
{
	EXPECT("Junior Doctor", "221", "Doctor");
	EXPECT("Medical Officer", "221", "Medical Officer");
	EXPECT("Assistenzarzt Chirurgie", "221", "Assistenzarzt");
	EXPECT("Arzt/Ärztin", "221", "Arzt");
	EXPECT("Resident Physician", "221", "Resident Physician");
}

static void
test_allied_health(void)
{
	EXPECT("Pharmacist", "2262", "Pharmacist");
	EXPECT("Apotheker (m/w/d)", "2262", "Apotheker");
	EXPECT("Physiotherapist", "2264", "Physiotherapist");
	EXPECT("Physiotherapeutin", "2264", "Physiotherapeutin");
	EXPECT("Dentist", "2261", "Dentist");
	EXPECT("Zahnarzt", "2261", "Zahnarzt");
	EXPECT("Diagnostic Radiographer", "3211", "Radiographer");
	EXPECT("Occupational Therapist", "2269", "Occupational Therapist");
}

static void
test_paramedics(void)
{
	EXPECT("Paramedic", "3258", "Paramedic");
	EXPECT("Advanced Paramedic Practitioner", "2240", "Advanced Paramedic");
	EXPECT("Physician Associate", "2240", "Physician Associate");
}

static void
test_not_health(void)
{
	EXPECT_NONE("Recruitment Consultant");
	EXPECT_NONE("career coach");
	EXPECT_NONE("we support our residents");
	EXPECT_NONE("IT Specialist");
}

static void
test_null_spans(void)
{
	struct occ *o;
	const char *t = "Registered Nurse";

	o = load();
	CU_ASSERT_STRING_EQUAL(occ_match(o, t, strlen(t), NULL, NULL), "2221");
	/* Only the first eight bytes, "Register": the text need not end in NUL. */
	CU_ASSERT_PTR_NULL(occ_match(o, t, 8, NULL, NULL));
	occ_free(o);
}

static void
test_map_isco08(void)
{
	struct occ *o;
	const char *got;

	o = load();
	CU_ASSERT_STRING_EQUAL(occ_map_code(o, "ISCO2008", "2221"), "2221");
	CU_ASSERT_STRING_EQUAL(occ_map_code(o, "ISCO-08", "3221"), "3221");
	CU_ASSERT_STRING_EQUAL(occ_map_code(o, "isco08", "221"), "221");
	got = occ_map_code(o, "http://ec.europa.eu/esco/ConceptScheme/ISCO2008", "C2221");
	CU_ASSERT_PTR_NOT_NULL(got);
	if (got != NULL)
		CU_ASSERT_STRING_EQUAL(got, "2221");
	got = occ_map_code(o, "ISCO2008", "http://data.europa.eu/esco/isco/C5321");
	CU_ASSERT_PTR_NOT_NULL(got);
	if (got != NULL)
		CU_ASSERT_STRING_EQUAL(got, "5321");
	CU_ASSERT_PTR_NULL(occ_map_code(o, "ISCO-08", "22211"));
	CU_ASSERT_PTR_NULL(occ_map_code(o, "ISCO-08", "nurse"));
	CU_ASSERT_PTR_NULL(occ_map_code(o, "ISCO-08", ""));
	occ_free(o);
}

static void
test_map_isco88(void)
{
	struct occ *o;

	o = load();
	CU_ASSERT_STRING_EQUAL(occ_map_code(o, "ISCO-88", "2230"), "222");
	CU_ASSERT_STRING_EQUAL(occ_map_code(o, "ISCO88", "2221"), "221");
	CU_ASSERT_STRING_EQUAL(occ_map_code(o, "ISCO1988", "3231"), "3221");
	CU_ASSERT_STRING_EQUAL(occ_map_code(o, "ISCO88", "5132"), "5321");
	CU_ASSERT_STRING_EQUAL(occ_map_code(o, "ISCO88", "3226"), "2264");
	/* Split between several ISCO-08 groups, so deliberately not in the table. */
	CU_ASSERT_PTR_NULL(occ_map_code(o, "ISCO88", "3221"));
	CU_ASSERT_PTR_NULL(occ_map_code(o, "ISCO88", "9999"));
	occ_free(o);
}

static void
test_map_unknown_list(void)
{
	struct occ *o;

	o = load();
	CU_ASSERT_PTR_NULL(occ_map_code(o, NULL, "2221"));
	CU_ASSERT_PTR_NULL(occ_map_code(o, "SOC2010", "2221"));
	CU_ASSERT_PTR_NULL(occ_map_code(o, "ISCO-08", NULL));
	occ_free(o);
}

/* Writes name in a fresh temporary directory; returns the directory (caller cleans up). */
static char *
write_tmp(const char *name, const char *content, char *path, size_t len)
{
	static char dir[64];
	FILE *f;

	strlcpy(dir, "/tmp/rw-occ-XXXXXX", sizeof(dir));
	if (mkdtemp(dir) == NULL)
		return NULL;
	snprintf(path, len, "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f == NULL)
		return NULL;
	fputs(content, f);
	fclose(f);
	return dir;
}

static void
test_bad_pattern_names_file_and_line(void)
{
	struct rw_error err;
	struct occ *o;
	char path[256], *dir;

	dir = write_tmp("occupations.tsv",
	    "# comment\n"
	    "2221\t\\bnurse\\b\tNurse\n"
	    "2222\t\\bmidwi(fe\tMidwife\n",
	    path, sizeof(path));
	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	rw_error_clear(&err);
	o = occ_load(dir, &err);
	CU_ASSERT_PTR_NULL(o);
	CU_ASSERT_STRING_EQUAL(err.source, path);
	CU_ASSERT_EQUAL(err.line, 3);
	/* The pattern starts in column 6; PCRE2 notices the missing ')' at its end. */
	CU_ASSERT_EQUAL(err.col, 6 + (long)strlen("\\bmidwi(fe"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "pattern"));
	occ_free(o);
	unlink(path);
	rmdir(dir);
}

static void
test_bad_fields_and_codes(void)
{
	struct rw_error err;
	struct occ *o;
	char path[256], *dir;

	dir = write_tmp("occupations.tsv", "\n2221 \\bnurse\\b Nurse with spaces, not tabs\n", path,
	    sizeof(path));
	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	o = occ_load(dir, &err);
	CU_ASSERT_PTR_NULL(o);
	CU_ASSERT_STRING_EQUAL(err.source, path);
	CU_ASSERT_EQUAL(err.line, 2);
	unlink(path);
	rmdir(dir);

	dir = write_tmp("occupations.tsv", "22210\t\\bnurse\\b\tNurse\n", path, sizeof(path));
	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	o = occ_load(dir, &err);
	CU_ASSERT_PTR_NULL(o);
	CU_ASSERT_EQUAL(err.line, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "22210"));
	unlink(path);
	rmdir(dir);
}

static void
test_missing_map_file(void)
{
	struct rw_error err;
	struct occ *o;
	char path[256], want[300], *dir;

	/* occupations.tsv is fine but isco88-08.tsv is absent: the error names the missing file. */
	dir = write_tmp("occupations.tsv", "2221\t\\bnurse\\b\tNurse\n", path, sizeof(path));
	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	o = occ_load(dir, &err);
	CU_ASSERT_PTR_NULL(o);
	snprintf(want, sizeof(want), "%s/isco88-08.tsv", dir);
	CU_ASSERT_STRING_EQUAL(err.source, want);
	unlink(path);
	rmdir(dir);
}

static const struct cu_test tests[] = {
    {"registered_nurse", test_registered_nurse},
    {"specialist_nurses", test_specialist_nurses},
    {"nurse_before_carer", test_nurse_before_carer},
    {"bare_nurse_after_carer", test_bare_nurse_after_carer},
    {"german_nurses", test_german_nurses},
    {"nursing_associates", test_nursing_associates},
    {"midwife", test_midwife},
    {"care_workers", test_care_workers},
    {"managers", test_managers},
    {"nurse_look_alikes", test_nurse_look_alikes},
    {"specialists", test_specialists},
    {"general_practitioners", test_general_practitioners},
    {"doctors", test_doctors},
    {"allied_health", test_allied_health},
    {"paramedics", test_paramedics},
    {"not_health", test_not_health},
    {"null_spans", test_null_spans},
    {"map_isco08", test_map_isco08},
    {"map_isco88", test_map_isco88},
    {"map_unknown_list", test_map_unknown_list},
    {"bad_pattern_names_file_and_line", test_bad_pattern_names_file_and_line},
    {"bad_fields_and_codes", test_bad_fields_and_codes},
    {"missing_map_file", test_missing_map_file},
    {NULL, NULL},
};

RW_CU_MAIN("occupation", tests)
