//! Kerberos wire types (RFC 4120, RFC 6113 FAST, RFC 6806, MS-KILE, MS-SFU, MS-KKDCP) on
//! `rasn`.
//!
//! Rules of this layer:
//! * **Encode strictly**: DER only; times in whole seconds; flags always 32 bits; kvno,
//!   nonce and seq-number as signed Int32 (MIT/Windows behaviour).
//! * **Decode leniently**: DER first, BER as a fallback; signed or unsigned UInt32s;
//!   flags of any length; fractional seconds truncated; UTF-8 (or any octets) in
//!   GeneralStrings; EncASRepPart under APPLICATION 25 or 26; unknown trailing fields
//!   of extensible types kept in an [`Extensions`] field; unknown PA-DATA kept raw.
//! * **Tickets are opaque**: messages hold [`RawTicket`], the exact received bytes,
//!   re-emitted unchanged. [`RawTicket::parse`] gives a [`Ticket`].
//! * **No panics** on any input: every decoder returns [`Asn1Error`].
//!
//! Decisions where the specifications are silent:
//! * `UInt32` (kvno, nonce, seq-number) is encoded as the signed reading of its 32 bits,
//!   like MIT and Windows (`0xff000000` → `02 04 ff 00 00 00`), never as 5 bytes. Nonces
//!   should be generated with [`UInt32::nonce`], which masks to 31 bits as MIT does, so
//!   that signed and unsigned peers agree; a reply's nonce is compared as `u32`.
//! * Flags decode from any length (missing bits are 0, bits past 31 dropped) and always
//!   encode as 32 bits; a 16-bit KDCOptions from a peer therefore re-encodes longer.
//! * `KerberosTime` outside years 0000–9999 UTC is a decode error (it could not be
//!   re-encoded); fractional seconds are truncated; a received leap second is preserved.
//! * Unknown trailing components are accepted only for types whose ASN.1 has `...`
//!   (RFC 6113 FAST types, PA-S4U-X509-USER, S4UUserID) and for EncKDCRepPart (which
//!   RFC 6806 already extended once); other types stay strict.
//! * A KRB-ERROR's `e-data` stays opaque; [`KrbError::method_data`] and
//!   [`KrbError::typed_data`] interpret it on request.
//! * PA-DATA with an empty value (KRB-ERROR METHOD-DATA hints, PA-REQ-ENC-PA-REP in a
//!   request) decodes as [`TypedPaData::Empty`] for any known type.
//!
//! ```
//! use kerberos_client::asn1::{self, constants::*, *};
//!
//! let now = KerberosTime::from_unix(1_764_115_200);
//! let body = KdcReqBody::new(
//!     KdcOptions::from_bits(&[KdcOptions::FORWARDABLE, KdcOptions::RENEWABLE,
//!                             KdcOptions::CANONICALIZE, KdcOptions::RENEWABLE_OK]),
//!     "EXAMPLE.COM",
//!     now.add_secs(10 * 3600),
//!     UInt32::nonce(0x1234_5678).get(),
//!     &[etype::AES256_CTS_HMAC_SHA1_96, etype::AES128_CTS_HMAC_SHA1_96],
//! )
//! .with_cname(PrincipalName::new(name_type::NT_PRINCIPAL, &["Łukasz"]))
//! .with_sname(PrincipalName::new(name_type::NT_SRV_INST, &["krbtgt", "EXAMPLE.COM"]));
//! let pac = PaData::from_value(padata_type::PA_PAC_REQUEST, &KerbPaPacRequest { include_pac: true })?;
//! let der = asn1::encode(&AsReq::new(Some(vec![pac]), body))?;
//!
//! let back: AsReq = asn1::decode(&der)?;
//! assert_eq!(back.0.req_body.cname.unwrap().name_string[0].as_str(), Some("Łukasz"));
//! # Ok::<(), asn1::Asn1Error>(())
//! ```

pub mod constants;
mod ext;
pub mod fast;
mod flags;
mod int;
mod key;
pub mod kkdcp;
mod messages;
pub mod ms;
pub mod padata;
mod string;
mod time;

pub use ext::{Extensions, RawTicket};
pub use fast::*;
pub use flags::{
    ApOptions, FastOptions, KdcOptions, KerberosFlags, PacOptionsFlags, S4uOptions, TicketFlags,
};
pub use int::{Int32, Microseconds, UInt32};
pub use key::KeyBytes;
pub use kkdcp::KdcProxyMessage;
pub use messages::*;
pub use ms::*;
pub use padata::*;
pub use string::{KerberosString, Realm};
pub use time::KerberosTime;

