//! The krb5 initiator security context (RFC 4121 §4.1, RFC 1964 §1.1.1 checksum).

use std::time::{Duration, SystemTime};

use md5::{Digest, Md5};

use super::GssError;
use super::framing::{self, TOK_AP_REP, TOK_AP_REQ, TOK_KRB_ERROR};
use super::tokens::{SeqWindow, TokenKeys, Unwrapped};
use crate::asn1::{self, Checksum, KrbError};
use crate::crypto::{EncryptionType, Key};
use crate::exchange::ap::{ApReqBuilder, ApReqOutput, AuthenticatorChecksum};
use crate::exchange::{Credential, KdcError};
use crate::principal::Principal;

/// GSS-API context flags (RFC 2744 values, as carried in the 0x8003 checksum).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ContextFlags(pub u32);

impl ContextFlags {
    /// GSS_C_DELEG_FLAG: delegate a forwarded TGT (needs [`ContextOptions::delegated_cred`]).
    pub const DELEG: ContextFlags = ContextFlags(1);
    /// GSS_C_MUTUAL_FLAG: the acceptor proves itself with an AP-REP.
    pub const MUTUAL: ContextFlags = ContextFlags(2);
    /// GSS_C_REPLAY_FLAG: replay detection on per-message tokens.
    pub const REPLAY: ContextFlags = ContextFlags(4);
    /// GSS_C_SEQUENCE_FLAG: out-of-sequence detection.
    pub const SEQUENCE: ContextFlags = ContextFlags(8);
    /// GSS_C_CONF_FLAG: confidentiality available (Wrap with encryption).
    pub const CONF: ContextFlags = ContextFlags(16);
    /// GSS_C_INTEG_FLAG: integrity available (MIC, Wrap).
    pub const INTEG: ContextFlags = ContextFlags(32);

    /// No flags.
    pub const fn empty() -> Self {
        ContextFlags(0)
    }
    /// Whether all bits of `other` are set.
    pub const fn contains(self, other: ContextFlags) -> bool {
        self.0 & other.0 == other.0
    }
    /// Both sets of bits.
    #[must_use]
    pub const fn with(self, other: ContextFlags) -> Self {
        ContextFlags(self.0 | other.0)
    }
    /// Without the bits of `other`.
    #[must_use]
    pub const fn without(self, other: ContextFlags) -> Self {
        ContextFlags(self.0 & !other.0)
    }
}

impl std::ops::BitOr for ContextFlags {
    type Output = ContextFlags;
    fn bitor(self, rhs: Self) -> Self {
        self.with(rhs)
    }
}

impl Default for ContextFlags {
    /// Mutual, replay, sequence, confidentiality and integrity.
    fn default() -> Self {
        Self::MUTUAL | Self::REPLAY | Self::SEQUENCE | Self::CONF | Self::INTEG
    }
}

/// Options of a new [`InitiatorContext`].
#[derive(Clone, Debug, Default)]
pub struct ContextOptions {
    /// Requested flags.
    pub flags: ContextFlags,
    /// Channel bindings: the `application_data` of RFC 2744's `gss_channel_bindings_struct`
    /// (addresses empty), e.g. `tls-server-end-point:` and the certificate hash (RFC 5929).
    /// `None` sends 16 zero bytes.
    pub channel_bindings: Option<Vec<u8>>,
    /// A KRB-CRED (DER) with a forwarded TGT, sent when [`ContextFlags::DELEG`] is set.
    pub delegated_cred: Option<Vec<u8>>,
}

impl ContextOptions {
    /// Options with these flags.
    pub fn with_flags(flags: ContextFlags) -> Self {
        ContextOptions {
            flags,
            ..Default::default()
        }
    }
}

/// The result of one [`InitiatorContext::step`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// A token to send to the acceptor, if any.
    pub output: Option<Vec<u8>>,
    /// Whether the context is established.
    pub complete: bool,
}

