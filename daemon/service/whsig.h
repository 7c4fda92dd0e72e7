/* Webhook signatures in the manner of the Standard Webhooks specification: HMAC-SHA256 over
 * "id.timestamp.body" with a "whsec_"-prefixed base64 secret, sent as "v1,<base64>". */
#ifndef RW_WHSIG_H
#define RW_WHSIG_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* out receives "v1,<base64 signature>"; -1 with err when the secret is not valid
 * ("whsec_" + base64 of 24..64 bytes). Several space-separated secrets (during a rotation)
 * give one signature each, space-separated in the same order. */
int whsig_sign(const char *secret, const char *msg_id, int64_t timestamp, const char *body,
    size_t len, char *out, size_t outlen, struct rw_error *err);
/* 1 when one of the space-separated "v1,..." signatures in header matches, 0 when none does,
 * -1 on a bad secret. The comparison takes constant time. */
int whsig_verify(const char *secret, const char *msg_id, int64_t timestamp, const char *body,
    size_t len, const char *header);
/* A fresh random secret "whsec_" + base64 of 32 bytes. */
int whsig_new_secret(char *out, size_t outlen);

#endif
