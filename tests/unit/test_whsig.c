/* Unit tests for whsig.c: the expected signatures were computed independently with Python's
 * hmac module (commands in the comments), not taken from the code under test. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "cu.h"
#include "whsig.h"

/* The key is the bytes 0x01..0x20:
 * python3 -c 'import base64; print("whsec_"+base64.b64encode(bytes(range(1,33))).decode())' */
#define SECRET "whsec_AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA="
#define MSG_ID "evt_0123abcd"
#define TS 1795946400 /* 2026-11-29T10:00:00Z */
#define BODY "{\"id\":\"evt_0123abcd\",\"type\":\"finding.opened\"}"
/* python3 -c 'import hmac,hashlib,base64; k=bytes(range(1,33));
 *   m=b"evt_0123abcd.1795946400.{\"id\":\"evt_0123abcd\",\"type\":\"finding.opened\"}";
 *   print(base64.b64encode(hmac.new(k,m,hashlib.sha256).digest()).decode())' */
#define SIG "v1,eYHhqfsUMvQq9ZwaTeXRoB9emF6+zfaCYxF1w0ZsewY="

/* The same body under another key, bytes 100..124 (25 bytes):
 * python3 -c 'import hmac,hashlib,base64; k=bytes(range(100,125)); print("whsec_"+
 *   base64.b64encode(k).decode()); m=b"evt_0123abcd.1795946400.{...same body...}";
 *   print(base64.b64encode(hmac.new(k,m,hashlib.sha256).digest()).decode())' */
#define SECRET2 "whsec_ZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7fA=="
#define SIG2 "v1,HZ/FNkJxkhnB31M+ewOMP8LSXk5NwctmMMynV17rri0="

static void
test_sign_vector(void)
{
	struct rw_error err;
	char out[128];

	CU_ASSERT_EQUAL(
	    whsig_sign(SECRET, MSG_ID, TS, BODY, strlen(BODY), out, sizeof(out), &err), 0);
	CU_ASSERT_STRING_EQUAL(out, SIG);
	CU_ASSERT_EQUAL(
	    whsig_sign(SECRET2, MSG_ID, TS, BODY, strlen(BODY), out, sizeof(out), &err), 0);
	CU_ASSERT_STRING_EQUAL(out, SIG2);
	/* too small a buffer is an error, not a truncated signature */
	CU_ASSERT_EQUAL(whsig_sign(SECRET, MSG_ID, TS, BODY, strlen(BODY), out, 20, &err), -1);
}

/* The test vector the Standard Webhooks reference libraries use (a 24-byte key, the shortest
 * allowed), recomputed with:
 * python3 -c 'import hmac,hashlib,base64; k=base64.b64decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
 *   print(base64.b64encode(hmac.new(k,b"msg_p5jXN8AQM9LWM0D4loKWxJek.1614265330.{\"test\": 2432232314}",
 *   hashlib.sha256).digest()).decode())' */
static void
test_reference_vector(void)
{
	const char *body = "{\"test\": 2432232314}";
	struct rw_error err;
	char out[128];

	CU_ASSERT_EQUAL(
	    whsig_sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek",
		1614265330, body, strlen(body), out, sizeof(out), &err),
	    0);
	CU_ASSERT_STRING_EQUAL(out, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
}

static void
test_verify(void)
{
	const char *b = BODY;
	size_t n = strlen(BODY);

	CU_ASSERT_EQUAL(whsig_verify(SECRET, MSG_ID, TS, b, n, SIG), 1);
	/* among several: before, after, with extra spaces */
	CU_ASSERT_EQUAL(whsig_verify(SECRET, MSG_ID, TS, b, n, SIG2 " " SIG), 1);
	CU_ASSERT_EQUAL(whsig_verify(SECRET, MSG_ID, TS, b, n, SIG " " SIG2), 1);
	CU_ASSERT_EQUAL(whsig_verify(SECRET, MSG_ID, TS, b, n, "  v1,abc  " SIG "  "), 1);
	CU_ASSERT_EQUAL(whsig_verify(SECRET2, MSG_ID, TS, b, n, SIG " " SIG2), 1);
	/* the other key's signature alone */
	CU_ASSERT_EQUAL(whsig_verify(SECRET, MSG_ID, TS, b, n, SIG2), 0);
	/* changed body, timestamp, id */
	CU_ASSERT_EQUAL(whsig_verify(SECRET, MSG_ID, TS, b, n - 1, SIG), 0);
	CU_ASSERT_EQUAL(whsig_verify(SECRET, MSG_ID, TS,
			    "{\"id\":\"evt_0123abcd\",\"type\":\"finding.openeD\"}", n, SIG),
	    0);
	CU_ASSERT_EQUAL(whsig_verify(SECRET, MSG_ID, TS + 1, b, n, SIG), 0);
	CU_ASSERT_EQUAL(whsig_verify(SECRET, "evt_0123abce", TS, b, n, SIG), 0);
	/* another scheme version with the same bytes, a truncated one, none */
	CU_ASSERT_EQUAL(whsig_verify(SECRET, MSG_ID, TS, b, n,
			    "v2,eYHhqfsUMvQq9ZwaTeXRoB9emF6+zfaCYxF1w0ZsewY="),
	    0);
	CU_ASSERT_EQUAL(whsig_verify(SECRET, MSG_ID, TS, b, n,
			    "v1,eYHhqfsUMvQq9ZwaTeXRoB9emF6+zfaCYxF1w0ZsewY"),
	    0);
	CU_ASSERT_EQUAL(
	    whsig_verify(SECRET, MSG_ID, TS, b, n, "eYHhqfsUMvQq9ZwaTeXRoB9emF6+zfaCYxF1w0ZsewY="),
	    0);
	CU_ASSERT_EQUAL(whsig_verify(SECRET, MSG_ID, TS, b, n, ""), 0);
	CU_ASSERT_EQUAL(whsig_verify(SECRET, MSG_ID, TS, b, n, NULL), 0);
	/* a bad secret is -1, not "no match" */
	CU_ASSERT_EQUAL(
	    whsig_verify("AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=", MSG_ID, TS, b, n, SIG),
	    -1);
}

