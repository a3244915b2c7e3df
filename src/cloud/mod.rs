//! The Microsoft Entra ID **cloud TGT**: ingesting the Kerberos tickets that Entra hands out inside
//! the OAuth PRT token response (`tgt=true`), instead of through an AS exchange.
//!
//! The response carries up to two tickets, each as a small JSON document:
//! * `tgt_cloud`: a TGT for `krbtgt/KERBEROS.MICROSOFTONLINE.COM`, spent in TGS-REQs sent through
//!   Entra's KDC proxy (MS-KKDCP) for cloud services such as Azure Files;
//! * `tgt_ad`: a *partial* TGT for the on-premises AD realm, exchanged with a writable DC.
//!
//! Each holds `messageBuffer` (a complete KRB-AS-REP, base64) and `clientKey`, the AS-REP reply
//! key, usually as a compact JWE (`alg=dir`) protected by a key derived from the PRT session key.
//! The PRT session key is either known to the caller (it may live in a TPM) or unwrapped from
//! `session_key_jwe` with the device transport key (RSA-OAEP with SHA-1).
//!
//! ```no_run
//! use kerberos_client::cloud::{PrtResponse, PrtSessionKey, TransportKey};
//!
//! let json = std::fs::read_to_string("prt-response.json")?;
//! let response = PrtResponse::parse(&json)?;
//! let transport_key = TransportKey::from_pem(&std::fs::read_to_string("transport-key.pem")?)?;
//! let session_key = response.session_key(&transport_key)?;
//! let tgt = response.cloud_tgt()?.import(Some(&session_key))?;
//! kerberos_client::cloud::store(&tgt, "/tmp/krb5cc_cloud")?;
//! println!("{} until {}", tgt.client, tgt.end_time);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! What a real cloud TGT looks like, and what the import therefore accepts: an AS-REP without
//! padata; a Ticket whose enc-part has etype −1 and no kvno (opaque to the client: its bytes are
//! kept exactly as received); nonce 0 (no AS-REQ to compare it with); an empty `caddr`;
//! `encrypted-pa-data` with PA-SUPPORTED-ENCTYPES; a one-component client name that contains `@`
//! (`AdeleV@contoso.onmicrosoft.com@KERBEROS.MICROSOFTONLINE.COM`, which MIT tools print with the
//! inner `@` escaped); the enc-part under `[APPLICATION 25]` or `[APPLICATION 26]`.
//!
//! Secrets (session key, client key, the JWEs, refresh and id tokens) are zeroized where this
//! module owns them, and never appear in `Debug` output or in error messages.

mod import;
mod jwe;
mod prt;
mod service;

use std::fmt;
use std::path::Path;

pub use import::{import_as_rep, reply_key};
pub use jwe::{CompactJwe, PrtSessionKey, TransportKey, decrypt_dir, derive_key};
pub use prt::{PrtResponse, TgtBlob};
pub use service::{
    CloudClientOptions, FullTgt, cloud_client, cloud_service_ticket, nt_hash_from_key_list,
    upgrade_partial_tgt,
};

use crate::asn1::Asn1Error;
use crate::ccache::{CcacheError, CredentialCache};
use crate::crypto::CryptoError;
use crate::exchange::Credential;

/// The Kerberos realm of Entra ID in the public cloud.
pub const CLOUD_REALM: &str = "KERBEROS.MICROSOFTONLINE.COM";

/// Which ticket of the PRT response an error is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TgtKind {
    /// `tgt_cloud` (or the legacy `tgt_client_key`/`tgt_message_buffer` fields).
    Cloud,
    /// `tgt_ad`, the partial TGT for the on-premises realm.
    Ad,
}

impl TgtKind {
    /// The JSON field name.
    pub fn field(self) -> &'static str {
        match self {
            TgtKind::Cloud => "tgt_cloud",
            TgtKind::Ad => "tgt_ad",
        }
    }
}

impl fmt::Display for TgtKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.field())
    }
}

