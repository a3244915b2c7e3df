//! String-to-key for every enctype: PBKDF2 + DK (RFC 3962), PBKDF2 + KDF
//! (RFC 8009), NT hash (RFC 4757).

use md4::{Digest, Md4};
use sha2::{Sha256, Sha384};
use zeroize::Zeroizing;

use super::profile::{Aes128Sha1, Aes128Sha256, Aes256Sha1, Aes256Sha384, AesProfile};
use super::{CryptoError, EncryptionType, Key};

/// Largest PBKDF2 iteration count accepted from s2kparams (a DoS guard:
/// the KDC, or an attacker posing as it, chooses this number).
pub(crate) const MAX_ITERATIONS: u32 = 1 << 24;

fn iterations(params: Option<&[u8]>, default: u32) -> Result<u32, CryptoError> {
    let n = match params {
        None => default,
        Some(p) => {
            let b: [u8; 4] = p.try_into().map_err(|_| CryptoError::BadS2kParams)?;
            u32::from_be_bytes(b)
        }
    };
    if n > MAX_ITERATIONS {
        return Err(CryptoError::IterationCountTooLarge(n));
    }
    Ok(n)
}

pub(crate) fn string_to_key(
    etype: EncryptionType,
    password: &str,
    salt: &[u8],
    params: Option<&[u8]>,
) -> Result<Key, CryptoError> {
    let pw = password.as_bytes();
    match etype {
        EncryptionType::Aes128CtsHmacSha196 | EncryptionType::Aes256CtsHmacSha196 => {
            let iter = iterations(params, 4096)?;
            if iter == 0 {
                // RFC 3962 §4: a count of 0 means 2^32, far above the limit.
                return Err(CryptoError::IterationCountTooLarge(0));
            }
            let n = etype.key_size();
            let mut tkey = Zeroizing::new([0u8; 32]);
            let t = tkey.get_mut(..n).ok_or(CryptoError::BadKeyLength)?;
            // Two interleaved chains for 32-byte output (see pbkdf2x2).
            super::pbkdf2x2::pbkdf2_hmac_sha1(pw, salt, iter, t);
            let mut key = Zeroizing::new([0u8; 32]);
            let k = key.get_mut(..n).ok_or(CryptoError::BadKeyLength)?;
            if n == 32 {
                let d = Aes256Sha1::deriver(t);
                Aes256Sha1::derive_label(&d, b"kerberos", k);
            } else {
                let d = Aes128Sha1::deriver(t);
                Aes128Sha1::derive_label(&d, b"kerberos", k);
            }
            Key::from_bytes(etype, k)
        }
        EncryptionType::Aes128CtsHmacSha256128 | EncryptionType::Aes256CtsHmacSha384192 => {
            let iter = iterations(params, 32768)?;
            if iter == 0 {
                return Err(CryptoError::BadS2kParams);
            }
            let n = etype.key_size();
            let mut saltp = Vec::with_capacity(etype.name().len() + 1 + salt.len());
            saltp.extend_from_slice(etype.name().as_bytes());
            saltp.push(0);
            saltp.extend_from_slice(salt);
            let mut tkey = Zeroizing::new([0u8; 32]);
            let t = tkey.get_mut(..n).ok_or(CryptoError::BadKeyLength)?;
            let mut key = Zeroizing::new([0u8; 32]);
            let k = key.get_mut(..n).ok_or(CryptoError::BadKeyLength)?;
            if n == 16 {
                pbkdf2::pbkdf2_hmac::<Sha256>(pw, &saltp, iter, t);
                let d = Aes128Sha256::deriver(t);
                Aes128Sha256::derive_label(&d, b"kerberos", k);
            } else {
                pbkdf2::pbkdf2_hmac::<Sha384>(pw, &saltp, iter, t);
                let d = Aes256Sha384::deriver(t);
                Aes256Sha384::derive_label(&d, b"kerberos", k);
            }
            Key::from_bytes(etype, k)
        }
        EncryptionType::Rc4Hmac => {
            if params.is_some_and(|p| !p.is_empty()) {
                return Err(CryptoError::BadS2kParams);
            }
            let _ = salt;
            let mut h = Md4::new();
            for unit in password.encode_utf16() {
                h.update(unit.to_le_bytes());
            }
            let mut d = h.finalize();
            let k = Key::from_bytes(etype, &d);
            zeroize::Zeroize::zeroize(d.as_mut_slice());
            k
        }
    }
}
