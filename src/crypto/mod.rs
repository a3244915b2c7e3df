//! RFC 3961 crypto framework and the profiles a modern client needs:
//!
//! | etype | name | spec |
//! |---|---|---|
//! | 17 | aes128-cts-hmac-sha1-96 | RFC 3962 |
//! | 18 | aes256-cts-hmac-sha1-96 | RFC 3962 |
//! | 19 | aes128-cts-hmac-sha256-128 | RFC 8009 |
//! | 20 | aes256-cts-hmac-sha384-192 | RFC 8009 |
//! | 23 | rc4-hmac (weak, legacy) | RFC 4757 |
//!
//! * [`Key`] is a protocol key (from bytes, a password or the RNG) with
//!   one-shot `encrypt`/`decrypt`/`checksum`/`prf` that derive the usage keys
//!   on every call (only the ones the operation needs).
//! * [`Key::for_usage`] returns a [`UsageKey`] that derives Ke/Ki/Kc once and
//!   keeps the AES schedules and *keyed* HMAC states; use it whenever a key
//!   and usage protect more than one message (sessions, GSS wrap).
//! * `*_into` variants write into a caller's `Vec`, reusing its capacity.
//! * [`cf2`] is KRB-FX-CF2 (RFC 6113), [`nfold`] the RFC 3961 n-fold,
//!   [`aes_cts_encrypt`]/[`aes_cts_decrypt`] the raw Kerberos CTS mode.
//!
//! # Speed
//! The confounder comes from `rand::rng()` (ChaCha12, seeded once per thread
//! from the OS). Encryption copies the plaintext once into the output and
//! runs AES-CBC and HMAC in one loop (64-byte interleave, 4 KiB chunks);
//! decryption uses the parallel CBC decryptor. AES-NI / SHA-NI are picked at
//! run time by the RustCrypto crates; [`backend_report`] says which.
//!
//! # Secrets
//! Keys and derived keys are wiped on drop (`zeroize`, and the RustCrypto
//! `zeroize` features for AES schedules and HMAC states). `Debug` never
//! prints key bytes. MACs are compared in constant time.

mod cts;
mod nfold;
mod pbkdf2x2;
mod profile;
mod rc4hmac;
mod s2k;

use std::fmt;

use hmac::Mac;
use rand::Rng;
use sha1::{Digest, Sha1};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

pub use nfold::nfold;

use cts::MacMode;
use profile::{Aes128Sha1, Aes128Sha256, Aes256Sha1, Aes256Sha384, AesProfile};

/// Errors of the crypto layer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CryptoError {
    /// The encryption type number is not implemented here.
    #[error("unsupported encryption type {0}")]
    UnsupportedEtype(i32),
    /// The checksum type number is not implemented here.
    #[error("unsupported checksum type {0}")]
    UnsupportedChecksumType(i32),
    /// A checksum type that needs a key of another encryption type.
    #[error("checksum type {checksum} cannot be used with a key of encryption type {etype}")]
    ChecksumKeyMismatch {
        /// The checksum type number.
        checksum: i32,
        /// The key's encryption type number.
        etype: i32,
    },
    /// Key material of the wrong length for the encryption type.
    #[error("key has the wrong length for its encryption type")]
    BadKeyLength,
    /// Ciphertext or checksum failed verification.
    #[error("integrity check failed")]
    IntegrityCheckFailed,
    /// Ciphertext shorter than confounder plus MAC.
    #[error("ciphertext too short")]
    CiphertextTooShort,
    /// Malformed string-to-key parameters (wrong length, or a zero count for RFC 8009).
    #[error("malformed string-to-key parameters")]
    BadS2kParams,
    /// The s2kparams ask for more than 2^24 PBKDF2 iterations (0 means 2^32 in RFC 3962).
    #[error("string-to-key iteration count {0} exceeds the limit of 2^24 (0 means 2^32)")]
    IterationCountTooLarge(u32),
    /// A confounder of the wrong length was supplied.
    #[error("confounder must be {0} bytes")]
    BadConfounderLength(usize),
    /// The raw CTS functions need at least one block.
    #[error("CTS input must be at least 16 bytes")]
    CtsInputTooShort,
}

/// Kerberos encryption types implemented by this module.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum EncryptionType {
    /// aes128-cts-hmac-sha1-96 (RFC 3962).
    Aes128CtsHmacSha196 = 17,
    /// aes256-cts-hmac-sha1-96 (RFC 3962).
    Aes256CtsHmacSha196 = 18,
    /// aes128-cts-hmac-sha256-128 (RFC 8009).
    Aes128CtsHmacSha256128 = 19,
    /// aes256-cts-hmac-sha384-192 (RFC 8009).
    Aes256CtsHmacSha384192 = 20,
    /// rc4-hmac (RFC 4757). Weak; for legacy interop only.
    Rc4Hmac = 23,
}

impl EncryptionType {
    /// Every implemented encryption type, strongest first.
    pub const ALL: [EncryptionType; 5] = [
        EncryptionType::Aes256CtsHmacSha384192,
        EncryptionType::Aes128CtsHmacSha256128,
        EncryptionType::Aes256CtsHmacSha196,
        EncryptionType::Aes128CtsHmacSha196,
        EncryptionType::Rc4Hmac,
    ];

    /// The IANA number.
    pub const fn id(self) -> i32 {
        self as i32
    }

