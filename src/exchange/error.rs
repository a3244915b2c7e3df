//! Errors of the exchange layer: [`KdcError`] (a KRB-ERROR from the KDC, typed) and
//! [`ExchangeError`] (everything that ends an exchange, one variant per reply check).

use std::time::{SystemTime, UNIX_EPOCH};

use crate::asn1::constants::error_code as ec;
use crate::asn1::{self, KrbError};
use crate::crypto::{CryptoError, EncryptionType};

/// A KRB-ERROR returned by a KDC, with what a user needs to act on it.
///
/// `Display` explains the error in words (wrong password, unknown principal, clock skew
/// with the measured offset, no common enctype with the list that was asked for, …) and
/// ends with the raw code, RFC name, realm and e-text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.describe())]
pub struct KdcError {
    /// The error code (RFC 4120 §7.5.9), e.g. 24.
    pub code: i32,
    /// The RFC name of the code (`asn1::constants::error_name`), e.g. `KDC_ERR_PREAUTH_FAILED`.
    pub name: &'static str,
    /// The KDC's e-text, if any.
    pub e_text: Option<String>,
    /// The raw e-data, if any (METHOD-DATA, TYPED-DATA, …).
    pub e_data: Option<Vec<u8>>,
    /// The realm of the KDC that sent the error (the error's `realm` field).
    pub realm: String,
    /// The KDC's time (`stime`), unix seconds.
    pub server_time: Option<i64>,
    /// What the client knew when the error arrived (boxed to keep errors small).
    pub context: Box<KdcErrorContext>,
}

/// Context of a [`KdcError`] from the client side, used by its `Display`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KdcErrorContext {
    /// The KDC's clock minus this machine's clock, in seconds, measured from `stime`/`susec`
    /// and the time passed to `receive` (None when unknown). Shown for clock-skew errors.
    pub clock_offset: Option<i64>,
    /// The enctypes the request asked for (shown for `KDC_ERR_ETYPE_NOSUPP`).
    pub requested_etypes: Vec<i32>,
    /// The client principal of the request, `name@REALM` (shown for unknown clients).
    pub client: Option<String>,
    /// The KDC proxy's `x-ms-request-id` when the error came through an MS-KKDCP proxy (Entra
    /// ID support asks for it).
    pub proxy_request_id: Option<String>,
}

impl KdcError {
    /// Build from a decoded KRB-ERROR. `now` is the local time at which it was received
    /// (for the clock offset).
    pub fn from_krb_error(err: &KrbError, now: SystemTime) -> Self {
        let stime_us = i128::from(err.stime.unix()) * 1_000_000 + i128::from(err.susec);
        let now_us = unix_micros(now);
        let offset_us = stime_us - now_us;
        let clock_offset = i64::try_from(offset_us.div_euclid(1_000_000)).ok();
        KdcError {
            code: err.error_code,
            name: asn1::constants::error_name(err.error_code),
            e_text: err
                .e_text
                .as_ref()
                .map(|t| t.to_string_lossy().trim_end_matches('\0').to_owned()),
            e_data: err.e_data.as_ref().map(|d| d.to_vec()),
            realm: err.realm.to_string_lossy().into_owned(),
            server_time: Some(err.stime.unix()),
            context: Box::new(KdcErrorContext {
                clock_offset,
                ..KdcErrorContext::default()
            }),
        }
    }

    /// True for `KDC_ERR_PREAUTH_FAILED` (24): the password or key is wrong.
    pub fn is_wrong_password(&self) -> bool {
        self.code == ec::KDC_ERR_PREAUTH_FAILED
    }

