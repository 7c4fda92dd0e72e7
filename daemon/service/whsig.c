/* Standard Webhooks signatures: HMAC-SHA256 of "id.timestamp.body" under the key a "whsec_"
 * secret carries in base64, sent and checked as "v1,<base64>". */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "whsig.h"

#define WHSIG_PREFIX "whsec_"
#define WHSIG_KEY_MIN 24
#define WHSIG_KEY_MAX 64
#define WHSIG_NEW_KEY 32
/* "whsec_" and the base64 of the longest key, with room to spare */
#define WHSIG_SECRET_MAX 128
#define WHSIG_MAC_LEN 32
#define WHSIG_B64_ALPHABET "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
/* base64 of a 32-byte MAC: 44 characters */
#define WHSIG_B64_LEN (4 * ((WHSIG_MAC_LEN + 2) / 3))

/* Decodes the secret's key into key[WHSIG_KEY_MAX]; the reason stays generic so that no part
 * of the secret reaches a log. */
static int
whsig_key(const char *secret, unsigned char *key, size_t *keylen, const char **why)
{
	unsigned char buf[4 * ((WHSIG_KEY_MAX + 2) / 3)];
	const char *b64;
	size_t len, pad;
	int n;

	if (secret == NULL || strncmp(secret, WHSIG_PREFIX, strlen(WHSIG_PREFIX)) != 0) {
		*why = "it does not start with \"" WHSIG_PREFIX "\"";
		return -1;
	}
	b64 = secret + strlen(WHSIG_PREFIX);
	len = strlen(b64);
	if (len == 0 || len % 4 != 0 || len > sizeof(buf)) {
		*why = "its key is not base64 of 24 to 64 bytes";
		return -1;
	}
	/* EVP_DecodeBlock takes '=' anywhere for zero bits and counts the padding as bytes of
	 * output: allow it only at the end, and take it off the length again. */
	pad = 0;
	if (b64[len - 1] == '=')
		pad++;
	if (b64[len - 2] == '=')
		pad++;
	if (strspn(b64, WHSIG_B64_ALPHABET) != len - pad) {
		*why = "its key is not valid base64";
		return -1;
	}
	n = EVP_DecodeBlock(buf, (const unsigned char *)b64, (int)len);
	if (n < 0 || (size_t)n < pad) {
		OPENSSL_cleanse(buf, sizeof(buf));
		*why = "its key is not valid base64";
		return -1;
	}
	*keylen = (size_t)n - pad;
	if (*keylen < WHSIG_KEY_MIN || *keylen > WHSIG_KEY_MAX) {
		OPENSSL_cleanse(buf, sizeof(buf));
		*why = "its key is not 24 to 64 bytes long";
		return -1;
	}
	memcpy(key, buf, *keylen);
	OPENSSL_cleanse(buf, sizeof(buf));
	return 0;
}

/* b64 receives the NUL-terminated base64 MAC (WHSIG_B64_LEN characters). */
static int
whsig_mac(const unsigned char *key, size_t keylen, const char *msg_id, int64_t timestamp,
    const char *body, size_t len, char *b64)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	char ts[32];
	char digest[] = "SHA256";
	OSSL_PARAM params[2];
	EVP_MAC *m;
	EVP_MAC_CTX *ctx = NULL;
	size_t maclen = 0;
	int rc = -1;

	snprintf(ts, sizeof(ts), "%" PRId64, timestamp);
	if ((m = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL)
		return -1;
	if ((ctx = EVP_MAC_CTX_new(m)) == NULL)
		goto out;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!EVP_MAC_init(ctx, key, keylen, params) ||
	    !EVP_MAC_update(ctx, (const unsigned char *)msg_id, strlen(msg_id)) ||
	    !EVP_MAC_update(ctx, (const unsigned char *)".", 1) ||
	    !EVP_MAC_update(ctx, (const unsigned char *)ts, strlen(ts)) ||
	    !EVP_MAC_update(ctx, (const unsigned char *)".", 1) ||
	    !EVP_MAC_update(ctx, (const unsigned char *)body, len) ||
	    !EVP_MAC_final(ctx, mac, &maclen, sizeof(mac)) || maclen != WHSIG_MAC_LEN)
		goto out;
	EVP_EncodeBlock((unsigned char *)b64, mac, (int)maclen);
	rc = 0;
out:
	OPENSSL_cleanse(mac, sizeof(mac));
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(m);
	return rc;
}

