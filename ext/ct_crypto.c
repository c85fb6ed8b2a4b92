/*
** ct_crypto.c — SHA-256 and RSA PKCS#1 v1.5 / SHA-256 verification for
** cloudtrail_sha256() and cloudtrail_validate(), delegated to OpenSSL's
** libcrypto (the project writes no cryptography of its own).  libcrypto
** allocates with its own allocator: its memory functions are process-wide,
** so a loadable extension must not replace them.  Without libcrypto
** (CT_HAVE_CRYPTO=0) every function here fails and callers report
** CT_CRYPTO_MISSING.
*/
#include "ct_crypto.h"
SQLITE_EXTENSION_INIT3
#include <string.h>

#if CT_HAVE_CRYPTO
#include <openssl/evp.h>
#include <openssl/err.h>
#include <openssl/x509.h>

struct CtSha { EVP_MD_CTX *ctx; };
struct CtPubKey { EVP_PKEY *pKey; };

/* Copy libcrypto's oldest queued error into a new string (or a fallback
** text) and empty the thread's queue so no stale error outlives the call. */
static char *ctCryptoWhy(const char *zWhat){
  char zBuf[256];
  unsigned long e = ERR_get_error();
  char *z;
  if( e ){
    ERR_error_string_n(e, zBuf, sizeof(zBuf));
    z = sqlite3_mprintf("%s (%s)", zWhat, zBuf);
  }else{
    z = sqlite3_mprintf("%s", zWhat);
  }
  ERR_clear_error();
  return z;
}

/* A fresh SHA-256 context, or 0 when out of memory. */
CtSha *ctShaNew(void){
  CtSha *p = sqlite3_malloc64(sizeof(*p));
  if( p==0 ) return 0;
  p->ctx = EVP_MD_CTX_new();
  if( p->ctx==0 || EVP_DigestInit_ex(p->ctx, EVP_sha256(), 0)!=1 ){
    ERR_clear_error();
    ctShaFree(p);
    return 0;
  }
  return p;
}

void ctShaUpdate(CtSha *p, const void *z, size_t n){
  if( n ) EVP_DigestUpdate(p->ctx, z, n);
}

/* Finish: write the digest as 64 lowercase hex digits and a NUL. */
void ctShaHex(CtSha *p, char *zOut){
  static const char zHex[] = "0123456789abcdef";
  unsigned char a[EVP_MAX_MD_SIZE];
  unsigned int n = 0, i;
  EVP_DigestFinal_ex(p->ctx, a, &n);
  for(i=0; i<n && i<CT_SHA256_HEX/2; i++){
    zOut[2*i] = zHex[a[i]>>4];
    zOut[2*i+1] = zHex[a[i]&15];
  }
  zOut[2*i] = 0;
}

void ctShaFree(CtSha *p){
  if( p==0 ) return;
  EVP_MD_CTX_free(p->ctx);
  sqlite3_free(p);
}

/* Decode standard base64 (padding required, no whitespace) into a new
** buffer; *pn gets the length.  0 on bad input, with *pzWhy set. */
static unsigned char *ctBase64Decode(const char *z, size_t n, size_t *pn,
                                     char **pzWhy){
  unsigned char *a;
  int nOut;
  if( n==0 || n%4!=0 || n>0x7fffffff ){
    *pzWhy = sqlite3_mprintf("public key value is not base64 (length %llu)",
                             (unsigned long long)n);
    return 0;
  }
  a = sqlite3_malloc64(n/4*3 + 1);
  if( a==0 ) return 0;
  nOut = EVP_DecodeBlock(a, (const unsigned char*)z, (int)n);
  if( nOut<0 ){
    sqlite3_free(a);
    *pzWhy = ctCryptoWhy("public key value is not base64");
    return 0;
  }
  /* EVP_DecodeBlock counts the bytes that '=' padding stands for. */
  if( z[n-1]=='=' ) nOut--;
  if( z[n-2]=='=' ) nOut--;
  *pn = (size_t)nOut;
  return a;
}

