//! The AS exchange (RFC 4120 §3.1): get a TGT (or an initial ticket for another service)
//! with a password or long-term keys.

use std::fmt;
use std::time::{Duration, SystemTime};

use zeroize::Zeroizing;

use super::credential::Credential;
use super::error::{ExchangeError, KdcError, unix_micros};
use super::fast::{self, FastArmor};
use super::preauth::{self, Candidate, KdcHints};
use super::{Outgoing, State, Step};
use crate::asn1::constants::{error_code as ec, msg_type, padata_type as pt};
use crate::asn1::{
    self, AsReq, Checksum, EncKdcRepPart, EncryptedData, KdcOptions, KdcRep, KdcReply, KdcReqBody,
    KerbPaPacRequest, KerberosString, KerberosTime, KrbError, PaData, PaEncTsEnc, TicketFlags,
    UInt32,
};
use crate::crypto::{ChecksumType, CryptoError, EncryptionType, Key, KeyUsage};
use crate::principal::{NT_ENTERPRISE, Principal};

/// Key usage of the PA-REQ-ENC-PA-REP checksum (RFC 6806 §11, `KEY_USAGE_AS_REQ`).
const KEY_USAGE_AS_REQ: KeyUsage = KeyUsage(56);
/// Hard limit on round trips, whatever the KDCs say.
const MAX_ROUND_TRIPS: usize = 16;

/// What to ask for.
#[derive(Debug)]
pub struct AsRequest {
    /// The client; its realm is the realm asked first. Name type NT-PRINCIPAL or
    /// NT-ENTERPRISE, as given.
    pub client: Principal,
    /// The password or the client's long-term keys.
    pub secret: AsSecret,
    /// Options.
    pub options: AsOptions,
}

impl AsRequest {
    /// A request with default options.
    pub fn new(client: Principal, secret: AsSecret) -> Self {
        AsRequest {
            client,
            secret,
            options: AsOptions::default(),
        }
    }
}

/// The client's secret.
pub enum AsSecret {
    /// A password: string-to-key with the KDC's salt and s2kparams.
    Password(Zeroizing<String>),
    /// Long-term keys (e.g. every keytab key of the client, any etypes). The request's
    /// etype list is restricted to these keys' etypes. When several keys share an etype
    /// (several kvnos), put the newest first: PA-ENC-TIMESTAMP uses the first key of the
    /// chosen etype, and the reply is tried with each key of its etype.
    Keys(Vec<Key>),
}

impl AsSecret {
    /// A password secret.
    pub fn password(password: impl Into<String>) -> Self {
        AsSecret::Password(Zeroizing::new(password.into()))
    }

    fn has_key_for(&self, etype: i32) -> bool {
        match self {
            AsSecret::Password(_) => true,
            AsSecret::Keys(keys) => keys.iter().any(|k| k.etype().id() == etype),
        }
    }
}

impl fmt::Debug for AsSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AsSecret::Password(_) => f.write_str("Password(<redacted>)"),
            AsSecret::Keys(keys) => f
                .debug_tuple("Keys")
                .field(&keys.iter().map(|k| k.etype().id()).collect::<Vec<_>>())
                .finish(),
        }
    }
}

/// Options of an AS exchange.
#[derive(Clone, Debug)]
pub struct AsOptions {
    /// Requested lifetime: till = now + lifetime.
    pub lifetime: Duration,
    /// Requested renewable lifetime (sets the renewable option and rtime).
    pub renew_lifetime: Option<Duration>,
    /// Ask for a forwardable ticket.
    pub forwardable: bool,
    /// Ask for a proxiable ticket.
    pub proxiable: bool,
    /// Requested enctypes, in preference order (from the configuration).
    pub etypes: Vec<i32>,
    /// Allow RC4 (23); without it RC4 is dropped from the request and refused in replies.
    pub allow_weak_crypto: bool,
    /// Send PA-PAC-REQUEST with this value.
    pub request_pac: Option<bool>,
    /// Ask for canonicalization (RFC 6806) and send PA-REQ-ENC-PA-REP.
    pub canonicalize: bool,
    /// No addresses in the request (the only mode implemented).
    pub addressless: bool,
    /// The server; default `krbtgt/REALM@REALM`.
    pub server: Option<Principal>,
    /// Client referrals (`KDC_ERR_WRONG_REALM`) followed at most.
    pub max_referrals: u8,
    /// Allowed clock skew for the reply's time checks.
    pub clock_skew: Duration,
    /// FAST armor (RFC 6113, like `kinit -T`): with it the requests are armored and the
    /// pre-authentication is PA-ENCRYPTED-CHALLENGE when the KDC offers it. None (the
    /// default): no FAST.
    pub armor: Option<FastArmor>,
}

impl Default for AsOptions {
    fn default() -> Self {
        AsOptions {
            lifetime: Duration::from_secs(10 * 3600),
            renew_lifetime: None,
            forwardable: false,
            proxiable: false,
            etypes: vec![18, 17, 20, 19],
            allow_weak_crypto: false,
            request_pac: None,
            canonicalize: true,
            addressless: true,
            server: None,
            max_referrals: 5,
            clock_skew: Duration::from_secs(300),
            armor: None,
        }
    }
}

