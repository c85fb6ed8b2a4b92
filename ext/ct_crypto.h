/*
** ct_crypto.h — SHA-256 and RSA signature checks, through OpenSSL's
** libcrypto.  Nothing here implements cryptography; it adapts libcrypto to
** the extension's memory and error conventions.  A build without libcrypto
** (make CRYPTO=0) compiles these as stubs that report CT_CRYPTO_MISSING.
*/
#ifndef CT_CRYPTO_H
#define CT_CRYPTO_H
#include <stddef.h>
#include "sqlite3ext.h"

#ifndef CT_HAVE_CRYPTO
# define CT_HAVE_CRYPTO 0
#endif

/* The error of every crypto-backed function in a build without libcrypto;
** %s is the function's name. */
#define CT_CRYPTO_MISSING "cloudtrail: %s needs OpenSSL's libcrypto, and this " \
  "build has none (install libssl-dev and rebuild with CRYPTO=1)"

/* Hex digits of a SHA-256 value (two per byte of the 32-byte digest). */
#define CT_SHA256_HEX 64

typedef struct CtSha CtSha;

CtSha *ctShaNew(void);
void ctShaUpdate(CtSha *p, const void *z, size_t n);
void ctShaHex(CtSha *p, char *zOut);
void ctShaFree(CtSha *p);

typedef struct CtPubKey CtPubKey;
CtPubKey *ctPubKeyFromBase64(const char *z, size_t n, char **pzWhy);
void ctPubKeyFree(CtPubKey *p);

#define CT_SIG_VALID   0
#define CT_SIG_INVALID 1
int ctRsaSha256Verify(CtPubKey *pKey, const char *zMsg, size_t nMsg,
                      const unsigned char *aSig, size_t nSig, char **pzWhy);

#endif