static void
test_bad_secrets(void)
{
	static const char *const bad[] = {
	    NULL,
	    "",
	    "whsec_",
	    /* no prefix */
	    "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=",
	    "WHSEC_AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=",
	    /* not base64: a character outside the alphabet, a length not a multiple of 4 */
	    "whsec_AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eH!A=",
	    "whsec_AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA",
	    /* 23 bytes (base64.b64encode(bytes(23))) */
	    "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
	    /* 65 bytes (base64.b64encode(bytes(65))) */
	    "whsec_"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	    "A=",
	    /* 66 bytes, no padding: 88 'A's */
	    "whsec_"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	    "AA",
	    /* padding in the middle */
	    "whsec_AQIDBAUGBwgJCgsM=Q4PEBESExQVFhcYGRobHB0eHyA=",
	};
	struct rw_error err;
	char out[128];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&err, 0, sizeof(err));
		CU_ASSERT_EQUAL(
		    whsig_sign(bad[i], MSG_ID, TS, BODY, strlen(BODY), out, sizeof(out), &err), -1);
		CU_ASSERT(err.msg[0] != '\0');
		/* the message never repeats the secret */
		if (bad[i] != NULL && strlen(bad[i]) > 6)
			CU_ASSERT_PTR_NULL(strstr(err.msg, bad[i] + 6));
		CU_ASSERT_EQUAL(whsig_verify(bad[i], MSG_ID, TS, BODY, strlen(BODY), SIG), -1);
	}
	/* the bounds themselves are allowed: 24 bytes (bytes(range(24))), and 64 (bytes(64)) */
	CU_ASSERT_EQUAL(whsig_sign("whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYX", MSG_ID, TS, BODY,
			    strlen(BODY), out, sizeof(out), &err),
	    0);
	CU_ASSERT_EQUAL(whsig_sign("whsec_"
				   "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
				   "AAAAAAAAAAAAAAAAAAAAAAA==",
			    MSG_ID, TS, BODY, strlen(BODY), out, sizeof(out), &err),
	    0);
}

static void
test_new_secret(void)
{
	unsigned char key[64];
	struct rw_error err;
	char s1[64], s2[64], sig[128];

	CU_ASSERT_EQUAL(whsig_new_secret(s1, sizeof(s1)), 0);
	CU_ASSERT_EQUAL(whsig_new_secret(s2, sizeof(s2)), 0);
	CU_ASSERT_EQUAL(strncmp(s1, "whsec_", 6), 0);
	/* base64 of 32 bytes is 44 characters, one '=' of padding */
	CU_ASSERT_EQUAL(strlen(s1), 6 + 44);
	CU_ASSERT_EQUAL(s1[strlen(s1) - 1], '=');
	CU_ASSERT_EQUAL(EVP_DecodeBlock(key, (const unsigned char *)s1 + 6, 44), 33);
	CU_ASSERT_STRING_NOT_EQUAL(s1, s2);
	CU_ASSERT_EQUAL(whsig_sign(s1, MSG_ID, TS, BODY, strlen(BODY), sig, sizeof(sig), &err), 0);
	CU_ASSERT_EQUAL(whsig_verify(s1, MSG_ID, TS, BODY, strlen(BODY), sig), 1);
	CU_ASSERT_EQUAL(whsig_verify(s2, MSG_ID, TS, BODY, strlen(BODY), sig), 0);
	CU_ASSERT_EQUAL(whsig_new_secret(s1, 50), -1);
	CU_ASSERT_EQUAL(whsig_new_secret(s1, 51), 0);
}

static const struct cu_test tests[] = {
    {"sign_vector", test_sign_vector},
    {"reference_vector", test_reference_vector},
    {"verify", test_verify},
    {"bad_secrets", test_bad_secrets},
    {"new_secret", test_new_secret},
    {NULL, NULL},
};

RW_CU_MAIN("whsig", tests)
