//! The TGS exchange (RFC 4120 §3.3): service tickets with a TGT, following referrals
//! (RFC 6806) and cross-realm paths, renew and validate, S4U2Self and S4U2Proxy (MS-SFU),
//! user-to-user (enc-tkt-in-skey) and the MS-KILE key-list request.
//!
//! Same shape as the AS exchange: [`TgsExchange::new`], then [`TgsExchange::poll`] gives
//! [`Step::Send`] (bytes for a KDC of the named realm) until [`Step::Done`] with the
//! service ticket; feed each reply to [`TgsExchange::receive`]. The cross-realm TGTs
//! obtained on the way are kept in [`TgsExchange::intermediate_tgts`] (for a cache).
//!
//! Routing. The TGS-REQ goes to the realm of the TGT's ticket-granting service (`X` of
//! `krbtgt/X@Y`). When the server's realm is `X` (or empty: "ask the local realm and follow
//! referrals"), the server is asked for directly, with `canonicalize`; a reply that is a
//! TGT `krbtgt/Z@X` instead of the service ticket is a referral: the same request is sent
//! to `Z` with that TGT. When the server's realm differs from `X`, the exchange asks for
//! `krbtgt/NEXT@X`, where `NEXT` is the next realm on [`TgsOptions::capath`] (the
//! intermediates from `[capaths]`) or else the server's realm, and continues with the
//! cross-realm TGT it gets (a KDC may return a TGT for a closer realm). Each realm
//! change is a hop: more than [`TgsOptions::max_hops`] hops or a realm visited twice
//! ends the exchange with [`TgsError::TooManyHops`] / [`TgsError::ReferralLoop`], which
//! list the realms visited.

use std::fmt;
use std::time::{Duration, SystemTime};

use zeroize::Zeroizing;

use super::ap::{ApError, ApReqBuilder, AuthenticatorChecksum};
use super::credential::Credential;
use super::error::{ExchangeError, KdcError};
use super::fast;
use super::{Outgoing, State, Step};
use crate::asn1::constants::{error_code as ec, msg_type, padata_type as pt};
use crate::asn1::{
    self, Checksum, EncKdcRepPart, KdcOptions, KdcRep, KdcReply, KdcReqBody, KerbPaPacRequest,
    KerberosString, KerberosTime, KrbError, PaData, PaForUser, PaPacOptions, PaS4uX509User,
    PacOptionsFlags, RawTicket, S4uOptions, S4uUserId, TgsReq, TicketFlags, UInt32,
};
use crate::crypto::{ChecksumType, EncryptionType, Key, KeyUsage};
use crate::principal::{NT_ENTERPRISE, Principal};

/// Key usage of the KDC's PA-S4U-X509-USER checksum when the request set
/// `signed-with-kun-27` (MS-SFU §2.2.2, MIT `KRB5_KEYUSAGE_PA_S4U_X509_USER_REPLY`).
const PA_S4U_X509_USER_REPLY: KeyUsage = KeyUsage(27);
/// Hard limit on round trips, whatever the KDCs say.
const MAX_ROUND_TRIPS: usize = 24;

/// Errors specific to the TGS exchange (wrapped in [`ExchangeError::Tgs`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TgsError {
    /// The request cannot be made as given; the message says what to fix.
    #[error("invalid TGS request: {0}")]
    InvalidRequest(String),
    /// The ticket used to authenticate has expired.
    #[error(
        "the ticket for {server} expired at {end_time} (unix): get a new TGT (or renew it before it expires)"
    )]
    TicketExpired {
        /// The ticket's server.
        server: String,
        /// Its endtime.
        end_time: i64,
    },
    /// Renewal asked for a ticket that is not renewable, or past its renew-till.
    #[error("cannot renew the ticket for {server}: {reason}")]
    NotRenewable {
        /// The ticket's server.
        server: String,
        /// Why.
        reason: String,
    },
    /// Validation asked for a ticket that is neither invalid nor postdated.
    #[error(
        "cannot validate the ticket for {0}: it is neither invalid nor postdated (only postdated tickets need validation)"
    )]
    NotValidatable(String),
    /// S4U2Proxy with an evidence ticket that is not forwardable (classic constrained
    /// delegation needs a forwardable evidence ticket).
    #[error(
        "the S4U2Proxy evidence ticket ({client} for {server}) is not forwardable: the service needs \
         ok_to_auth_as_delegate (TRUSTED_TO_AUTH_FOR_DELEGATION) for S4U2Self to give forwardable \
         tickets, or use resource-based constrained delegation"
    )]
    EvidenceNotForwardable {
        /// The evidence ticket's client.
        client: String,
        /// The evidence ticket's server.
        server: String,
    },
    /// The AP-REQ of PA-TGS-REQ could not be built.
    #[error("cannot build the PA-TGS-REQ authenticator: {0}")]
    Ap(#[from] ApError),
    /// The reply does not decrypt with the session key or subkey.
    #[error(
        "the TGS-REP (enctype {etype}) does not decrypt with the {key} (key usage {usage}): not from the KDC, or tampered with"
    )]
    ReplyDecryptFailed {
        /// The enc-part's enctype.
        etype: i32,
        /// "TGT session key" or "authenticator subkey".
        key: &'static str,
        /// The key usage tried (8 or 9).
        usage: u32,
    },
    /// The reply's enc-part is not encrypted in the enctype of the key that must decrypt it.
    #[error("the TGS-REP enc-part has enctype {got}, but the reply key is of enctype {expected}")]
    ReplyEtypeMismatch {
        /// The reply key's enctype.
        expected: i32,
        /// The enc-part's enctype.
        got: i32,
    },
    /// The reply's ticket flags contradict the request.
    #[error("the reply's ticket flags are not acceptable: {0}")]
    UnexpectedFlags(String),
    /// A referral or cross-realm path came back to a realm already visited.
    #[error("referral loop: the realms visited were {}", realms.join(" -> "))]
    ReferralLoop {
        /// The realms, in order; the last one is the repeated one.
        realms: Vec<String>,
    },
    /// More realm hops than allowed.
    #[error("more than {max} cross-realm hops (realms visited: {})", realms.join(" -> "))]
    TooManyHops {
        /// The hop limit.
        max: u8,
        /// The realms, in order.
        realms: Vec<String>,
    },
    /// A KDC failed after one or more referrals; the realms show where.
    #[error("{source} (realms visited: {})", realms.join(" -> "))]
    FailedAfterReferrals {
        /// The realms visited, the last one being the KDC that failed.
        realms: Vec<String>,
        /// The failure.
        source: Box<ExchangeError>,
    },
    /// The KDC's PA-S4U-X509-USER in an S4U2Self reply is wrong (checksum, nonce or user).
    #[error("the KDC's PA-S4U-X509-USER in the S4U2Self reply is {0}: the reply was tampered with")]
    S4uReplyInvalid(&'static str),
    /// A referral during S4U or user-to-user, which this client does not follow.
    #[error(
        "the KDC of {realm} referred the {what} request to {to}; cross-realm {what} is not supported"
    )]
    UnsupportedReferral {
        /// The realm that sent the referral.
        realm: String,
        /// Where it pointed.
        to: String,
        /// "S4U2Self", "S4U2Proxy" or "user-to-user".
        what: &'static str,
    },
}