    /// The name used in krb5.conf and (for RFC 8009) in the s2k salt.
    pub const fn name(self) -> &'static str {
        match self {
            EncryptionType::Aes128CtsHmacSha196 => "aes128-cts-hmac-sha1-96",
            EncryptionType::Aes256CtsHmacSha196 => "aes256-cts-hmac-sha1-96",
            EncryptionType::Aes128CtsHmacSha256128 => "aes128-cts-hmac-sha256-128",
            EncryptionType::Aes256CtsHmacSha384192 => "aes256-cts-hmac-sha384-192",
            EncryptionType::Rc4Hmac => "arcfour-hmac",
        }
    }

    /// True for enctypes that should not be used unless a peer needs them (RC4).
    pub const fn is_weak(self) -> bool {
        matches!(self, EncryptionType::Rc4Hmac)
    }

    /// Protocol key length in bytes.
    pub const fn key_size(self) -> usize {
        match self {
            EncryptionType::Aes128CtsHmacSha196
            | EncryptionType::Aes128CtsHmacSha256128
            | EncryptionType::Rc4Hmac => 16,
            EncryptionType::Aes256CtsHmacSha196 | EncryptionType::Aes256CtsHmacSha384192 => 32,
        }
    }

    /// Confounder length in bytes (16 for AES, 8 for RC4).
    pub const fn confounder_size(self) -> usize {
        match self {
            EncryptionType::Rc4Hmac => 8,
            _ => 16,
        }
    }

    /// Length of the integrity tag appended (or prepended, RC4) to ciphertexts.
    pub const fn mac_size(self) -> usize {
        match self {
            EncryptionType::Aes128CtsHmacSha196 | EncryptionType::Aes256CtsHmacSha196 => 12,
            EncryptionType::Aes128CtsHmacSha256128 | EncryptionType::Rc4Hmac => 16,
            EncryptionType::Aes256CtsHmacSha384192 => 24,
        }
    }

    /// Ciphertext length for a plaintext of `plaintext_len` bytes.
    pub const fn ciphertext_len(self, plaintext_len: usize) -> usize {
        plaintext_len + self.confounder_size() + self.mac_size()
    }

    /// PRF output length in bytes.
    pub const fn prf_size(self) -> usize {
        match self {
            EncryptionType::Aes128CtsHmacSha196 | EncryptionType::Aes256CtsHmacSha196 => 16,
            EncryptionType::Aes128CtsHmacSha256128 => 32,
            EncryptionType::Aes256CtsHmacSha384192 => 48,
            EncryptionType::Rc4Hmac => 20,
        }
    }

    /// Default PBKDF2 iteration count (None for RC4, which has no iterations).
    pub const fn default_iterations(self) -> Option<u32> {
        match self {
            EncryptionType::Aes128CtsHmacSha196 | EncryptionType::Aes256CtsHmacSha196 => Some(4096),
            EncryptionType::Aes128CtsHmacSha256128 | EncryptionType::Aes256CtsHmacSha384192 => {
                Some(32768)
            }
            EncryptionType::Rc4Hmac => None,
        }
    }

    /// Default s2kparams (the 4-byte big-endian iteration count; empty for RC4).
    pub fn default_s2kparams(self) -> Vec<u8> {
        match self.default_iterations() {
            Some(n) => n.to_be_bytes().to_vec(),
            None => Vec::new(),
        }
    }

    /// The enctype's mandatory checksum type (RFC 3961 §4, RFC 8009, RFC 4757).
    pub const fn checksum_type(self) -> ChecksumType {
        match self {
            EncryptionType::Aes128CtsHmacSha196 => ChecksumType::HmacSha196Aes128,
            EncryptionType::Aes256CtsHmacSha196 => ChecksumType::HmacSha196Aes256,
            EncryptionType::Aes128CtsHmacSha256128 => ChecksumType::HmacSha256128Aes128,
            EncryptionType::Aes256CtsHmacSha384192 => ChecksumType::HmacSha384192Aes256,
            EncryptionType::Rc4Hmac => ChecksumType::HmacMd5,
        }
    }
}

impl TryFrom<i32> for EncryptionType {
    type Error = CryptoError;
    fn try_from(v: i32) -> Result<Self, CryptoError> {
        Ok(match v {
            17 => EncryptionType::Aes128CtsHmacSha196,
            18 => EncryptionType::Aes256CtsHmacSha196,
            19 => EncryptionType::Aes128CtsHmacSha256128,
            20 => EncryptionType::Aes256CtsHmacSha384192,
            23 => EncryptionType::Rc4Hmac,
            other => return Err(CryptoError::UnsupportedEtype(other)),
        })
    }
}

impl fmt::Display for EncryptionType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Keyed checksum types.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum ChecksumType {
    /// hmac-sha1-96-aes128 (15), needs an aes128-cts-hmac-sha1-96 key.
    HmacSha196Aes128 = 15,
    /// hmac-sha1-96-aes256 (16), needs an aes256-cts-hmac-sha1-96 key.
    HmacSha196Aes256 = 16,
    /// hmac-sha256-128-aes128 (19), needs an aes128-cts-hmac-sha256-128 key.
    HmacSha256128Aes128 = 19,
    /// hmac-sha384-192-aes256 (20), needs an aes256-cts-hmac-sha384-192 key.
    HmacSha384192Aes256 = 20,
    /// hmac-md5 (-138, RFC 4757 / MS-KILE). Works with a key of any type
    /// (e.g. MS-SFU PA-FOR-USER always uses it).
    HmacMd5 = -138,
}

impl ChecksumType {
    /// The IANA number.
    pub const fn id(self) -> i32 {
        self as i32
    }

    /// Checksum length in bytes.
    pub const fn size(self) -> usize {
        match self {
            ChecksumType::HmacSha196Aes128 | ChecksumType::HmacSha196Aes256 => 12,
            ChecksumType::HmacSha256128Aes128 | ChecksumType::HmacMd5 => 16,
            ChecksumType::HmacSha384192Aes256 => 24,
        }
    }

    /// The encryption type whose keys this checksum needs (None: any key).
    pub const fn required_etype(self) -> Option<EncryptionType> {
        match self {
            ChecksumType::HmacSha196Aes128 => Some(EncryptionType::Aes128CtsHmacSha196),
            ChecksumType::HmacSha196Aes256 => Some(EncryptionType::Aes256CtsHmacSha196),
            ChecksumType::HmacSha256128Aes128 => Some(EncryptionType::Aes128CtsHmacSha256128),
            ChecksumType::HmacSha384192Aes256 => Some(EncryptionType::Aes256CtsHmacSha384192),
            ChecksumType::HmacMd5 => None,
        }
    }
}

impl TryFrom<i32> for ChecksumType {
    type Error = CryptoError;
    fn try_from(v: i32) -> Result<Self, CryptoError> {
        Ok(match v {
            15 => ChecksumType::HmacSha196Aes128,
            16 => ChecksumType::HmacSha196Aes256,
            19 => ChecksumType::HmacSha256128Aes128,
            20 => ChecksumType::HmacSha384192Aes256,
            -138 => ChecksumType::HmacMd5,
            other => return Err(CryptoError::UnsupportedChecksumType(other)),
        })
    }
}

