//! RSASSA-PKCS1-v1_5 with SHA-1 (RFC 8017 §8.2), for legacy verifiers only.
//!
//! aws-lc-rs signs SHA-2 digests but offers no SHA-1 digest signing, so this one path
//! calls AWS-LC's `EVP_PKEY_sign` through aws-lc-sys (the same AWS-LC build aws-lc-rs
//! links). It is the only `unsafe` code in Signet outside the PKCS#11 FFI crates.

use crate::CryptoError;

/// Signs a 20-byte SHA-1 digest with the RSA key in `pkcs8` (PKCS#8 DER).
pub(super) fn sign(pkcs8: &[u8], digest: &[u8]) -> Result<Vec<u8>, CryptoError> {
    if digest.len() != 20 {
        return Err(CryptoError::DigestLength { hash: "sha1", expected: 20, found: digest.len() });
    }
    sign_with_aws_lc(pkcs8, digest).ok_or(CryptoError::Operation("SHA-1 RSA signing"))
}

#[allow(unsafe_code)]
fn sign_with_aws_lc(pkcs8: &[u8], digest: &[u8]) -> Option<Vec<u8>> {
    use aws_lc_sys as lc;
    use std::ptr::null_mut;

    /// Frees what was allocated, on every path out.
    struct Guard {
        pkey: *mut lc::EVP_PKEY,
        ctx: *mut lc::EVP_PKEY_CTX,
    }
    impl Drop for Guard {
        fn drop(&mut self) {
            // SAFETY: both pointers are either null (accepted by the free functions) or
            // were returned by the matching AWS-LC constructor and are freed exactly once.
            // EVP_PKEY_free cleanses the private key material (OPENSSL_free zeroizes).
            unsafe {
                lc::EVP_PKEY_CTX_free(self.ctx);
                lc::EVP_PKEY_free(self.pkey);
            }
        }
    }

    // SAFETY: `cbs` borrows `pkcs8` only for the parse call; every pointer returned by
    // AWS-LC is checked for null before use and released by `Guard`; `sig` is sized from
    // the first EVP_PKEY_sign call (which reports the maximum length) before the second
    // writes into it, and truncated to the length that call reports.
    unsafe {
        let mut cbs = std::mem::MaybeUninit::<lc::CBS>::uninit();
        lc::CBS_init(cbs.as_mut_ptr(), pkcs8.as_ptr(), pkcs8.len());
        let mut cbs = cbs.assume_init();
        let mut guard = Guard { pkey: lc::EVP_parse_private_key(&mut cbs), ctx: null_mut() };
        if guard.pkey.is_null() || lc::EVP_PKEY_id(guard.pkey) != lc::EVP_PKEY_RSA {
            return None;
        }
        guard.ctx = lc::EVP_PKEY_CTX_new(guard.pkey, null_mut());
        if guard.ctx.is_null()
            || lc::EVP_PKEY_sign_init(guard.ctx) != 1
            || lc::EVP_PKEY_CTX_set_rsa_padding(guard.ctx, lc::RSA_PKCS1_PADDING) != 1
            || lc::EVP_PKEY_CTX_set_signature_md(guard.ctx, lc::EVP_sha1()) != 1
        {
            return None;
        }
        let mut len = 0usize;
        if lc::EVP_PKEY_sign(guard.ctx, null_mut(), &mut len, digest.as_ptr(), digest.len()) != 1 {
            return None;
        }
        let mut sig = vec![0u8; len];
        if lc::EVP_PKEY_sign(guard.ctx, sig.as_mut_ptr(), &mut len, digest.as_ptr(), digest.len())
            != 1
        {
            return None;
        }
        sig.truncate(len);
        Some(sig)
    }
}