    fn describe(&self) -> String {
        let what = match self.code {
            ec::KDC_ERR_PREAUTH_FAILED => {
                "wrong password: pre-authentication failed (check the password or key; the account may also be locked)".to_owned()
            }
            ec::KDC_ERR_C_PRINCIPAL_UNKNOWN => match &self.context.client {
                Some(c) => format!(
                    "client {c} not found in the Kerberos database: check the user name and realm"
                ),
                None => "client not found in the Kerberos database: check the user name and realm"
                    .to_owned(),
            },
            ec::KDC_ERR_S_PRINCIPAL_UNKNOWN => {
                "server not found in the Kerberos database: check the service name and realm"
                    .to_owned()
            }
            ec::KRB_AP_ERR_SKEW => match self.context.clock_offset {
                Some(off) => format!(
                    "clock skew too great: the KDC's clock is {} this machine's; fix the system clock (NTP)",
                    describe_offset(off)
                ),
                None => "clock skew too great: fix the system clock (NTP)".to_owned(),
            },
            ec::KDC_ERR_ETYPE_NOSUPP => format!(
                "no common enctype: the KDC has no key in any of the requested enctypes ({}); \
                 enable more enctypes (allow_weak_crypto for RC4) or have the account's keys reset",
                etype_list(&self.context.requested_etypes)
            ),
            ec::KDC_ERR_CLIENT_REVOKED => {
                "client credentials have been revoked: the account is disabled or locked out".to_owned()
            }
            ec::KDC_ERR_KEY_EXPIRED => {
                "password has expired: change it (kpasswd) and try again".to_owned()
            }
            ec::KDC_ERR_NAME_EXP => "the client's account has expired".to_owned(),
            ec::KDC_ERR_CLIENT_NOTYET => "the client's account is not yet valid".to_owned(),
            ec::KDC_ERR_POLICY => "the KDC's policy rejects the request".to_owned(),
            ec::KDC_ERR_BADOPTION => {
                "the KDC cannot honour a requested option (forwardable, proxiable, renewable?)"
                    .to_owned()
            }
            ec::KDC_ERR_PREAUTH_REQUIRED => {
                "pre-authentication required, and the pre-authentication sent was not accepted"
                    .to_owned()
            }
            ec::KDC_ERR_WRONG_REALM => {
                "wrong realm: the KDC referred the client elsewhere".to_owned()
            }
            ec::KRB_ERR_RESPONSE_TOO_BIG => {
                "the KDC's reply does not fit in UDP, and the TCP retry failed".to_owned()
            }
            ec::KRB_ERR_GENERIC => match &self.e_text {
                Some(t) if !t.is_empty() => format!("KDC error: {t}"),
                _ => "generic KDC error".to_owned(),
            },
            code => format!(
                "KDC error: {}",
                asn1::constants::error_description(code).to_lowercase()
            ),
        };
        let mut s = format!("{what} [{} {} from {}", self.code, self.name, self.realm);
        if let Some(t) = self.e_text.as_deref().filter(|t| !t.is_empty()) {
            s.push_str(": ");
            s.push_str(t);
        }
        if let Some(id) = &self.context.proxy_request_id {
            s.push_str("; KDC proxy x-ms-request-id ");
            s.push_str(id);
        }
        s.push(']');
        s
    }
}

fn describe_offset(off: i64) -> String {
    let dir = if off >= 0 { "ahead of" } else { "behind" };
    let mag = off.unsigned_abs();
    format!("{mag} s ({}) {dir}", human_secs(mag))
}

fn human_secs(s: u64) -> String {
    if s >= 3600 {
        format!("{}h{:02}m", s / 3600, (s % 3600) / 60)
    } else if s >= 60 {
        format!("{}m{:02}s", s / 60, s % 60)
    } else {
        format!("{s}s")
    }
}

pub(crate) fn etype_list(etypes: &[i32]) -> String {
    if etypes.is_empty() {
        return "none".to_owned();
    }
    etypes
        .iter()
        .map(|&e| match EncryptionType::try_from(e) {
            Ok(t) => format!("{} ({e})", t.name()),
            Err(_) => match asn1::constants::etype::name(e) {
                Some(n) => format!("{n} ({e})"),
                None => format!("etype {e}"),
            },
        })
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) fn unix_micros(t: SystemTime) -> i128 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_micros() as i128,
        Err(e) => -(e.duration().as_micros() as i128),
    }
}

