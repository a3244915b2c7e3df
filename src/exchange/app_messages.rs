//! Application messages (RFC 4120 §3.4–3.6, §5.6–5.8): KRB-SAFE (integrity), KRB-PRIV
//! (confidentiality) and KRB-CRED (credential forwarding), built and verified with the
//! session key or subkey that an AP exchange established.
//!
//! * KRB-SAFE: the user data with a keyed checksum (key usage 15, the key's mandatory
//!   checksum type) over the DER `KRB-SAFE-BODY`.
//! * KRB-PRIV: the user data in an `EncKrbPrivPart` encrypted with key usage 13.
//! * KRB-CRED: tickets with their session keys in an `EncKrbCredPart`, encrypted with key
//!   usage 14, or unencrypted (enctype 0, as MIT sends for GSS delegation when the peer
//!   can't be assumed to share a key): [`build_krb_cred`], [`parse_krb_cred`].
//!
//! Replay and ordering checks for KRB-SAFE/KRB-PRIV are done by a [`MessageVerifier`]
//! (one per direction of a connection): sequence numbers must follow each other, a
//! timestamp must be within the clock skew, and a (timestamp, usec) pair seen before is a
//! replay.
//!
//! ```
//! use std::time::{Duration, SystemTime};
//! use kerberos_client::crypto::{EncryptionType, Key};
//! use kerberos_client::exchange::{MessageParams, MessageVerifier, build_krb_priv};
//!
//! let key = Key::random(EncryptionType::Aes256CtsHmacSha196); // the AP subkey
//! let msg = build_krb_priv(&key, b"hello", &MessageParams::with_sequence(1))?;
//! let mut peer = MessageVerifier::new(Duration::from_secs(300)).expect_sequence(1);
//! let m = peer.read_priv(&key, &msg, SystemTime::now())?;
//! assert_eq!(m.user_data, b"hello");
//! assert!(peer.read_priv(&key, &msg, SystemTime::now()).is_err()); // a replay
//! # Ok::<(), kerberos_client::exchange::AppMessageError>(())
//! ```
//!
//! The sender address (`s-address`) is mandatory in RFC 4120's ASN.1 but optional in
//! Heimdal's and in practice: these builders omit it when [`MessageParams::s_address`]
//! is `None`, and the parsers accept messages without it.

use std::collections::VecDeque;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rasn::prelude::*;
use rasn::types::OctetString;

use super::credential::Credential;
use crate::asn1::constants::{addr_type, msg_type};
use crate::asn1::{
    self, Asn1Error, Checksum, EncKrbCredPart, EncryptedData, EncryptionKey, HostAddress,
    KerberosString, KerberosTime, KrbCred, KrbCredInfo, Microseconds, RawTicket, TicketFlags,
    UInt32,
};
use crate::crypto::{CryptoError, EncryptionType, Key, KeyUsage};
use crate::principal::Principal;

/// Enctype number of an unencrypted KRB-CRED enc-part (`ENCTYPE_NULL`).
pub const ETYPE_NULL: i32 = 0;
/// Most credentials accepted in one KRB-CRED.
const MAX_CREDENTIALS: usize = 64;

