//! RFC 4757 rc4-hmac (etype 23) and the hmac-md5 checksum (-138).

use hmac::{Hmac, KeyInit, Mac};
use md5::{Digest, Md5};
use rc4::{Rc4, StreamCipher};
use sha1::Sha1;
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, Zeroizing};

use super::{CryptoError, DerivedKeyKind};

const CKSUM: usize = 16;
const CONF: usize = 8;

/// RFC 4757 §3 key-usage translation (as implemented by Windows and MIT).
pub(crate) fn ms_usage(usage: u32) -> u32 {
    match usage {
        3 => 8,
        9 => 8,
        23 => 13,
        u => u,
    }
}

fn hmac_md5(key: &[u8]) -> Hmac<Md5> {
    match <Hmac<Md5> as KeyInit>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => <Hmac<Md5> as KeyInit>::new(&Default::default()),
    }
}

fn ksign(key: &[u8]) -> Zeroizing<[u8; 16]> {
    let mut m = hmac_md5(key);
    m.update(b"signaturekey\0");
    Zeroizing::new(m.finalize().into_bytes().into())
}

fn k1(key: &[u8], t: u32) -> Zeroizing<[u8; 16]> {
    let mut m = hmac_md5(key);
    m.update(&t.to_le_bytes());
    Zeroizing::new(m.finalize().into_bytes().into())
}

/// hmac-md5 (-138): HMAC-MD5(Ksign, MD5(T_le | data)), Ksign = HMAC-MD5(K, "signaturekey\0").
pub(crate) fn hmac_md5_checksum(key: &[u8], usage: u32, data: &[u8]) -> Vec<u8> {
    let ks = ksign(key);
    checksum_with(&hmac_md5(&ks[..]), ms_usage(usage), data)
}

fn checksum_with(ksign_mac: &Hmac<Md5>, t: u32, data: &[u8]) -> Vec<u8> {
    let mut h = Md5::new();
    h.update(t.to_le_bytes());
    h.update(data);
    let tmp = h.finalize();
    let mut m = ksign_mac.clone();
    m.update(&tmp);
    m.finalize().into_bytes().to_vec()
}

/// PRF for rc4-hmac as MIT krb5 defines it: HMAC-SHA1(K, input).
pub(crate) fn prf(key: &[u8], input: &[u8]) -> Vec<u8> {
    let mut m = match <Hmac<Sha1> as KeyInit>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => <Hmac<Sha1> as KeyInit>::new(&Default::default()),
    };
    m.update(input);
    m.finalize().into_bytes().to_vec()
}

pub(crate) fn derive_raw(key: &[u8], usage: u32, kind: DerivedKeyKind) -> Zeroizing<Vec<u8>> {
    match kind {
        DerivedKeyKind::Checksum => Zeroizing::new(ksign(key).to_vec()),
        _ => Zeroizing::new(k1(key, ms_usage(usage)).to_vec()),
    }
}

/// Cached per-usage state: K1 (= K2 for the non-export variant) as a keyed
/// HMAC-MD5 state, and Ksign for checksums.
pub(crate) struct Rc4Usage {
    k1: Hmac<Md5>,
    ksign: Hmac<Md5>,
    t: u32,
}

impl Rc4Usage {
    pub(crate) fn new(key: &[u8], usage: u32) -> Self {
        let t = ms_usage(usage);
        let k1 = k1(key, t);
        let ks = ksign(key);
        Rc4Usage {
            k1: hmac_md5(&k1[..]),
            ksign: hmac_md5(&ks[..]),
            t,
        }
    }

    fn k3(&self, cksum: &[u8]) -> Rc4 {
        let mut m = self.k1.clone();
        m.update(cksum);
        let mut k3: [u8; 16] = m.finalize().into_bytes().into();
        let c = match Rc4::new_from_slice(&k3) {
            Ok(c) => c,
            Err(_) => Rc4::new(&Default::default()),
        };
        k3.zeroize();
        c
    }

    /// checksum(16) | RC4(K3, confounder(8) | plaintext).
    pub(crate) fn encrypt(&self, conf: &[u8; 16], plaintext: &[u8], out: &mut Vec<u8>) {
        out.clear();
        out.reserve(CKSUM + CONF + plaintext.len());
        out.extend_from_slice(&[0u8; CKSUM]);
        out.extend_from_slice(conf.get(..CONF).unwrap_or(&[0u8; CONF]));
        out.extend_from_slice(plaintext);
        let (ck, body) = out.split_at_mut(CKSUM);
        let mut m = self.k1.clone();
        m.update(body);
        let cksum = m.finalize().into_bytes();
        self.k3(&cksum).apply_keystream(body);
        ck.copy_from_slice(&cksum);
    }

    pub(crate) fn decrypt(&self, ciphertext: &[u8], out: &mut Vec<u8>) -> Result<(), CryptoError> {
        out.clear();
        if ciphertext.len() < CKSUM + CONF {
            return Err(CryptoError::CiphertextTooShort);
        }
        let (cksum, body) = ciphertext.split_at(CKSUM);
        let (conf_ct, data) = body.split_at(CONF);
        let mut rc4 = self.k3(cksum);
        let mut conf = [0u8; CONF];
        conf.copy_from_slice(conf_ct);
        rc4.apply_keystream(&mut conf);
        out.extend_from_slice(data);
        rc4.apply_keystream(out);
        let mut m = self.k1.clone();
        m.update(&conf);
        m.update(out);
        let expected = m.finalize().into_bytes();
        conf.zeroize();
        if bool::from(expected.as_slice().ct_eq(cksum)) {
            Ok(())
        } else {
            out.zeroize();
            out.clear();
            Err(CryptoError::IntegrityCheckFailed)
        }
    }

    pub(crate) fn checksum(&self, data: &[u8]) -> Vec<u8> {
        checksum_with(&self.ksign, self.t, data)
    }
}
