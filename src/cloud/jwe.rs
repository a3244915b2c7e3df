//! The JWE layer of the PRT protocol (MS-OAPXBC): the PRT session key, unwrapped from
//! `session_key_jwe` with the device transport key, and the `alg=dir` JWEs protected by a key
//! derived from it (`clientKey`, and whole token responses to session-key-signed requests).

use std::fmt;

use aes_gcm::Aes256Gcm;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use cbc::cipher::BlockModeDecrypt;
use cbc::cipher::KeyIvInit;
use cbc::cipher::block_padding::Pkcs7;
use hmac::{Hmac, Mac};
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs8::DecodePrivateKey;
use sha2::Sha256;
use zeroize::Zeroizing;

use super::CloudError;

/// The label of the SP 800-108 KDF that derives JWE keys from the PRT session key.
const KDF_LABEL: &[u8] = b"AzureAD-SecureConversation";

/// Length of the PRT session key and of every derived key (AES-256).
const KEY_LEN: usize = 32;

/// Decode base64 leniently: standard or URL-safe alphabet, with or without `=` padding, ASCII
/// whitespace ignored. `None` if it is not base64.
pub(crate) fn b64_lenient(s: &str) -> Option<Vec<u8>> {
    let cleaned: String = s
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            c => c,
        })
        .collect();
    STANDARD_NO_PAD.decode(cleaned.trim_end_matches('=')).ok()
}

/// The PRT session key (32 bytes), zeroized on drop and redacted in `Debug`.
#[derive(Clone)]
pub struct PrtSessionKey(Zeroizing<Vec<u8>>);

impl fmt::Debug for PrtSessionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PrtSessionKey(<redacted>)")
    }
}

impl PrtSessionKey {
    /// A session key the caller already holds (e.g. unsealed from a TPM). Must be 32 bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CloudError> {
        if bytes.len() != KEY_LEN {
            return Err(CloudError::BadSessionKeyLength(bytes.len()));
        }
        Ok(Self(Zeroizing::new(bytes.to_vec())))
    }

    /// A session key given as hex (64 hex digits; surrounding whitespace ignored).
    pub fn from_hex(hex: &str) -> Result<Self, CloudError> {
        let hex = hex.trim().as_bytes();
        if !hex.len().is_multiple_of(2) {
            return Err(CloudError::SessionKeyNotHex);
        }
        let digit =
            |c: u8| -> Option<u8> { (c as char).to_digit(16).and_then(|d| u8::try_from(d).ok()) };
        let mut out = Zeroizing::new(Vec::with_capacity(hex.len() / 2));
        for pair in hex.chunks_exact(2) {
            match (
                pair.first().copied().and_then(digit),
                pair.get(1).copied().and_then(digit),
            ) {
                (Some(h), Some(l)) => out.push(h << 4 | l),
                _ => return Err(CloudError::SessionKeyNotHex),
            }
        }
        Self::from_bytes(&out)
    }

    /// Unwrap `session_key_jwe` (`{"alg":"RSA-OAEP","enc":"A256GCM"}`): the JWE encrypted-key part,
    /// decrypted with the transport key by RSA-OAEP with SHA-1 and MGF1-SHA-1, *is* the session
    /// key. The JWE's own payload is not used.
    pub fn unwrap_jwe(
        session_key_jwe: &str,
        transport_key: &TransportKey,
    ) -> Result<Self, CloudError> {
        let jwe = CompactJwe::parse(session_key_jwe)?;
        if jwe.alg != "RSA-OAEP" {
            return Err(CloudError::UnsupportedJwe {
                alg: jwe.alg,
                enc: jwe.enc,
            });
        }
        if jwe.encrypted_key.is_empty() {
            return Err(CloudError::MalformedJwe(
                "session_key_jwe has no encrypted key",
            ));
        }
        let key = transport_key.decrypt_oaep_sha1(&jwe.encrypted_key)?;
        Self::from_bytes(&key)
    }

    /// The raw key.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

/// The device transport key: the RSA private key whose public half was registered with the
/// device, used to unwrap `session_key_jwe`.
#[derive(Clone)]
pub struct TransportKey(rsa::PrivateKey);