/// The MD5 `Bnd` field of the 0x8003 checksum for channel bindings with only
/// `application_data` (RFC 4121 §4.1.1.2): MD5 over four zero 32-bit words (address types
/// and lengths), the little-endian length and the data.
pub fn channel_bindings_hash(application_data: &[u8]) -> [u8; 16] {
    let mut h = Md5::new();
    h.update([0u8; 16]);
    h.update(
        u32::try_from(application_data.len())
            .unwrap_or(u32::MAX)
            .to_le_bytes(),
    );
    h.update(application_data);
    h.finalize().into()
}

/// The 0x8003 authenticator checksum (RFC 4121 §4.1.1, RFC 1964 §1.1.1).
pub(crate) fn gss_checksum(options: &ContextOptions) -> Result<Checksum, GssError> {
    let bnd = options
        .channel_bindings
        .as_deref()
        .map(channel_bindings_hash)
        .unwrap_or([0u8; 16]);
    let deleg = options
        .delegated_cred
        .as_ref()
        .filter(|_| options.flags.contains(ContextFlags::DELEG));
    let mut flags = options.flags;
    if deleg.is_none() {
        flags = flags.without(ContextFlags::DELEG);
    }
    let mut v = Vec::with_capacity(24);
    v.extend_from_slice(&16u32.to_le_bytes());
    v.extend_from_slice(&bnd);
    v.extend_from_slice(&flags.0.to_le_bytes());
    if let Some(cred) = deleg {
        let len = u16::try_from(cred.len())
            .map_err(|_| GssError::State("delegated KRB-CRED longer than 65535 bytes"))?;
        v.extend_from_slice(&1u16.to_le_bytes());
        v.extend_from_slice(&len.to_le_bytes());
        v.extend_from_slice(cred);
    }
    Ok(Checksum::new(0x8003, v))
}

enum State {
    Initial(Box<ApReqBuilder>),
    AwaitingReply(Box<ApReqOutput>),
    Established(Box<Established>),
    Failed,
}

struct Established {
    keys: TokenKeys,
    send_seq: u64,
    window: SeqWindow,
}

/// A krb5 GSS-API initiator context. See the [module documentation](super).
pub struct InitiatorContext {
    state: State,
    flags: ContextFlags,
    now: SystemTime,
}

impl std::fmt::Debug for InitiatorContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = match self.state {
            State::Initial(_) => "initial",
            State::AwaitingReply(_) => "awaiting-reply",
            State::Established(_) => "established",
            State::Failed => "failed",
        };
        f.debug_struct("InitiatorContext")
            .field("state", &state)
            .field("flags", &self.flags)
            .finish_non_exhaustive()
    }
}

impl InitiatorContext {
    /// A context over a service ticket. `now` is the local time; the credential's
    /// `kdc_offset` corrects it for the authenticator.
    pub fn new(
        cred: &Credential,
        options: ContextOptions,
        now: SystemTime,
    ) -> Result<Self, GssError> {
        let offset = cred.kdc_offset;
        let corrected = if offset >= 0 {
            now.checked_add(Duration::from_secs(offset.unsigned_abs()))
        } else {
            now.checked_sub(Duration::from_secs(offset.unsigned_abs()))
        }
        .unwrap_or(now);
        Self::from_parts(
            &cred.ticket,
            &cred.session_key,
            &cred.client,
            options,
            corrected,
        )
    }

