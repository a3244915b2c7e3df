//! The krb5 acceptor security context (RFC 4121 §4.1, RFC 1964 §1.1.1 checksum).
//!
//! [`AcceptorContext::step`] takes the initiator's AP-REQ token, decrypts the ticket with
//! the service key (key usage 2) and the authenticator with the ticket's session key
//! (usage 11), checks the client names, the clock skew, the ticket times and the 0x8003
//! checksum (channel bindings, flags, delegation), and answers with an AP-REP (usage 12)
//! carrying an acceptor subkey and a sequence number when mutual authentication is asked.
//!
//! When the AP-REQ is refused and its initiator asked for mutual authentication (so it waits
//! for a token), [`AcceptorContext::error_token`] holds a KRB-ERROR token (TOK_ID 03 00) with
//! the RFC 4120 error code (`KRB_AP_ERR_SKEW`, `KRB_AP_ERR_BAD_INTEGRITY`, …) to send back,
//! as MIT's acceptor does; [`SpnegoAcceptor::error_token`] wraps it in a rejecting
//! NegTokenResp.
//!
//! **Replay protection of AP-REQs is the caller's concern**: the context is sans-IO and
//! keeps no replay cache. A caller that needs it should remember
//! ([`AcceptStep::authenticator_time`], initiator, server) for the clock-skew interval and
//! refuse repeats. The context never reads the clock: `now` is an argument of `step`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use zeroize::Zeroizing;

use super::GssError;
use super::context::{ContextFlags, Established, channel_bindings_hash};
use super::framing::TOK_KRB_ERROR;
use super::framing::{self, TOK_AP_REP, TOK_AP_REQ};
use super::tokens::{SeqWindow, TokenKeys, Unwrapped};
use crate::asn1::constants::error_code as ec;
use crate::asn1::{
    self, ApOptions, ApRep, ApReq, Authenticator, EncApRepPart, EncTicketPart, EncryptedData,
    EncryptionKey, KerberosString, KerberosTime, KrbError, PrincipalName, UInt32,
    constants::msg_type,
};
use crate::crypto::{EncryptionType, Key, KeyUsage};
use crate::exchange::ap::random_seq_number;
use crate::keytab::Keytab;
use crate::principal::Principal;

/// Options of a new [`AcceptorContext`].
#[derive(Clone, Debug)]
pub struct AcceptorOptions {
    /// Maximal difference between the authenticator's time and `now` (default 5 minutes).
    pub clock_skew: Duration,
    /// Expected channel bindings (`application_data`, as in
    /// [`ContextOptions::channel_bindings`](super::ContextOptions::channel_bindings)). When
    /// set, the initiator's `Bnd` must be their hash; when `None`, `Bnd` is not checked.
    pub channel_bindings: Option<Vec<u8>>,
}

impl Default for AcceptorOptions {
    fn default() -> Self {
        AcceptorOptions {
            clock_skew: Duration::from_secs(300),
            channel_bindings: None,
        }
    }
}

/// The result of [`AcceptorContext::step`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AcceptStep {
    /// The token to send back (the AP-REP), when mutual authentication was requested.
    pub output: Option<Vec<u8>>,
    /// Whether the context is established (always true after a successful step: the
    /// krb5 mechanism needs one token from each side at most).
    pub complete: bool,
    /// The authenticated client (from the ticket).
    pub initiator: Principal,
    /// The delegated KRB-CRED (DER) when the initiator set GSS_C_DELEG_FLAG.
    pub delegated: Option<Vec<u8>>,
    /// The context flags the initiator asked for (RFC 2744 values).
    pub flags: ContextFlags,
    /// The authenticator's ctime (unix seconds) and cusec, for a caller's replay cache.
    pub authenticator_time: (i64, i32),
}

enum State {
    Initial,
    Established(Box<Established>),
    Failed,
}

/// A krb5 GSS-API acceptor context over the service's long-term keys.
pub struct AcceptorContext {
    service_keys: Vec<Key>,
    options: AcceptorOptions,
    state: State,
    flags: ContextFlags,
    error_token: Option<Vec<u8>>,
}

/// Why an AP-REQ was refused: the GSS error, and the RFC 4120 code for the KRB-ERROR token.
struct Refusal {
    code: i32,
    error: GssError,
}

impl Refusal {
    fn new(code: i32, error: GssError) -> Self {
        Refusal { code, error }
    }
}