/// Errors of building or verifying an application message.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AppMessageError {
    /// The bytes are not the expected message (ASN.1).
    #[error("malformed message: {0}")]
    Asn1(#[from] Asn1Error),
    /// pvno or msg-type is wrong.
    #[error("not a {expected} message (pvno {pvno}, msg-type {msg_type})")]
    WrongMessage {
        /// "KRB-SAFE", "KRB-PRIV" or "KRB-CRED".
        expected: &'static str,
        /// The pvno found.
        pvno: i32,
        /// The msg-type found.
        msg_type: i32,
    },
    /// The message is encrypted (or checksummed) for another enctype than the key's.
    #[error("the message uses enctype {message}, but the key is of enctype {key}")]
    EtypeMismatch {
        /// The key's enctype.
        key: i32,
        /// The message's enctype.
        message: i32,
    },
    /// The enc-part does not decrypt with the key (wrong key, or tampered with).
    #[error("the {what} enc-part does not decrypt with the key (key usage {usage})")]
    DecryptFailed {
        /// "KRB-PRIV" or "KRB-CRED".
        what: &'static str,
        /// Key usage tried.
        usage: u32,
    },
    /// The KRB-CRED is encrypted but no key was given.
    #[error("the KRB-CRED enc-part is encrypted (enctype {0}): a key is needed to read it")]
    KeyRequired(i32),
    /// The KRB-SAFE checksum type is not the key's mandatory checksum.
    #[error(
        "the KRB-SAFE checksum type {got} is not acceptable with this key (expected {expected})"
    )]
    ChecksumType {
        /// The key's mandatory checksum type.
        expected: i32,
        /// The message's checksum type.
        got: i32,
    },
    /// The KRB-SAFE checksum does not verify.
    #[error("the KRB-SAFE checksum does not verify: wrong key or tampered message")]
    BadChecksum,
    /// A cryptographic error (e.g. an unsupported enctype).
    #[error("crypto: {0}")]
    Crypto(#[from] CryptoError),
    /// A KRB-CRED with a different number of tickets and ticket-info entries.
    #[error("the KRB-CRED has {tickets} tickets but {infos} ticket-info entries")]
    TicketCount {
        /// Tickets.
        tickets: usize,
        /// KrbCredInfo entries.
        infos: usize,
    },
    /// A field needed to build a credential is missing.
    #[error("the KRB-CRED ticket-info has no {0}")]
    MissingField(&'static str),
    /// Neither a timestamp nor a sequence number: no replay protection possible.
    #[error("the message has neither a timestamp nor a sequence number")]
    NoTimestampOrSequence,
    /// The verifier expects sequence numbers but the message has none.
    #[error("the message has no sequence number, but the connection uses them")]
    MissingSequence,
    /// The timestamp is outside the allowed clock skew.
    #[error("the message timestamp {timestamp} is more than {skew} s from the local time {now}")]
    ClockSkew {
        /// The message's time (unix seconds).
        timestamp: i64,
        /// The local time.
        now: i64,
        /// Allowed skew in seconds.
        skew: u64,
    },
    /// A message seen before.
    #[error("replayed message: {0}")]
    Replay(String),
    /// A sequence number ahead of the expected one (a message was lost or reordered).
    #[error("sequence number {got} where {expected} was expected (lost or reordered message)")]
    SequenceGap {
        /// The next expected number.
        expected: u32,
        /// The number received.
        got: u32,
    },
    /// The sender or recipient address is not the expected one.
    #[error("the message's {0} address does not match")]
    AddressMismatch(&'static str),
}

/// What goes into a KRB-SAFE or KRB-PRIV besides the user data (RFC 4120 §5.6.1, §5.7.1).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MessageParams {
    /// timestamp + usec (microsecond precision is kept).
    pub timestamp: Option<SystemTime>,
    /// seq-number.
    pub seq_number: Option<u32>,
    /// s-address; `None` omits it.
    pub s_address: Option<HostAddress>,
    /// r-address.
    pub r_address: Option<HostAddress>,
}

impl MessageParams {
    /// Timestamp `now` and no sequence number.
    pub fn with_timestamp(now: SystemTime) -> Self {
        MessageParams {
            timestamp: Some(now),
            ..MessageParams::default()
        }
    }

    /// Sequence number `seq` (and no timestamp).
    pub fn with_sequence(seq: u32) -> Self {
        MessageParams {
            seq_number: Some(seq),
            ..MessageParams::default()
        }
    }
}

/// A verified KRB-SAFE or decrypted KRB-PRIV.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceivedMessage {
    /// user-data.
    pub user_data: Vec<u8>,
    /// timestamp, unix seconds.
    pub timestamp: Option<i64>,
    /// usec.
    pub usec: Option<i32>,
    /// seq-number.
    pub seq_number: Option<u32>,
    /// s-address.
    pub s_address: Option<HostAddress>,
    /// r-address.
    pub r_address: Option<HostAddress>,
}

// The wire types, with s-address OPTIONAL (as Heimdal declares it) so that messages without
// a sender address can be built and read. The tags are those of RFC 4120.

#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq)]
struct SafeBody {
    #[rasn(tag(explicit(0)))]
    user_data: OctetString,
    #[rasn(tag(explicit(1)))]
    timestamp: Option<KerberosTime>,
    #[rasn(tag(explicit(2)))]
    usec: Option<Microseconds>,
    #[rasn(tag(explicit(3)))]
    seq_number: Option<UInt32>,
    #[rasn(tag(explicit(4)))]
    s_address: Option<HostAddress>,
    #[rasn(tag(explicit(5)))]
    r_address: Option<HostAddress>,
}