/// A key usage number (RFC 4120 §7.5.1 and later documents).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub struct KeyUsage(pub u32);

impl KeyUsage {
    /// AS-REQ PA-ENC-TIMESTAMP padata timestamp (client key).
    pub const AS_REQ_PA_ENC_TIMESTAMP: KeyUsage = KeyUsage(1);
    /// Ticket EncTicketPart (service key).
    pub const KDC_REP_TICKET: KeyUsage = KeyUsage(2);
    /// AS-REP encrypted part (client key).
    pub const AS_REP_ENC_PART: KeyUsage = KeyUsage(3);
    /// TGS-REQ KDC-REQ-BODY AuthorizationData (session key).
    pub const TGS_REQ_AD_SESSION_KEY: KeyUsage = KeyUsage(4);
    /// TGS-REQ KDC-REQ-BODY AuthorizationData (authenticator subkey).
    pub const TGS_REQ_AD_SUBKEY: KeyUsage = KeyUsage(5);
    /// TGS-REQ PA-TGS-REQ authenticator checksum (session key).
    pub const TGS_REQ_AUTH_CKSUM: KeyUsage = KeyUsage(6);
    /// TGS-REQ PA-TGS-REQ authenticator (session key).
    pub const TGS_REQ_AUTH: KeyUsage = KeyUsage(7);
    /// TGS-REP encrypted part (session key).
    pub const TGS_REP_ENC_PART_SESSION_KEY: KeyUsage = KeyUsage(8);
    /// TGS-REP encrypted part (authenticator subkey).
    pub const TGS_REP_ENC_PART_SUBKEY: KeyUsage = KeyUsage(9);
    /// AP-REQ authenticator checksum (session key).
    pub const AP_REQ_AUTH_CKSUM: KeyUsage = KeyUsage(10);
    /// AP-REQ authenticator (session key).
    pub const AP_REQ_AUTH: KeyUsage = KeyUsage(11);
    /// AP-REP encrypted part (session key).
    pub const AP_REP_ENC_PART: KeyUsage = KeyUsage(12);
    /// KRB-PRIV encrypted part.
    pub const KRB_PRIV_ENC_PART: KeyUsage = KeyUsage(13);
    /// KRB-CRED encrypted part.
    pub const KRB_CRED_ENC_PART: KeyUsage = KeyUsage(14);
    /// KRB-SAFE checksum.
    pub const KRB_SAFE_CKSUM: KeyUsage = KeyUsage(15);
    /// Application-specific / MS "KERB_NON_KERB_SALT" (16).
    pub const KERB_NON_KERB_SALT: KeyUsage = KeyUsage(16);
    /// MS "KERB_NON_KERB_CKSUM_SALT" (17): MS-SFU PA-FOR-USER checksum.
    pub const KERB_NON_KERB_CKSUM_SALT: KeyUsage = KeyUsage(17);
    /// MS-SFU PA-FOR-USER checksum (alias of 17).
    pub const PA_FOR_USER_CKSUM: KeyUsage = KeyUsage(17);
    /// AD-KDC-ISSUED checksum (RFC 4120).
    pub const AD_KDC_ISSUED_CKSUM: KeyUsage = KeyUsage(19);
    /// GSS-API (RFC 4121) acceptor seal.
    pub const GSS_ACCEPTOR_SEAL: KeyUsage = KeyUsage(22);
    /// GSS-API (RFC 4121) acceptor sign.
    pub const GSS_ACCEPTOR_SIGN: KeyUsage = KeyUsage(23);
    /// GSS-API (RFC 4121) initiator seal.
    pub const GSS_INITIATOR_SEAL: KeyUsage = KeyUsage(24);
    /// GSS-API (RFC 4121) initiator sign.
    pub const GSS_INITIATOR_SIGN: KeyUsage = KeyUsage(25);
    /// MS-SFU PA-S4U-X509-USER checksum.
    pub const PA_S4U_X509_USER: KeyUsage = KeyUsage(26);
    /// RFC 6113 KrbFastReq checksum (armor key).
    pub const KEY_USAGE_FAST_REQ_CHKSUM: KeyUsage = KeyUsage(50);
    /// RFC 6113 KrbFastArmoredReq enc-fast-req.
    pub const KEY_USAGE_FAST_ENC: KeyUsage = KeyUsage(51);
    /// RFC 6113 KrbFastArmoredRep enc-fast-rep.
    pub const KEY_USAGE_FAST_REP: KeyUsage = KeyUsage(52);
    /// RFC 6113 KrbFastFinished ticket checksum.
    pub const KEY_USAGE_FAST_FINISHED: KeyUsage = KeyUsage(53);
    /// RFC 6113 PA-ENC-CHALLENGE from the client.
    pub const KEY_USAGE_ENC_CHALLENGE_CLIENT: KeyUsage = KeyUsage(54);
    /// RFC 6113 PA-ENC-CHALLENGE from the KDC.
    pub const KEY_USAGE_ENC_CHALLENGE_KDC: KeyUsage = KeyUsage(55);
    /// RFC 6113 armored AS-REQ checksum.
    pub const KEY_USAGE_AS_REQ: KeyUsage = KeyUsage(56);
}

impl From<u32> for KeyUsage {
    fn from(v: u32) -> Self {
        KeyUsage(v)
    }
}

/// Which derived key [`Key::derive_usage_key`] returns.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum DerivedKeyKind {
    /// Kc (constant 0x99), for checksums.
    Checksum,
    /// Ke (constant 0xAA), for encryption.
    Encryption,
    /// Ki (constant 0x55), for the ciphertext MAC.
    Integrity,
}

impl DerivedKeyKind {
    fn constant(self) -> u8 {
        match self {
            DerivedKeyKind::Checksum => nfold::KIND_CHECKSUM,
            DerivedKeyKind::Encryption => nfold::KIND_ENCRYPT,
            DerivedKeyKind::Integrity => nfold::KIND_INTEGRITY,
        }
    }
}

/// A Kerberos protocol key. Wiped on drop; `Debug` shows only the enctype.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Key {
    #[zeroize(skip)]
    etype: EncryptionType,
    len: usize,
    bytes: [u8; 32],
    /// Derived keys kept per usage (see [`Key::remember_derived_keys`]), shared by clones.
    #[zeroize(skip)]
    derived: Option<std::sync::Arc<DerivedKeys>>,
}

