//! GSS-API: the krb5 mechanism (RFC 1964 §1.1.1 checksum, RFC 4121 tokens) as a sans-IO
//! initiator security context, SPNEGO (RFC 4178) and the HTTP `Negotiate` helper (RFC 4559).
//!
//! The context never does I/O and never reads the clock: tokens go in and out of
//! [`InitiatorContext::step`], and the time is passed to [`InitiatorContext::new`].
//!
//! ```no_run
//! use std::time::SystemTime;
//! use kerberos_client::gss::{ContextFlags, ContextOptions, InitiatorContext};
//! # fn ticket() -> kerberos_client::exchange::Credential { unimplemented!() }
//! # fn send(_: &[u8]) -> Vec<u8> { unimplemented!() }
//! let cred = ticket(); // a service ticket, e.g. from Client::get_service_ticket
//! let mut ctx = InitiatorContext::new(&cred, ContextOptions::default(), SystemTime::now())?;
//! let first = ctx.step(None)?;
//! let reply = send(&first.output.unwrap_or_default());
//! let done = ctx.step(Some(&reply))?;
//! assert!(done.complete);
//! let token = ctx.wrap(b"hello", true)?;
//! # Ok::<(), kerberos_client::gss::GssError>(())
//! ```

mod context;
pub mod framing;
pub mod negotiate;
pub mod spnego;
pub mod tokens;

pub use context::{ContextFlags, ContextOptions, InitiatorContext, Step, channel_bindings_hash};
pub use negotiate::{NegotiateClient, NegotiateError};
pub use spnego::SpnegoInitiator;
pub use tokens::{SeqStatus, Unwrapped};

use crate::exchange::{ApError, KdcError};

/// DER of the krb5 mechanism OID 1.2.840.113554.1.2.2 (tag and length included).
pub const KRB5_OID_DER: &[u8] = &[
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02,
];
/// DER of Microsoft's legacy krb5 OID 1.2.840.48018.1.2.2 (accepted in SPNEGO replies).
pub const MS_KRB5_OID_DER: &[u8] = &[
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x82, 0xf7, 0x12, 0x01, 0x02, 0x02,
];
/// DER of the SPNEGO OID 1.3.6.1.5.5.2.
pub const SPNEGO_OID_DER: &[u8] = &[0x06, 0x06, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02];

/// Errors of the GSS-API layer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GssError {
    /// A token is malformed (framing, lengths, token id, filler).
    #[error("malformed GSS token: {0}")]
    Malformed(&'static str),
    /// The token belongs to another mechanism.
    #[error("the token is for another mechanism")]
    WrongMechanism,
    /// Building the AP-REQ or checking the AP-REP failed.
    #[error("AP exchange: {0}")]
    Ap(Box<ApError>),
    /// The acceptor answered with a KRB-ERROR (TOK_ID 03 00).
    #[error("the acceptor rejected the context: {0}")]
    Rejected(Box<KdcError>),
    /// A MIC or Wrap token failed its integrity check (wrong key, tampered).
    #[error("bad signature or decryption failure (GSS_S_BAD_SIG)")]
    BadSignature,
    /// A token with this sequence number was already received (GSS_S_DUPLICATE_TOKEN).
    #[error("duplicate token (sequence number {0})")]
    Duplicate(u64),
    /// The token is older than the replay window (GSS_S_OLD_TOKEN).
    #[error("old token (sequence number {0})")]
    OldToken(u64),
    /// The token was sent by the initiator (our own token reflected back).
    #[error("token reflected: the acceptor flag is not set")]
    Reflected,
    /// The call is not allowed in the context's state.
    #[error("wrong context state: {0}")]
    State(&'static str),
    /// The session key's enctype has no RFC 4121 tokens here (RC4 uses RFC 4757 tokens).
    #[error("enctype {0} is not supported by the GSS layer (RFC 4121 enctypes only)")]
    UnsupportedEnctype(i32),
    /// ASN.1 encoding or decoding failed.
    #[error("ASN.1: {0}")]
    Asn1(#[from] crate::asn1::Asn1Error),
    /// SPNEGO negotiation failed.
    #[error("SPNEGO: {0}")]
    Spnego(&'static str),
}

impl From<ApError> for GssError {
    fn from(e: ApError) -> Self {
        GssError::Ap(Box::new(e))
    }
}