impl From<TgsError> for ExchangeError {
    fn from(e: TgsError) -> Self {
        ExchangeError::Tgs(e)
    }
}

/// S4U2Self (MS-SFU §3.1.5.1.1): a ticket to the requesting service on behalf of `user`.
#[derive(Clone, Debug)]
pub struct S4uSelf {
    /// The user; an empty realm means the client's realm.
    pub user: Principal,
    /// Also send PA-S4U-X509-USER (checksummed with the reply key, usage 26) next to
    /// PA-FOR-USER.
    pub use_x509_user_pa: bool,
}

/// S4U2Proxy (MS-SFU §3.1.5.2.1): a ticket to another service on behalf of the evidence
/// ticket's client.
#[derive(Clone, Debug)]
pub struct S4uProxy {
    /// The evidence ticket: the user's ticket to the requesting service (from S4U2Self or
    /// the user's AP-REQ).
    pub evidence: Credential,
    /// Send PA-PAC-OPTIONS with the resource-based-constrained-delegation bit (then the
    /// evidence need not be forwardable).
    pub resource_based: bool,
}

/// Options of a TGS exchange.
#[derive(Clone, Debug)]
pub struct TgsOptions {
    /// Requested session-key enctypes, in preference order.
    pub etypes: Vec<i32>,
    /// Allow RC4 (23); without it RC4 is dropped from the request and refused in replies.
    pub allow_weak_crypto: bool,
    /// Ask for a forwardable ticket.
    pub forwardable: bool,
    /// Ask for a proxiable ticket.
    pub proxiable: bool,
    /// Set the `forwarded` KDC option (RFC 4120 §2.6): with a forwardable TGT and server
    /// `krbtgt/REALM`, the KDC returns a forwarded TGT (for delegation in a KRB-CRED).
    pub forwarded: bool,
    /// Ask for a renewable ticket (rtime = the TGT's renew-till, or till).
    pub renewable: bool,
    /// Renew the given ticket (the request's `tgt` is the ticket to renew).
    pub renew: bool,
    /// Validate the given (postdated/invalid) ticket.
    pub validate: bool,
    /// Set the canonicalize option (RFC 6806); referrals are followed only with it.
    pub canonicalize: bool,
    /// Send a random subkey in the authenticator (the reply is then encrypted with it).
    pub use_subkey: bool,
    /// Armor the request with FAST (RFC 6113 §5.4.1.1, implicit armor: the TGT and a
    /// subkey, which is then always sent). The reply must come armored.
    pub fast: bool,
    /// Requested lifetime: till = now + lifetime (None: the TGT's endtime).
    pub lifetime: Option<Duration>,
    /// User-to-user: the other party's TGT (exact DER bytes), sent as additional ticket
    /// with enc-tkt-in-skey; the service ticket is encrypted in its session key.
    pub enc_tkt_in_skey: Option<Vec<u8>>,
    /// S4U2Self.
    pub s4u2self: Option<S4uSelf>,
    /// S4U2Proxy.
    pub s4u2proxy: Option<S4uProxy>,
    /// KERB-KEY-LIST-REQ (PA 161) with these enctypes (MS-KILE, RODC key list).
    pub key_list_req: Option<Vec<i32>>,
    /// Send PA-PAC-REQUEST with this value.
    pub request_pac: Option<bool>,
    /// The intermediate realms from the client's realm to the server's (`[capaths]`, e.g.
    /// `Config::capath`); empty: go to the server's realm directly.
    pub capath: Vec<String>,
    /// Realm hops (referrals and cross-realm TGTs) followed at most.
    pub max_hops: u8,
    /// Allowed clock skew for the reply's time checks.
    pub clock_skew: Duration,
}

impl Default for TgsOptions {
    fn default() -> Self {
        TgsOptions {
            etypes: vec![18, 17, 20, 19],
            allow_weak_crypto: false,
            forwardable: false,
            proxiable: false,
            forwarded: false,
            renewable: false,
            renew: false,
            validate: false,
            canonicalize: true,
            use_subkey: false,
            fast: false,
            lifetime: None,
            enc_tkt_in_skey: None,
            s4u2self: None,
            s4u2proxy: None,
            key_list_req: None,
            request_pac: None,
            capath: Vec::new(),
            max_hops: 10,
            clock_skew: Duration::from_secs(300),
        }
    }
}

