//! AP-REQ building and AP-REP verification (RFC 4120 §3.2, §5.5.1, §5.5.2).
//!
//! [`ApReqBuilder`] makes an AP-REQ over a ticket: the Authenticator (client name, ctime and
//! cusec from the time passed in, optional subkey, sequence number, checksum and
//! authorization-data) is encrypted with the ticket's session key under a key usage of the
//! caller's choice (11 for an application AP-REQ, 7 inside PA-TGS-REQ). The result,
//! [`ApReqOutput`], carries what is needed to verify the server's AP-REP later.
//!
//! ```
//! use std::time::SystemTime;
//! use kerberos_client::crypto::{EncryptionType, Key, KeyUsage};
//! use kerberos_client::exchange::ap::{ApReqBuilder, AuthenticatorChecksum};
//! use kerberos_client::principal::Principal;
//! # let ticket = kerberos_client::asn1::RawTicket::from_ticket(&kerberos_client::asn1::Ticket {
//! #     tkt_vno: 5, realm: "EXAMPLE.TEST".into(),
//! #     sname: kerberos_client::asn1::PrincipalName::new(2, &["host", "svc.example.test"]),
//! #     enc_part: kerberos_client::asn1::EncryptedData::new(18, Some(1), vec![0u8; 64]),
//! # })?.into_bytes();
//! let session_key = Key::random(EncryptionType::Aes256CtsHmacSha196);
//! let client = Principal::parse("alice@EXAMPLE.TEST", None)?;
//! let ap = ApReqBuilder::new(&ticket, &session_key, &client, SystemTime::now())
//!     .mutual_required(true)
//!     .random_subkey()
//!     .random_seq_number()
//!     .checksum(AuthenticatorChecksum::Keyed { data: b"channel".to_vec(), usage: KeyUsage::AP_REQ_AUTH_CKSUM })
//!     .build()?;
//! assert!(ap.subkey.is_some() && ap.seq_number.is_some());
//! // send ap.message; then: let rep = ap.verify_ap_rep(&reply_bytes)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use zeroize::Zeroizing;

use super::error::{KdcError, unix_micros};
use crate::asn1::constants::msg_type;
use crate::asn1::{
    self, ApOptions, ApRep, ApReq, Authenticator, AuthorizationDataEntry, Checksum, EncApRepPart,
    EncryptedData, EncryptionKey, KerberosString, KerberosTime, KrbError, RawTicket, UInt32,
};
use crate::crypto::{CryptoError, EncryptionType, Key, KeyUsage};
use crate::principal::Principal;

/// Errors of AP-REQ building and AP-REP verification.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApError {
    /// The ticket bytes are not a Ticket.
    #[error("the ticket is not a valid DER Ticket: {0}")]
    BadTicket(asn1::Asn1Error),
    /// Encoding or decoding failed.
    #[error("malformed message: {0}")]
    Asn1(#[from] asn1::Asn1Error),
    /// A crypto operation failed (e.g. a checksum type that does not fit the key).
    #[error("crypto: {0}")]
    Crypto(#[from] CryptoError),
    /// The server answered with a KRB-ERROR instead of an AP-REP.
    #[error("the server rejected the AP-REQ: {0}")]
    KrbError(KdcError),
    /// The message is neither an AP-REP nor a KRB-ERROR.
    #[error("not an AP-REP (first octet 0x{0:02x})")]
    NotApRep(u8),
    /// The AP-REP has a wrong pvno or msg-type.
    #[error("AP-REP with pvno {pvno} and msg-type {msg_type}")]
    BadHeader {
        /// pvno found.
        pvno: i32,
        /// msg-type found.
        msg_type: i32,
    },
    /// The AP-REP's enc-part does not decrypt with the session key: it is not from the
    /// server of the ticket, or it was tampered with.
    #[error(
        "the AP-REP (enctype {etype}) does not decrypt with the session key: not from the ticket's server"
    )]
    DecryptFailed {
        /// The enc-part's enctype.
        etype: i32,
    },
    /// The AP-REP echoes another ctime/cusec than the authenticator's (a replayed AP-REP).
    #[error(
        "the AP-REP echoes ctime {got_ctime}.{got_cusec:06}, not the authenticator's {ctime}.{cusec:06}"
    )]
    TimeMismatch {
        /// The authenticator's ctime.
        ctime: i64,
        /// The authenticator's cusec.
        cusec: i32,
        /// ctime in the AP-REP.
        got_ctime: i64,
        /// cusec in the AP-REP.
        got_cusec: i32,
    },
    /// The AP-REP's subkey has an unknown enctype or a wrong length.
    #[error("the AP-REP carries an unusable subkey (enctype {0})")]
    BadSubkey(i32),
}