/// What was sent last (to check the reply against).
struct Sent {
    message: Vec<u8>,
    nonce: u32,
    till: i64,
    rtime: Option<i64>,
    /// The PA-ENC-TIMESTAMP candidate used, if any.
    preauth: Option<Candidate>,
    /// The FAST armor key, when the request was armored.
    armor_key: Option<Key>,
}

/// Pre-authentication state for the current realm.
struct Preauth {
    /// Hints from the last PREAUTH_REQUIRED / PREAUTH_FAILED.
    hints: KdcHints,
    /// Candidates in preference order.
    candidates: Vec<Candidate>,
    /// The candidate to use.
    current: usize,
    /// One retry with another candidate after PREAUTH_FAILED.
    retried: bool,
    /// Pre-authenticate with PA-ENCRYPTED-CHALLENGE (inside FAST) instead of PA-ENC-TIMESTAMP.
    challenge: bool,
}

/// The sans-IO AS exchange. See the [module documentation](super) for the driver loop.
pub struct AsExchange {
    span: tracing::Span,
    /// The client name as requested (realm: the realm asked first).
    client: Principal,
    secret: AsSecret,
    options: AsOptions,
    /// The request's etypes (filtered).
    etypes: Vec<i32>,
    /// The realm the current request goes to.
    realm: Vec<u8>,
    /// The server asked for in the current realm.
    server: Principal,
    /// Realms asked, in order.
    visited: Vec<String>,
    state: State,
    sent: Option<Sent>,
    /// Learned from a KRB_AP_ERR_SKEW: KDC time minus local time, microseconds.
    offset_us: i128,
    skew_retried: bool,
    tcp_only: bool,
    preauth: Option<Preauth>,
    /// Derived password keys: (etype, salt, s2kparams) → key.
    key_cache: Vec<(Candidate, Key)>,
    round_trips: usize,
    nonce_source: fn() -> u32,
    /// The FAST armor while FAST is in use (dropped on a permitted fallback).
    fast: Option<FastArmor>,
    /// The credential came from an armored exchange.
    fast_used: bool,
}

impl fmt::Debug for AsExchange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsExchange")
            .field("client", &self.client)
            .field("secret", &self.secret)
            .field("etypes", &self.etypes)
            .field("realm", &String::from_utf8_lossy(&self.realm))
            .field("state", &self.state.name())
            .field("visited", &self.visited)
            .field("round_trips", &self.round_trips)
            .finish_non_exhaustive()
    }
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn secs(d: Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX)
}

/// The request etypes: `wanted` in order, deduplicated, supported by the crypto layer,
/// RC4 only when allowed, and (for keys) only the keys' etypes.
fn filter_etypes(wanted: &[i32], allow_weak: bool, secret: &AsSecret) -> Vec<i32> {
    let mut out = Vec::new();
    for &e in wanted {
        let Ok(t) = EncryptionType::try_from(e) else {
            continue;
        };
        if t.is_weak() && !allow_weak {
            continue;
        }
        if !secret.has_key_for(e) || out.contains(&e) {
            continue;
        }
        out.push(e);
    }
    out
}

impl AsExchange {
    /// Start an exchange: validates the request and builds the first AS-REQ (no
    /// pre-authentication; the KDC says what it wants). `now` is the current time.
    pub fn new(request: AsRequest, now: SystemTime) -> Result<AsExchange, ExchangeError> {
        Self::new_with_nonce_source(request, now, rand::random::<u32>)
    }

    /// Like [`AsExchange::new`], with the request nonces (masked to 31 bits) taken from
    /// `nonce_source` instead of the RNG. For deterministic tests and benchmarks only.
    #[doc(hidden)]
    pub fn new_with_nonce_source(
        request: AsRequest,
        now: SystemTime,
        nonce_source: fn() -> u32,
    ) -> Result<AsExchange, ExchangeError> {
        let AsRequest {
            client,
            secret,
            options,
        } = request;
        let span = tracing::debug_span!("as_exchange", client = %client);
        let _enter = span.enter();
        if client.components.is_empty() || client.components.iter().all(|c| c.is_empty()) {
            return Err(ExchangeError::InvalidRequest(
                "the client principal has no name".into(),
            ));
        }
        if client.realm.is_empty() {
            return Err(ExchangeError::InvalidRequest(
                "the client principal has no realm".into(),
            ));
        }
        if let AsSecret::Keys(keys) = &secret
            && keys.is_empty()
        {
            return Err(ExchangeError::InvalidRequest("no keys supplied".into()));
        }
        if !options.addressless {
            tracing::debug!("addresses are not supported; sending an addressless request");
        }
        let etypes = filter_etypes(&options.etypes, options.allow_weak_crypto, &secret);
        if etypes.is_empty() {
            return Err(ExchangeError::NoCommonEtype {
                requested: options.etypes.clone(),
                usable: Vec::new(),
                kdc: Vec::new(),
            });
        }
        let realm = client.realm.clone();
        let server = match &options.server {
            Some(s) => s.clone(),
            None => Principal::krbtgt(realm.clone(), realm.clone()),
        };
        drop(_enter);
        let mut ex = AsExchange {
            span,
            visited: vec![lossy(&realm)],
            client,
            secret,
            options,
            etypes,
            realm,
            server,
            state: State::Failed,
            sent: None,
            offset_us: 0,
            skew_retried: false,
            tcp_only: false,
            preauth: None,
            key_cache: Vec::new(),
            round_trips: 0,
            nonce_source,
            fast: None,
            fast_used: false,
        };
        ex.fast = ex.options.armor.clone();
        let out = ex.build_request(now)?;
        ex.state = State::Ready(out);
        Ok(ex)
    }