impl fmt::Debug for TransportKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TransportKey(<redacted>)")
    }
}

impl TransportKey {
    /// Read a PEM private key: `RSA PRIVATE KEY` (PKCS#1) or `PRIVATE KEY` (PKCS#8, unencrypted).
    pub fn from_pem(pem: &str) -> Result<Self, CloudError> {
        let pem = pem.trim();
        if pem.contains("-----BEGIN RSA PRIVATE KEY-----") {
            rsa::PrivateKey::from_pkcs1_pem(pem)
                .map(Self)
                .map_err(|e| CloudError::TransportKey(format!("not a PKCS#1 RSA private key: {e}")))
        } else if pem.contains("-----BEGIN PRIVATE KEY-----") {
            rsa::PrivateKey::from_pkcs8_pem(pem)
                .map(Self)
                .map_err(|e| CloudError::TransportKey(format!("not a PKCS#8 RSA private key: {e}")))
        } else if pem.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") {
            Err(CloudError::TransportKey(
                "encrypted PKCS#8 keys are not supported; decrypt it first".into(),
            ))
        } else {
            Err(CloudError::TransportKey(
                "expected a PEM 'RSA PRIVATE KEY' (PKCS#1) or 'PRIVATE KEY' (PKCS#8)".into(),
            ))
        }
    }

    /// Read a DER private key: PKCS#8 `PrivateKeyInfo` or PKCS#1 `RSAPrivateKey`.
    pub fn from_der(der: &[u8]) -> Result<Self, CloudError> {
        rsa::PrivateKey::from_pkcs8_der(der)
            .or_else(|_| rsa::PrivateKey::from_pkcs1_der(der))
            .map(Self)
            .map_err(|_| {
                CloudError::TransportKey("not a DER PKCS#8 or PKCS#1 RSA private key".into())
            })
    }

    /// Read a key file's contents: PEM if it looks like PEM, DER otherwise.
    pub fn from_file_contents(bytes: &[u8]) -> Result<Self, CloudError> {
        match std::str::from_utf8(bytes) {
            Ok(text) if text.contains("-----BEGIN") => Self::from_pem(text),
            _ => Self::from_der(bytes),
        }
    }

    /// RSA-OAEP with SHA-1 (and MGF1-SHA-1, empty label), as MS-OAPXBC uses it.
    fn decrypt_oaep_sha1(&self, ciphertext: &[u8]) -> Result<Zeroizing<Vec<u8>>, CloudError> {
        self.0
            .oaep_decrypt::<sha1::Sha1>(ciphertext)
            .map(Zeroizing::new)
            .map_err(|_| CloudError::SessionKeyUnwrapFailed)
    }
}

/// A compact-serialization JWE (`header.encrypted_key.iv.ciphertext.tag`), parsed. `Debug`
/// shows only the header and the part lengths.
#[derive(Clone)]
pub struct CompactJwe {
    /// The protected header exactly as it appeared (base64url), which GCM authenticates.
    pub protected: String,
    /// `alg` from the header.
    pub alg: String,
    /// `enc` from the header.
    pub enc: Option<String>,
    /// `ctx` from the header, base64-decoded (the KDF context).
    pub ctx: Option<Vec<u8>>,
    /// The encrypted key (empty for `alg=dir`).
    pub encrypted_key: Vec<u8>,
    /// The initialization vector.
    pub iv: Vec<u8>,
    /// The ciphertext.
    pub ciphertext: Vec<u8>,
    /// The authentication tag (empty or ignored for the CBC flavour).
    pub tag: Vec<u8>,
}

impl fmt::Debug for CompactJwe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CompactJwe")
            .field("alg", &self.alg)
            .field("enc", &self.enc)
            .field("ctx_len", &self.ctx.as_ref().map(Vec::len))
            .field("encrypted_key_len", &self.encrypted_key.len())
            .field("iv_len", &self.iv.len())
            .field("ciphertext_len", &self.ciphertext.len())
            .field("tag_len", &self.tag.len())
            .finish()
    }
}