/// Errors without a more precise code are `KRB_ERR_GENERIC`, as in MIT.
impl From<GssError> for Refusal {
    fn from(error: GssError) -> Self {
        Refusal::new(ec::KRB_ERR_GENERIC, error)
    }
}

impl From<asn1::Asn1Error> for Refusal {
    fn from(e: asn1::Asn1Error) -> Self {
        Refusal::from(GssError::from(e))
    }
}

fn refuse(code: i32, what: &'static str) -> Refusal {
    Refusal::new(code, GssError::Accept(what))
}

impl std::fmt::Debug for AcceptorContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = match self.state {
            State::Initial => "initial",
            State::Established(_) => "established",
            State::Failed => "failed",
        };
        f.debug_struct("AcceptorContext")
            .field("state", &state)
            .field("flags", &self.flags)
            .finish_non_exhaustive()
    }
}

fn unix(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => i64::try_from(e.duration().as_secs()).map_or(i64::MIN, |s| -s),
    }
}

fn key_of(k: &EncryptionKey) -> Result<Key, GssError> {
    let t =
        EncryptionType::try_from(k.keytype).map_err(|_| GssError::UnsupportedEnctype(k.keytype))?;
    Key::from_bytes(t, k.keyvalue.as_ref()).map_err(|_| GssError::Accept("bad key in ticket"))
}

fn le_u32(b: &[u8], at: usize) -> Option<u32> {
    let s: [u8; 4] = b.get(at..at + 4)?.try_into().ok()?;
    Some(u32::from_le_bytes(s))
}

fn le_u16(b: &[u8], at: usize) -> Option<u16> {
    let s: [u8; 2] = b.get(at..at + 2)?.try_into().ok()?;
    Some(u16::from_le_bytes(s))
}

/// The KRB-ERROR token refusing `req` with `code`, dated `now`, naming the ticket's server
/// (when the ticket parses).
fn error_token(req: &ApReq, code: i32, now: SystemTime) -> Option<Vec<u8>> {
    let (realm, sname) = match req.ticket.parse() {
        Ok(t) => (t.realm, t.sname),
        Err(_) => (
            KerberosString::from_bytes(""),
            PrincipalName::new::<&str>(0, &[]),
        ),
    };
    let micros = now
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_micros())
        .unwrap_or(0);
    let err = KrbError {
        pvno: 5,
        msg_type: msg_type::KRB_ERROR,
        ctime: None,
        cusec: None,
        stime: KerberosTime::from_system_time(now),
        susec: i32::try_from(micros).unwrap_or(0),
        error_code: code,
        crealm: None,
        cname: None,
        realm,
        sname,
        e_text: None,
        e_data: None,
    };
    let der = asn1::encode(&err).ok()?;
    Some(framing::frame_krb5(TOK_KRB_ERROR, &der))
}

impl AcceptorContext {
    /// An acceptor over the service's keys (every enctype and kvno it may be addressed
    /// with; the ticket's enctype selects the candidates).
    pub fn new(service_keys: Vec<Key>, options: AcceptorOptions) -> Self {
        AcceptorContext {
            service_keys,
            options,
            state: State::Initial,
            flags: ContextFlags::empty(),
            error_token: None,
        }
    }

    /// An acceptor over the keys of `service`'s latest kvno in a keytab (name types ignored).
    /// Entries with unsupported enctypes are skipped.
    pub fn from_keytab(
        keytab: &Keytab,
        service: &Principal,
        options: AcceptorOptions,
    ) -> Result<Self, GssError> {
        let mut keys = Vec::new();
        for entry in keytab.keys(service, None) {
            let Ok(t) = EncryptionType::try_from(entry.key.etype) else {
                continue;
            };
            if let Ok(k) = Key::from_bytes(t, entry.key.value.as_ref()) {
                keys.push(k);
            }
        }
        if keys.is_empty() {
            return Err(GssError::Accept(
                "no usable key for the service in the keytab",
            ));
        }
        Ok(Self::new(keys, options))
    }

    /// The flags the initiator asked for (after establishment).
    pub fn flags(&self) -> ContextFlags {
        self.flags
    }

    /// Whether the context is established.
    pub fn is_established(&self) -> bool {
        matches!(self.state, State::Established(_))
    }

    /// After a failed [`step`](Self::step): the KRB-ERROR token (TOK_ID 03 00) to send to
    /// the initiator, when its AP-REQ asked for mutual authentication (it then waits for an
    /// answer). `None` when the token was not an AP-REQ at all or no answer is expected.
    pub fn error_token(&self) -> Option<&[u8]> {
        self.error_token.as_deref()
    }