#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq)]
#[rasn(tag(explicit(application, 20)))]
struct Safe {
    #[rasn(tag(explicit(0)))]
    pvno: i32,
    #[rasn(tag(explicit(1)))]
    msg_type: i32,
    #[rasn(tag(explicit(2)))]
    safe_body: SafeBody,
    #[rasn(tag(explicit(3)))]
    cksum: Checksum,
}

#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq)]
#[rasn(tag(explicit(application, 28)))]
struct PrivPart {
    #[rasn(tag(explicit(0)))]
    user_data: OctetString,
    #[rasn(tag(explicit(1)))]
    timestamp: Option<KerberosTime>,
    #[rasn(tag(explicit(2)))]
    usec: Option<Microseconds>,
    #[rasn(tag(explicit(3)))]
    seq_number: Option<UInt32>,
    #[rasn(tag(explicit(4)))]
    s_address: Option<HostAddress>,
    #[rasn(tag(explicit(5)))]
    r_address: Option<HostAddress>,
}

#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq)]
#[rasn(tag(explicit(application, 21)))]
struct Priv {
    #[rasn(tag(explicit(0)))]
    pvno: i32,
    #[rasn(tag(explicit(1)))]
    msg_type: i32,
    #[rasn(tag(explicit(3)))]
    enc_part: EncryptedData,
}

/// (KerberosTime, usec) of a SystemTime.
fn split_time(t: SystemTime) -> (KerberosTime, Microseconds) {
    let usec = t
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_micros())
        .unwrap_or(0);
    (
        KerberosTime::from_system_time(t),
        i32::try_from(usec).unwrap_or(0),
    )
}

fn unix(t: SystemTime) -> i64 {
    KerberosTime::from_system_time(t).unix()
}

fn check_header(
    expected: &'static str,
    pvno: i32,
    got_type: i32,
    want_type: i32,
) -> Result<(), AppMessageError> {
    if pvno != 5 || got_type != want_type {
        return Err(AppMessageError::WrongMessage {
            expected,
            pvno,
            msg_type: got_type,
        });
    }
    Ok(())
}

fn safe_body(user_data: &[u8], p: &MessageParams) -> SafeBody {
    let (timestamp, usec) = match p.timestamp {
        Some(t) => {
            let (ts, us) = split_time(t);
            (Some(ts), Some(us))
        }
        None => (None, None),
    };
    SafeBody {
        user_data: OctetString::from(user_data.to_vec()),
        timestamp,
        usec,
        seq_number: p.seq_number.map(UInt32),
        s_address: p.s_address.clone(),
        r_address: p.r_address.clone(),
    }
}

fn received(b: SafeBody) -> ReceivedMessage {
    ReceivedMessage {
        user_data: b.user_data.to_vec(),
        timestamp: b.timestamp.map(KerberosTime::unix),
        usec: b.usec,
        seq_number: b.seq_number.map(|s| s.0),
        s_address: b.s_address,
        r_address: b.r_address,
    }
}

/// Build a KRB-SAFE: `user_data` with the key's mandatory checksum (key usage 15) over the
/// DER KRB-SAFE-BODY.
pub fn build_krb_safe(
    key: &Key,
    user_data: &[u8],
    params: &MessageParams,
) -> Result<Vec<u8>, AppMessageError> {
    let body = safe_body(user_data, params);
    let body_der = asn1::encode(&body)?;
    let ctype = key.etype().checksum_type();
    let cksum = key.checksum_with_type(ctype, KeyUsage::KRB_SAFE_CKSUM, &body_der)?;
    Ok(asn1::encode(&Safe {
        pvno: 5,
        msg_type: msg_type::KRB_SAFE,
        safe_body: body,
        cksum: Checksum::new(ctype.id(), cksum),
    })?)
}