impl CompactJwe {
    /// Split and decode a compact JWE. Checks the shape only, not the algorithms.
    pub fn parse(compact: &str) -> Result<Self, CloudError> {
        let compact = compact.trim();
        let parts: Vec<&str> = compact.split('.').collect();
        let [protected, encrypted_key, iv, ciphertext, tag] = parts.as_slice() else {
            return Err(CloudError::MalformedJwe(
                "a compact JWE has 5 dot-separated parts",
            ));
        };
        let part =
            |s: &str, what: &'static str| b64_lenient(s).ok_or(CloudError::MalformedJwe(what));
        let header_bytes = part(protected, "the protected header is not base64url")?;
        let header: serde_json::Value = serde_json::from_slice(&header_bytes)
            .map_err(|_| CloudError::MalformedJwe("the protected header is not JSON"))?;
        let header = header.as_object().ok_or(CloudError::MalformedJwe(
            "the protected header is not a JSON object",
        ))?;
        let alg = header
            .get("alg")
            .and_then(|v| v.as_str())
            .ok_or(CloudError::MalformedJwe("the protected header has no alg"))?
            .to_owned();
        let enc = match header.get("enc") {
            None | Some(serde_json::Value::Null) => None,
            Some(v) => Some(
                v.as_str()
                    .ok_or(CloudError::MalformedJwe("enc is not a string"))?
                    .to_owned(),
            ),
        };
        let ctx = match header.get("ctx") {
            None | Some(serde_json::Value::Null) => None,
            Some(v) => {
                let s = v
                    .as_str()
                    .ok_or(CloudError::MalformedJwe("ctx is not a string"))?;
                Some(b64_lenient(s).ok_or(CloudError::MalformedJwe("ctx is not base64"))?)
            }
        };
        Ok(CompactJwe {
            protected: (*protected).to_owned(),
            alg,
            enc,
            ctx,
            encrypted_key: part(encrypted_key, "the encrypted key is not base64url")?,
            iv: part(iv, "the IV is not base64url")?,
            ciphertext: part(ciphertext, "the ciphertext is not base64url")?,
            tag: part(tag, "the tag is not base64url")?,
        })
    }
}

/// The key for an `alg=dir` JWE with context `ctx`: NIST SP 800-108 counter-mode KDF with
/// HMAC-SHA256, one iteration, `K = HMAC-SHA256(session_key, 00000001 ‖ "AzureAD-SecureConversation"
/// ‖ 00 ‖ ctx ‖ 00000100)`.
pub fn derive_key(session_key: &PrtSessionKey, ctx: &[u8]) -> Zeroizing<[u8; 32]> {
    let mut mac = match <Hmac<Sha256> as KeyInit>::new_from_slice(session_key.as_bytes()) {
        Ok(m) => m,
        // HMAC accepts keys of any length; this arm is unreachable in practice.
        Err(_) => <Hmac<Sha256> as KeyInit>::new(&Default::default()),
    };
    mac.update(&1u32.to_be_bytes());
    mac.update(KDF_LABEL);
    mac.update(&[0]);
    mac.update(ctx);
    mac.update(&256u32.to_be_bytes());
    let mut out = mac.finalize().into_bytes();
    let mut key = Zeroizing::new([0u8; 32]);
    for (d, s) in key.iter_mut().zip(out.iter()) {
        *d = *s;
    }
    out.iter_mut().for_each(|b| *b = 0);
    key
}