/// The most usages a key remembers derived keys for; more are derived afresh each time.
const MAX_REMEMBERED_USAGES: usize = 16;

/// The [`UsageKey`]s of a long-lived key, by usage number.
#[derive(Default)]
struct DerivedKeys(std::sync::Mutex<Vec<(u32, std::sync::Arc<UsageKey>)>>);

impl DerivedKeys {
    fn get(&self, key: &Key, usage: KeyUsage) -> Option<std::sync::Arc<UsageKey>> {
        let mut slots = self.0.lock().ok()?;
        if let Some((_, u)) = slots.iter().find(|(n, _)| *n == usage.0) {
            return Some(u.clone());
        }
        if slots.len() >= MAX_REMEMBERED_USAGES {
            return None;
        }
        let u = std::sync::Arc::new(key.for_usage(usage));
        slots.push((usage.0, u.clone()));
        Some(u)
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Key")
            .field("etype", &self.etype)
            .finish_non_exhaustive()
    }
}

/// Constant-time comparison of etype and key bytes.
impl PartialEq for Key {
    fn eq(&self, other: &Self) -> bool {
        self.etype == other.etype && bool::from(self.as_bytes().ct_eq(other.as_bytes()))
    }
}
impl Eq for Key {}

fn fresh_confounder() -> [u8; 16] {
    let mut c = [0u8; 16];
    rand::rng().fill_bytes(&mut c);
    c
}

impl Key {
    /// Wrap raw key bytes (the protocol key, e.g. from a keytab or a KDC reply).
    pub fn from_bytes(etype: EncryptionType, bytes: &[u8]) -> Result<Key, CryptoError> {
        if bytes.len() != etype.key_size() {
            return Err(CryptoError::BadKeyLength);
        }
        let mut k = Key {
            etype,
            len: bytes.len(),
            bytes: [0u8; 32],
            derived: None,
        };
        if let Some(dst) = k.bytes.get_mut(..bytes.len()) {
            dst.copy_from_slice(bytes);
        }
        Ok(k)
    }

    /// String-to-key. `salt` is ignored for RC4. `s2kparams` is the 4-byte
    /// big-endian PBKDF2 iteration count for the AES enctypes (None: the
    /// default, 4096 or 32768); counts above 2^24 are refused, and so is 0
    /// for RFC 3962 (it means 2^32 there). RC4 accepts only None or empty.
    pub fn from_password(
        etype: EncryptionType,
        password: &str,
        salt: &[u8],
        s2kparams: Option<&[u8]>,
    ) -> Result<Key, CryptoError> {
        s2k::string_to_key(etype, password, salt, s2kparams)
    }

    /// A fresh random key (random-to-key is the identity for all enctypes here).
    pub fn random(etype: EncryptionType) -> Key {
        let mut k = Key {
            etype,
            len: etype.key_size(),
            bytes: [0u8; 32],
            derived: None,
        };
        if let Some(dst) = k.bytes.get_mut(..etype.key_size()) {
            rand::rng().fill_bytes(dst);
        }
        k
    }

    /// Keep the derived keys (Ke/Ki/Kc, expanded) of each usage this key is used with, shared
    /// by its clones, as MIT krb5 does for a `krb5_key`: for keys used many times, such as a TGT
    /// session key (PA-TGS-REQ authenticator, body checksum and reply, for every service
    /// ticket) or a service ticket's session key. [`encrypt`](Self::encrypt),
    /// [`decrypt`](Self::decrypt) and [`checksum`](Self::checksum) then skip the key
    /// derivations after the first use of a usage (at most 16 usages are kept). Keys are used
    /// once (reply keys, subkeys) are better left without: they would only pay for the
    /// bookkeeping. Session keys of tickets from the exchanges remember their derived keys.
    #[must_use]
    pub fn remember_derived_keys(mut self) -> Self {
        if self.derived.is_none() {
            self.derived = Some(std::sync::Arc::default());
        }
        self
    }

    fn remembered(&self, usage: KeyUsage) -> Option<std::sync::Arc<UsageKey>> {
        self.derived.as_ref()?.get(self, usage)
    }

    /// The encryption type.
    pub fn etype(&self) -> EncryptionType {
        self.etype
    }