/* One secret's signature: "v1,<base64>". */
static int
whsig_sign_one(const char *secret, const char *msg_id, int64_t timestamp, const char *body,
    size_t len, char *out, size_t outlen, struct rw_error *err)
{
	unsigned char key[WHSIG_KEY_MAX];
	char b64[WHSIG_B64_LEN + 1];
	const char *why = NULL;
	size_t keylen;
	int rc;

	if (whsig_key(secret, key, &keylen, &why) != 0) {
		rw_error_set(err, "webhook", 0, 0, "the signing secret is not valid: %s", why);
		return -1;
	}
	rc = whsig_mac(key, keylen, msg_id, timestamp, body, len, b64);
	OPENSSL_cleanse(key, sizeof(key));
	if (rc != 0) {
		rw_error_set(err, "webhook", 0, 0, "cannot compute the HMAC-SHA256 signature");
		return -1;
	}
	if ((size_t)snprintf(out, outlen, "v1,%s", b64) >= outlen) {
		rw_error_set(err, "webhook", 0, 0, "no room for the signature");
		return -1;
	}
	return 0;
}

int
whsig_sign(const char *secret, const char *msg_id, int64_t timestamp, const char *body, size_t len,
    char *out, size_t outlen, struct rw_error *err)
{
	char one[WHSIG_SECRET_MAX];
	const char *sp;
	size_t n, used;

	/* Several space-separated secrets (a rotation in progress): one signature each. */
	if (secret == NULL || (sp = strchr(secret, ' ')) == NULL)
		return whsig_sign_one(secret, msg_id, timestamp, body, len, out, outlen, err);
	if (outlen == 0) {
		rw_error_set(err, "webhook", 0, 0, "no room for the signature");
		return -1;
	}
	out[0] = '\0';
	for (; *secret != '\0'; secret = sp) {
		while (*secret == ' ')
			secret++;
		if (*secret == '\0')
			break;
		if ((sp = strchr(secret, ' ')) == NULL)
			sp = secret + strlen(secret);
		n = (size_t)(sp - secret);
		if (n >= sizeof(one)) {
			rw_error_set(err, "webhook", 0, 0,
			    "the signing secret is not valid: it is too long");
			return -1;
		}
		memcpy(one, secret, n);
		one[n] = '\0';
		used = strlen(out);
		if (used > 0 && used + 1 < outlen)
			out[used++] = ' ';
		if (whsig_sign_one(one, msg_id, timestamp, body, len, out + used,
			outlen > used ? outlen - used : 0, err) != 0) {
			OPENSSL_cleanse(one, sizeof(one));
			return -1;
		}
	}
	OPENSSL_cleanse(one, sizeof(one));
	if (out[0] == '\0') {
		rw_error_set(err, "webhook", 0, 0, "the signing secret is not valid: it is empty");
		return -1;
	}
	return 0;
}

int
whsig_verify(const char *secret, const char *msg_id, int64_t timestamp, const char *body,
    size_t len, const char *header)
{
	unsigned char key[WHSIG_KEY_MAX];
	char want[WHSIG_B64_LEN + 1];
	const char *p, *end, *why = NULL;
	size_t keylen, toklen;
	int rc, found = 0;

	if (whsig_key(secret, key, &keylen, &why) != 0)
		return -1;
	rc = whsig_mac(key, keylen, msg_id, timestamp, body, len, want);
	OPENSSL_cleanse(key, sizeof(key));
	if (rc != 0)
		return -1;
	if (header == NULL)
		return 0;
	/* Every candidate is compared, so the time taken says nothing about which one matched. */
	for (p = header; *p != '\0'; p = end) {
		while (*p == ' ')
			p++;
		for (end = p; *end != '\0' && *end != ' '; end++)
			;
		toklen = (size_t)(end - p);
		if (toklen != 3 + WHSIG_B64_LEN || strncmp(p, "v1,", 3) != 0)
			continue;
		if (CRYPTO_memcmp(p + 3, want, WHSIG_B64_LEN) == 0)
			found = 1;
	}
	return found;
}

int
whsig_new_secret(char *out, size_t outlen)
{
	unsigned char key[WHSIG_NEW_KEY];
	char b64[4 * ((WHSIG_NEW_KEY + 2) / 3) + 1];

	if (outlen < strlen(WHSIG_PREFIX) + sizeof(b64))
		return -1;
	if (RAND_bytes(key, sizeof(key)) != 1)
		return -1;
	EVP_EncodeBlock((unsigned char *)b64, key, sizeof(key));
	OPENSSL_cleanse(key, sizeof(key));
	snprintf(out, outlen, "%s%s", WHSIG_PREFIX, b64);
	OPENSSL_cleanse(b64, sizeof(b64));
	return 0;
}