/// Decrypt an `alg=dir` compact JWE protected by the PRT session key (a `clientKey`, or the whole
/// body of a token response to a session-key-signed request).
///
/// The content key is [`derive_key`]`(session_key, ctx)` when the header has `ctx`, the session
/// key itself otherwise. Although the header says `enc=A256GCM`, a 16-byte IV means AES-256-CBC
/// with PKCS#7 padding (the tag part is ignored); a 12-byte IV means AES-256-GCM with the
/// protected header's base64url text as additional authenticated data.
pub fn decrypt_dir(
    compact: &str,
    session_key: &PrtSessionKey,
) -> Result<Zeroizing<Vec<u8>>, CloudError> {
    let jwe = CompactJwe::parse(compact)?;
    if jwe.alg != "dir" || !matches!(jwe.enc.as_deref(), None | Some("A256GCM")) {
        return Err(CloudError::UnsupportedJwe {
            alg: jwe.alg,
            enc: jwe.enc,
        });
    }
    let key: Zeroizing<[u8; 32]> = match &jwe.ctx {
        Some(ctx) => derive_key(session_key, ctx),
        None => Zeroizing::new(
            <[u8; 32]>::try_from(session_key.as_bytes())
                .map_err(|_| CloudError::BadSessionKeyLength(session_key.as_bytes().len()))?,
        ),
    };
    match jwe.iv.len() {
        16 => {
            if jwe.ciphertext.is_empty() || jwe.ciphertext.len() % 16 != 0 {
                return Err(CloudError::MalformedJwe(
                    "the CBC ciphertext is not a whole number of blocks",
                ));
            }
            let dec = cbc::Decryptor::<aes::Aes256>::new_from_slices(key.as_slice(), &jwe.iv)
                .map_err(|_| CloudError::MalformedJwe("bad CBC key or IV length"))?;
            let mut buf = Zeroizing::new(jwe.ciphertext.clone());
            let len = dec
                .decrypt_padded::<Pkcs7>(&mut buf)
                .map_err(|_| CloudError::JweDecryptFailed("bad CBC padding"))?
                .len();
            buf.truncate(len);
            Ok(buf)
        }
        12 => {
            if jwe.tag.len() != 16 {
                return Err(CloudError::MalformedJwe("the GCM tag must be 16 bytes"));
            }
            let cipher = Aes256Gcm::new_from_slice(key.as_slice())
                .map_err(|_| CloudError::MalformedJwe("bad GCM key length"))?;
            let nonce = aes_gcm::Nonce::try_from(jwe.iv.as_slice())
                .map_err(|_| CloudError::MalformedJwe("bad GCM nonce length"))?;
            let mut msg = jwe.ciphertext.clone();
            msg.extend_from_slice(&jwe.tag);
            cipher
                .decrypt(
                    &nonce,
                    Payload {
                        msg: &msg,
                        aad: jwe.protected.as_bytes(),
                    },
                )
                .map(Zeroizing::new)
                .map_err(|_| CloudError::JweDecryptFailed("GCM tag mismatch"))
        }
        _ => Err(CloudError::MalformedJwe(
            "the IV must be 12 (GCM) or 16 (CBC) bytes",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lenient_base64() {
        assert_eq!(b64_lenient("AQID").as_deref(), Some(&[1u8, 2, 3][..]));
        assert_eq!(b64_lenient("AQ==").as_deref(), Some(&[1u8][..]));
        assert_eq!(b64_lenient("AQ").as_deref(), Some(&[1u8][..]));
        assert_eq!(b64_lenient("-_8").as_deref(), Some(&[0xfb, 0xff][..]));
        assert_eq!(b64_lenient("+/8=").as_deref(), Some(&[0xfb, 0xff][..]));
        assert_eq!(b64_lenient("A Q\nI D").as_deref(), Some(&[1u8, 2, 3][..]));
        assert!(b64_lenient("A").is_none());
        assert!(b64_lenient("!!!!").is_none());
    }

    #[test]
    fn session_key_hex() {
        let k = PrtSessionKey::from_hex(&"0a".repeat(32)).unwrap();
        assert_eq!(k.as_bytes(), &[10u8; 32]);
        assert!(matches!(
            PrtSessionKey::from_hex("0a0b"),
            Err(CloudError::BadSessionKeyLength(2))
        ));
        assert!(PrtSessionKey::from_hex(&"zz".repeat(32)).is_err());
        assert!(format!("{k:?}").contains("redacted"));
    }

    #[test]
    fn jwe_shape_errors() {
        let sk = PrtSessionKey::from_bytes(&[7; 32]).unwrap();
        for bad in ["", "a.b", "a.b.c.d.e.f", "!!.a.b.c.d", "e30.a.b.c.d"] {
            assert!(decrypt_dir(bad, &sk).is_err(), "{bad}");
        }
    }
}