    /// The raw key bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or(&[])
    }

    /// Derive Ke/Ki/Kc for `usage` once; see [`UsageKey`].
    pub fn for_usage(&self, usage: KeyUsage) -> UsageKey {
        let inner = match self.etype {
            EncryptionType::Aes128CtsHmacSha196 => {
                UsageInner::A128S1(AesUsage::<Aes128Sha1>::new(self.as_bytes(), usage.0))
            }
            EncryptionType::Aes256CtsHmacSha196 => {
                UsageInner::A256S1(AesUsage::<Aes256Sha1>::new(self.as_bytes(), usage.0))
            }
            EncryptionType::Aes128CtsHmacSha256128 => {
                UsageInner::A128S2(AesUsage::<Aes128Sha256>::new(self.as_bytes(), usage.0))
            }
            EncryptionType::Aes256CtsHmacSha384192 => {
                UsageInner::A256S3(AesUsage::<Aes256Sha384>::new(self.as_bytes(), usage.0))
            }
            EncryptionType::Rc4Hmac => {
                UsageInner::Rc4(rc4hmac::Rc4Usage::new(self.as_bytes(), usage.0))
            }
        };
        UsageKey {
            etype: self.etype,
            usage,
            inner,
        }
    }

    /// Encrypt with a random confounder.
    pub fn encrypt(&self, usage: KeyUsage, plaintext: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        self.encrypt_into(usage, plaintext, &mut out);
        out
    }

    /// Encrypt with a random confounder into `out` (cleared first).
    pub fn encrypt_into(&self, usage: KeyUsage, plaintext: &[u8], out: &mut Vec<u8>) {
        let conf = fresh_confounder();
        self.encrypt_core(usage, &conf, plaintext, out);
    }

    /// Encrypt with a caller-chosen confounder (16 bytes for AES, 8 for RC4),
    /// for known-answer tests. Never reuse a confounder in production.
    pub fn encrypt_with_confounder(
        &self,
        usage: KeyUsage,
        confounder: &[u8],
        plaintext: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        let need = self.etype.confounder_size();
        if confounder.len() != need {
            return Err(CryptoError::BadConfounderLength(need));
        }
        let mut conf = [0u8; 16];
        if let Some(dst) = conf.get_mut(..need) {
            dst.copy_from_slice(confounder);
        }
        let mut out = Vec::new();
        self.encrypt_core(usage, &conf, plaintext, &mut out);
        Ok(out)
    }

    fn encrypt_core(&self, usage: KeyUsage, conf: &[u8; 16], plaintext: &[u8], out: &mut Vec<u8>) {
        if let Some(u) = self.remembered(usage) {
            return u.encrypt_conf(conf, plaintext, out);
        }
        let b = self.as_bytes();
        match self.etype {
            EncryptionType::Aes128CtsHmacSha196 => {
                fresh_encrypt::<Aes128Sha1>(b, usage.0, conf, plaintext, out)
            }
            EncryptionType::Aes256CtsHmacSha196 => {
                fresh_encrypt::<Aes256Sha1>(b, usage.0, conf, plaintext, out)
            }
            EncryptionType::Aes128CtsHmacSha256128 => {
                fresh_encrypt::<Aes128Sha256>(b, usage.0, conf, plaintext, out)
            }
            EncryptionType::Aes256CtsHmacSha384192 => {
                fresh_encrypt::<Aes256Sha384>(b, usage.0, conf, plaintext, out)
            }
            EncryptionType::Rc4Hmac => {
                rc4hmac::Rc4Usage::new(b, usage.0).encrypt(conf, plaintext, out)
            }
        }
    }

    /// Decrypt and verify; the result excludes the confounder.
    pub fn decrypt(&self, usage: KeyUsage, ciphertext: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let mut out = Vec::new();
        self.decrypt_into(usage, ciphertext, &mut out)?;
        Ok(out)
    }

    /// Decrypt into `out` (cleared first; left empty on error).
    pub fn decrypt_into(
        &self,
        usage: KeyUsage,
        ciphertext: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<(), CryptoError> {
        if let Some(u) = self.remembered(usage) {
            return u.decrypt_into(ciphertext, out);
        }
        let b = self.as_bytes();
        match self.etype {
            EncryptionType::Aes128CtsHmacSha196 => {
                fresh_decrypt::<Aes128Sha1>(b, usage.0, ciphertext, out)
            }
            EncryptionType::Aes256CtsHmacSha196 => {
                fresh_decrypt::<Aes256Sha1>(b, usage.0, ciphertext, out)
            }
            EncryptionType::Aes128CtsHmacSha256128 => {
                fresh_decrypt::<Aes128Sha256>(b, usage.0, ciphertext, out)
            }
            EncryptionType::Aes256CtsHmacSha384192 => {
                fresh_decrypt::<Aes256Sha384>(b, usage.0, ciphertext, out)
            }
            EncryptionType::Rc4Hmac => rc4hmac::Rc4Usage::new(b, usage.0).decrypt(ciphertext, out),
        }
    }

    /// The enctype's mandatory checksum over `data`.
    pub fn checksum(&self, usage: KeyUsage, data: &[u8]) -> Vec<u8> {
        if let Some(u) = self.remembered(usage) {
            return u.checksum(data);
        }
        let b = self.as_bytes();
        match self.etype {
            EncryptionType::Aes128CtsHmacSha196 => fresh_checksum::<Aes128Sha1>(b, usage.0, data),
            EncryptionType::Aes256CtsHmacSha196 => fresh_checksum::<Aes256Sha1>(b, usage.0, data),
            EncryptionType::Aes128CtsHmacSha256128 => {
                fresh_checksum::<Aes128Sha256>(b, usage.0, data)
            }
            EncryptionType::Aes256CtsHmacSha384192 => {
                fresh_checksum::<Aes256Sha384>(b, usage.0, data)
            }
            EncryptionType::Rc4Hmac => rc4hmac::hmac_md5_checksum(b, usage.0, data),
        }
    }

    /// Verify the enctype's mandatory checksum in constant time.
    pub fn verify_checksum(
        &self,
        usage: KeyUsage,
        data: &[u8],
        checksum: &[u8],
    ) -> Result<(), CryptoError> {
        ct_verify(&self.checksum(usage, data), checksum)
    }

    /// A checksum of an explicitly named type (Kerberos messages carry the
    /// checksum type separately from the key). Keyed AES checksum types need
    /// a key of their enctype; hmac-md5 (-138) works with any key.
    pub fn checksum_with_type(
        &self,
        ctype: ChecksumType,
        usage: KeyUsage,
        data: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        match ctype.required_etype() {
            None => Ok(rc4hmac::hmac_md5_checksum(self.as_bytes(), usage.0, data)),
            Some(e) if e == self.etype => Ok(self.checksum(usage, data)),
            Some(_) => Err(CryptoError::ChecksumKeyMismatch {
                checksum: ctype.id(),
                etype: self.etype.id(),
            }),
        }
    }

    /// Verify a checksum of an explicitly named type in constant time.
    pub fn verify_checksum_with_type(
        &self,
        ctype: ChecksumType,
        usage: KeyUsage,
        data: &[u8],
        checksum: &[u8],
    ) -> Result<(), CryptoError> {
        ct_verify(&self.checksum_with_type(ctype, usage, data)?, checksum)
    }

    /// The enctype's pseudo-random function (RFC 3961 §3, RFC 3962 §6,
    /// RFC 8009 §5; HMAC-SHA1 for RC4 as in MIT krb5).
    pub fn prf(&self, input: &[u8]) -> Vec<u8> {
        let b = self.as_bytes();
        match self.etype {
            EncryptionType::Aes128CtsHmacSha196 => prf_sha1_profile::<Aes128Sha1>(b, input),
            EncryptionType::Aes256CtsHmacSha196 => prf_sha1_profile::<Aes256Sha1>(b, input),
            EncryptionType::Aes128CtsHmacSha256128 => prf_sha2_profile::<Aes128Sha256>(b, input),
            EncryptionType::Aes256CtsHmacSha384192 => prf_sha2_profile::<Aes256Sha384>(b, input),
            EncryptionType::Rc4Hmac => rc4hmac::prf(b, input),
        }
    }

    /// The derived key Ke, Ki or Kc for `usage` (for tests and interop
    /// debugging). For RC4 this is K1 = HMAC-MD5(K, T) (Ke/Ki) or Ksign (Kc).
    pub fn derive_usage_key(&self, usage: KeyUsage, kind: DerivedKeyKind) -> Zeroizing<Vec<u8>> {
        let b = self.as_bytes();
        match self.etype {
            EncryptionType::Aes128CtsHmacSha196 => derive_raw::<Aes128Sha1>(b, usage.0, kind),
            EncryptionType::Aes256CtsHmacSha196 => derive_raw::<Aes256Sha1>(b, usage.0, kind),
            EncryptionType::Aes128CtsHmacSha256128 => derive_raw::<Aes128Sha256>(b, usage.0, kind),
            EncryptionType::Aes256CtsHmacSha384192 => derive_raw::<Aes256Sha384>(b, usage.0, kind),
            EncryptionType::Rc4Hmac => rc4hmac::derive_raw(b, usage.0, kind),
        }
    }
}