/// What to ask for.
#[derive(Clone, Debug)]
pub struct TgsRequest {
    /// The TGT (or, for renew/validate, the ticket to renew or validate).
    pub tgt: Credential,
    /// The server. An empty realm means the TGT's realm, following referrals.
    pub server: Principal,
    /// Options.
    pub options: TgsOptions,
}

impl TgsRequest {
    /// A service ticket for `server` with default options.
    pub fn new(tgt: Credential, server: Principal) -> Self {
        TgsRequest {
            tgt,
            server,
            options: TgsOptions::default(),
        }
    }

    /// Renew `ticket` (a renewable TGT or service ticket).
    pub fn renew(ticket: Credential) -> Self {
        let server = ticket.server.clone();
        TgsRequest {
            tgt: ticket,
            server,
            options: TgsOptions {
                renew: true,
                ..TgsOptions::default()
            },
        }
    }

    /// Validate `ticket` (a postdated ticket whose start time has come).
    pub fn validate(ticket: Credential) -> Self {
        let server = ticket.server.clone();
        TgsRequest {
            tgt: ticket,
            server,
            options: TgsOptions {
                validate: true,
                ..TgsOptions::default()
            },
        }
    }
}

/// What was sent last.
struct Sent {
    message: Vec<u8>,
    nonce: u32,
    till: i64,
    rtime: Option<i64>,
    subkey: Option<Key>,
    /// The server asked for (realm = the realm asked).
    sname: Principal,
    /// The FAST armor key, when the request was armored.
    armor_key: Option<Key>,
}

/// The sans-IO TGS exchange. See the [module documentation](self).
pub struct TgsExchange {
    span: tracing::Span,
    /// The ticket used for the next request.
    tgt: Credential,
    /// The first TGT's client (the requester).
    client: Principal,
    /// The server wanted; its realm is updated by referrals.
    target: Principal,
    options: TgsOptions,
    etypes: Vec<i32>,
    visited: Vec<String>,
    intermediate: Vec<Credential>,
    state: State,
    sent: Option<Sent>,
    tcp_only: bool,
    round_trips: usize,
    nonce_source: fn() -> u32,
}

impl fmt::Debug for TgsExchange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TgsExchange")
            .field("client", &self.client)
            .field("target", &self.target)
            .field("tgt_server", &self.tgt.server)
            .field("etypes", &self.etypes)
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

fn filter_etypes(wanted: &[i32], allow_weak: bool) -> Vec<i32> {
    let mut out = Vec::new();
    for &e in wanted {
        let Ok(t) = EncryptionType::try_from(e) else {
            continue;
        };
        if (t.is_weak() && !allow_weak) || out.contains(&e) {
            continue;
        }
        out.push(e);
    }
    out
}

/// The realm a TGS-REQ authenticated by `ticket` goes to: `X` of `krbtgt/X@Y`, or the
/// realm of a service ticket (renew/validate).
fn tgs_realm(ticket: &Principal, renew_or_validate: bool) -> Option<Vec<u8>> {
    if renew_or_validate {
        return Some(ticket.realm.clone());
    }
    if ticket.is_krbtgt() {
        return ticket.components.get(1).cloned();
    }
    None
}

fn has_flag(flags: u32, bit: u8) -> bool {
    TicketFlags::from_u32(flags).is_set(bit)
}

impl TgsExchange {
    /// Start an exchange: checks the request (with errors that say what to fix) and builds
    /// the first TGS-REQ. `now` is the current local time (corrected by the TGT's
    /// `kdc_offset` for the authenticator).
    pub fn new(request: TgsRequest, now: SystemTime) -> Result<TgsExchange, ExchangeError> {
        Self::new_with_nonce_source(request, now, rand::random::<u32>)
    }

    /// Like [`TgsExchange::new`] with nonces from `nonce_source` (tests only).
    #[doc(hidden)]
    pub fn new_with_nonce_source(
        request: TgsRequest,
        now: SystemTime,
        nonce_source: fn() -> u32,
    ) -> Result<TgsExchange, ExchangeError> {
        let TgsRequest {
            tgt,
            mut server,
            options,
        } = request;
        let span = tracing::debug_span!("tgs_exchange", client = %tgt.client, server = %server);
        let _enter = span.enter();
        Self::check_request(&tgt, &server, &options, now)?;
        let rv = options.renew || options.validate;
        let Some(realm) = tgs_realm(&tgt.server, rv) else {
            return Err(TgsError::InvalidRequest(format!(
                "{} is not a ticket-granting ticket (krbtgt/REALM@REALM): a TGS request needs a TGT",
                tgt.server
            ))
            .into());
        };
        if server.realm.is_empty() {
            server.realm = realm.clone();
        }
        let etypes = filter_etypes(&options.etypes, options.allow_weak_crypto);
        if etypes.is_empty() {
            return Err(ExchangeError::NoCommonEtype {
                requested: options.etypes.clone(),
                usable: Vec::new(),
                kdc: Vec::new(),
            });
        }
        drop(_enter);
        let mut ex = TgsExchange {
            span,
            client: tgt.client.clone(),
            visited: vec![lossy(&realm)],
            tgt,
            target: server,
            options,
            etypes,
            intermediate: Vec::new(),
            state: State::Failed,
            sent: None,
            tcp_only: false,
            round_trips: 0,
            nonce_source,
        };
        let out = ex.build_request(now)?;
        ex.state = State::Ready(out);
        Ok(ex)
    }