/*
** The RSA public key whose DER bytes are base64 text z[0..n), as
** `aws cloudtrail list-public-keys` prints a key's Value.  AWS documents a
** PKCS#1 RSAPublicKey; a SubjectPublicKeyInfo (what `openssl rsa -pubout`
** writes) is accepted too.  Every byte must belong to the key.  Returns 0
** with *pzWhy set (or 0 for out of memory) if there is no RSA key.
*/
CtPubKey *ctPubKeyFromBase64(const char *z, size_t n, char **pzWhy){
  size_t nDer = 0;
  unsigned char *aDer;
  *pzWhy = 0;
  aDer = ctBase64Decode(z, n, &nDer, pzWhy);
  const unsigned char *p;
  EVP_PKEY *pKey;
  CtPubKey *pRet;
  if( aDer==0 ) return 0;
  p = aDer;
  pKey = d2i_PUBKEY(0, &p, (long)nDer);
  if( pKey==0 || p!=aDer+nDer ){
    EVP_PKEY_free(pKey);
    ERR_clear_error();
    p = aDer;
    pKey = d2i_PublicKey(EVP_PKEY_RSA, 0, &p, (long)nDer);
    if( pKey && p!=aDer+nDer ){ EVP_PKEY_free(pKey); pKey = 0; }
  }
  sqlite3_free(aDer);
  if( pKey==0 || EVP_PKEY_base_id(pKey)!=EVP_PKEY_RSA ){
    EVP_PKEY_free(pKey);
    *pzWhy = ctCryptoWhy("public key value is not a DER RSA public key");
    return 0;
  }
  pRet = sqlite3_malloc64(sizeof(*pRet));
  if( pRet==0 ){ EVP_PKEY_free(pKey); return 0; }
  pRet->pKey = pKey;
  return pRet;
}

void ctPubKeyFree(CtPubKey *p){
  if( p==0 ) return;
  EVP_PKEY_free(p->pKey);
  sqlite3_free(p);
}

/*
** Check the RSA PKCS#1 v1.5 signature aSig over SHA-256(zMsg), as Java's
** SHA256withRSA (CloudTrail's digestSignatureAlgorithm) makes it.
** CT_SIG_VALID or CT_SIG_INVALID (*pzWhy may then say why); SQLITE_NOMEM.
*/
int ctRsaSha256Verify(CtPubKey *pKey, const char *zMsg, size_t nMsg,
                      const unsigned char *aSig, size_t nSig, char **pzWhy){
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  int rc;
  *pzWhy = 0;
  if( ctx==0 ) return SQLITE_NOMEM;
  if( EVP_DigestVerifyInit(ctx, 0, EVP_sha256(), 0, pKey->pKey)!=1 ){
    EVP_MD_CTX_free(ctx);
    *pzWhy = ctCryptoWhy("cannot start RSA verification");
    return CT_SIG_INVALID;
  }
  rc = EVP_DigestVerify(ctx, aSig, nSig, (const unsigned char*)zMsg, nMsg);
  EVP_MD_CTX_free(ctx);
  ERR_clear_error();           /* a bad signature queues an error too */
  return rc==1 ? CT_SIG_VALID : CT_SIG_INVALID;
}

#else /* !CT_HAVE_CRYPTO: stubs; callers check ctShaNew() and report. */

CtSha *ctShaNew(void){ return 0; }
void ctShaUpdate(CtSha *p, const void *z, size_t n){ (void)p; (void)z; (void)n; }
void ctShaHex(CtSha *p, char *zOut){ (void)p; zOut[0] = 0; }
void ctShaFree(CtSha *p){ (void)p; }
CtPubKey *ctPubKeyFromBase64(const char *z, size_t n, char **pzWhy){
  (void)z; (void)n;
  *pzWhy = sqlite3_mprintf("built without libcrypto");
  return 0;
}
void ctPubKeyFree(CtPubKey *p){ (void)p; }
int ctRsaSha256Verify(CtPubKey *pKey, const char *zMsg, size_t nMsg,
                      const unsigned char *aSig, size_t nSig, char **pzWhy){
  (void)pKey; (void)zMsg; (void)nMsg; (void)aSig; (void)nSig;
  *pzWhy = sqlite3_mprintf("built without libcrypto");
  return CT_SIG_INVALID;
}
#endif