fn ct_verify(expected: &[u8], got: &[u8]) -> Result<(), CryptoError> {
    if expected.len() == got.len() && bool::from(expected.ct_eq(got)) {
        Ok(())
    } else {
        Err(CryptoError::IntegrityCheckFailed)
    }
}

fn derive_raw<P: AesProfile>(base: &[u8], usage: u32, kind: DerivedKeyKind) -> Zeroizing<Vec<u8>> {
    let d = P::deriver(base);
    let len = match kind {
        DerivedKeyKind::Encryption => P::KEY_LEN,
        _ => P::MAC_KEY_LEN,
    };
    let mut out = Zeroizing::new(vec![0u8; len]);
    P::derive_usage(&d, usage, kind.constant(), &mut out);
    out
}

fn fresh_encrypt<P: AesProfile>(
    base: &[u8],
    usage: u32,
    conf: &[u8; 16],
    plaintext: &[u8],
    out: &mut Vec<u8>,
) {
    let d = P::deriver(base);
    let mut ke = profile::new_keybuf();
    let mut ki = profile::new_keybuf();
    let ke = ke.get_mut(..P::KEY_LEN).unwrap_or(&mut []);
    let ki = ki.get_mut(..P::MAC_KEY_LEN).unwrap_or(&mut []);
    P::derive_usage(&d, usage, nfold::KIND_ENCRYPT, ke);
    P::derive_usage(&d, usage, nfold::KIND_INTEGRITY, ki);
    let cipher: P::Enc = profile::cipher_from(ke);
    let mac: P::M = profile::mac_state(ki);
    cts::encrypt_message(&cipher, &mac, P::MAC_LEN, P::MODE, conf, plaintext, out);
}

fn fresh_decrypt<P: AesProfile>(
    base: &[u8],
    usage: u32,
    ciphertext: &[u8],
    out: &mut Vec<u8>,
) -> Result<(), CryptoError> {
    out.clear();
    if ciphertext.len() < 16 + P::MAC_LEN {
        return Err(CryptoError::CiphertextTooShort);
    }
    let d = P::deriver(base);
    let mut ke = profile::new_keybuf();
    let mut ki = profile::new_keybuf();
    let ke = ke.get_mut(..P::KEY_LEN).unwrap_or(&mut []);
    let ki = ki.get_mut(..P::MAC_KEY_LEN).unwrap_or(&mut []);
    P::derive_usage(&d, usage, nfold::KIND_ENCRYPT, ke);
    P::derive_usage(&d, usage, nfold::KIND_INTEGRITY, ki);
    let cipher: P::Dec = profile::cipher_from(ke);
    let mac: P::M = profile::mac_state(ki);
    cts::decrypt_message(&cipher, &mac, P::MAC_LEN, P::MODE, ciphertext, out)
}

fn fresh_checksum<P: AesProfile>(base: &[u8], usage: u32, data: &[u8]) -> Vec<u8> {
    let d = P::deriver(base);
    let mut kc = profile::new_keybuf();
    let kc = kc.get_mut(..P::MAC_KEY_LEN).unwrap_or(&mut []);
    P::derive_usage(&d, usage, nfold::KIND_CHECKSUM, kc);
    let mac: P::M = profile::mac_state(kc);
    mac_truncated(mac, data, P::MAC_LEN)
}

fn mac_truncated<M: Mac>(mut mac: M, data: &[u8], len: usize) -> Vec<u8> {
    mac.update(data);
    let full = mac.finalize().into_bytes();
    full.get(..len).unwrap_or(&full).to_vec()
}

/// RFC 3962 §6: PRF = E(DK(key, "prf"), truncate16(SHA-1(input))).
fn prf_sha1_profile<P: AesProfile>(base: &[u8], input: &[u8]) -> Vec<u8> {
    use aes::cipher::BlockCipherEncrypt;
    let d = P::deriver(base);
    let mut k = profile::new_keybuf();
    let k = k.get_mut(..P::KEY_LEN).unwrap_or(&mut []);
    P::derive_label(&d, b"prf", k);
    let cipher: P::Enc = profile::cipher_from(k);
    let h = Sha1::digest(input);
    let mut block = aes::cipher::array::Array([0u8; 16]);
    if let Some(src) = h.get(..16) {
        block.copy_from_slice(src);
    }
    cipher.encrypt_block(&mut block);
    block.to_vec()
}

/// RFC 8009 §5: PRF = KDF-HMAC-SHA2(key, "prf", input, 256 or 384).
fn prf_sha2_profile<P: AesProfile>(base: &[u8], input: &[u8]) -> Vec<u8> {
    let mac: P::M = profile::mac_state(base);
    let n = if P::KEY_LEN == 16 { 32 } else { 48 };
    let mut out = vec![0u8; n];
    profile::kdf_hmac_sha2(&mac, b"prf", input, &mut out);
    out
}

/// KRB-FX-CF2 (RFC 6113 §5.1): random-to-key(PRF+(k1, pepper1) XOR
/// PRF+(k2, pepper2)), with the first key's enctype and key length.
pub fn cf2(key1: &Key, key2: &Key, pepper1: &[u8], pepper2: &[u8]) -> Key {
    let n = key1.etype.key_size();
    let a = prf_plus(key1, pepper1, n);
    let b = prf_plus(key2, pepper2, n);
    let mut k = Key {
        etype: key1.etype,
        len: n,
        bytes: [0u8; 32],
        derived: None,
    };
    for ((o, x), y) in k.bytes.iter_mut().zip(a.iter()).zip(b.iter()) {
        *o = x ^ y;
    }
    k
}