    /// The next step: `Send` (again, until `receive` is called) or `Done` once; `None`
    /// after `Done` was returned or after `receive` returned an error.
    pub fn poll(&mut self) -> Option<Step> {
        self.state.poll()
    }

    /// Feed the reply to the last `Send`. `Ok(())`: the exchange advanced (the next
    /// `poll` gives another `Send` or `Done`); `Err`: a final, typed failure.
    pub fn receive(&mut self, reply: &[u8], now: SystemTime) -> Result<(), ExchangeError> {
        self.state.expect_reply()?;
        let span = self.span.clone();
        let _enter = span.enter();
        let outcome = self.step(reply, now);
        self.state.settle(outcome, "AS")
    }

    /// The realms asked so far, in order (more than one after client referrals).
    pub fn realms_visited(&self) -> &[String] {
        &self.visited
    }

    /// The etypes the requests offer (after filtering).
    pub fn etypes(&self) -> &[i32] {
        &self.etypes
    }

    /// Whether the exchange was armored with FAST (the KDC answered armored).
    pub fn fast_used(&self) -> bool {
        self.fast_used
    }

    /// The pre-authentication type that got the ticket (2: PA-ENC-TIMESTAMP, 138:
    /// PA-ENCRYPTED-CHALLENGE), if the exchange pre-authenticated.
    pub fn preauth_type(&self) -> Option<i32> {
        let pa = self.preauth.as_ref()?;
        self.sent.as_ref()?.preauth.as_ref()?;
        Some(if pa.challenge {
            pt::PA_ENCRYPTED_CHALLENGE
        } else {
            pt::PA_ENC_TIMESTAMP
        })
    }

    /// The KDC clock offset learned so far from a clock-skew error, in seconds.
    pub fn kdc_offset(&self) -> i64 {
        i64::try_from(self.offset_us.div_euclid(1_000_000)).unwrap_or(0)
    }

    fn step(&mut self, reply: &[u8], now: SystemTime) -> Result<State, ExchangeError> {
        self.round_trips += 1;
        if self.round_trips > MAX_ROUND_TRIPS {
            return Err(ExchangeError::TooManyRoundTrips(MAX_ROUND_TRIPS));
        }
        let _s = tracing::debug_span!("reply", len = reply.len(), n = self.round_trips).entered();
        match asn1::decode_kdc_reply(reply)? {
            KdcReply::Error(err) => self.on_error(&err, now),
            KdcReply::AsRep(rep) => {
                let cred = self.on_as_rep(rep.0, now)?;
                tracing::debug!(client = %cred.client, server = %cred.server, end_time = cred.end_time, "AS exchange done");
                Ok(State::Done(Box::new(cred)))
            }
            KdcReply::TgsRep(_) => Err(ExchangeError::UnexpectedMessage(
                "a TGS-REP in reply to an AS-REQ".into(),
            )),
        }
    }

    fn default_salt(&self) -> Vec<u8> {
        let mut salt = self.realm.clone();
        for c in &self.client.components {
            salt.extend_from_slice(c);
        }
        salt
    }

    /// The etypes the client can use, in preference order.
    fn usable(&self) -> Vec<i32> {
        self.etypes
            .iter()
            .copied()
            .filter(|&e| self.secret.has_key_for(e))
            .collect()
    }

    fn key_for(&mut self, cand: &Candidate) -> Result<Key, ExchangeError> {
        match &self.secret {
            AsSecret::Keys(keys) => keys
                .iter()
                .find(|k| k.etype().id() == cand.etype)
                .cloned()
                .ok_or(ExchangeError::NoKeyForEtype(cand.etype)),
            AsSecret::Password(pw) => {
                if let Some((_, k)) = self.key_cache.iter().find(|(c, _)| c == cand) {
                    return Ok(k.clone());
                }
                let etype = EncryptionType::try_from(cand.etype)
                    .map_err(|_| ExchangeError::EtypeNotPermitted(cand.etype))?;
                let params = match (etype, cand.s2kparams.as_deref()) {
                    (EncryptionType::Rc4Hmac, _) | (_, None) => None,
                    (_, Some(p)) => Some(p),
                };
                tracing::debug!(
                    etype = cand.etype,
                    salt_len = cand.salt.len(),
                    "string-to-key"
                );
                let key = Key::from_password(etype, pw, &cand.salt, params)?;
                self.key_cache.push((cand.clone(), key.clone()));
                Ok(key)
            }
        }
    }