/// The Authenticator's `cksum` field.
#[derive(Clone, Debug, Default)]
pub enum AuthenticatorChecksum {
    /// No checksum.
    #[default]
    None,
    /// The session key's mandatory checksum (RFC 3961 `get_mic`) of `data` under `usage`
    /// (6 for a TGS-REQ body, 10 for an application AP-REQ).
    Keyed {
        /// The data checksummed.
        data: Vec<u8>,
        /// The key usage.
        usage: KeyUsage,
    },
    /// A checksum given as is, e.g. the GSS-API 0x8003 checksum (RFC 4121 §4.1.1).
    Raw(Checksum),
}

/// The subkey choice.
#[derive(Clone, Debug)]
enum SubkeyChoice {
    Random,
    Given(Key),
}

/// Builds an AP-REQ. See the [module documentation](self).
#[derive(Clone, Debug)]
pub struct ApReqBuilder {
    ticket: Vec<u8>,
    session_key: Key,
    client: Principal,
    time: SystemTime,
    subkey: Option<SubkeyChoice>,
    seq_number: Option<u32>,
    mutual_required: bool,
    use_session_key: bool,
    checksum: AuthenticatorChecksum,
    authorization_data: Vec<AuthorizationDataEntry>,
    usage: KeyUsage,
}

/// A built AP-REQ and what is needed to check the answer.
#[derive(Clone, Debug)]
pub struct ApReqOutput {
    /// The DER AP-REQ.
    pub message: Vec<u8>,
    /// The authenticator's ctime (unix seconds).
    pub ctime: i64,
    /// The authenticator's cusec.
    pub cusec: i32,
    /// The subkey sent in the authenticator, if any.
    pub subkey: Option<Key>,
    /// The sequence number sent, if any.
    pub seq_number: Option<u32>,
    /// The ticket's session key (verifies the AP-REP).
    pub session_key: Key,
    /// Whether mutual authentication was requested.
    pub mutual_required: bool,
}

/// The facts of a verified AP-REP.
#[derive(Clone, Debug)]
pub struct ApRepInfo {
    /// The server's subkey, if it sent one.
    pub subkey: Option<Key>,
    /// The server's initial sequence number, if it sent one.
    pub seq_number: Option<u32>,
    /// The echoed ctime (unix seconds).
    pub ctime: i64,
    /// The echoed cusec.
    pub cusec: i32,
}

/// A random 31-bit sequence number (MIT masks to 31 bits as well, so that signed and
/// unsigned peers agree).
pub fn random_seq_number() -> u32 {
    UInt32::nonce(rand::random::<u32>()).get()
}

impl ApReqBuilder {
    /// An AP-REQ over `ticket` (its exact DER bytes) with its `session_key`, for
    /// `client` (the ticket's client, realm included), at time `now` (the KDC-corrected
    /// local time; ctime and cusec come from it). Defaults: no subkey, no sequence number,
    /// no ap-options, no checksum, key usage 11 (application AP-REQ).
    pub fn new(ticket: &[u8], session_key: &Key, client: &Principal, now: SystemTime) -> Self {
        ApReqBuilder {
            ticket: ticket.to_vec(),
            session_key: session_key.clone(),
            client: client.clone(),
            time: now,
            subkey: None,
            seq_number: None,
            mutual_required: false,
            use_session_key: false,
            checksum: AuthenticatorChecksum::None,
            authorization_data: Vec::new(),
            usage: KeyUsage::AP_REQ_AUTH,
        }
    }

    /// Send a fresh random subkey of the session key's enctype.
    pub fn random_subkey(mut self) -> Self {
        self.subkey = Some(SubkeyChoice::Random);
        self
    }

