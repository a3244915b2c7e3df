//! The two AES profiles as one trait: RFC 3961/3962 (DK with AES, HMAC-SHA1
//! over the plaintext) and RFC 8009 (KDF-HMAC-SHA2, HMAC over IV | C).

use aes::cipher::{BlockCipherDecrypt, BlockCipherEncrypt, KeyInit, consts::U16};
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Sha256, Sha384};
use zeroize::Zeroizing;

use super::cts::MacMode;
use super::nfold::{self, usage_constant};

/// Derived-key buffer (big enough for every AES profile key).
pub(crate) type KeyBuf = Zeroizing<[u8; 32]>;

pub(crate) fn new_keybuf() -> KeyBuf {
    Zeroizing::new([0u8; 32])
}

pub(crate) trait AesProfile {
    type Enc: KeyInit + BlockCipherEncrypt<BlockSize = U16>;
    type Dec: KeyInit + BlockCipherDecrypt<BlockSize = U16>;
    type Both: KeyInit + BlockCipherEncrypt<BlockSize = U16> + BlockCipherDecrypt<BlockSize = U16>;
    type M: Mac + KeyInit + Clone;
    /// Whatever derivation needs from the base key (an AES schedule or a keyed HMAC).
    type Deriver;

    const KEY_LEN: usize;
    /// Length of Ki and Kc.
    const MAC_KEY_LEN: usize;
    const MAC_LEN: usize;
    const MODE: MacMode;

    fn deriver(base: &[u8]) -> Self::Deriver;
    /// Derive the key for (usage, kind) into `out` (its length is the key length).
    fn derive_usage(d: &Self::Deriver, usage: u32, kind: u8, out: &mut [u8]);
    /// Derive a key from an arbitrary label (e.g. "kerberos", "prf").
    fn derive_label(d: &Self::Deriver, label: &[u8], out: &mut [u8]);
}

/// DR of RFC 3961 §5.1 for AES: encrypt the (16-byte) constant with the base
/// key, then keep encrypting the previous output until enough bytes exist.
fn dr_aes<C: BlockCipherEncrypt<BlockSize = U16>>(base: &C, constant: &[u8; 16], out: &mut [u8]) {
    let mut block = aes::cipher::array::Array(*constant);
    for chunk in out.chunks_mut(16) {
        base.encrypt_block(&mut block);
        if let Some(src) = block.get(..chunk.len()) {
            chunk.copy_from_slice(src);
        }
    }
    zeroize::Zeroize::zeroize(&mut block.0);
}

macro_rules! sha1_profile {
    ($name:ident, $etype:expr, $enc:ty, $dec:ty, $both:ty, $klen:expr) => {
        pub(crate) struct $name;
        impl AesProfile for $name {
            type Enc = $enc;
            type Dec = $dec;
            type Both = $both;
            type M = Hmac<Sha1>;
            type Deriver = $enc;
            const KEY_LEN: usize = $klen;
            const MAC_KEY_LEN: usize = $klen;
            const MAC_LEN: usize = 12;
            const MODE: MacMode = MacMode::OverPlaintext;

            fn deriver(base: &[u8]) -> Self::Deriver {
                let mut k = aes::cipher::Key::<$enc>::default();
                if let Some(src) = base.get(..$klen) {
                    k.copy_from_slice(src);
                }
                let c = <$enc>::new(&k);
                zeroize::Zeroize::zeroize(&mut k.0);
                c
            }
            fn derive_usage(d: &Self::Deriver, usage: u32, kind: u8, out: &mut [u8]) {
                dr_aes(d, &usage_constant(usage, kind), out);
            }
            fn derive_label(d: &Self::Deriver, label: &[u8], out: &mut [u8]) {
                let mut c = [0u8; 16];
                nfold::nfold_into(label, &mut c);
                dr_aes(d, &c, out);
            }
        }
    };
}