/// Re-exported so callers can name the octet-string type used in the structs.
pub use rasn::types::OctetString;

pub use rasn::{Decode, Encode};

/// Errors of the ASN.1 layer.
#[derive(Debug, thiserror::Error)]
pub enum Asn1Error {
    /// The input is not a valid encoding of the requested type.
    #[error("ASN.1 decode error: {0}")]
    Decode(#[from] rasn::error::DecodeError),
    /// The value could not be encoded.
    #[error("ASN.1 encode error: {0}")]
    Encode(#[from] rasn::error::EncodeError),
    /// Bytes were left over after a complete value.
    #[error("{0} trailing bytes after the ASN.1 value")]
    TrailingData(usize),
    /// The outer tag was not one of the expected ones.
    #[error("unexpected tag: expected {expected}, found 0x{found:02x}")]
    UnexpectedTag {
        /// What was expected, in words.
        expected: &'static str,
        /// The first identifier octet seen.
        found: u8,
    },
    /// A non-ASN.1 value (e.g. PA-SUPPORTED-ENCTYPES) had the wrong shape.
    #[error("invalid value: {0}")]
    InvalidValue(&'static str),
}

/// Encode `value` as DER.
pub fn encode<T: Encode>(value: &T) -> Result<Vec<u8>, Asn1Error> {
    Ok(rasn::der::encode(value)?)
}

/// Decode a complete `T` from `bytes`: DER first, then BER as a fallback. Trailing bytes
/// are an error in both modes.
pub fn decode<T: Decode>(bytes: &[u8]) -> Result<T, Asn1Error> {
    match rasn::der::decode::<T>(bytes) {
        Ok(v) => Ok(v),
        Err(der_err) => match rasn::ber::decode_with_remainder::<T>(bytes) {
            Ok((v, [])) => Ok(v),
            Ok((_, rest)) => Err(Asn1Error::TrailingData(rest.len())),
            Err(_) => Err(Asn1Error::Decode(der_err)),
        },
    }
}

/// Decode strictly as DER (no BER fallback).
pub fn decode_der<T: Decode>(bytes: &[u8]) -> Result<T, Asn1Error> {
    Ok(rasn::der::decode::<T>(bytes)?)
}

/// Which APPLICATION tag an encrypted KDC reply part arrived under.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EncKdcRepPartKind {
    /// `[APPLICATION 25]` EncASRepPart.
    AsRep,
    /// `[APPLICATION 26]` EncTGSRepPart (MIT also uses it for AS replies).
    TgsRep,
}

/// Decode a decrypted KDC reply part, accepting `[APPLICATION 25]` or `[APPLICATION 26]`
/// regardless of the exchange (MIT sends 26 in AS replies), and report which it was.
pub fn decode_enc_kdc_rep_part(
    bytes: &[u8],
) -> Result<(EncKdcRepPart, EncKdcRepPartKind), Asn1Error> {
    match bytes.first() {
        Some(0x79) => Ok((decode::<EncAsRepPart>(bytes)?.0, EncKdcRepPartKind::AsRep)),
        Some(0x7a) => Ok((decode::<EncTgsRepPart>(bytes)?.0, EncKdcRepPartKind::TgsRep)),
        Some(&found) => Err(Asn1Error::UnexpectedTag {
            expected: "[APPLICATION 25] or [APPLICATION 26]",
            found,
        }),
        None => Err(Asn1Error::UnexpectedTag {
            expected: "[APPLICATION 25] or [APPLICATION 26]",
            found: 0,
        }),
    }
}

/// A decoded KDC reply: AS-REP, TGS-REP or KRB-ERROR.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KdcReply {
    /// `[APPLICATION 11]`
    AsRep(AsRep),
    /// `[APPLICATION 13]`
    TgsRep(TgsRep),
    /// `[APPLICATION 30]`
    Error(KrbError),
}

/// Decode whatever a KDC sent back, by its APPLICATION tag.
pub fn decode_kdc_reply(bytes: &[u8]) -> Result<KdcReply, Asn1Error> {
    match bytes.first() {
        Some(0x6b) => decode(bytes).map(KdcReply::AsRep),
        Some(0x6d) => decode(bytes).map(KdcReply::TgsRep),
        Some(0x7e) => decode(bytes).map(KdcReply::Error),
        Some(&found) => Err(Asn1Error::UnexpectedTag {
            expected: "AS-REP, TGS-REP or KRB-ERROR",
            found,
        }),
        None => Err(Asn1Error::UnexpectedTag {
            expected: "AS-REP, TGS-REP or KRB-ERROR",
            found: 0,
        }),
    }
}