/// Everything that can end an exchange. Each reply-check violation has its own variant.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExchangeError {
    /// The KDC answered with a KRB-ERROR that ends the exchange.
    #[error("{0}")]
    Kdc(KdcError),
    /// A message could not be encoded, or a reply could not be decoded.
    #[error("malformed message: {0}")]
    Asn1(#[from] asn1::Asn1Error),
    /// A crypto operation failed (other than the reply's decryption, see
    /// [`ExchangeError::ReplyDecryptFailed`]).
    #[error("crypto: {0}")]
    Crypto(#[from] CryptoError),
    /// The AS-REP's enc-part did not decrypt with the key from the supplied password or
    /// keys: the password (or key) is wrong, or the reply was tampered with.
    #[error(
        "wrong password or key: the KDC's reply (enctype {etype}) does not decrypt with the supplied secret"
    )]
    ReplyDecryptFailed {
        /// The enc-part's enctype.
        etype: i32,
    },
    /// The reply's nonce is not the request's.
    #[error("reply nonce {got} does not match the request's nonce {expected}")]
    NonceMismatch {
        /// The nonce sent.
        expected: u32,
        /// The nonce in the reply.
        got: u32,
    },
    /// The reply's cname differs from the request's without proof of canonicalization.
    #[error("the KDC returned client {returned}, not the requested {requested}")]
    ClientNameMismatch {
        /// The name asked for.
        requested: String,
        /// The name in the reply.
        returned: String,
    },
    /// The reply's crealm differs from the request's without proof of canonicalization.
    #[error("the KDC returned client realm {returned}, not the requested {requested}")]
    ClientRealmMismatch {
        /// The realm asked for.
        requested: String,
        /// The realm in the reply.
        returned: String,
    },
    /// The ticket's or enc-part's server name is not the requested server.
    #[error("the KDC returned a ticket for {returned}, not the requested {expected}")]
    ServerNameMismatch {
        /// The server asked for.
        expected: String,
        /// The server in the reply.
        returned: String,
    },
    /// The ticket's or enc-part's server realm is not the request's realm.
    #[error("the KDC returned a ticket of realm {returned}, not {expected}")]
    ServerRealmMismatch {
        /// The realm asked for.
        expected: String,
        /// The realm in the reply.
        returned: String,
    },
    /// The decrypted enc-part is neither `[APPLICATION 25]` nor `[APPLICATION 26]`.
    #[error(
        "the reply's encrypted part has tag 0x{found:02x}, not [APPLICATION 25] or [APPLICATION 26]"
    )]
    BadEncPartTag {
        /// The first identifier octet found.
        found: u8,
    },
    /// The reply's times are not plausible for the request.
    #[error("the reply's ticket times are not plausible: {0}")]
    TimesInsane(String),
    /// The reply used an enctype that the request did not offer.
    #[error("the reply uses enctype {}, which the request did not offer", etype_list(&[*.0]))]
    EtypeNotPermitted(i32),
    /// The reply used a weak enctype (RC4) while `allow_weak_crypto` is off.
    #[error(
        "the reply uses the weak enctype {} and allow_weak_crypto is off",
        etype_list(&[*.0])
    )]
    WeakCryptoRefused(i32),
    /// No enctype can be used: none of the requested ones is permitted, supported and
    /// backed by a supplied key, or the KDC offers (in ETYPE-INFO2/ETYPE-INFO) none of them.
    #[error("{}", no_common_etype(requested, usable, kdc))]
    NoCommonEtype {
        /// The enctypes asked for in the options.
        requested: Vec<i32>,
        /// What the client can use: permitted (RC4 only with allow_weak_crypto),
        /// implemented, and with a key when keys were given.
        usable: Vec<i32>,
        /// What the KDC offered (empty when the KDC was not asked).
        kdc: Vec<i32>,
    },
    /// The secret holds no key of the reply's enctype.
    #[error("none of the supplied keys has enctype {}", etype_list(&[*.0]))]
    NoKeyForEtype(i32),
    /// The KDC asks for pre-authentication, but offers no method this client implements.
    #[error(
        "the KDC requires pre-authentication with one of {offered:?}, none of which is supported (PA-ENC-TIMESTAMP is)"
    )]
    NoSupportedPreauth {
        /// The PA-DATA types offered in the error's METHOD-DATA.
        offered: Vec<i32>,
    },
    /// More client referrals (`KDC_ERR_WRONG_REALM`) than `max_referrals`, or a loop.
    #[error("too many client referrals (realms visited: {})", realms.join(" -> "))]
    TooManyReferrals {
        /// The realms asked, in order (the last one is where the next referral pointed).
        realms: Vec<String>,
    },
    /// A referral (`KDC_ERR_WRONG_REALM`) without a realm to go to.
    #[error("the KDC of {0} sent a referral (KDC_ERR_WRONG_REALM) without a realm")]
    ReferralWithoutRealm(String),
    /// The reply is not what this exchange expects (a TGS-REP, a wrong msg-type or pvno).
    #[error("unexpected message: {0}")]
    UnexpectedMessage(String),
    /// The reply's PA-REQ-ENC-PA-REP checksum (RFC 6806 §11) over the request is wrong
    /// or malformed: the request was modified in transit.
    #[error(
        "the KDC's checksum over the request (PA-REQ-ENC-PA-REP) is {0}: the exchange was tampered with"
    )]
    RequestChecksumInvalid(&'static str),
    /// The request cannot be built (e.g. no keys, an empty principal, a lifetime overflow).
    #[error("invalid AS request: {0}")]
    InvalidRequest(String),
    /// `receive` was called when no reply was expected (before `poll` gave a `Send`, or
    /// after the exchange ended).
    #[error("receive() called while no reply is expected (state: {0})")]
    NotExpectingReply(&'static str),
    /// The exchange exceeded its round-trip budget (a KDC that never settles).
    #[error("too many round trips ({0}) without a result")]
    TooManyRoundTrips(usize),
    /// A failure specific to the TGS exchange (see [`crate::exchange::TgsError`]).
    #[error("{0}")]
    Tgs(crate::exchange::tgs_exchange::TgsError),
    /// The FAST armor (RFC 6113 §5.4.1.1, an AP-REQ with the armor TGT) could not be built.
    #[error("cannot build the FAST armor: {0}")]
    FastArmor(String),
    /// FAST was required but the KDC answered without armor (it does not offer PA-FX-FAST,
    /// or the armored answer was stripped on the way).
    #[error("FAST is required but the KDC of {0} did not answer with FAST armor")]
    FastNotOffered(String),
    /// The KDC's armored reply (PA-FX-FAST, KrbFastResponse, KrbFastFinished) is missing,
    /// malformed or fails a check (decryption, nonce, ticket checksum, client name).
    #[error("invalid FAST reply: {0}")]
    FastReplyInvalid(&'static str),
    /// The KDC's PA-ENCRYPTED-CHALLENGE (RFC 6113 §5.4.6) does not decrypt or its
    /// timestamp is outside the clock skew: the KDC does not know the client's key.
    #[error("the KDC's encrypted challenge is invalid: {0}")]
    KdcChallengeInvalid(&'static str),
}

fn no_common_etype(requested: &[i32], usable: &[i32], kdc: &[i32]) -> String {
    if usable.is_empty() {
        format!(
            "no usable enctype: none of the requested enctypes ({}) is implemented, permitted \
             (RC4 needs allow_weak_crypto) and backed by a supplied key",
            etype_list(requested)
        )
    } else if kdc.is_empty() {
        format!(
            "no common enctype: the KDC has no key for this client in any of the requested \
             enctypes ({}); RC4 needs allow_weak_crypto",
            etype_list(usable)
        )
    } else {
        format!(
            "no common enctype: the client can use {} but the KDC offers {}",
            etype_list(usable),
            etype_list(kdc)
        )
    }
}

impl From<KdcError> for ExchangeError {
    fn from(e: KdcError) -> Self {
        ExchangeError::Kdc(e)
    }
}

impl ExchangeError {
    /// The KDC error code, when the KDC returned an error.
    pub fn kdc_code(&self) -> Option<i32> {
        match self {
            ExchangeError::Kdc(e) => Some(e.code),
            _ => None,
        }
    }

    /// The KDC error, when the KDC returned an error.
    pub fn kdc_error(&self) -> Option<&KdcError> {
        match self {
            ExchangeError::Kdc(e) => Some(e),
            _ => None,
        }
    }

    /// Mutable access to the KDC's error, e.g. to add what the transport knew.
    pub fn kdc_error_mut(&mut self) -> Option<&mut KdcError> {
        match self {
            ExchangeError::Kdc(e) => Some(e),
            _ => None,
        }
    }

    /// True when the client and the KDC share no enctype: [`ExchangeError::NoCommonEtype`]
    /// or the KDC's `KDC_ERR_ETYPE_NOSUPP`.
    pub fn is_no_common_etype(&self) -> bool {
        match self {
            ExchangeError::Kdc(e) => e.code == ec::KDC_ERR_ETYPE_NOSUPP,
            ExchangeError::NoCommonEtype { .. } => true,
            _ => false,
        }
    }

    /// True when the password or key is wrong: the KDC said `KDC_ERR_PREAUTH_FAILED`, or
    /// (no pre-authentication) the reply did not decrypt.
    pub fn is_wrong_password(&self) -> bool {
        match self {
            ExchangeError::Kdc(e) => e.is_wrong_password(),
            ExchangeError::ReplyDecryptFailed { .. } => true,
            _ => false,
        }
    }
}