/// Verify a KRB-SAFE's checksum with `key` and return its content. No replay or time checks:
/// see [`MessageVerifier`].
pub fn read_krb_safe(key: &Key, message: &[u8]) -> Result<ReceivedMessage, AppMessageError> {
    let safe: Safe = asn1::decode(message)?;
    check_header("KRB-SAFE", safe.pvno, safe.msg_type, msg_type::KRB_SAFE)?;
    let expected = key.etype().checksum_type();
    if safe.cksum.cksumtype != expected.id() {
        return Err(AppMessageError::ChecksumType {
            expected: expected.id(),
            got: safe.cksum.cksumtype,
        });
    }
    // The checksum covers the body as sent: take its bytes from the message when they can be
    // located, else the DER re-encoding.
    let body_bytes = match raw_safe_body(message) {
        Some(b) => b.to_vec(),
        None => asn1::encode(&safe.safe_body)?,
    };
    key.verify_checksum_with_type(
        expected,
        KeyUsage::KRB_SAFE_CKSUM,
        &body_bytes,
        &safe.cksum.checksum,
    )
    .map_err(|_| AppMessageError::BadChecksum)?;
    Ok(received(safe.safe_body))
}

/// Build a KRB-PRIV: `user_data` in an EncKrbPrivPart encrypted with `key` (key usage 13).
pub fn build_krb_priv(
    key: &Key,
    user_data: &[u8],
    params: &MessageParams,
) -> Result<Vec<u8>, AppMessageError> {
    let b = safe_body(user_data, params);
    let part = PrivPart {
        user_data: b.user_data,
        timestamp: b.timestamp,
        usec: b.usec,
        seq_number: b.seq_number,
        s_address: b.s_address,
        r_address: b.r_address,
    };
    let plain = zeroize::Zeroizing::new(asn1::encode(&part)?);
    let cipher = key.encrypt(KeyUsage::KRB_PRIV_ENC_PART, &plain);
    Ok(asn1::encode(&Priv {
        pvno: 5,
        msg_type: msg_type::KRB_PRIV,
        enc_part: EncryptedData::new(key.etype().id(), None, cipher),
    })?)
}

/// Decrypt a KRB-PRIV with `key` and return its content. No replay or time checks: see
/// [`MessageVerifier`].
pub fn read_krb_priv(key: &Key, message: &[u8]) -> Result<ReceivedMessage, AppMessageError> {
    let p: Priv = asn1::decode(message)?;
    check_header("KRB-PRIV", p.pvno, p.msg_type, msg_type::KRB_PRIV)?;
    if p.enc_part.etype != key.etype().id() {
        return Err(AppMessageError::EtypeMismatch {
            key: key.etype().id(),
            message: p.enc_part.etype,
        });
    }
    let plain = zeroize::Zeroizing::new(
        key.decrypt(KeyUsage::KRB_PRIV_ENC_PART, &p.enc_part.cipher)
            .map_err(|_| AppMessageError::DecryptFailed {
                what: "KRB-PRIV",
                usage: KeyUsage::KRB_PRIV_ENC_PART.0,
            })?,
    );
    let part: PrivPart = asn1::decode(&plain)?;
    Ok(received(SafeBody {
        user_data: part.user_data,
        timestamp: part.timestamp,
        usec: part.usec,
        seq_number: part.seq_number,
        s_address: part.s_address,
        r_address: part.r_address,
    }))
}

// ---------------------------------------------------------------------------------------
// A minimal BER/DER TLV walker, only to find the exact bytes of KRB-SAFE's safe-body.

/// One TLV at the start of `input`: (tag byte, content, rest). Definite lengths only.
fn tlv(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    if tag & 0x1f == 0x1f {
        return None; // multi-byte tags do not occur here
    }
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let (len_bytes, rest) = rest.split_at(n);
        let len = len_bytes
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
        (len, rest)
    };
    if rest.len() < len {
        return None;
    }
    let (content, rest) = rest.split_at(len);
    Some((tag, content, rest))
}

/// The bytes of the `[2] safe-body` element's KRB-SAFE-BODY in a KRB-SAFE message.
fn raw_safe_body(message: &[u8]) -> Option<&[u8]> {
    let (tag, app, _) = tlv(message)?;
    if tag != 0x74 {
        return None;
    }
    let (tag, mut seq, _) = tlv(app)?;
    if tag != 0x30 {
        return None;
    }
    while !seq.is_empty() {
        let (tag, content, rest) = tlv(seq)?;
        if tag == 0xa2 {
            let (_, _, after) = tlv(content)?;
            if !after.is_empty() {
                return None;
            }
            return Some(content);
        }
        seq = rest;
    }
    None
}