    fn kdc_error(&self, err: &KrbError, now: SystemTime) -> ExchangeError {
        let mut e = KdcError::from_krb_error(err, now);
        e.context.requested_etypes = self.etypes.clone();
        let mut client = self.client.clone();
        client.realm = self.realm.clone();
        e.context.client = Some(client.to_string());
        ExchangeError::Kdc(e)
    }

    fn resend(&mut self, now: SystemTime) -> Result<State, ExchangeError> {
        Ok(State::Ready(self.build_request(now)?))
    }

    fn on_error(&mut self, err: &KrbError, now: SystemTime) -> Result<State, ExchangeError> {
        let code = err.error_code;
        tracing::debug!(code, name = err.error_name(), "KRB-ERROR");
        if err.pvno != 5 || err.msg_type != msg_type::KRB_ERROR {
            return Err(ExchangeError::UnexpectedMessage(format!(
                "KRB-ERROR with pvno {} msg-type {}",
                err.pvno, err.msg_type
            )));
        }
        let armored = self
            .sent
            .as_ref()
            .and_then(|s| Some((s.armor_key.clone()?, s.nonce)));
        if let Some((armor_key, nonce)) = armored {
            if let Some(inner) = fast::unwrap_error(err, &armor_key, nonce)? {
                tracing::debug!(
                    code = inner.error_code,
                    name = inner.error_name(),
                    "armored KRB-ERROR"
                );
                self.fast_used = true;
                return self.on_plain_error(&inner, now, true);
            }
            if code == ec::KDC_ERR_PREAUTH_REQUIRED {
                let required = self.fast.as_ref().is_none_or(|a| a.required);
                if required || self.fast_used {
                    return Err(ExchangeError::FastNotOffered(lossy(&self.realm)));
                }
                tracing::debug!("the KDC does not answer with FAST: asking again without armor");
                self.fast = None;
                return self.resend(now);
            }
            if code != ec::KRB_ERR_RESPONSE_TOO_BIG {
                // As in MIT: an error that is not armored, answering an armored request, is
                // final. No clock-skew retry, referral or second pre-authentication try is
                // steered by what anyone on the path can send. (RESPONSE_TOO_BIG only moves
                // the same armored request to TCP.)
                tracing::debug!(code, "unarmored KRB-ERROR to an armored request: final");
                return Err(self.kdc_error(err, now));
            }
        }
        self.on_plain_error(err, now, false)
    }