/// PRF+ of RFC 6113 §5.1: PRF(key, 1 | s) | PRF(key, 2 | s) | ... truncated.
fn prf_plus(key: &Key, s: &[u8], len: usize) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(Vec::with_capacity(len + 48));
    let mut input = Vec::with_capacity(s.len() + 1);
    let mut counter: u8 = 1;
    while out.len() < len {
        input.clear();
        input.push(counter);
        input.extend_from_slice(s);
        let mut block = key.prf(&input);
        out.extend_from_slice(&block);
        block.zeroize();
        counter = counter.wrapping_add(1);
    }
    out.truncate(len);
    out
}

/// Raw Kerberos AES-CTS encryption (RFC 3962 §5: CBC with ciphertext
/// stealing, last two blocks swapped even when the input is a whole number
/// of blocks; one block is plain CBC). `key` is 16 or 32 bytes; `data` at
/// least 16 bytes.
pub fn aes_cts_encrypt(key: &[u8], iv: &[u8; 16], data: &[u8]) -> Result<Vec<u8>, CryptoError> {
    if data.len() < 16 {
        return Err(CryptoError::CtsInputTooShort);
    }
    let mut buf = data.to_vec();
    let mut iv = *iv;
    match key.len() {
        16 => {
            let c: aes::Aes128Enc = profile::cipher_from(key);
            cts::cts_encrypt_in_place(
                &c,
                &mut iv,
                &mut buf,
                None::<&mut cts::NoMac>,
                MacMode::OverPlaintext,
            );
        }
        32 => {
            let c: aes::Aes256Enc = profile::cipher_from(key);
            cts::cts_encrypt_in_place(
                &c,
                &mut iv,
                &mut buf,
                None::<&mut cts::NoMac>,
                MacMode::OverPlaintext,
            );
        }
        _ => return Err(CryptoError::BadKeyLength),
    }
    Ok(buf)
}

/// Raw Kerberos AES-CTS decryption, the inverse of [`aes_cts_encrypt`].
pub fn aes_cts_decrypt(key: &[u8], iv: &[u8; 16], data: &[u8]) -> Result<Vec<u8>, CryptoError> {
    if data.len() < 16 {
        return Err(CryptoError::CtsInputTooShort);
    }
    let mut buf = data.to_vec();
    match key.len() {
        16 => {
            let c: aes::Aes128Dec = profile::cipher_from(key);
            cts::cts_decrypt_in_place(&c, iv, &mut buf);
        }
        32 => {
            let c: aes::Aes256Dec = profile::cipher_from(key);
            cts::cts_decrypt_in_place(&c, iv, &mut buf);
        }
        _ => return Err(CryptoError::BadKeyLength),
    }
    Ok(buf)
}

/// Which hardware paths the RustCrypto backends use on this machine.
///
/// `aes` and `sha1`/`sha2` pick AES-NI / SHA-NI at run time (cpufeatures);
/// a build with `--cfg aes_backend="soft"` or a CPU without the instructions
/// falls back to constant-time software code that is 20-40x slower.
pub fn backend_report() -> String {
    let aes_hw = aes::hardware_accelerated();
    #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
    let (sha_ni, avx2, vaes) = (
        std::arch::is_x86_feature_detected!("sha"),
        std::arch::is_x86_feature_detected!("avx2"),
        std::arch::is_x86_feature_detected!("vaes"),
    );
    #[cfg(not(any(target_arch = "x86", target_arch = "x86_64")))]
    let (sha_ni, avx2, vaes) = (false, false, false);
    format!(
        "aes: {} | sha1/sha256: {} | sha384: {} | cpu vaes: {}",
        if aes_hw {
            "hardware (AES-NI/ARMv8)"
        } else {
            "software (fixslice)"
        },
        if sha_ni { "SHA-NI" } else { "software/SIMD" },
        if avx2 { "AVX2" } else { "software" },
        vaes
    )
}

/// Per-(key, usage) state with the derived keys expanded: the AES encryption
/// and decryption schedules of Ke and the keyed HMAC states for Ki and Kc
/// (cloned per message, which costs a few nanoseconds). Ke/Ki and Kc are each
/// derived on first use and kept.
pub struct UsageKey {
    etype: EncryptionType,
    usage: KeyUsage,
    inner: UsageInner,
}

impl fmt::Debug for UsageKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UsageKey")
            .field("etype", &self.etype)
            .field("usage", &self.usage)
            .finish_non_exhaustive()
    }
}

// Large variants on purpose: a UsageKey is built once per (key, usage) and
// used for many messages; boxing would add an indirection per message.
#[allow(clippy::large_enum_variant)]
enum UsageInner {
    A128S1(AesUsage<Aes128Sha1>),
    A256S1(AesUsage<Aes256Sha1>),
    A128S2(AesUsage<Aes128Sha256>),
    A256S3(AesUsage<Aes256Sha384>),
    Rc4(rc4hmac::Rc4Usage),
}

/// The derived keys of one (key, usage), each derived when first needed: an
/// encryption-only or checksum-only use (the common one-shot case, e.g. a
/// TGS-REQ's authenticator and its body checksum) never pays for the other.
struct AesUsage<P: AesProfile> {
    d: P::Deriver,
    usage: u32,
    enc: std::sync::OnceLock<(P::Both, P::M)>,
    kc: std::sync::OnceLock<P::M>,
}

impl<P: AesProfile> AesUsage<P> {
    fn new(base: &[u8], usage: u32) -> Self {
        AesUsage {
            d: P::deriver(base),
            usage,
            enc: std::sync::OnceLock::new(),
            kc: std::sync::OnceLock::new(),
        }
    }

    /// Ke (expanded AES schedule) and Ki (keyed MAC state).
    fn enc(&self) -> &(P::Both, P::M) {
        self.enc.get_or_init(|| {
            let mut buf = profile::new_keybuf();
            let ke = {
                let k = buf.get_mut(..P::KEY_LEN).unwrap_or(&mut []);
                P::derive_usage(&self.d, self.usage, nfold::KIND_ENCRYPT, k);
                profile::cipher_from::<P::Both>(k)
            };
            let ki = {
                let k = buf.get_mut(..P::MAC_KEY_LEN).unwrap_or(&mut []);
                P::derive_usage(&self.d, self.usage, nfold::KIND_INTEGRITY, k);
                profile::mac_state::<P::M>(k)
            };
            (ke, ki)
        })
    }