// ---------------------------------------------------------------------------------------

/// Replay, ordering, time and address checks for the KRB-SAFE/KRB-PRIV messages of one
/// direction of a connection (RFC 4120 §3.4.1, §3.5.1).
#[derive(Clone, Debug)]
pub struct MessageVerifier {
    clock_skew: Duration,
    next_seq: Option<u32>,
    uses_sequence: bool,
    remote_address: Option<HostAddress>,
    local_address: Option<HostAddress>,
    /// (timestamp, usec) of accepted messages without sequence numbers, oldest first.
    seen: VecDeque<(i64, i32)>,
}

/// Most remembered timestamps (older ones are forgotten first).
const MAX_SEEN: usize = 4096;

impl MessageVerifier {
    /// A verifier allowing `clock_skew` between the peer's timestamps and the local clock.
    /// The first sequence number received is taken as the start (use
    /// [`expect_sequence`](Self::expect_sequence) when the AP exchange gave it).
    pub fn new(clock_skew: Duration) -> Self {
        MessageVerifier {
            clock_skew,
            next_seq: None,
            uses_sequence: false,
            remote_address: None,
            local_address: None,
            seen: VecDeque::new(),
        }
    }

    /// Expect sequence numbers starting at `seq` (the peer's initial sequence number from
    /// its authenticator or AP-REP); messages without one are then refused.
    pub fn expect_sequence(mut self, seq: u32) -> Self {
        self.next_seq = Some(seq);
        self.uses_sequence = true;
        self
    }

    /// The peer's address: a message's s-address, when present, must be this one.
    pub fn remote_address(mut self, a: HostAddress) -> Self {
        self.remote_address = Some(a);
        self
    }

    /// This host's address: a message's r-address, when present, must be this one.
    pub fn local_address(mut self, a: HostAddress) -> Self {
        self.local_address = Some(a);
        self
    }

    /// The next sequence number expected, if known.
    pub fn next_sequence(&self) -> Option<u32> {
        self.next_seq
    }

    /// Check a received message at local time `now`; on success it is remembered (its
    /// sequence number is consumed, or its timestamp cached for replay detection).
    pub fn check(&mut self, m: &ReceivedMessage, now: SystemTime) -> Result<(), AppMessageError> {
        if m.timestamp.is_none() && m.seq_number.is_none() {
            return Err(AppMessageError::NoTimestampOrSequence);
        }
        if let (Some(want), Some(got)) = (&self.remote_address, &m.s_address)
            && want != got
            && got.addr_type != addr_type::DIRECTIONAL
        {
            return Err(AppMessageError::AddressMismatch("sender"));
        }
        if let (Some(want), Some(got)) = (&self.local_address, &m.r_address)
            && want != got
            && got.addr_type != addr_type::DIRECTIONAL
        {
            return Err(AppMessageError::AddressMismatch("recipient"));
        }
        let now_s = unix(now);
        let skew = self.clock_skew.as_secs();
        if let Some(ts) = m.timestamp
            && ts.abs_diff(now_s) > skew
        {
            return Err(AppMessageError::ClockSkew {
                timestamp: ts,
                now: now_s,
                skew,
            });
        }
        match m.seq_number {
            Some(got) => {
                if let Some(expected) = self.next_seq
                    && got != expected
                {
                    // Behind the expected number (mod 2^32): already seen.
                    let behind = expected.wrapping_sub(got);
                    return Err(if behind < 1 << 31 {
                        AppMessageError::Replay(format!(
                            "sequence number {got} was already received (next expected {expected})"
                        ))
                    } else {
                        AppMessageError::SequenceGap { expected, got }
                    });
                }
                self.next_seq = Some(got.wrapping_add(1));
                self.uses_sequence = true;
            }
            None => {
                if self.uses_sequence {
                    return Err(AppMessageError::MissingSequence);
                }
                let (ts, us) = (m.timestamp.unwrap_or(0), m.usec.unwrap_or(0));
                let horizon = now_s.saturating_sub(i64::try_from(skew).unwrap_or(i64::MAX));
                while self.seen.front().is_some_and(|&(t, _)| t < horizon) {
                    self.seen.pop_front();
                }
                if self.seen.contains(&(ts, us)) {
                    return Err(AppMessageError::Replay(format!(
                        "a message with timestamp {ts}.{us:06} was already received"
                    )));
                }
                if self.seen.len() >= MAX_SEEN {
                    self.seen.pop_front();
                }
                self.seen.push_back((ts, us));
            }
        }
        Ok(())
    }