    fn on_plain_error(
        &mut self,
        err: &KrbError,
        now: SystemTime,
        armored: bool,
    ) -> Result<State, ExchangeError> {
        let code = err.error_code;
        let sent_preauth = self.sent.as_ref().and_then(|s| s.preauth.clone());
        match code {
            ec::KDC_ERR_PREAUTH_REQUIRED => {
                if sent_preauth.is_some() {
                    // We did pre-authenticate; the KDC wants something else.
                    return Err(self.kdc_error(err, now));
                }
                let hints = match err.method_data() {
                    Some(Ok(md)) => KdcHints::parse(&md),
                    Some(Err(error)) => {
                        tracing::debug!(%error, "PREAUTH_REQUIRED e-data is not METHOD-DATA");
                        KdcHints::default()
                    }
                    None => KdcHints::default(),
                };
                tracing::debug!(offered = ?hints.types, etype_info = ?hints.etypes(), "pre-authentication required");
                let challenge = armored && hints.types.contains(&pt::PA_ENCRYPTED_CHALLENGE);
                if !hints.types.contains(&pt::PA_ENC_TIMESTAMP)
                    && !challenge
                    && !hints.types.is_empty()
                {
                    if hints.etype_info.is_empty() {
                        // MIT (and Heimdal) leave out PA-ENC-TIMESTAMP and ETYPE-INFO2 when
                        // the client has no key in any requested enctype.
                        return Err(ExchangeError::NoCommonEtype {
                            requested: self.options.etypes.clone(),
                            usable: self.usable(),
                            kdc: Vec::new(),
                        });
                    }
                    return Err(ExchangeError::NoSupportedPreauth {
                        offered: hints.types,
                    });
                }
                let candidates = preauth::candidates(&hints, &self.usable(), &self.default_salt());
                if candidates.is_empty() {
                    return Err(ExchangeError::NoCommonEtype {
                        requested: self.options.etypes.clone(),
                        usable: self.usable(),
                        kdc: hints.etypes(),
                    });
                }
                self.preauth = Some(Preauth {
                    hints,
                    candidates,
                    current: 0,
                    retried: false,
                    challenge,
                });
                self.resend(now)
            }
            ec::KDC_ERR_PREAUTH_FAILED => {
                let Some(tried) = sent_preauth else {
                    return Err(self.kdc_error(err, now));
                };
                let usable = self.usable();
                let default_salt = self.default_salt();
                let password = matches!(self.secret, AsSecret::Password(_));
                let Some(pa) = self.preauth.as_mut() else {
                    return Err(self.kdc_error(err, now));
                };
                if pa.retried {
                    return Err(self.kdc_error(err, now));
                }
                // A fresh ETYPE-INFO2 in the error replaces the earlier one.
                if let Some(Ok(md)) = err.method_data() {
                    let hints = KdcHints::parse(&md);
                    if !hints.etype_info.is_empty() {
                        pa.candidates = preauth::candidates(&hints, &usable, &default_salt);
                        pa.hints = hints;
                    } else if hints.cookie.is_some() {
                        pa.hints.cookie = hints.cookie;
                    }
                }
                // Another ETYPE-INFO2 entry applies when it can give another answer: for a
                // password, another salt or s2kparams (the same password and salt fail for
                // every etype alike, and each failure counts towards account lockout); for
                // keys, another key.
                let from_info2 = pa.hints.from_info2;
                let next = pa.candidates.iter().position(|c| {
                    from_info2
                        && *c != tried
                        && (!password || c.salt != tried.salt || c.s2kparams != tried.s2kparams)
                });
                match next {
                    Some(i) => {
                        tracing::debug!(
                            etype = pa.candidates.get(i).map(|c| c.etype),
                            "PREAUTH_FAILED: retrying with another ETYPE-INFO2 entry"
                        );
                        pa.current = i;
                        pa.retried = true;
                        self.resend(now)
                    }
                    None => Err(self.kdc_error(err, now)),
                }
            }
            ec::KRB_AP_ERR_SKEW => {
                if self.skew_retried {
                    return Err(self.kdc_error(err, now));
                }
                self.skew_retried = true;
                let stime_us = i128::from(err.stime.unix()) * 1_000_000
                    + i128::from(err.susec.clamp(0, 999_999));
                self.offset_us = stime_us - unix_micros(now);
                tracing::debug!(
                    offset_s = self.kdc_offset(),
                    "clock skew: retrying with the KDC's time"
                );
                self.resend(now)
            }
            ec::KDC_ERR_WRONG_REALM => {
                let Some(new_realm) = err.crealm.as_ref().map(|r| r.as_bytes().to_vec()) else {
                    return Err(ExchangeError::ReferralWithoutRealm(lossy(&self.realm)));
                };
                let name = lossy(&new_realm);
                let loops = new_realm.is_empty()
                    || self
                        .visited
                        .iter()
                        .any(|v| v.as_bytes() == new_realm.as_slice());
                self.visited.push(name);
                let hops = self.visited.len() - 1;
                if loops || hops > usize::from(self.options.max_referrals) {
                    return Err(ExchangeError::TooManyReferrals {
                        realms: self.visited.clone(),
                    });
                }
                tracing::debug!(realm = %lossy(&new_realm), hops, "client referral");
                if self.options.server.is_none() {
                    self.server = Principal::krbtgt(new_realm.clone(), new_realm.clone());
                }
                self.realm = new_realm;
                self.preauth = None;
                self.tcp_only = false;
                // Another realm's KDC may keep another clock: allow one skew retry there too
                // (the offset learned so far stays as the best guess).
                self.skew_retried = false;
                self.resend(now)
            }
            ec::KRB_ERR_RESPONSE_TOO_BIG => {
                if self.tcp_only {
                    return Err(self.kdc_error(err, now));
                }
                self.tcp_only = true;
                let Some(sent) = self.sent.as_ref() else {
                    return Err(self.kdc_error(err, now));
                };
                tracing::debug!("response too big for UDP: resending over TCP");
                Ok(State::Ready(Outgoing {
                    realm: lossy(&self.realm),
                    message: sent.message.clone(),
                    tcp_only: true,
                }))
            }
            _ => Err(self.kdc_error(err, now)),
        }
    }