    fn check_request(
        tgt: &Credential,
        server: &Principal,
        o: &TgsOptions,
        now: SystemTime,
    ) -> Result<(), TgsError> {
        let invalid = |s: &str| Err(TgsError::InvalidRequest(s.to_owned()));
        if server.components.is_empty() || server.components.iter().all(|c| c.is_empty()) {
            return invalid("the server principal has no name");
        }
        if RawTicket::from_der(tgt.ticket.clone()).is_err() {
            return invalid("the TGT's ticket bytes are not a DER Ticket");
        }
        if o.renew && o.validate {
            return invalid("renew and validate cannot be combined: make two requests");
        }
        if (o.renew || o.validate)
            && (o.s4u2self.is_some() || o.s4u2proxy.is_some() || o.enc_tkt_in_skey.is_some())
        {
            return invalid("renew/validate cannot be combined with S4U or user-to-user");
        }
        let n = usize::from(o.s4u2self.is_some())
            + usize::from(o.s4u2proxy.is_some())
            + usize::from(o.enc_tkt_in_skey.is_some());
        if n > 1 {
            return invalid(
                "S4U2Self, S4U2Proxy and user-to-user are separate requests: set only one",
            );
        }
        if o.forwarded && !has_flag(tgt.flags, TicketFlags::FORWARDABLE) {
            return invalid(
                "a forwarded ticket needs a forwardable TGT: get the TGT with forwardable (kinit -f)",
            );
        }
        let kdc_now = tgt.kdc_time(now);
        let server_name = tgt.server.to_string();
        if o.renew {
            if !has_flag(tgt.flags, TicketFlags::RENEWABLE) {
                return Err(TgsError::NotRenewable {
                    server: server_name,
                    reason: "it is not renewable (ask for a renewable ticket: renew_lifetime / kinit -r)".into(),
                });
            }
            match tgt.renew_till {
                None => {
                    return Err(TgsError::NotRenewable {
                        server: server_name,
                        reason: "it has no renew-till time".into(),
                    });
                }
                Some(r) if r <= kdc_now => {
                    return Err(TgsError::NotRenewable {
                        server: server_name,
                        reason: format!("its renewable life ended at {r} (unix): get a new ticket"),
                    });
                }
                Some(_) => {}
            }
            if tgt.end_time <= kdc_now {
                return Err(TgsError::NotRenewable {
                    server: server_name,
                    reason: format!(
                        "it expired at {} (unix); an expired ticket cannot be renewed: get a new one",
                        tgt.end_time
                    ),
                });
            }
        } else if o.validate {
            if !has_flag(tgt.flags, TicketFlags::INVALID)
                && !has_flag(tgt.flags, TicketFlags::POSTDATED)
            {
                return Err(TgsError::NotValidatable(server_name));
            }
        } else if tgt.end_time <= kdc_now {
            return Err(TgsError::TicketExpired {
                server: server_name,
                end_time: tgt.end_time,
            });
        }
        if let Some(p) = &o.s4u2proxy {
            if RawTicket::from_der(p.evidence.ticket.clone()).is_err() {
                return invalid("the S4U2Proxy evidence ticket bytes are not a DER Ticket");
            }
            if !p.resource_based && !has_flag(p.evidence.flags, TicketFlags::FORWARDABLE) {
                return Err(TgsError::EvidenceNotForwardable {
                    client: p.evidence.client.to_string(),
                    server: p.evidence.server.to_string(),
                });
            }
        }
        if let Some(t) = &o.enc_tkt_in_skey
            && RawTicket::from_der(t.clone()).is_err()
        {
            return invalid(
                "the user-to-user additional ticket (the other party's TGT) is not a DER Ticket",
            );
        }
        if let Some(s) = &o.s4u2self
            && s.user.components.is_empty()
        {
            return invalid("the S4U2Self user has no name");
        }
        Ok(())
    }

    /// The next step: `Send` (again, until `receive` is called) or `Done` once; `None`
    /// after `Done` was returned or after `receive` returned an error.
    pub fn poll(&mut self) -> Option<Step> {
        self.state.poll()
    }

    /// Feed the reply to the last `Send`. `Ok(())`: the exchange advanced (the next `poll`
    /// gives another `Send` — referral, cross-realm hop, TCP retry — or `Done`); `Err`: a
    /// final, typed failure.
    pub fn receive(&mut self, reply: &[u8], now: SystemTime) -> Result<(), ExchangeError> {
        self.state.expect_reply()?;
        let span = self.span.clone();
        let _enter = span.enter();
        let outcome = self.step(reply, now);
        let hopped = self.visited.len() > 1;
        self.state.settle(outcome, "TGS").map_err(|e| match e {
            e
            @ ExchangeError::Tgs(TgsError::ReferralLoop { .. } | TgsError::TooManyHops { .. }) => e,
            e if hopped => TgsError::FailedAfterReferrals {
                realms: self.visited.clone(),
                source: Box::new(e),
            }
            .into(),
            e => e,
        })
    }

    /// The cross-realm (and referral) TGTs obtained so far, in order.
    pub fn intermediate_tgts(&self) -> &[Credential] {
        &self.intermediate
    }

    /// The realms asked so far, in order.
    pub fn realms_visited(&self) -> &[String] {
        &self.visited
    }

    /// The etypes the requests offer (after filtering).
    pub fn etypes(&self) -> &[i32] {
        &self.etypes
    }

    fn rv(&self) -> bool {
        self.options.renew || self.options.validate
    }

    /// The realm the current TGT's requests go to.
    fn current_realm(&self) -> Vec<u8> {
        tgs_realm(&self.tgt.server, self.rv()).unwrap_or_default()
    }

    /// The next realm on the way from `from` to the target's realm.
    fn next_realm(&self, from: &[u8]) -> Vec<u8> {
        let mut path: Vec<Vec<u8>> = vec![self.client.realm.clone()];
        path.extend(self.options.capath.iter().map(|r| r.as_bytes().to_vec()));
        path.push(self.target.realm.clone());
        match path.iter().position(|r| r.as_slice() == from) {
            Some(i) => path
                .get(i + 1)
                .cloned()
                .unwrap_or_else(|| self.target.realm.clone()),
            None => self.target.realm.clone(),
        }
    }