    /// Send this subkey.
    pub fn subkey(mut self, key: Key) -> Self {
        self.subkey = Some(SubkeyChoice::Given(key));
        self
    }

    /// Send this initial sequence number.
    pub fn seq_number(mut self, seq: u32) -> Self {
        self.seq_number = Some(seq);
        self
    }

    /// Send a random 31-bit initial sequence number.
    pub fn random_seq_number(mut self) -> Self {
        self.seq_number = Some(random_seq_number());
        self
    }

    /// Set the `mutual-required` ap-option.
    pub fn mutual_required(mut self, on: bool) -> Self {
        self.mutual_required = on;
        self
    }

    /// Set the `use-session-key` ap-option (user-to-user tickets).
    pub fn use_session_key(mut self, on: bool) -> Self {
        self.use_session_key = on;
        self
    }

    /// The authenticator checksum.
    pub fn checksum(mut self, checksum: AuthenticatorChecksum) -> Self {
        self.checksum = checksum;
        self
    }

    /// Authorization-data for the authenticator.
    pub fn authorization_data(mut self, entries: Vec<AuthorizationDataEntry>) -> Self {
        self.authorization_data = entries;
        self
    }

    /// The key usage that encrypts the authenticator: [`KeyUsage::AP_REQ_AUTH`] (11,
    /// default) or [`KeyUsage::TGS_REQ_AUTH`] (7, inside PA-TGS-REQ).
    pub fn key_usage(mut self, usage: KeyUsage) -> Self {
        self.usage = usage;
        self
    }

    /// Encode the AP-REQ.
    pub fn build(self) -> Result<ApReqOutput, ApError> {
        let ticket = RawTicket::from_der(self.ticket).map_err(ApError::BadTicket)?;
        let micros = unix_micros(self.time);
        let ctime = i64::try_from(micros.div_euclid(1_000_000)).unwrap_or(0);
        let cusec = i32::try_from(micros.rem_euclid(1_000_000)).unwrap_or(0);
        let subkey = match self.subkey {
            None => None,
            Some(SubkeyChoice::Given(k)) => Some(k),
            Some(SubkeyChoice::Random) => Some(Key::random(self.session_key.etype())),
        };
        let cksum = match self.checksum {
            AuthenticatorChecksum::None => None,
            AuthenticatorChecksum::Raw(c) => Some(c),
            AuthenticatorChecksum::Keyed { data, usage } => {
                let ctype = self.session_key.etype().checksum_type();
                Some(Checksum::new(
                    ctype.id(),
                    self.session_key.checksum(usage, &data),
                ))
            }
        };
        let mut auth = Authenticator::new(
            KerberosString::from_bytes(self.client.realm.clone()),
            self.client.to_wire_name(),
            KerberosTime::from_unix(ctime),
            cusec,
        );
        auth.cksum = cksum;
        auth.subkey = subkey
            .as_ref()
            .map(|k| EncryptionKey::new(k.etype().id(), k.as_bytes().to_vec()));
        auth.seq_number = self.seq_number.map(UInt32);
        if !self.authorization_data.is_empty() {
            auth.authorization_data = Some(self.authorization_data);
        }
        let plain = Zeroizing::new(asn1::encode(&auth)?);
        let cipher = self.session_key.encrypt(self.usage, &plain);
        let mut options = ApOptions::empty();
        if self.mutual_required {
            options.set(ApOptions::MUTUAL_REQUIRED);
        }
        if self.use_session_key {
            options.set(ApOptions::USE_SESSION_KEY);
        }
        let req = ApReq::new(
            options,
            ticket,
            EncryptedData::new(self.session_key.etype().id(), None, cipher),
        );
        Ok(ApReqOutput {
            message: asn1::encode(&req)?,
            ctime,
            cusec,
            subkey,
            seq_number: self.seq_number,
            session_key: self.session_key,
            mutual_required: self.mutual_required,
        })
    }
}

