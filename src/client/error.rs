//! The façade's error: every lower layer's error, with messages a user can act on.

use std::path::PathBuf;

use crate::ccache::CcacheError;
use crate::config::ConfigError;
use crate::crypto::CryptoError;
use crate::exchange::{ExchangeError, KdcError};
use crate::keytab::KeytabError;
use crate::principal::PrincipalParseError;
use crate::transport::TransportError;

/// Everything [`Client`](super::Client) calls can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// krb5.conf could not be read or has an invalid value.
    #[error("configuration: {0}")]
    Config(#[from] ConfigError),
    /// A principal name could not be parsed.
    #[error("bad principal name: {0}")]
    Principal(#[from] PrincipalParseError),
    /// A principal name without a realm, and no `default_realm` in krb5.conf.
    #[error(
        "principal {0:?} has no realm and krb5.conf has no default_realm: write it as name@REALM \
         or set [libdefaults] default_realm"
    )]
    NoDefaultRealm(String),
    /// The kpasswd exchange failed (bad reply, the server's KRB-ERROR, mutual authentication).
    #[error("password change: {0}")]
    Kpasswd(#[from] Box<crate::exchange::KpasswdError>),
    /// The kpasswd server refused the new password.
    #[error("the password change was refused: {text} [{code} {name}]")]
    PasswordChangeRejected {
        /// RFC 3244 result code.
        code: u16,
        /// Its name.
        name: &'static str,
        /// The server's message.
        text: String,
    },
    /// A service name that cannot be parsed.
    #[error(transparent)]
    ServiceName(#[from] crate::exchange::service_name::ServiceNameError),
    /// Every KDC proxy (MS-KKDCP) configured for the realm failed; each failure is listed.
    #[error("no KDC proxy for realm {realm} answered: {}", proxy_failures(.failures))]
    Proxy {
        /// The realm.
        realm: String,
        /// Each proxy's failure, in the order tried.
        failures: Vec<crate::transport::kkdcp::KkdcpError>,
    },
    /// No KDC is configured for the realm and DNS discovery is off or found nothing.
    #[error("no KDC for realm {realm}: {hint}")]
    NoKdc {
        /// The realm.
        realm: String,
        /// What was looked at, and what to do about it.
        hint: String,
    },
    /// DNS SRV discovery failed.
    #[cfg(feature = "dns")]
    #[error("DNS SRV discovery of the KDCs of {realm} failed: {source}")]
    Discovery {
        /// The realm.
        realm: String,
        /// Why.
        #[source]
        source: crate::transport::discovery::DiscoveryError,
    },
    /// No KDC could be reached (every KDC and protocol tried is listed).
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// The KDC refused the request, or its reply failed a check.
    #[error(transparent)]
    Exchange(Box<ExchangeError>),
    /// The exchange stopped without a result (a bug in the exchange or the driver).
    #[error("the AS exchange ended without a credential")]
    Incomplete,
    /// The keytab could not be read.
    #[error("cannot use keytab {}: {source}", path.display())]
    Keytab {
        /// The keytab file.
        path: PathBuf,
        /// Why.
        #[source]
        source: KeytabError,
    },
    /// The keytab has no usable key of the client principal.
    #[error("keytab {keytab} has no usable key for {principal}{}", if found.is_empty() { String::new() } else { format!(" (it has keys of: {})", found.join(", ")) })]
    NoKeytabKey {
        /// The client principal.
        principal: String,
        /// The keytab's description (file name or `in-memory keytab`).
        keytab: String,
        /// The principals the keytab does have (at most a few).
        found: Vec<String>,
    },
    /// No encryption type is left to request.
    #[error(
        "no encryption type to request: default_tkt_enctypes, permitted_enctypes and the \
         supported enctypes (17, 18, 19, 20, and 23 with allow_weak_crypto) have nothing in common"
    )]
    NoEnctypes,
    /// A key could not be used.
    #[error("key: {0}")]
    Crypto(#[from] CryptoError),
    /// The credential cache could not be written or read.
    #[error("credential cache: {0}")]
    Ccache(#[from] CcacheError),
}

impl From<ExchangeError> for ClientError {
    fn from(e: ExchangeError) -> Self {
        ClientError::Exchange(Box::new(e))
    }
}

impl From<KdcError> for ClientError {
    fn from(e: KdcError) -> Self {
        ClientError::Exchange(Box::new(ExchangeError::from(e)))
    }
}

impl ClientError {
    /// The exchange's error, when the KDC refused or its reply failed a check.
    pub fn exchange_error(&self) -> Option<&ExchangeError> {
        match self {
            ClientError::Exchange(e) => Some(e),
            _ => None,
        }
    }

    /// The KDC's error, when the KDC answered with a KRB-ERROR that ended the exchange.
    pub fn kdc_error(&self) -> Option<&KdcError> {
        self.exchange_error().and_then(ExchangeError::kdc_error)
    }

    /// The KDC's error code (`KDC_ERR_*`, RFC 4120 §7.5.9), if the KDC refused.
    pub fn kdc_error_code(&self) -> Option<i32> {
        self.kdc_error().map(|e| e.code)
    }

    /// The password (or key) is wrong: the KDC said `KDC_ERR_PREAUTH_FAILED`, or (without
    /// pre-authentication) its reply did not decrypt.
    pub fn is_wrong_password(&self) -> bool {
        matches!(self, ClientError::Exchange(e) if e.is_wrong_password())
    }

    /// The KDC does not know the client: `KDC_ERR_C_PRINCIPAL_UNKNOWN` (6).
    pub fn is_unknown_principal(&self) -> bool {
        self.kdc_error_code() == Some(6)
    }
}

fn proxy_failures(failures: &[crate::transport::kkdcp::KkdcpError]) -> String {
    failures
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl From<crate::exchange::KpasswdError> for ClientError {
    fn from(e: crate::exchange::KpasswdError) -> Self {
        ClientError::Kpasswd(Box::new(e))
    }
}