    /// A context from the ticket's DER bytes, its session key and the client, at the
    /// (KDC-corrected) time `now`.
    pub fn from_parts(
        ticket: &[u8],
        session_key: &Key,
        client: &Principal,
        options: ContextOptions,
        now: SystemTime,
    ) -> Result<Self, GssError> {
        if session_key.etype() == EncryptionType::Rc4Hmac {
            return Err(GssError::UnsupportedEnctype(session_key.etype().id()));
        }
        let mut flags = options.flags;
        if options.delegated_cred.is_none() {
            flags = flags.without(ContextFlags::DELEG);
        }
        let builder = ApReqBuilder::new(ticket, session_key, client, now)
            .mutual_required(flags.contains(ContextFlags::MUTUAL))
            .random_subkey()
            .random_seq_number()
            .checksum(AuthenticatorChecksum::Raw(gss_checksum(&options)?));
        Ok(InitiatorContext {
            state: State::Initial(Box::new(builder)),
            flags,
            now,
        })
    }

    /// The flags requested (and, once established, in effect).
    pub fn flags(&self) -> ContextFlags {
        self.flags
    }

    /// Whether the context is established.
    pub fn is_established(&self) -> bool {
        matches!(self.state, State::Established(_))
    }

    /// Advance the context: first call with `None` (emits the AP-REQ token); with mutual
    /// authentication, a second call with the acceptor's token (AP-REP or KRB-ERROR).
    pub fn step(&mut self, input: Option<&[u8]>) -> Result<Step, GssError> {
        match std::mem::replace(&mut self.state, State::Failed) {
            State::Initial(builder) => {
                if input.is_some() {
                    return Err(GssError::State("the first step takes no input token"));
                }
                let ap = builder.build()?;
                let token = framing::frame_krb5(TOK_AP_REQ, &ap.message);
                if self.flags.contains(ContextFlags::MUTUAL) {
                    self.state = State::AwaitingReply(Box::new(ap));
                    Ok(Step {
                        output: Some(token),
                        complete: false,
                    })
                } else {
                    let seq = u64::from(ap.seq_number.unwrap_or(0));
                    let ctx_key = ap.subkey.as_ref().unwrap_or(&ap.session_key);
                    self.state = State::Established(Box::new(Established {
                        keys: TokenKeys::initiator(ctx_key, None)?,
                        send_seq: seq,
                        window: SeqWindow::new(seq, self.flags.contains(ContextFlags::REPLAY)),
                    }));
                    Ok(Step {
                        output: Some(token),
                        complete: true,
                    })
                }
            }
            State::AwaitingReply(ap) => {
                let input = input.ok_or(GssError::State("the acceptor's token is needed"))?;
                let (tok_id, msg) = framing::parse_krb5(input)?;
                if tok_id == TOK_KRB_ERROR {
                    let err: KrbError = asn1::decode(msg)?;
                    return Err(GssError::Rejected(Box::new(KdcError::from_krb_error(
                        &err, self.now,
                    ))));
                }
                if tok_id != TOK_AP_REP {
                    return Err(GssError::Malformed("expected TOK_ID 02 00 (AP-REP)"));
                }
                let info = ap.verify_ap_rep(msg)?;
                let ctx_key = ap.subkey.as_ref().unwrap_or(&ap.session_key);
                let keys = TokenKeys::initiator(ctx_key, info.subkey.as_ref())?;
                let send_seq = u64::from(ap.seq_number.unwrap_or(0));
                let recv_seq = u64::from(info.seq_number.or(ap.seq_number).unwrap_or(0));
                self.state = State::Established(Box::new(Established {
                    keys,
                    send_seq,
                    window: SeqWindow::new(recv_seq, self.flags.contains(ContextFlags::REPLAY)),
                }));
                Ok(Step {
                    output: None,
                    complete: true,
                })
            }
            State::Established(e) => {
                self.state = State::Established(e);
                Err(GssError::State("the context is already established"))
            }
            State::Failed => Err(GssError::State("the context failed")),
        }
    }

    fn established(&mut self) -> Result<&mut Established, GssError> {
        match &mut self.state {
            State::Established(e) => Ok(e),
            _ => Err(GssError::State("the context is not established")),
        }
    }

