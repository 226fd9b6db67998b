// OpenSSL's libcrypto, for its SHA-256 (EVP digest API). Everything used imports as is; the shim
// only names the headers.
#ifndef VMATCH_CCRYPTO_SHIM_H
#define VMATCH_CCRYPTO_SHIM_H
#include <openssl/err.h>
#include <openssl/evp.h>
#endif