    /// Accept the initiator's token (the framed AP-REQ) at local time `now`.
    pub fn step(&mut self, input: &[u8], now: SystemTime) -> Result<AcceptStep, GssError> {
        match std::mem::replace(&mut self.state, State::Failed) {
            State::Initial => {
                let req = Self::parse_ap_req(input)?;
                match self.accept(&req, now) {
                    Ok((step, est)) => {
                        self.flags = step.flags;
                        self.state = State::Established(Box::new(est));
                        Ok(step)
                    }
                    Err(r) => {
                        if req.ap_options.is_set(ApOptions::MUTUAL_REQUIRED) {
                            self.error_token = error_token(&req, r.code, now);
                        }
                        Err(r.error)
                    }
                }
            }
            State::Established(e) => {
                self.state = State::Established(e);
                Err(GssError::State("the context is already established"))
            }
            State::Failed => Err(GssError::State("the context failed")),
        }
    }

    fn decrypt_ticket(&self, req: &ApReq) -> Result<EncTicketPart, Refusal> {
        let ticket = req.ticket.parse()?;
        let enc = &ticket.enc_part;
        let mut candidates = self
            .service_keys
            .iter()
            .filter(|k| k.etype().id() == enc.etype)
            .peekable();
        if candidates.peek().is_none() {
            return Err(refuse(
                ec::KRB_AP_ERR_NOKEY,
                "no service key of the ticket's enctype",
            ));
        }
        for key in candidates {
            if let Ok(plain) = key.decrypt(KeyUsage::KDC_REP_TICKET, &enc.cipher) {
                let plain = Zeroizing::new(plain);
                return Ok(asn1::decode(&plain)?);
            }
        }
        Err(refuse(
            ec::KRB_AP_ERR_BAD_INTEGRITY,
            "the ticket does not decrypt with any service key",
        ))
    }

    /// The AP-REQ inside a framed krb5 token.
    fn parse_ap_req(input: &[u8]) -> Result<ApReq, GssError> {
        let (tok_id, msg) = framing::parse_krb5(input)?;
        if tok_id != TOK_AP_REQ {
            return Err(GssError::Malformed("expected TOK_ID 01 00 (AP-REQ)"));
        }
        let req: ApReq = asn1::decode(msg)?;
        if req.pvno != 5 || req.msg_type != msg_type::AP_REQ {
            return Err(GssError::Malformed("not an AP-REQ"));
        }
        Ok(req)
    }