    /// A MIC token over `msg` (RFC 4121 §4.2.6.1).
    pub fn get_mic(&mut self, msg: &[u8]) -> Result<Vec<u8>, GssError> {
        let e = self.established()?;
        let t = e.keys.get_mic(e.send_seq, msg);
        e.send_seq = e.send_seq.wrapping_add(1);
        Ok(t)
    }

    /// Verify the acceptor's MIC token over `msg`; returns the sequence status.
    pub fn verify_mic(&mut self, msg: &[u8], token: &[u8]) -> Result<super::SeqStatus, GssError> {
        let e = self.established()?;
        let seq = e.keys.verify_mic(token, msg)?;
        e.window.check(seq)
    }

    /// A Wrap token (RFC 4121 §4.2.6.2): encrypted when `confidential`.
    pub fn wrap(&mut self, msg: &[u8], confidential: bool) -> Result<Vec<u8>, GssError> {
        let e = self.established()?;
        let t = e.keys.wrap(e.send_seq, msg, confidential);
        e.send_seq = e.send_seq.wrapping_add(1);
        Ok(t)
    }

    /// Verify and decrypt the acceptor's Wrap token (any RRC, EC).
    pub fn unwrap(&mut self, token: &[u8]) -> Result<Unwrapped, GssError> {
        let e = self.established()?;
        let (data, confidential, seq) = e.keys.unwrap(token)?;
        let status = e.window.check(seq)?;
        Ok(Unwrapped {
            data,
            confidential,
            seq,
            status,
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::asn1::{
        ApRep, ApReq, Authenticator, EncApRepPart, EncryptedData, EncryptionKey, KerberosTime,
        PrincipalName, RawTicket, Ticket, UInt32, constants::msg_type,
    };
    use crate::crypto::KeyUsage;
    use crate::gss::SeqStatus;

    pub(crate) fn ticket() -> Vec<u8> {
        RawTicket::from_ticket(&Ticket {
            tkt_vno: 5,
            realm: "EXAMPLE.TEST".into(),
            sname: PrincipalName::new(2, &["HTTP", "web.example.test"]),
            enc_part: EncryptedData::new(18, Some(2), vec![7u8; 80]),
        })
        .map(RawTicket::into_bytes)
        .unwrap_or_default()
    }

    /// Plays the acceptor: reads the authenticator with the session key and answers.
    pub(crate) fn accept(
        token: &[u8],
        key: &Key,
        acc_sub: Option<&Key>,
    ) -> Result<(Authenticator, Vec<u8>), Box<dyn std::error::Error>> {
        let (id, msg) = framing::parse_krb5(token)?;
        assert_eq!(id, TOK_AP_REQ);
        let req: ApReq = asn1::decode(msg)?;
        let auth: Authenticator =
            asn1::decode(&key.decrypt(KeyUsage::AP_REQ_AUTH, &req.authenticator.cipher)?)?;
        let part = EncApRepPart {
            ctime: auth.ctime,
            cusec: auth.cusec,
            subkey: acc_sub.map(|k| EncryptionKey::new(k.etype().id(), k.as_bytes().to_vec())),
            seq_number: Some(UInt32(1000)),
        };
        let rep = ApRep {
            pvno: 5,
            msg_type: msg_type::AP_REP,
            enc_part: EncryptedData::new(
                key.etype().id(),
                None,
                key.encrypt(KeyUsage::AP_REP_ENC_PART, &asn1::encode(&part)?),
            ),
        };
        Ok((auth, framing::frame_krb5(TOK_AP_REP, &asn1::encode(&rep)?)))
    }

    #[test]
    fn mutual_context_and_messages() -> Result<(), Box<dyn std::error::Error>> {
        let key = Key::random(EncryptionType::Aes256CtsHmacSha196);
        let acc_sub = Key::random(EncryptionType::Aes256CtsHmacSha196);
        let client = Principal::new(1, "EXAMPLE.TEST", ["alice"]);
        let opts = ContextOptions {
            channel_bindings: Some(b"tls-server-end-point:abc".to_vec()),
            ..Default::default()
        };
        let mut ctx =
            InitiatorContext::from_parts(&ticket(), &key, &client, opts, SystemTime::now())?;
        let s1 = ctx.step(None)?;
        assert!(!s1.complete);
        let (auth, rep) = accept(&s1.output.ok_or("no token")?, &key, Some(&acc_sub))?;
        let ck = auth.cksum.ok_or("no checksum")?;
        assert_eq!(ck.cksumtype, 0x8003);
        assert_eq!(ck.checksum.len(), 24);
        assert_eq!(&ck.checksum[..4], &16u32.to_le_bytes());
        assert_eq!(
            &ck.checksum[4..20],
            &channel_bindings_hash(b"tls-server-end-point:abc")
        );
        assert_eq!(&ck.checksum[20..24], &62u32.to_le_bytes());
        let init_sub = auth.subkey.ok_or("no subkey")?;
        let init_seq = u64::from(auth.seq_number.ok_or("no seq")?.get());

        let s2 = ctx.step(Some(&rep))?;
        assert!(s2.complete && s2.output.is_none());
        assert!(ctx.is_established());
        assert!(ctx.step(None).is_err());

        let init_key = Key::from_bytes(EncryptionType::Aes256CtsHmacSha196, &init_sub.keyvalue)?;
        let acceptor = TokenKeys::acceptor(&init_key, Some(&acc_sub))?;
        let w = ctx.wrap(b"ping", true)?;
        assert_eq!(acceptor.unwrap(&w)?, (b"ping".to_vec(), true, init_seq));
        let m = ctx.get_mic(b"pong")?;
        assert_eq!(acceptor.verify_mic(&m, b"pong")?, init_seq + 1);

        let t = acceptor.wrap(1000, b"reply", true);
        let u = ctx.unwrap(&t)?;
        assert_eq!(
            (u.data.as_slice(), u.status),
            (&b"reply"[..], SeqStatus::InOrder)
        );
        assert!(matches!(ctx.unwrap(&t), Err(GssError::Duplicate(1000))));
        let mic = acceptor.get_mic(1002, b"m");
        assert_eq!(ctx.verify_mic(b"m", &mic)?, SeqStatus::Gap);
        Ok(())
    }

    #[test]
    fn wrong_reply_and_no_mutual() -> Result<(), Box<dyn std::error::Error>> {
        let key = Key::random(EncryptionType::Aes128CtsHmacSha196);
        let client = Principal::new(1, "EXAMPLE.TEST", ["alice"]);
        let mut ctx = InitiatorContext::from_parts(
            &ticket(),
            &key,
            &client,
            ContextOptions::default(),
            SystemTime::now(),
        )?;
        let s1 = ctx.step(None)?;
        let other = Key::random(EncryptionType::Aes128CtsHmacSha196);
        let (_, rep) = accept(&s1.output.ok_or("no token")?, &key, None)?;
        // Re-encrypting under another key: the reply is not from the ticket's server.
        let (_, msg) = framing::parse_krb5(&rep)?;
        let mut bad: ApRep = asn1::decode(msg)?;
        bad.enc_part.cipher = other.encrypt(KeyUsage::AP_REP_ENC_PART, b"x").into();
        let bad = framing::frame_krb5(TOK_AP_REP, &asn1::encode(&bad)?);
        assert!(matches!(ctx.step(Some(&bad)), Err(GssError::Ap(_))));
        assert!(
            ctx.step(Some(&rep)).is_err(),
            "a failed context stays failed"
        );

        let opts = ContextOptions::with_flags(ContextFlags::INTEG | ContextFlags::CONF);
        let mut ctx =
            InitiatorContext::from_parts(&ticket(), &key, &client, opts, SystemTime::now())?;
        let s = ctx.step(None)?;
        assert!(s.complete);
        let _ = KerberosTime::from_unix(0);
        Ok(())
    }
}