impl ApReqOutput {
    /// Verify the server's AP-REP (or report its KRB-ERROR) against this AP-REQ.
    pub fn verify_ap_rep(&self, reply: &[u8]) -> Result<ApRepInfo, ApError> {
        verify_ap_rep(reply, &self.session_key, self.ctime, self.cusec)
    }
}

/// Verify an AP-REP: it must decrypt with `session_key` (key usage 12) and echo the
/// authenticator's `ctime`/`cusec`. A KRB-ERROR is returned as [`ApError::KrbError`], its
/// clock offset measured against the authenticator's time (no clock is read here).
pub fn verify_ap_rep(
    reply: &[u8],
    session_key: &Key,
    ctime: i64,
    cusec: i32,
) -> Result<ApRepInfo, ApError> {
    match reply.first() {
        Some(0x6f) => {}
        Some(0x7e) => {
            let err: KrbError = asn1::decode(reply)?;
            let sent = UNIX_EPOCH
                .checked_add(Duration::from_secs(u64::try_from(ctime).unwrap_or(0)))
                .and_then(|t| {
                    t.checked_add(Duration::from_micros(u64::try_from(cusec).unwrap_or(0)))
                })
                .unwrap_or(UNIX_EPOCH);
            return Err(ApError::KrbError(KdcError::from_krb_error(&err, sent)));
        }
        other => return Err(ApError::NotApRep(other.copied().unwrap_or(0))),
    }
    let rep: ApRep = asn1::decode(reply)?;
    if rep.pvno != 5 || rep.msg_type != msg_type::AP_REP {
        return Err(ApError::BadHeader {
            pvno: rep.pvno,
            msg_type: rep.msg_type,
        });
    }
    let etype = rep.enc_part.etype;
    if etype != session_key.etype().id() {
        return Err(ApError::DecryptFailed { etype });
    }
    let plain = Zeroizing::new(
        session_key
            .decrypt(KeyUsage::AP_REP_ENC_PART, &rep.enc_part.cipher)
            .map_err(|_| ApError::DecryptFailed { etype })?,
    );
    let part: EncApRepPart = asn1::decode(&plain)?;
    let (got_ctime, got_cusec) = (part.ctime.unix(), part.cusec);
    if got_ctime != ctime || got_cusec != cusec {
        return Err(ApError::TimeMismatch {
            ctime,
            cusec,
            got_ctime,
            got_cusec,
        });
    }
    let subkey = match &part.subkey {
        None => None,
        Some(k) => {
            let t =
                EncryptionType::try_from(k.keytype).map_err(|_| ApError::BadSubkey(k.keytype))?;
            Some(
                Key::from_bytes(t, k.keyvalue.as_ref())
                    .map_err(|_| ApError::BadSubkey(k.keytype))?,
            )
        }
    };
    Ok(ApRepInfo {
        subkey,
        seq_number: part.seq_number.map(|s| s.get()),
        ctime: got_ctime,
        cusec: got_cusec,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::asn1::{PrincipalName, Ticket, constants::name_type};

    fn ticket() -> Vec<u8> {
        RawTicket::from_ticket(&Ticket {
            tkt_vno: 5,
            realm: "EXAMPLE.TEST".into(),
            sname: PrincipalName::new(name_type::NT_SRV_INST, &["host", "svc.example.test"]),
            enc_part: EncryptedData::new(18, Some(2), vec![7u8; 80]),
        })
        .map(RawTicket::into_bytes)
        .unwrap_or_default()
    }

    fn client() -> Principal {
        Principal::new(1, "EXAMPLE.TEST", ["alice"])
    }

    #[test]
    fn authenticator_round_trip_and_ap_rep() -> Result<(), Box<dyn std::error::Error>> {
        let key = Key::random(EncryptionType::Aes256CtsHmacSha196);
        let now = SystemTime::UNIX_EPOCH + std::time::Duration::from_micros(1_764_115_200_123_456);
        let out = ApReqBuilder::new(&ticket(), &key, &client(), now)
            .mutual_required(true)
            .random_subkey()
            .seq_number(42)
            .checksum(AuthenticatorChecksum::Keyed {
                data: b"abc".to_vec(),
                usage: KeyUsage::AP_REQ_AUTH_CKSUM,
            })
            .build()?;
        assert_eq!((out.ctime, out.cusec), (1_764_115_200, 123_456));
        let req: ApReq = asn1::decode(&out.message)?;
        assert!(req.ap_options.is_set(ApOptions::MUTUAL_REQUIRED));
        assert!(!req.ap_options.is_set(ApOptions::USE_SESSION_KEY));
        assert_eq!(req.ticket.as_bytes(), ticket().as_slice());
        let plain = key.decrypt(KeyUsage::AP_REQ_AUTH, &req.authenticator.cipher)?;
        let auth: Authenticator = asn1::decode(&plain)?;
        assert_eq!(auth.cname.to_string_lossy(), "alice");
        assert_eq!(auth.crealm.as_str(), Some("EXAMPLE.TEST"));
        assert_eq!(auth.seq_number.map(|s| s.get()), Some(42));
        let sub = auth.subkey.ok_or("no subkey")?;
        assert_eq!(sub.keytype, 18);
        let cks = auth.cksum.ok_or("no cksum")?;
        assert_eq!(cks.cksumtype, 16);
        key.verify_checksum(KeyUsage::AP_REQ_AUTH_CKSUM, b"abc", &cks.checksum)?;

        // An AP-REP from the "server".
        let server_sub = Key::random(EncryptionType::Aes256CtsHmacSha196);
        let part = EncApRepPart {
            ctime: KerberosTime::from_unix(out.ctime),
            cusec: out.cusec,
            subkey: Some(EncryptionKey::new(18, server_sub.as_bytes().to_vec())),
            seq_number: Some(UInt32(7)),
        };
        let enc = key.encrypt(KeyUsage::AP_REP_ENC_PART, &asn1::encode(&part)?);
        let rep = ApRep {
            pvno: 5,
            msg_type: msg_type::AP_REP,
            enc_part: EncryptedData::new(18, None, enc),
        };
        let info = out.verify_ap_rep(&asn1::encode(&rep)?)?;
        assert_eq!(info.seq_number, Some(7));
        assert_eq!(info.subkey.as_ref(), Some(&server_sub));

        // Replayed (other ctime) and wrong key.
        assert!(matches!(
            verify_ap_rep(&asn1::encode(&rep)?, &key, out.ctime + 1, out.cusec),
            Err(ApError::TimeMismatch { .. })
        ));
        let other = Key::random(EncryptionType::Aes256CtsHmacSha196);
        assert!(matches!(
            verify_ap_rep(&asn1::encode(&rep)?, &other, out.ctime, out.cusec),
            Err(ApError::DecryptFailed { .. })
        ));
        assert!(matches!(
            verify_ap_rep(&[0x30, 0], &key, 0, 0),
            Err(ApError::NotApRep(0x30))
        ));
        assert!(verify_ap_rep(&[], &key, 0, 0).is_err());
        Ok(())
    }

    #[test]
    fn raw_checksum_usage_7_and_options() -> Result<(), Box<dyn std::error::Error>> {
        let key = Key::random(EncryptionType::Aes128CtsHmacSha196);
        let gss = Checksum::new(0x8003, vec![0u8; 24]);
        let out = ApReqBuilder::new(&ticket(), &key, &client(), SystemTime::now())
            .use_session_key(true)
            .key_usage(KeyUsage::TGS_REQ_AUTH)
            .checksum(AuthenticatorChecksum::Raw(gss.clone()))
            .build()?;
        let req: ApReq = asn1::decode(&out.message)?;
        assert!(req.ap_options.is_set(ApOptions::USE_SESSION_KEY));
        assert!(
            key.decrypt(KeyUsage::AP_REQ_AUTH, &req.authenticator.cipher)
                .is_err()
        );
        let auth: Authenticator =
            asn1::decode(&key.decrypt(KeyUsage::TGS_REQ_AUTH, &req.authenticator.cipher)?)?;
        assert_eq!(auth.cksum, Some(gss));
        assert!(auth.subkey.is_none() && auth.seq_number.is_none());
        assert!(matches!(
            ApReqBuilder::new(b"junk", &key, &client(), SystemTime::now()).build(),
            Err(ApError::BadTicket(_))
        ));
        Ok(())
    }
}