    /// Build the next AS-REQ for the current realm and pre-authentication state.
    fn build_request(&mut self, now: SystemTime) -> Result<Outgoing, ExchangeError> {
        let now_us = unix_micros(now) + self.offset_us;
        let now_s = i64::try_from(now_us.div_euclid(1_000_000))
            .map_err(|_| ExchangeError::InvalidRequest("time out of range".into()))?;
        let usec = i32::try_from(now_us.rem_euclid(1_000_000)).unwrap_or(0);
        let till = now_s.saturating_add(secs(self.options.lifetime));
        let mut kdc_options = KdcOptions::empty();
        if self.options.forwardable {
            kdc_options.set(KdcOptions::FORWARDABLE);
        }
        if self.options.proxiable {
            kdc_options.set(KdcOptions::PROXIABLE);
        }
        let rtime = self
            .options
            .renew_lifetime
            .map(|r| now_s.saturating_add(secs(r)));
        if rtime.is_some() {
            kdc_options.set(KdcOptions::RENEWABLE);
        }
        if self.options.canonicalize {
            kdc_options.set(KdcOptions::CANONICALIZE);
        }
        let nonce = UInt32::nonce((self.nonce_source)()).get();
        let mut body = KdcReqBody::new(
            kdc_options,
            KerberosString::from_bytes(self.realm.clone()),
            KerberosTime::from_unix(till),
            nonce,
            &self.etypes,
        )
        .with_cname(self.client.to_wire_name())
        .with_sname(self.server.to_wire_name());
        if let Some(r) = rtime {
            body = body.with_rtime(KerberosTime::from_unix(r));
        }

        let mut padata = Vec::new();
        let armor = match &self.fast {
            Some(a) => Some(fast::explicit_armor(a, now)?),
            None => None,
        };
        let cand = self
            .preauth
            .as_ref()
            .and_then(|p| p.candidates.get(p.current).cloned());
        let challenge = self.preauth.as_ref().is_some_and(|p| p.challenge);
        if let Some(cand) = &cand {
            let key = self.key_for(cand)?;
            let ts = PaEncTsEnc::new(KerberosTime::from_unix(now_s), Some(usec));
            match (&armor, challenge) {
                (Some((_, armor_key)), true) => {
                    padata.push(fast::client_challenge(armor_key, &key, &ts)?);
                    tracing::debug!(etype = cand.etype, "PA-ENCRYPTED-CHALLENGE");
                }
                _ => {
                    let ts = asn1::encode(&ts)?;
                    let cipher = key.encrypt(KeyUsage::AS_REQ_PA_ENC_TIMESTAMP, &ts);
                    let enc = EncryptedData::new(cand.etype, None, cipher);
                    padata.push(PaData::from_value(pt::PA_ENC_TIMESTAMP, &enc)?);
                    tracing::debug!(etype = cand.etype, "PA-ENC-TIMESTAMP");
                }
            }
        }
        if let Some(cookie) = self.preauth.as_ref().and_then(|p| p.hints.cookie.as_ref()) {
            padata.push(PaData::new(pt::PA_FX_COOKIE, cookie.clone()));
        }
        if let Some(include_pac) = self.options.request_pac {
            padata.push(PaData::from_value(
                pt::PA_PAC_REQUEST,
                &KerbPaPacRequest { include_pac },
            )?);
        }
        if self.options.canonicalize {
            padata.push(PaData::new(pt::PA_REQ_ENC_PA_REP, Vec::new()));
        }
        let mut armor_key = None;
        if let Some((fast_armor, key)) = armor {
            let body_der = asn1::encode(&body)?;
            let outer = fast::armored_padata(Some(fast_armor), &key, &body, padata, &body_der)?;
            padata = vec![outer];
            armor_key = Some(key);
            tracing::debug!("armored with FAST");
        }
        let req = AsReq::new(
            if padata.is_empty() {
                None
            } else {
                Some(padata)
            },
            body,
        );
        let message = asn1::encode(&req)?;
        tracing::debug!(realm = %lossy(&self.realm), etypes = ?self.etypes, len = message.len(), "AS-REQ");
        self.sent = Some(Sent {
            message: message.clone(),
            nonce,
            till,
            rtime,
            preauth: cand,
            armor_key,
        });
        Ok(Outgoing {
            realm: lossy(&self.realm),
            message,
            tcp_only: self.tcp_only,
        })
    }

    /// The key that should decrypt the reply's enc-part.
    /// Decrypt the reply's enc-part: with the password-derived key, or with each supplied
    /// key of the enc-part's etype in turn (a keytab may hold several kvnos).
    fn decrypt_reply(
        &mut self,
        rep: &KdcRep,
        etype: i32,
        fast_resp: Option<&asn1::KrbFastResponse>,
    ) -> Result<(Key, Key, Zeroizing<Vec<u8>>), ExchangeError> {
        let keys: Vec<Key> = match &self.secret {
            AsSecret::Keys(keys) => keys
                .iter()
                .filter(|k| k.etype().id() == etype)
                .cloned()
                .collect(),
            AsSecret::Password(_) => vec![self.password_reply_key(rep, etype)?],
        };
        if keys.is_empty() {
            return Err(ExchangeError::NoKeyForEtype(etype));
        }
        for key in keys {
            let reply_key = match fast_resp {
                Some(resp) => fast::strengthen(resp, &key)?.unwrap_or_else(|| key.clone()),
                None => key.clone(),
            };
            match reply_key.decrypt(KeyUsage::AS_REP_ENC_PART, &rep.enc_part.cipher) {
                Ok(plain) => return Ok((key, reply_key, Zeroizing::new(plain))),
                Err(CryptoError::IntegrityCheckFailed | CryptoError::CiphertextTooShort) => {}
                Err(other) => return Err(ExchangeError::Crypto(other)),
            }
        }
        Err(ExchangeError::ReplyDecryptFailed { etype })
    }

    /// The password-derived key for the reply's enc-part.
    fn password_reply_key(&mut self, rep: &KdcRep, etype: i32) -> Result<Key, ExchangeError> {
        let default_salt = self.default_salt();
        // 1. The reply's own PA-DATA (Heimdal sends PW-SALT / ETYPE-INFO2 here).
        let reply_hints = KdcHints::parse(rep.padata.as_deref().unwrap_or(&[]));
        let cand = preauth::salt_for(&reply_hints, etype, &default_salt)
            // 2. The candidate used for pre-authentication, if of this etype.
            .or_else(|| {
                self.sent
                    .as_ref()
                    .and_then(|s| s.preauth.clone())
                    .filter(|c| c.etype == etype)
            })
            // 3. What the KDC said earlier about this etype.
            .or_else(|| {
                self.preauth
                    .as_ref()
                    .and_then(|p| preauth::salt_for(&p.hints, etype, &default_salt))
            })
            // 4. The default salt.
            .unwrap_or(Candidate {
                etype,
                salt: default_salt,
                s2kparams: None,
            });
        self.key_for(&cand)
    }