    /// [`read_krb_safe`] then [`check`](Self::check).
    pub fn read_safe(
        &mut self,
        key: &Key,
        message: &[u8],
        now: SystemTime,
    ) -> Result<ReceivedMessage, AppMessageError> {
        let m = read_krb_safe(key, message)?;
        self.check(&m, now)?;
        Ok(m)
    }

    /// [`read_krb_priv`] then [`check`](Self::check).
    pub fn read_priv(
        &mut self,
        key: &Key,
        message: &[u8],
        now: SystemTime,
    ) -> Result<ReceivedMessage, AppMessageError> {
        let m = read_krb_priv(key, message)?;
        self.check(&m, now)?;
        Ok(m)
    }
}

// ---------------------------------------------------------------------------------------
// KRB-CRED

/// The optional fields of an EncKrbCredPart (RFC 4120 §5.8.1).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KrbCredParams {
    /// nonce (from the recipient's KRB-CRED request, if any).
    pub nonce: Option<u32>,
    /// timestamp + usec.
    pub timestamp: Option<SystemTime>,
    /// s-address.
    pub s_address: Option<HostAddress>,
    /// r-address.
    pub r_address: Option<HostAddress>,
}

/// A parsed KRB-CRED.
#[derive(Clone, Debug)]
pub struct ReceivedCredentials {
    /// The credentials, in message order (`kdc_offset` 0, no `enc_padata`).
    pub credentials: Vec<Credential>,
    /// Whether the enc-part was encrypted (false: enctype 0).
    pub encrypted: bool,
    /// nonce.
    pub nonce: Option<u32>,
    /// timestamp, unix seconds.
    pub timestamp: Option<i64>,
    /// usec.
    pub usec: Option<i32>,
    /// s-address.
    pub s_address: Option<HostAddress>,
    /// r-address.
    pub r_address: Option<HostAddress>,
}

fn cred_info(c: &Credential) -> KrbCredInfo {
    KrbCredInfo {
        key: EncryptionKey::new(
            c.session_key.etype().id(),
            c.session_key.as_bytes().to_vec(),
        ),
        prealm: Some(KerberosString::from_bytes(c.client.realm.clone())),
        pname: Some(c.client.to_wire_name()),
        flags: Some(TicketFlags::from_u32(c.flags)),
        authtime: Some(KerberosTime::from_unix(c.auth_time)),
        starttime: Some(KerberosTime::from_unix(c.start_time)),
        endtime: Some(KerberosTime::from_unix(c.end_time)),
        renew_till: c.renew_till.map(KerberosTime::from_unix),
        srealm: Some(KerberosString::from_bytes(c.server.realm.clone())),
        sname: Some(c.server.to_wire_name()),
        caddr: None,
    }
}

/// Build a KRB-CRED holding `credentials` (e.g. a forwarded TGT for delegation). With a
/// key (the AP session key or subkey) the enc-part is encrypted with key usage 14; with
/// `None` it is sent unencrypted (enctype 0), which only a confidential channel (e.g. a
/// GSS-wrapped token) may carry.
pub fn build_krb_cred(
    credentials: &[Credential],
    key: Option<&Key>,
    params: &KrbCredParams,
) -> Result<Vec<u8>, AppMessageError> {
    let mut tickets = Vec::with_capacity(credentials.len());
    for c in credentials {
        tickets.push(RawTicket::from_der(c.ticket.clone())?);
    }
    let (timestamp, usec) = match params.timestamp {
        Some(t) => {
            let (ts, us) = split_time(t);
            (Some(ts), Some(us))
        }
        None => (None, None),
    };
    let part = EncKrbCredPart {
        ticket_info: credentials.iter().map(cred_info).collect(),
        nonce: params.nonce.map(UInt32),
        timestamp,
        usec,
        s_address: params.s_address.clone(),
        r_address: params.r_address.clone(),
    };
    let plain = zeroize::Zeroizing::new(asn1::encode(&part)?);
    let enc_part = match key {
        Some(k) => EncryptedData::new(
            k.etype().id(),
            None,
            k.encrypt(KeyUsage::KRB_CRED_ENC_PART, &plain),
        ),
        None => EncryptedData::new(ETYPE_NULL, None, plain.to_vec()),
    };
    Ok(asn1::encode(&KrbCred {
        pvno: 5,
        msg_type: msg_type::KRB_CRED,
        tickets,
        enc_part,
    })?)
}