    fn step(&mut self, reply: &[u8], now: SystemTime) -> Result<State, ExchangeError> {
        self.round_trips += 1;
        if self.round_trips > MAX_ROUND_TRIPS {
            return Err(ExchangeError::TooManyRoundTrips(MAX_ROUND_TRIPS));
        }
        match asn1::decode_kdc_reply(reply)? {
            KdcReply::Error(err) => self.on_error(&err, now),
            KdcReply::TgsRep(rep) => self.on_tgs_rep(rep.0, now),
            KdcReply::AsRep(_) => Err(ExchangeError::UnexpectedMessage(
                "an AS-REP in reply to a TGS-REQ".into(),
            )),
        }
    }

    fn on_error(&mut self, err: &KrbError, now: SystemTime) -> Result<State, ExchangeError> {
        let armored = self
            .sent
            .as_ref()
            .and_then(|s| Some((s.armor_key.clone()?, s.nonce)));
        if let Some((ak, nonce)) = armored
            && let Some(inner) = fast::unwrap_error(err, &ak, nonce)?
        {
            tracing::debug!(code = inner.error_code, "armored KRB-ERROR");
            let mut e = KdcError::from_krb_error(&inner, now);
            e.context.requested_etypes = self.etypes.clone();
            e.context.client = Some(self.client.to_string());
            return Err(ExchangeError::Kdc(e));
        }
        if err.error_code == ec::KRB_ERR_RESPONSE_TOO_BIG
            && !self.tcp_only
            && let Some(sent) = &self.sent
        {
            tracing::debug!("response too big for UDP: resending over TCP");
            self.tcp_only = true;
            return Ok(State::Ready(Outgoing {
                realm: lossy(&self.current_realm()),
                message: sent.message.clone(),
                tcp_only: true,
            }));
        }
        let mut e = KdcError::from_krb_error(err, now);
        e.context.requested_etypes = self.etypes.clone();
        e.context.client = Some(self.client.to_string());
        Err(ExchangeError::Kdc(e))
    }