    fn check_etype(&self, etype: i32) -> Result<(), ExchangeError> {
        if etype == EncryptionType::Rc4Hmac.id() && !self.options.allow_weak_crypto {
            return Err(ExchangeError::WeakCryptoRefused(etype));
        }
        if !self.etypes.contains(&etype) {
            return Err(ExchangeError::EtypeNotPermitted(etype));
        }
        Ok(())
    }

    fn on_as_rep(&mut self, mut rep: KdcRep, now: SystemTime) -> Result<Credential, ExchangeError> {
        if rep.pvno != 5 {
            return Err(ExchangeError::UnexpectedMessage(format!(
                "AS-REP with pvno {}",
                rep.pvno
            )));
        }
        if rep.msg_type != msg_type::AS_REP {
            return Err(ExchangeError::UnexpectedMessage(format!(
                "AS-REP with msg-type {}",
                rep.msg_type
            )));
        }
        let Some(sent) = self.sent.as_ref() else {
            return Err(ExchangeError::NotExpectingReply("nothing was sent"));
        };
        let (sent_nonce, sent_till, sent_rtime) = (sent.nonce, sent.till, sent.rtime);
        let armor_key = sent.armor_key.clone();
        let fast_resp = match &armor_key {
            Some(ak) => {
                let Some(resp) = fast::fast_response(rep.padata.as_deref().unwrap_or(&[]), ak)?
                else {
                    return Err(ExchangeError::FastReplyInvalid(
                        "the AS-REP to an armored request has no PA-FX-FAST",
                    ));
                };
                if resp.nonce.get() != sent_nonce {
                    return Err(ExchangeError::FastReplyInvalid(
                        "the KrbFastResponse nonce is not the request's",
                    ));
                }
                fast::check_finished(&resp, ak, rep.ticket.as_bytes())?;
                if let Some(fin) = resp.finished.as_ref() {
                    rep.crealm = fin.crealm.clone();
                    rep.cname = fin.cname.clone();
                }
                Some(resp)
            }
            None => None,
        };
        let etype = rep.enc_part.etype;
        self.check_etype(etype)?;
        let (long_term, key, plain) = self.decrypt_reply(&rep, etype, fast_resp.as_ref())?;
        if let (Some(ak), Some(resp)) = (&armor_key, &fast_resp) {
            let now_s = KerberosTime::from_system_time(now)
                .unix()
                .saturating_add(self.kdc_offset());
            let checked = fast::check_kdc_challenge(
                &resp.padata,
                ak,
                &long_term,
                now_s,
                secs(self.options.clock_skew),
            )?;
            tracing::debug!(
                kdc_challenge = checked,
                strengthened = resp.strengthen_key.is_some(),
                "armored AS-REP verified"
            );
            self.fast_used = true;
        }
        let (enc, _kind) = asn1::decode_enc_kdc_rep_part(&plain).map_err(|e| match e {
            asn1::Asn1Error::UnexpectedTag { found, .. } => ExchangeError::BadEncPartTag { found },
            other => ExchangeError::Asn1(other),
        })?;

        if enc.nonce.get() != sent_nonce {
            return Err(ExchangeError::NonceMismatch {
                expected: sent_nonce,
                got: enc.nonce.get(),
            });
        }
        let session_etype = enc.key.keytype;
        self.check_etype(session_etype)?;
        let session_type = EncryptionType::try_from(session_etype)
            .map_err(|_| ExchangeError::EtypeNotPermitted(session_etype))?;
        let session_key =
            Key::from_bytes(session_type, enc.key.keyvalue.as_ref())?.remember_derived_keys();

        let proven = self.check_enc_pa_rep(&enc, &key)?;
        self.check_names(&rep, &enc, proven)?;
        let ticket = rep.ticket.parse()?;
        if ticket.realm != enc.srealm {
            return Err(ExchangeError::ServerRealmMismatch {
                expected: enc.srealm.to_string_lossy().into_owned(),
                returned: ticket.realm.to_string_lossy().into_owned(),
            });
        }
        if ticket.sname.name_string != enc.sname.name_string {
            return Err(ExchangeError::ServerNameMismatch {
                expected: enc.sname.to_string_lossy(),
                returned: ticket.sname.to_string_lossy(),
            });
        }

        // Times.
        let skew = secs(self.options.clock_skew);
        let auth_time = enc.authtime.unix();
        let start_time = enc.starttime.map_or(auth_time, |t| t.unix());
        let end_time = enc.endtime.unix();
        let renew_till = enc.renew_till.map(|t| t.unix());
        if end_time <= start_time {
            return Err(ExchangeError::TimesInsane(format!(
                "endtime {end_time} is not after starttime {start_time}"
            )));
        }
        if end_time > sent_till.saturating_add(skew) {
            return Err(ExchangeError::TimesInsane(format!(
                "endtime {end_time} is beyond the requested till {sent_till}"
            )));
        }
        if let (Some(r), Some(asked)) = (renew_till, sent_rtime)
            && r > asked.saturating_add(skew)
        {
            return Err(ExchangeError::TimesInsane(format!(
                "renew-till {r} is beyond the requested rtime {asked}"
            )));
        }
        if self.skew_retried {
            let expected = KerberosTime::from_system_time(now)
                .unix()
                .saturating_add(self.kdc_offset());
            if (auth_time - expected).abs() > skew {
                return Err(ExchangeError::TimesInsane(format!(
                    "authtime {auth_time} is far from the KDC time {expected} learned from the clock-skew error"
                )));
            }
        }
        // The KDC's clock, measured from the reply (authtime is the KDC's time of issue).
        let kdc_offset = auth_time.saturating_sub(KerberosTime::from_system_time(now).unix());

        let flags = enc.flags.to_u32();
        let enc_padata = enc
            .encrypted_pa_data
            .as_deref()
            .unwrap_or(&[])
            .iter()
            .map(|p| (p.padata_type, p.padata_value.to_vec()))
            .collect();
        Ok(Credential {
            client: Principal::from_wire(&rep.crealm, &rep.cname),
            server: Principal::from_wire(&enc.srealm, &enc.sname),
            ticket: rep.ticket.into_bytes(),
            session_key,
            flags,
            auth_time,
            start_time,
            end_time,
            renew_till,
            kdc_offset,
            enc_padata,
        })
    }