    /// Kc (keyed MAC state).
    fn kc(&self) -> &P::M {
        self.kc.get_or_init(|| {
            let mut buf = profile::new_keybuf();
            let k = buf.get_mut(..P::MAC_KEY_LEN).unwrap_or(&mut []);
            P::derive_usage(&self.d, self.usage, nfold::KIND_CHECKSUM, k);
            profile::mac_state::<P::M>(k)
        })
    }

    fn encrypt(&self, conf: &[u8; 16], plaintext: &[u8], out: &mut Vec<u8>) {
        let (ke, ki) = self.enc();
        cts::encrypt_message(ke, ki, P::MAC_LEN, P::MODE, conf, plaintext, out);
    }

    fn decrypt(&self, ciphertext: &[u8], out: &mut Vec<u8>) -> Result<(), CryptoError> {
        let (ke, ki) = self.enc();
        cts::decrypt_message(ke, ki, P::MAC_LEN, P::MODE, ciphertext, out)
    }

    fn checksum(&self, data: &[u8]) -> Vec<u8> {
        mac_truncated(self.kc().clone(), data, P::MAC_LEN)
    }
}

macro_rules! dispatch {
    ($self:expr, $u:ident => $e:expr, $r:ident => $re:expr) => {
        match &$self.inner {
            UsageInner::A128S1($u) => $e,
            UsageInner::A256S1($u) => $e,
            UsageInner::A128S2($u) => $e,
            UsageInner::A256S3($u) => $e,
            UsageInner::Rc4($r) => $re,
        }
    };
}

impl UsageKey {
    /// The encryption type.
    pub fn etype(&self) -> EncryptionType {
        self.etype
    }

    /// The key usage this state was derived for.
    pub fn usage(&self) -> KeyUsage {
        self.usage
    }

    /// Encrypt with a random confounder.
    pub fn encrypt(&self, plaintext: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        self.encrypt_into(plaintext, &mut out);
        out
    }

    /// Encrypt with a random confounder into `out` (cleared first; its
    /// capacity is reused, so a caller can keep one buffer per connection).
    pub fn encrypt_into(&self, plaintext: &[u8], out: &mut Vec<u8>) {
        self.encrypt_conf(&fresh_confounder(), plaintext, out);
    }

    fn encrypt_conf(&self, conf: &[u8; 16], plaintext: &[u8], out: &mut Vec<u8>) {
        dispatch!(self, u => u.encrypt(conf, plaintext, out), r => r.encrypt(conf, plaintext, out));
    }

    /// Encrypt with a caller-chosen confounder (known-answer tests only).
    pub fn encrypt_with_confounder(
        &self,
        confounder: &[u8],
        plaintext: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        let need = self.etype.confounder_size();
        if confounder.len() != need {
            return Err(CryptoError::BadConfounderLength(need));
        }
        let mut conf = [0u8; 16];
        if let Some(dst) = conf.get_mut(..need) {
            dst.copy_from_slice(confounder);
        }
        let mut out = Vec::new();
        dispatch!(self, u => u.encrypt(&conf, plaintext, &mut out), r => r.encrypt(&conf, plaintext, &mut out));
        Ok(out)
    }

    /// Decrypt and verify.
    pub fn decrypt(&self, ciphertext: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let mut out = Vec::new();
        self.decrypt_into(ciphertext, &mut out)?;
        Ok(out)
    }

    /// Decrypt into `out` (cleared first; left empty on error).
    pub fn decrypt_into(&self, ciphertext: &[u8], out: &mut Vec<u8>) -> Result<(), CryptoError> {
        dispatch!(self, u => u.decrypt(ciphertext, out), r => r.decrypt(ciphertext, out))
    }

    /// The enctype's mandatory checksum with the cached Kc.
    pub fn checksum(&self, data: &[u8]) -> Vec<u8> {
        dispatch!(self, u => u.checksum(data), r => r.checksum(data))
    }

    /// Verify the mandatory checksum in constant time.
    pub fn verify_checksum(&self, data: &[u8], checksum: &[u8]) -> Result<(), CryptoError> {
        ct_verify(&self.checksum(data), checksum)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_key_bytes() {
        let k = Key::from_bytes(EncryptionType::Aes128CtsHmacSha196, &[0xab; 16]).unwrap();
        let s = format!("{k:?}");
        assert!(!s.to_lowercase().contains("ab, "), "{s}");
        assert!(!s.contains("171"), "{s}");
        assert!(s.contains("Aes128CtsHmacSha196"));
        let u = k.for_usage(KeyUsage(3));
        let s = format!("{u:?}");
        assert!(!s.contains("171"), "{s}");
    }

    #[test]
    fn etype_roundtrip() {
        for e in EncryptionType::ALL {
            assert_eq!(EncryptionType::try_from(e.id()).unwrap(), e);
            assert_eq!(
                ChecksumType::try_from(e.checksum_type().id()).unwrap(),
                e.checksum_type()
            );
        }
        assert_eq!(
            EncryptionType::try_from(1),
            Err(CryptoError::UnsupportedEtype(1))
        );
        assert!(EncryptionType::Rc4Hmac.is_weak());
    }

    #[test]
    fn roundtrip_all_small() {
        for e in EncryptionType::ALL {
            let k = Key::random(e);
            let u = k.for_usage(KeyUsage(7));
            for n in [0usize, 1, 15, 16, 17, 31, 32, 33, 100] {
                let p: Vec<u8> = (0..n as u8).collect();
                let c = k.encrypt(KeyUsage(7), &p);
                assert_eq!(c.len(), e.ciphertext_len(n));
                assert_eq!(k.decrypt(KeyUsage(7), &c).unwrap(), p);
                assert_eq!(u.decrypt(&c).unwrap(), p);
                let c2 = u.encrypt(&p);
                assert_eq!(k.decrypt(KeyUsage(7), &c2).unwrap(), p);
                assert!(k.decrypt(KeyUsage(8), &c).is_err());
            }
        }
    }
}