    fn accept(&self, req: &ApReq, now: SystemTime) -> Result<(AcceptStep, Established), Refusal> {
        if req.ap_options.is_set(ApOptions::USE_SESSION_KEY) {
            return Err(refuse(
                ec::KRB_AP_ERR_METHOD,
                "user-to-user AP-REQs are not supported",
            ));
        }
        let tkt = self.decrypt_ticket(req)?;
        let session_key = key_of(&tkt.key)?;
        if req.authenticator.etype != session_key.etype().id() {
            return Err(refuse(
                ec::KRB_AP_ERR_BAD_INTEGRITY,
                "authenticator enctype differs from the session key",
            ));
        }
        let plain = Zeroizing::new(
            session_key
                .decrypt(KeyUsage::AP_REQ_AUTH, &req.authenticator.cipher)
                .map_err(|_| Refusal::new(ec::KRB_AP_ERR_BAD_INTEGRITY, GssError::BadSignature))?,
        );
        let auth: Authenticator = asn1::decode(&plain)?;
        let client = Principal::from_wire(&tkt.crealm, &tkt.cname);
        if auth.crealm != tkt.crealm || auth.cname.name_string != tkt.cname.name_string {
            return Err(refuse(
                ec::KRB_AP_ERR_BADMATCH,
                "the authenticator's client is not the ticket's client",
            ));
        }
        let skew = i64::try_from(self.options.clock_skew.as_secs()).unwrap_or(i64::MAX);
        let now_s = unix(now);
        if now_s.abs_diff(auth.ctime.unix()) > skew.unsigned_abs() {
            return Err(refuse(
                ec::KRB_AP_ERR_SKEW,
                "authenticator time outside the clock skew",
            ));
        }
        let start = tkt.starttime.unwrap_or(tkt.authtime).unix();
        if start.saturating_sub(skew) > now_s {
            return Err(refuse(
                ec::KRB_AP_ERR_TKT_NYV,
                "the ticket is not yet valid",
            ));
        }
        if tkt.endtime.unix().saturating_add(skew) < now_s {
            return Err(refuse(ec::KRB_AP_ERR_TKT_EXPIRED, "the ticket has expired"));
        }

        // The 0x8003 checksum (RFC 4121 §4.1.1).
        let ck = auth
            .cksum
            .as_ref()
            .filter(|c| c.cksumtype == 0x8003)
            .ok_or(refuse(
                ec::KRB_AP_ERR_INAPP_CKSUM,
                "no 0x8003 GSS checksum in the authenticator",
            ))?;
        let c: &[u8] = ck.checksum.as_ref();
        if le_u32(c, 0) != Some(16) {
            return Err(GssError::Malformed("0x8003 checksum: Lgth is not 16").into());
        }
        let bnd = c
            .get(4..20)
            .ok_or(GssError::Malformed("0x8003 checksum too short"))?;
        if let Some(cb) = &self.options.channel_bindings
            && bnd != channel_bindings_hash(cb)
        {
            return Err(refuse(ec::KRB_ERR_GENERIC, "channel bindings mismatch"));
        }
        let flags =
            ContextFlags(le_u32(c, 20).ok_or(GssError::Malformed("0x8003 checksum too short"))?);
        let mut delegated = None;
        if flags.contains(ContextFlags::DELEG) {
            if le_u16(c, 24) != Some(1) {
                return Err(GssError::Malformed("0x8003 checksum: DlgOpt is not 1").into());
            }
            let len =
                usize::from(le_u16(c, 26).ok_or(GssError::Malformed("0x8003 checksum: no Dlgth"))?);
            let cred = c
                .get(28..28 + len)
                .ok_or(GssError::Malformed("0x8003 checksum: short Deleg"))?;
            delegated = Some(cred.to_vec());
        }

        let init_subkey = auth.subkey.as_ref().map(key_of).transpose()?;
        let ctx_key = init_subkey.as_ref().unwrap_or(&session_key);
        if ctx_key.etype() == EncryptionType::Rc4Hmac {
            return Err(Refusal::new(
                ec::KDC_ERR_ETYPE_NOSUPP,
                GssError::UnsupportedEnctype(ctx_key.etype().id()),
            ));
        }
        let init_seq = auth.seq_number.map_or(0, |s| u64::from(s.get()));
        let mutual = flags.contains(ContextFlags::MUTUAL)
            || req.ap_options.is_set(ApOptions::MUTUAL_REQUIRED);
        let replay = flags.contains(ContextFlags::REPLAY);
        let (output, keys, send_seq) = if mutual {
            let acc_subkey = Key::random(ctx_key.etype());
            let our_seq = random_seq_number();
            let part = EncApRepPart {
                ctime: auth.ctime,
                cusec: auth.cusec,
                subkey: Some(EncryptionKey::new(
                    acc_subkey.etype().id(),
                    acc_subkey.as_bytes().to_vec(),
                )),
                seq_number: Some(UInt32(our_seq)),
            };
            let plain = Zeroizing::new(asn1::encode(&part)?);
            let rep = ApRep {
                pvno: 5,
                msg_type: msg_type::AP_REP,
                enc_part: EncryptedData::new(
                    session_key.etype().id(),
                    None,
                    session_key.encrypt(KeyUsage::AP_REP_ENC_PART, &plain),
                ),
            };
            let token = framing::frame_krb5(TOK_AP_REP, &asn1::encode(&rep)?);
            let keys = TokenKeys::acceptor(ctx_key, Some(&acc_subkey))?;
            (Some(token), keys, u64::from(our_seq))
        } else {
            // Without an AP-REP both sides use the initiator's sequence number.
            (None, TokenKeys::acceptor(ctx_key, None)?, init_seq)
        };
        let est = Established {
            keys,
            send_seq,
            window: SeqWindow::new(init_seq, replay),
        };
        Ok((
            AcceptStep {
                output,
                complete: true,
                initiator: client,
                delegated,
                flags,
                authenticator_time: (auth.ctime.unix(), auth.cusec),
            },
            est,
        ))
    }

    fn established(&mut self) -> Result<&mut Established, GssError> {
        match &mut self.state {
            State::Established(e) => Ok(e),
            _ => Err(GssError::State("the context is not established")),
        }
    }

    /// A MIC token over `msg` (acceptor sign usage 23, AcceptorSubkey flag when we sent
    /// a subkey).
    pub fn get_mic(&mut self, msg: &[u8]) -> Result<Vec<u8>, GssError> {
        Ok(self.established()?.get_mic(msg))
    }