    /// RFC 6806 §11: a PA-REQ-ENC-PA-REP in encrypted-pa-data with a valid checksum over
    /// the AS-REQ proves that the KDC saw our request unmodified. Returns whether it did;
    /// a checksum that is present but wrong or malformed is an error (the request was
    /// modified on the way).
    fn check_enc_pa_rep(&self, enc: &EncKdcRepPart, key: &Key) -> Result<bool, ExchangeError> {
        let flag = enc.flags.is_set(TicketFlags::ENC_PA_REP);
        let pa = enc
            .encrypted_pa_data
            .as_deref()
            .unwrap_or(&[])
            .iter()
            .find(|p| p.padata_type == pt::PA_REQ_ENC_PA_REP);
        let Some(pa) = pa else {
            // The flag without the checksum proves nothing. (MS-KILE calls bit 15
            // name-canonicalize, so a KDC may set it without PA-REQ-ENC-PA-REP; the reply is
            // still authentic, only a changed name stays unproven.)
            if flag {
                tracing::debug!("enc-pa-rep flag without PA-REQ-ENC-PA-REP");
            }
            return Ok(false);
        };
        let Some(sent) = self.sent.as_ref() else {
            return Ok(false);
        };
        let cksum: Checksum = pa
            .decode_value()
            .map_err(|_| ExchangeError::RequestChecksumInvalid("malformed"))?;
        let Ok(ctype) = ChecksumType::try_from(cksum.cksumtype) else {
            // Not verifiable here: no proof, but no evidence of tampering either.
            tracing::debug!(
                cksumtype = cksum.cksumtype,
                "PA-REQ-ENC-PA-REP of an unsupported checksum type"
            );
            return Ok(false);
        };
        key.verify_checksum_with_type(ctype, KEY_USAGE_AS_REQ, &sent.message, &cksum.checksum)
            .map_err(|_| ExchangeError::RequestChecksumInvalid("wrong"))?;
        tracing::debug!("PA-REQ-ENC-PA-REP verified");
        Ok(true)
    }

    fn check_names(
        &self,
        rep: &KdcRep,
        enc: &EncKdcRepPart,
        proven: bool,
    ) -> Result<(), ExchangeError> {
        let canon = self.options.canonicalize || self.client.name_type == NT_ENTERPRISE;
        let may_change = canon && proven;
        let mut requested = self.client.clone();
        requested.realm = self.realm.clone();
        if rep.crealm.as_bytes() != self.realm.as_slice() && !may_change {
            return Err(ExchangeError::ClientRealmMismatch {
                requested: lossy(&self.realm),
                returned: rep.crealm.to_string_lossy().into_owned(),
            });
        }
        if !self.client.same_components(&rep.cname) && !may_change {
            return Err(ExchangeError::ClientNameMismatch {
                requested: requested.to_string(),
                returned: Principal::from_wire(&rep.crealm, &rep.cname).to_string(),
            });
        }
        // The server: exactly the one asked for, except that a canonicalized TGT may name
        // the client's canonical realm (e.g. another case), as krbtgt/X@X with X the
        // returned crealm, when the KDC proved it saw the request.
        let returned = Principal::from_wire(&enc.srealm, &enc.sname);
        let tgt_change_ok = may_change
            && self.server.is_krbtgt()
            && returned.is_krbtgt()
            && returned.realm == rep.crealm.as_bytes()
            && returned.components.get(1).map(Vec::as_slice) == Some(rep.crealm.as_bytes());
        if !self.server.same_components(&enc.sname) && !tgt_change_ok {
            return Err(ExchangeError::ServerNameMismatch {
                expected: self.server.to_string(),
                returned: returned.to_string(),
            });
        }
        if enc.srealm.as_bytes() != self.server.realm.as_slice() && !tgt_change_ok {
            return Err(ExchangeError::ServerRealmMismatch {
                expected: self.server.realm_str(),
                returned: enc.srealm.to_string_lossy().into_owned(),
            });
        }
        Ok(())
    }
}