    /// Build the TGS-REQ for the current TGT and target.
    fn build_request(&mut self, now: SystemTime) -> Result<Outgoing, ExchangeError> {
        let realm = self.current_realm();
        let rv = self.rv();
        let sname = if rv {
            self.tgt.server.clone()
        } else if self.target.realm == realm {
            self.target.clone()
        } else {
            let next = self.next_realm(&realm);
            Principal::krbtgt(realm.clone(), next)
        };
        let kdc_now = self.tgt.kdc_time(now);
        let o = &self.options;
        let till = if o.renew {
            self.tgt.renew_till.unwrap_or(self.tgt.end_time)
        } else {
            match o.lifetime {
                Some(l) => kdc_now.saturating_add(secs(l)),
                None => self.tgt.end_time,
            }
        };
        let mut kopts = KdcOptions::empty();
        let mut rtime = None;
        if o.forwardable {
            kopts.set(KdcOptions::FORWARDABLE);
        }
        if o.proxiable {
            kopts.set(KdcOptions::PROXIABLE);
        }
        if o.forwarded {
            kopts.set(KdcOptions::FORWARDED);
        }
        if o.renewable || o.renew {
            kopts.set(KdcOptions::RENEWABLE);
            rtime = Some(self.tgt.renew_till.unwrap_or(till));
        }
        if o.renew {
            kopts.set(KdcOptions::RENEW);
        }
        if o.validate {
            kopts.set(KdcOptions::VALIDATE);
        }
        if o.canonicalize {
            kopts.set(KdcOptions::CANONICALIZE);
        }
        let nonce = UInt32::nonce((self.nonce_source)()).get();
        let mut body = KdcReqBody::new(
            kopts,
            KerberosString::from_bytes(realm.clone()),
            KerberosTime::from_unix(till),
            nonce,
            &self.etypes,
        )
        .with_sname(sname.to_wire_name());
        if let Some(r) = rtime {
            body = body.with_rtime(KerberosTime::from_unix(r));
        }
        if let Some(t) = &o.enc_tkt_in_skey {
            body.kdc_options.set(KdcOptions::ENC_TKT_IN_SKEY);
            body = body.with_additional_ticket(RawTicket::from_der(t.clone())?);
        }
        if let Some(p) = &o.s4u2proxy {
            body.kdc_options.set(KdcOptions::CNAME_IN_ADDL_TKT);
            body = body.with_additional_ticket(RawTicket::from_der(p.evidence.ticket.clone())?);
        }
        let body_der = asn1::encode(&body)?;

        // PA-TGS-REQ: AP-REQ over the TGT, checksum (usage 6) over the body, usage 7.
        let auth_time = shift(now, self.tgt.kdc_offset);
        let mut ap = ApReqBuilder::new(
            &self.tgt.ticket,
            &self.tgt.session_key,
            &self.tgt.client,
            auth_time,
        )
        .key_usage(KeyUsage::TGS_REQ_AUTH)
        .checksum(AuthenticatorChecksum::Keyed {
            data: body_der,
            usage: KeyUsage::TGS_REQ_AUTH_CKSUM,
        });
        if o.use_subkey || o.fast {
            ap = ap.random_subkey();
        }
        let ap = ap.build().map_err(TgsError::Ap)?;
        let armor_key = match (&ap.subkey, o.fast) {
            (Some(subkey), true) => Some(fast::armor_key(subkey, &self.tgt.session_key)),
            _ => None,
        };
        let ap_req = ap.message.clone();
        let mut padata = vec![PaData::new(pt::PA_TGS_REQ, ap.message)];

        if let Some(s) = &o.s4u2self {
            let mut user = s.user.clone();
            if user.realm.is_empty() {
                user.realm = self.client.realm.clone();
            }
            let mut pfu = PaForUser {
                user_name: user.to_wire_name(),
                user_realm: KerberosString::from_bytes(user.realm.clone()),
                cksum: Checksum::new(ChecksumType::HmacMd5.id(), Vec::new()),
                auth_package: KerberosString::from("Kerberos"),
            };
            let ck = self.tgt.session_key.checksum_with_type(
                ChecksumType::HmacMd5,
                KeyUsage::PA_FOR_USER_CKSUM,
                &pfu.checksum_input(),
            )?;
            pfu.cksum = Checksum::new(ChecksumType::HmacMd5.id(), ck);
            padata.push(PaData::from_value(pt::PA_FOR_USER, &pfu)?);
            if s.use_x509_user_pa {
                let user_id = S4uUserId {
                    nonce: UInt32(nonce),
                    cname: Some(user.to_wire_name()),
                    crealm: KerberosString::from_bytes(user.realm.clone()),
                    subject_certificate: None,
                    options: Some(S4uOptions::empty().with(S4uOptions::SIGNED_WITH_KUN_27)),
                    ext: Default::default(),
                };
                let key = ap.subkey.as_ref().unwrap_or(&self.tgt.session_key);
                let ck = key.checksum(KeyUsage::PA_S4U_X509_USER, &asn1::encode(&user_id)?);
                let pa = PaS4uX509User {
                    user_id,
                    checksum: Checksum::new(key.etype().checksum_type().id(), ck),
                    ext: Default::default(),
                };
                padata.push(PaData::from_value(pt::PA_FOR_X509_USER, &pa)?);
            }
        }
        if let Some(p) = &o.s4u2proxy
            && p.resource_based
        {
            let flags = PacOptionsFlags::empty()
                .with(PacOptionsFlags::RESOURCE_BASED_CONSTRAINED_DELEGATION);
            padata.push(PaData::from_value(
                pt::PA_PAC_OPTIONS,
                &PaPacOptions { flags },
            )?);
        }
        if let Some(list) = &o.key_list_req {
            padata.push(PaData::from_value(pt::KERB_KEY_LIST_REQ, list)?);
        }
        if let Some(include_pac) = o.request_pac {
            padata.push(PaData::from_value(
                pt::PA_PAC_REQUEST,
                &KerbPaPacRequest { include_pac },
            )?);
        }
        if let Some(key) = &armor_key {
            // The PA-TGS-REQ stays outside; the rest travels inside the armored request.
            let inner: Vec<PaData> = padata.split_off(1);
            padata.push(fast::armored_padata(None, key, &body, inner, &ap_req)?);
            tracing::debug!("TGS-REQ armored with FAST");
        }
        let message = asn1::encode(&TgsReq::new(Some(padata), body))?;
        tracing::debug!(realm = %lossy(&realm), sname = %sname, len = message.len(), "TGS-REQ");
        self.sent = Some(Sent {
            message: message.clone(),
            nonce,
            till,
            rtime,
            subkey: ap.subkey,
            sname,
            armor_key,
        });
        Ok(Outgoing {
            realm: lossy(&realm),
            message,
            tcp_only: self.tcp_only,
        })
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

    /// The client the reply must name.
    fn expected_client(&self) -> Principal {
        if let Some(s) = &self.options.s4u2self {
            let mut u = s.user.clone();
            if u.realm.is_empty() {
                u.realm = self.client.realm.clone();
            }
            return u;
        }
        if let Some(p) = &self.options.s4u2proxy {
            return p.evidence.client.clone();
        }
        self.client.clone()
    }

    fn on_tgs_rep(&mut self, rep: KdcRep, now: SystemTime) -> Result<State, ExchangeError> {
        if rep.pvno != 5 || rep.msg_type != msg_type::TGS_REP {
            return Err(ExchangeError::UnexpectedMessage(format!(
                "TGS-REP with pvno {} and msg-type {}",
                rep.pvno, rep.msg_type
            )));
        }
        let Some(sent) = self.sent.take() else {
            return Err(ExchangeError::NotExpectingReply("nothing was sent"));
        };
        let mut strengthened = None;
        if let Some(ak) = &sent.armor_key {
            let Some(resp) = fast::fast_response(rep.padata.as_deref().unwrap_or(&[]), ak)? else {
                return Err(ExchangeError::FastReplyInvalid(
                    "the TGS-REP to an armored request has no PA-FX-FAST",
                ));
            };
            if resp.nonce.get() != sent.nonce {
                return Err(ExchangeError::FastReplyInvalid(
                    "the KrbFastResponse nonce is not the request's",
                ));
            }
            fast::check_finished(&resp, ak, rep.ticket.as_bytes())?;
            if let Some(subkey) = &sent.subkey {
                strengthened = fast::strengthen(&resp, subkey)?;
            }
            tracing::debug!(
                strengthened = strengthened.is_some(),
                "armored TGS-REP verified"
            );
        }
        // Decrypt with the subkey (usage 9) or the TGT session key (usage 8).
        let subkey = strengthened.as_ref().or(sent.subkey.as_ref());
        let (key, usage, key_name) = match subkey {
            Some(k) => (k, KeyUsage::TGS_REP_ENC_PART_SUBKEY, "authenticator subkey"),
            None => (
                &self.tgt.session_key,
                KeyUsage::TGS_REP_ENC_PART_SESSION_KEY,
                "TGT session key",
            ),
        };
        let etype = rep.enc_part.etype;
        if etype != key.etype().id() {
            return Err(TgsError::ReplyEtypeMismatch {
                expected: key.etype().id(),
                got: etype,
            }
            .into());
        }
        let plain = Zeroizing::new(key.decrypt(usage, &rep.enc_part.cipher).map_err(|_| {
            TgsError::ReplyDecryptFailed {
                etype,
                key: key_name,
                usage: usage.0,
            }
        })?);
        let (enc, _kind) = asn1::decode_enc_kdc_rep_part(&plain).map_err(|e| match e {
            asn1::Asn1Error::UnexpectedTag { found, .. } => ExchangeError::BadEncPartTag { found },
            other => ExchangeError::Asn1(other),
        })?;
        if enc.nonce.get() != sent.nonce {
            return Err(ExchangeError::NonceMismatch {
                expected: sent.nonce,
                got: enc.nonce.get(),
            });
        }
        let session_etype = enc.key.keytype;
        self.check_etype(session_etype)?;
        let session_type = EncryptionType::try_from(session_etype)
            .map_err(|_| ExchangeError::EtypeNotPermitted(session_etype))?;
        let session_key =
            Key::from_bytes(session_type, enc.key.keyvalue.as_ref())?.remember_derived_keys();

        // The client.
        let expected = self.expected_client();
        let may_change = expected.name_type == NT_ENTERPRISE && self.options.canonicalize;
        if rep.crealm.as_bytes() != expected.realm.as_slice() && !may_change {
            return Err(ExchangeError::ClientRealmMismatch {
                requested: expected.realm_str(),
                returned: rep.crealm.to_string_lossy().into_owned(),
            });
        }
        if !expected.same_components(&rep.cname) && !may_change {
            return Err(ExchangeError::ClientNameMismatch {
                requested: expected.to_string(),
                returned: Principal::from_wire(&rep.crealm, &rep.cname).to_string(),
            });
        }

        if self
            .options
            .s4u2self
            .as_ref()
            .is_some_and(|s| s.use_x509_user_pa)
        {
            Self::check_s4u_x509_reply(&rep, key, sent.nonce, &expected)?;
        }

        // The server: the ticket and the enc-part agree, and the realm is the one asked.
        let ticket = rep.ticket.parse()?;
        let returned = Principal::from_wire(&enc.srealm, &enc.sname);
        if ticket.realm != enc.srealm {
            return Err(ExchangeError::ServerRealmMismatch {
                expected: enc.srealm.to_string_lossy().into_owned(),
                returned: ticket.realm.to_string_lossy().into_owned(),
            });
        }
        if ticket.sname.name_string != enc.sname.name_string {
            return Err(ExchangeError::ServerNameMismatch {
                expected: returned.to_string(),
                returned: Principal::from_wire(&ticket.realm, &ticket.sname).to_string(),
            });
        }
        if enc.srealm.as_bytes() != sent.sname.realm.as_slice() {
            return Err(ExchangeError::ServerRealmMismatch {
                expected: sent.sname.realm_str(),
                returned: enc.srealm.to_string_lossy().into_owned(),
            });
        }
        let exact = sent.sname.same_components(&enc.sname);
        let is_tgt_reply = returned.is_krbtgt();
        let hop = if exact && sent.sname.matches(&self.target) {
            None
        } else if exact && sent.sname.is_krbtgt() {
            // The cross-realm TGT asked for.
            returned.components.get(1).cloned()
        } else if is_tgt_reply && sent.sname.is_krbtgt() && !self.rv() {
            // A TGT for a closer realm than the one asked.
            returned.components.get(1).cloned()
        } else if is_tgt_reply && self.options.canonicalize && !self.rv() {
            // A referral (RFC 6806 §8).
            let to = returned.components.get(1).cloned().unwrap_or_default();
            let what = if self.options.s4u2self.is_some() {
                Some("S4U2Self")
            } else if self.options.s4u2proxy.is_some() {
                Some("S4U2Proxy")
            } else if self.options.enc_tkt_in_skey.is_some() {
                Some("user-to-user")
            } else {
                None
            };
            if let Some(what) = what {
                return Err(TgsError::UnsupportedReferral {
                    realm: sent.sname.realm_str(),
                    to: lossy(&to),
                    what,
                }
                .into());
            }
            // The server lives in the referred realm.
            self.target.realm = to.clone();
            Some(to)
        } else {
            return Err(ExchangeError::ServerNameMismatch {
                expected: sent.sname.to_string(),
                returned: returned.to_string(),
            });
        };

        let cred = self.check_times_and_build(&rep, &enc, &sent, session_key, now)?;
        let Some(next) = hop else {
            tracing::debug!(server = %cred.server, end_time = cred.end_time, "TGS exchange done");
            return Ok(State::Done(Box::new(cred)));
        };
        let next_name = lossy(&next);
        let looped = next.is_empty() || self.visited.iter().any(|v| v.as_bytes() == next);
        self.visited.push(next_name);
        if looped {
            return Err(TgsError::ReferralLoop {
                realms: self.visited.clone(),
            }
            .into());
        }
        if self.visited.len() - 1 > usize::from(self.options.max_hops) {
            return Err(TgsError::TooManyHops {
                max: self.options.max_hops,
                realms: self.visited.clone(),
            }
            .into());
        }
        tracing::debug!(realm = %lossy(&next), "following a cross-realm TGT");
        self.intermediate.push(cred.clone());
        self.tgt = cred;
        self.tcp_only = false;
        let out = self.build_request(now)?;
        Ok(State::Ready(out))
    }

    /// MS-SFU §3.2.5.1.2 / MIT: the KDC echoes PA-S4U-X509-USER with a checksum (key
    /// usage 27, as `signed-with-kun-27` was asked) under the reply key. When present it
    /// must verify and name our nonce and user; absent (older KDCs) it proves nothing.
    fn check_s4u_x509_reply(
        rep: &KdcRep,
        key: &Key,
        nonce: u32,
        user: &Principal,
    ) -> Result<(), TgsError> {
        let Some(pa) = rep.find_padata(pt::PA_FOR_X509_USER) else {
            return Ok(());
        };
        let x: PaS4uX509User = pa
            .decode_value()
            .map_err(|_| TgsError::S4uReplyInvalid("malformed"))?;
        let der = asn1::encode(&x.user_id).map_err(|_| TgsError::S4uReplyInvalid("malformed"))?;
        let ctype = ChecksumType::try_from(x.checksum.cksumtype)
            .map_err(|_| TgsError::S4uReplyInvalid("of an unsupported checksum type"))?;
        key.verify_checksum_with_type(ctype, PA_S4U_X509_USER_REPLY, &der, &x.checksum.checksum)
            .map_err(|_| TgsError::S4uReplyInvalid("wrongly checksummed"))?;
        if x.user_id.nonce.get() != nonce {
            return Err(TgsError::S4uReplyInvalid("for another request (nonce)"));
        }
        if let Some(cname) = &x.user_id.cname
            && !user.same_components(cname)
        {
            return Err(TgsError::S4uReplyInvalid("for another user"));
        }
        Ok(())
    }

    fn check_times_and_build(
        &self,
        rep: &KdcRep,
        enc: &EncKdcRepPart,
        sent: &Sent,
        session_key: Key,
        now: SystemTime,
    ) -> Result<Credential, ExchangeError> {
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
        if end_time > sent.till.saturating_add(skew) {
            return Err(ExchangeError::TimesInsane(format!(
                "endtime {end_time} is beyond the requested till {}",
                sent.till
            )));
        }
        if let (Some(r), Some(asked)) = (renew_till, sent.rtime)
            && r > asked.saturating_add(skew)
        {
            return Err(ExchangeError::TimesInsane(format!(
                "renew-till {r} is beyond the requested rtime {asked}"
            )));
        }
        let kdc_now = self.tgt.kdc_time(now);
        if !self.options.validate && end_time < kdc_now.saturating_sub(skew) {
            return Err(ExchangeError::TimesInsane(format!(
                "the ticket expired already (endtime {end_time}, KDC time {kdc_now})"
            )));
        }
        if self.options.renew && start_time < self.tgt.start_time {
            return Err(ExchangeError::TimesInsane(format!(
                "the renewed ticket starts at {start_time}, before the old one ({})",
                self.tgt.start_time
            )));
        }
        let flags = enc.flags.to_u32();
        let f = TicketFlags::from_u32(flags);
        if f.is_set(TicketFlags::INVALID) {
            return Err(TgsError::UnexpectedFlags(
                "the ticket is marked invalid, which was not asked for".into(),
            )
            .into());
        }
        if f.is_set(TicketFlags::RENEWABLE) && renew_till.is_none() {
            return Err(TgsError::UnexpectedFlags(
                "the ticket is renewable but has no renew-till".into(),
            )
            .into());
        }
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
            ticket: rep.ticket.as_bytes().to_vec(),
            session_key,
            flags,
            auth_time,
            start_time,
            end_time,
            renew_till,
            kdc_offset: self.tgt.kdc_offset,
            enc_padata,
        })
    }
}