sha1_profile!(
    Aes128Sha1,
    EncryptionType::Aes128CtsHmacSha196,
    aes::Aes128Enc,
    aes::Aes128Dec,
    aes::Aes128,
    16
);
sha1_profile!(
    Aes256Sha1,
    EncryptionType::Aes256CtsHmacSha196,
    aes::Aes256Enc,
    aes::Aes256Dec,
    aes::Aes256,
    32
);

/// KDF-HMAC-SHA2 of RFC 8009 §3 with a pre-keyed HMAC:
/// k-truncate(HMAC(key, 00000001 | label | 00 | context | k)), k in bits.
pub(crate) fn kdf_hmac_sha2<M: Mac + Clone>(
    keyed: &M,
    label: &[u8],
    context: &[u8],
    out: &mut [u8],
) {
    let mut m = keyed.clone();
    m.update(&1u32.to_be_bytes());
    m.update(label);
    m.update(&[0u8]);
    m.update(context);
    let bits = (out.len() as u32).wrapping_mul(8);
    m.update(&bits.to_be_bytes());
    let full = m.finalize().into_bytes();
    if let Some(src) = full.get(..out.len()) {
        out.copy_from_slice(src);
    }
}

macro_rules! sha2_profile {
    ($name:ident, $etype:expr, $enc:ty, $dec:ty, $both:ty, $digest:ty, $klen:expr, $mlen:expr) => {
        pub(crate) struct $name;
        impl AesProfile for $name {
            type Enc = $enc;
            type Dec = $dec;
            type Both = $both;
            type M = Hmac<$digest>;
            type Deriver = Hmac<$digest>;
            const KEY_LEN: usize = $klen;
            const MAC_KEY_LEN: usize = $mlen;
            const MAC_LEN: usize = $mlen;
            const MODE: MacMode = MacMode::OverIvAndCiphertext;

            fn deriver(base: &[u8]) -> Self::Deriver {
                // HMAC accepts keys of any length; this cannot fail.
                match Hmac::<$digest>::new_from_slice(base) {
                    Ok(m) => m,
                    Err(_) => Hmac::<$digest>::new(&Default::default()),
                }
            }
            fn derive_usage(d: &Self::Deriver, usage: u32, kind: u8, out: &mut [u8]) {
                let u = usage.to_be_bytes();
                let label = [u[0], u[1], u[2], u[3], kind];
                kdf_hmac_sha2(d, &label, &[], out);
            }
            fn derive_label(d: &Self::Deriver, label: &[u8], out: &mut [u8]) {
                kdf_hmac_sha2(d, label, &[], out);
            }
        }
    };
}

sha2_profile!(
    Aes128Sha256,
    EncryptionType::Aes128CtsHmacSha256128,
    aes::Aes128Enc,
    aes::Aes128Dec,
    aes::Aes128,
    Sha256,
    16,
    16
);
sha2_profile!(
    Aes256Sha384,
    EncryptionType::Aes256CtsHmacSha384192,
    aes::Aes256Enc,
    aes::Aes256Dec,
    aes::Aes256,
    Sha384,
    32,
    24
);

/// Build a cipher of type `C` from derived key bytes.
pub(crate) fn cipher_from<C: KeyInit>(bytes: &[u8]) -> C {
    let mut k = aes::cipher::Key::<C>::default();
    let n = k.len().min(bytes.len());
    if let (Some(dst), Some(src)) = (k.get_mut(..n), bytes.get(..n)) {
        dst.copy_from_slice(src);
    }
    let c = C::new(&k);
    zeroize::Zeroize::zeroize(k.as_mut_slice());
    c
}

/// Build a keyed MAC state from derived key bytes.
pub(crate) fn mac_state<M: Mac + KeyInit>(bytes: &[u8]) -> M {
    match <M as KeyInit>::new_from_slice(bytes) {
        Ok(m) => m,
        Err(_) => <M as KeyInit>::new(&Default::default()),
    }
}