/// Parse a KRB-CRED: decrypt its enc-part with `key` (key usage 14), or accept it
/// unencrypted (enctype 0, with or without a key), and turn each ticket with its
/// KrbCredInfo into a [`Credential`]. The server name comes from the ticket-info, else from
/// the ticket itself.
pub fn parse_krb_cred(
    message: &[u8],
    key: Option<&Key>,
) -> Result<ReceivedCredentials, AppMessageError> {
    let cred: KrbCred = asn1::decode(message)?;
    check_header("KRB-CRED", cred.pvno, cred.msg_type, msg_type::KRB_CRED)?;
    let encrypted = cred.enc_part.etype != ETYPE_NULL;
    let plain = if encrypted {
        let Some(key) = key else {
            return Err(AppMessageError::KeyRequired(cred.enc_part.etype));
        };
        if cred.enc_part.etype != key.etype().id() {
            return Err(AppMessageError::EtypeMismatch {
                key: key.etype().id(),
                message: cred.enc_part.etype,
            });
        }
        zeroize::Zeroizing::new(
            key.decrypt(KeyUsage::KRB_CRED_ENC_PART, &cred.enc_part.cipher)
                .map_err(|_| AppMessageError::DecryptFailed {
                    what: "KRB-CRED",
                    usage: KeyUsage::KRB_CRED_ENC_PART.0,
                })?,
        )
    } else {
        zeroize::Zeroizing::new(cred.enc_part.cipher.to_vec())
    };
    let part: EncKrbCredPart = asn1::decode(&plain)?;
    if part.ticket_info.len() != cred.tickets.len() {
        return Err(AppMessageError::TicketCount {
            tickets: cred.tickets.len(),
            infos: part.ticket_info.len(),
        });
    }
    if cred.tickets.len() > MAX_CREDENTIALS {
        return Err(AppMessageError::TicketCount {
            tickets: cred.tickets.len(),
            infos: part.ticket_info.len(),
        });
    }
    let mut credentials = Vec::with_capacity(cred.tickets.len());
    for (ticket, info) in cred.tickets.iter().zip(&part.ticket_info) {
        let (Some(prealm), Some(pname)) = (&info.prealm, &info.pname) else {
            return Err(AppMessageError::MissingField("client name (prealm, pname)"));
        };
        let server = match (&info.srealm, &info.sname) {
            (Some(r), Some(n)) => Principal::from_wire(r, n),
            _ => {
                let t = ticket.parse()?;
                Principal::from_wire(&t.realm, &t.sname)
            }
        };
        let etype = EncryptionType::try_from(info.key.keytype)?;
        let session_key = Key::from_bytes(etype, info.key.keyvalue.as_ref())?;
        let Some(end) = info.endtime else {
            return Err(AppMessageError::MissingField("endtime"));
        };
        let auth_time = info
            .authtime
            .or(info.starttime)
            .map_or(0, KerberosTime::unix);
        credentials.push(Credential {
            client: Principal::from_wire(prealm, pname),
            server,
            ticket: ticket.as_bytes().to_vec(),
            session_key,
            flags: info.flags.map_or(0, TicketFlags::to_u32),
            auth_time,
            start_time: info.starttime.map_or(auth_time, KerberosTime::unix),
            end_time: end.unix(),
            renew_till: info.renew_till.map(KerberosTime::unix),
            kdc_offset: 0,
            enc_padata: Vec::new(),
        });
    }
    Ok(ReceivedCredentials {
        credentials,
        encrypted,
        nonce: part.nonce.map(|n| n.0),
        timestamp: part.timestamp.map(KerberosTime::unix),
        usec: part.usec,
        s_address: part.s_address,
        r_address: part.r_address,
    })
}