    /// Verify the initiator's MIC token over `msg` (usage 25).
    pub fn verify_mic(&mut self, msg: &[u8], token: &[u8]) -> Result<super::SeqStatus, GssError> {
        self.established()?.verify_mic(msg, token)
    }

    /// A Wrap token (usage 22 when sealed, 23 otherwise): encrypted when `confidential`.
    pub fn wrap(&mut self, msg: &[u8], confidential: bool) -> Result<Vec<u8>, GssError> {
        Ok(self.established()?.wrap(msg, confidential))
    }

    /// Verify and decrypt the initiator's Wrap token (usages 24/25).
    pub fn unwrap(&mut self, token: &[u8]) -> Result<Unwrapped, GssError> {
        self.established()?.unwrap(token)
    }
}

/// A SPNEGO (RFC 4178) acceptor around an [`AcceptorContext`]: takes the initiator's
/// NegTokenInit with an optimistic krb5 token (krb5 or Microsoft's krb5 OID as the
/// initiator's first choice) and answers one NegTokenResp (accept-completed, the chosen
/// OID, the AP-REP). As the initiator's preferred mechanism is chosen, no mechListMIC is
/// sent (RFC 4178 §5); one sent by the initiator is verified.
#[derive(Debug)]
pub struct SpnegoAcceptor {
    ctx: AcceptorContext,
    error_token: Option<Vec<u8>>,
}

impl SpnegoAcceptor {
    /// Wrap a fresh acceptor context.
    pub fn new(ctx: AcceptorContext) -> Self {
        SpnegoAcceptor {
            ctx,
            error_token: None,
        }
    }

    /// The krb5 context, for the per-message calls once established.
    pub fn context(&mut self) -> &mut AcceptorContext {
        &mut self.ctx
    }

    /// After a failed [`step`](Self::step) on a well-formed NegTokenInit: the NegTokenResp
    /// (negState reject) to send back, carrying the krb5 KRB-ERROR token when there is one
    /// (see [`AcceptorContext::error_token`]).
    pub fn error_token(&self) -> Option<&[u8]> {
        self.error_token.as_deref()
    }

    /// Accept the NegTokenInit at local time `now`; `output` is the NegTokenResp.
    pub fn step(&mut self, input: &[u8], now: SystemTime) -> Result<AcceptStep, GssError> {
        use super::spnego::{NegState, NegTokenResp, NegotiationToken, parse_initial};
        use super::{KRB5_OID_DER, MS_KRB5_OID_DER};
        let init = parse_initial(input)?;
        let reject = |mech: Option<&_>, token: Option<&[u8]>| {
            let resp = NegTokenResp {
                neg_state: Some(NegState::Reject),
                supported_mech: mech.cloned(),
                response_token: token.map(|t| t.to_vec().into()),
                mech_list_mic: None,
            };
            asn1::encode(&NegotiationToken::NegTokenResp(resp)).ok()
        };
        let Some(first) = init.mech_types.first() else {
            self.error_token = reject(None, None);
            return Err(GssError::Spnego("empty MechTypeList"));
        };
        let der = asn1::encode(first)?;
        if der != KRB5_OID_DER && der != MS_KRB5_OID_DER {
            self.error_token = reject(None, None);
            return Err(GssError::Spnego(
                "the initiator's first mechanism is not krb5",
            ));
        }
        let Some(token) = init.mech_token.as_ref() else {
            self.error_token = reject(None, None);
            return Err(GssError::Spnego(
                "no optimistic krb5 token in the NegTokenInit",
            ));
        };
        let mut step = match self.ctx.step(token, now) {
            Ok(step) => step,
            Err(e) => {
                self.error_token = reject(Some(first), self.ctx.error_token());
                return Err(e);
            }
        };
        if let Some(mic) = &init.mech_list_mic {
            let list = asn1::encode(&init.mech_types)?;
            if let Err(e) = self.ctx.verify_mic(&list, mic) {
                self.error_token = reject(Some(first), None);
                return Err(e);
            }
        }
        let resp = NegTokenResp {
            neg_state: Some(NegState::AcceptCompleted),
            supported_mech: Some(first.clone()),
            response_token: step.output.take().map(Into::into),
            mech_list_mic: None,
        };
        step.output = Some(asn1::encode(&NegotiationToken::NegTokenResp(resp))?);
        Ok(step)
    }
}