/// Errors of the cloud-TGT ingestion. None of them carries secret material.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CloudError {
    /// The response is not JSON (serde_json's message, with line and column).
    #[error("the PRT response is not valid JSON: {0}")]
    Json(String),
    /// The response (or a `tgt_*` document) is JSON but not an object.
    #[error("{0} is not a JSON object")]
    NotAnObject(&'static str),
    /// A known field has the wrong JSON type.
    #[error("field {field} has the wrong type (expected {expected})")]
    FieldType {
        /// The field, e.g. `tgt_cloud.keyType`.
        field: String,
        /// What was expected, in words.
        expected: &'static str,
    },
    /// The token endpoint answered with `error` (and usually `error_description`).
    #[error("the token endpoint returned an error: {error}{}", description.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    Server {
        /// The OAuth `error` code, e.g. `invalid_grant`.
        error: String,
        /// `error_description` (carries the AADSTS code and text).
        description: Option<String>,
        /// `error_codes`, when present.
        error_codes: Vec<i64>,
    },
    /// The ticket object says the ticket was not issued (`error` field).
    #[error("{which} was not issued: {error}")]
    TgtNotIssued {
        /// Which ticket.
        which: TgtKind,
        /// Entra's `error` string.
        error: String,
    },
    /// The response has no such ticket (was the request sent with `tgt=true`?).
    #[error("the PRT response has no {0} (was the token request sent with tgt=true?)")]
    MissingTgt(TgtKind),
    /// A required field of a ticket object is absent.
    #[error("{which} has no {field}")]
    MissingField {
        /// Which ticket.
        which: TgtKind,
        /// The missing field.
        field: &'static str,
    },
    /// The session key is to be unwrapped but the response has no `session_key_jwe`.
    #[error("the PRT response has no session_key_jwe to unwrap with the transport key")]
    MissingSessionKeyJwe,
    /// `clientKey` is a JWE, which needs the PRT session key.
    #[error(
        "{0}: clientKey is encrypted (JWE) and needs the PRT session key (give the session key or the device transport key)"
    )]
    SessionKeyRequired(TgtKind),
    /// A compact JWE is malformed (part count, base64, header JSON, `ctx`, IV or tag length).
    #[error("malformed JWE: {0}")]
    MalformedJwe(&'static str),
    /// A JWE with an algorithm this module does not implement.
    #[error("unsupported JWE: alg {alg:?}, enc {enc:?}")]
    UnsupportedJwe {
        /// The `alg` header value.
        alg: String,
        /// The `enc` header value.
        enc: Option<String>,
    },
    /// The transport key could not be read.
    #[error("transport key: {0}")]
    TransportKey(String),
    /// RSA-OAEP decryption of `session_key_jwe` failed: not the device's transport key.
    #[error("the session_key_jwe does not decrypt with this transport key (RSA-OAEP/SHA-1 failed)")]
    SessionKeyUnwrapFailed,
    /// A PRT session key must be 32 bytes.
    #[error("the PRT session key must be 32 bytes, got {0}")]
    BadSessionKeyLength(usize),
    /// A session key given as hex has an odd length or a non-hex character.
    #[error("the session key is not hex (expected 64 hex digits)")]
    SessionKeyNotHex,
    /// The JWE does not decrypt (bad padding or GCM tag): wrong session key or corrupted data.
    #[error("the JWE does not decrypt with this session key ({0}); wrong session key?")]
    JweDecryptFailed(&'static str),
    /// A field that should hold base64 does not.
    #[error("{0} is not valid base64")]
    Base64(&'static str),
    /// `keyType` does not fit the client key, or is not a usable encryption type.
    #[error(
        "keyType {key_type} does not fit a {key_len}-byte client key (Entra uses 18, aes256-cts-hmac-sha1-96)"
    )]
    KeyType {
        /// The `keyType` value.
        key_type: i32,
        /// The length of the decrypted client key.
        key_len: usize,
    },
    /// `messageBuffer` does not decode as a KRB-AS-REP.
    #[error("messageBuffer is not a valid KRB-AS-REP: {0}")]
    AsRepDecode(#[source] Asn1Error),
    /// The AS-REP enc-part does not decrypt with the client key (key usage 3).
    #[error(
        "the AS-REP does not decrypt with the client key (enc-part etype {etype}); the clientKey does not belong to this messageBuffer"
    )]
    AsRepDecryptFailed {
        /// The enc-part's etype.
        etype: i32,
    },
    /// The AS-REP decrypted but its contents are unusable.
    #[error("invalid AS-REP: {0}")]
    AsRepInvalid(String),
    /// A crypto-layer error other than a failed integrity check.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    /// The cloud TGT ends too soon to be used, and Entra does not renew TGTs.
    #[error(
        "the cloud TGT for {client} ends at unix time {end_time} ({remaining} s left): Entra ID does not \
         renew TGTs; fetch a new PRT with tgt=true to get a new one"
    )]
    TgtExpiring {
        /// The TGT's client.
        client: String,
        /// Its end time (KDC clock).
        end_time: i64,
        /// Seconds left (negative when already expired).
        remaining: i64,
    },
    /// The on-premises DC refused to exchange the partial TGT (KDC_ERR_TGT_REVOKED / CLIENT_REVOKED).
    #[error(
        "the domain controller refused the partial TGT of {client} ({code} {name}): the Entra \
         Kerberos server object's password replication policy (msDS-RevealOnDemandGroup / \
         msDS-NeverRevealGroup of the AzureADKerberos computer object) does not allow this user, or \
         the user is privileged; add the user to the allowed group or use another account"
    )]
    PartialTgtRefused {
        /// The partial TGT's client.
        client: String,
        /// The KDC error code (20 or 18).
        code: i32,
        /// Its RFC name.
        name: &'static str,
    },
    /// The KERB-KEY-LIST-REP in the reply could not be read.
    #[error("malformed KERB-KEY-LIST-REP: {0}")]
    KeyList(String),
    /// The Kerberos exchange (through the client) failed.
    #[error(transparent)]
    Client(Box<crate::client::ClientError>),
    /// Writing the credential cache failed.
    #[error("writing the credential cache: {0}")]
    Ccache(#[from] CcacheError),
}

/// Write `cred` as the only ticket of a new MIT FILE credential cache (format 4) at `path`,
/// replacing any cache there (as `kinit` does), atomically and with mode 0600. The cache's
/// default principal is the ticket's client exactly as received.
pub fn store(cred: &Credential, path: impl AsRef<Path>) -> Result<(), CloudError> {
    let mut cache = CredentialCache::new(cred.client.clone());
    cache.store(cred.to_ccache());
    cache.write_atomic(path)?;
    Ok(())
}