/// `t` shifted by `secs` seconds (the KDC offset).
fn shift(t: SystemTime, secs: i64) -> SystemTime {
    let d = Duration::from_secs(secs.unsigned_abs());
    if secs >= 0 {
        t.checked_add(d).unwrap_or(t)
    } else {
        t.checked_sub(d).unwrap_or(t)
    }
}

/// A failure of [`drive`]: the exchange's, or the transport's.
#[derive(Debug, thiserror::Error)]
pub enum DriveError<E: std::error::Error + 'static> {
    /// The exchange failed (KDC error, reply check, …).
    #[error(transparent)]
    Exchange(Box<ExchangeError>),
    /// Sending a message or receiving its reply failed.
    #[error("transport: {0}")]
    Transport(#[source] E),
}

impl<E: std::error::Error + 'static> From<ExchangeError> for DriveError<E> {
    fn from(e: ExchangeError) -> Self {
        DriveError::Exchange(Box::new(e))
    }
}

/// The finished exchange: the service ticket and the cross-realm TGTs obtained on the way
/// (for a credential cache).
#[derive(Clone, Debug)]
pub struct TgsOutcome {
    /// The requested ticket.
    pub credential: Credential,
    /// The intermediate cross-realm/referral TGTs, in order.
    pub intermediate_tgts: Vec<Credential>,
    /// The realms asked, in order.
    pub realms: Vec<String>,
}

/// A complete TGS exchange with a caller-supplied transport and clock: `send` gets each
/// message (realm, bytes, TCP-only flag) and returns the KDC's reply; `now` is asked for the
/// local time when the exchange starts and when each reply arrives (pass
/// `SystemTime::now` for the system clock). For a blocking driver, `send` can wrap
/// `transport::blocking::send` with the realm's KDC endpoints.
pub fn drive<E: std::error::Error + 'static>(
    request: TgsRequest,
    mut now: impl FnMut() -> SystemTime,
    mut send: impl FnMut(&Outgoing) -> Result<Vec<u8>, E>,
) -> Result<TgsOutcome, DriveError<E>> {
    let mut ex = TgsExchange::new(request, now())?;
    loop {
        match ex.poll() {
            Some(Step::Send(out)) => {
                let reply = send(&out).map_err(DriveError::Transport)?;
                ex.receive(&reply, now())?;
            }
            Some(Step::Done(credential)) => {
                return Ok(TgsOutcome {
                    credential,
                    intermediate_tgts: ex.intermediate,
                    realms: ex.visited,
                });
            }
            None => {
                return Err(
                    ExchangeError::NotExpectingReply("poll() ended without a result").into(),
                );
            }
        }
    }
}
