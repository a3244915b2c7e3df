//! The façade: a [`Client`] built from krb5.conf that gets tickets and stores them in credential
//! caches, as `kinit` does.
//!
//! ```no_run
//! use kerberos_client::{CcacheName, Client, Secret};
//!
//! let client = Client::from_env()?; // KRB5_CONFIG, else /etc/krb5.conf
//! let tgt = client.get_tgt("alice@EXAMPLE.TEST", Secret::password("Alice-Passw0rd"))?;
//! println!("{} until {}", tgt.server, tgt.end_time);
//! tgt.store(&CcacheName::from_env()?)?; // KRB5CCNAME, else FILE:/tmp/krb5cc_<uid>
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! With options (each defaults from `[libdefaults]`), a keytab, or a clock that is off:
//!
//! ```no_run
//! use std::time::Duration;
//! use kerberos_client::{Client, Secret, TgtOptions};
//! use kerberos_client::config::Config;
//!
//! let config = Config::parse_str(
//!     "[libdefaults]\n default_realm = EXAMPLE.TEST\n[realms]\n EXAMPLE.TEST = {\n  kdc = 127.0.0.1:60088\n }\n",
//! )?;
//! let client = Client::builder().config(config).clock_offset(-3600).build()?;
//! let opts = TgtOptions::default()
//!     .lifetime(Duration::from_secs(3600))
//!     .renew_lifetime(Duration::from_secs(7 * 86400))
//!     .forwardable(true);
//! let tgt = client.get_tgt_with("svc", Secret::keytab_file("/etc/krb5.keytab"), &opts)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! KDCs are located per realm: the `kdc` entries of `[realms]` in order (MS-KKDCP `https://`
//! entries are skipped for now), else DNS SRV records when `dns_lookup_kdc` is true. Each KDC is
//! tried in turn; when none answers, the error lists every KDC and protocol tried and why it
//! failed. Everything is traced with [`tracing`] (the equivalent of `KRB5_TRACE`); no password or
//! key is ever logged.

mod credential;
mod error;
mod password;
mod service;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use zeroize::Zeroizing;

use crate::ccache::CcacheName;
use crate::config::{Config, LibDefaults};
use crate::crypto::{EncryptionType, Key};
use crate::exchange::{AsExchange, AsOptions, AsRequest, AsSecret, KdcExchange, Outgoing, Step};
use crate::keytab::Keytab;
use crate::principal::{NT_ENTERPRISE, Principal};
use crate::transport::kkdcp::{self, KkdcpError, ProxyOptions, ProxyUrl, TrustRoots};
use crate::transport::{self, KdcEndpoint, Protocol, SendOptions};

pub use credential::{Credential, SentMessage};
pub use error::ClientError;
pub use service::ServiceTicket;

/// The long-term secret of the client principal.
pub enum Secret {
    /// A password (string-to-key with the salt and parameters the KDC announces).
    Password(Zeroizing<String>),
    /// A loaded keytab: the client principal's keys with the highest kvno are used.
    Keytab(Keytab),
    /// A keytab file, read when the ticket is requested.
    KeytabFile(PathBuf),
    /// A raw protocol key.
    Key(Key),
    /// Several raw keys (one per enctype).
    Keys(Vec<Key>),
}

impl Secret {
    /// A password.
    pub fn password(password: impl Into<String>) -> Self {
        Secret::Password(Zeroizing::new(password.into()))
    }

    /// A keytab file.
    pub fn keytab_file(path: impl Into<PathBuf>) -> Self {
        Secret::KeytabFile(path.into())
    }
}

impl From<Key> for Secret {
    fn from(key: Key) -> Self {
        Secret::Key(key)
    }
}

impl From<Keytab> for Secret {
    fn from(keytab: Keytab) -> Self {
        Secret::Keytab(keytab)
    }
}

/// Never shows the secret itself.
impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Secret::Password(_) => f.write_str("Secret::Password(<redacted>)"),
            Secret::Keytab(kt) => write!(f, "Secret::Keytab({} entries)", kt.entries.len()),
            Secret::KeytabFile(p) => write!(f, "Secret::KeytabFile({})", p.display()),
            Secret::Key(k) => write!(f, "Secret::Key({:?})", k.etype()),
            Secret::Keys(ks) => write!(f, "Secret::Keys({} keys)", ks.len()),
        }
    }
}

/// The client's time source. The exchange never reads the clock itself: the driver passes this
/// clock's time in, so a test can run the client with a clock that is off.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current time.
    fn now(&self) -> SystemTime;
}

/// The system clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// The system clock shifted by a fixed number of seconds (negative: behind).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OffsetClock {
    /// Seconds added to the system time.
    pub offset_secs: i64,
}

impl Clock for OffsetClock {
    fn now(&self) -> SystemTime {
        let now = SystemTime::now();
        let d = Duration::from_secs(self.offset_secs.unsigned_abs());
        let shifted = if self.offset_secs >= 0 {
            now.checked_add(d)
        } else {
            now.checked_sub(d)
        };
        shifted.unwrap_or(now)
    }
}

/// Per-request options. Every `None` takes its value from krb5.conf `[libdefaults]` (for the
/// client's realm).
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct TgtOptions {
    /// Requested lifetime (`ticket_lifetime`).
    pub lifetime: Option<Duration>,
    /// Requested renewable lifetime (`renew_lifetime`; zero: not renewable).
    pub renew_lifetime: Option<Duration>,
    /// Ask for a forwardable ticket (`forwardable`).
    pub forwardable: Option<bool>,
    /// Ask for a proxiable ticket (`proxiable`).
    pub proxiable: Option<bool>,
    /// Enctypes to request, in preference order (default: `default_tkt_enctypes`); either way
    /// only those in `permitted_enctypes` are requested.
    pub enctypes: Option<Vec<i32>>,
    /// Accept RC4 (`allow_weak_crypto`).
    pub allow_weak_crypto: Option<bool>,
    /// Send PA-PAC-REQUEST with this value (none sent by default).
    pub request_pac: Option<bool>,
    /// Let the KDC canonicalize the client name (`canonicalize`; always on for enterprise names,
    /// whether from [`enterprise`](Self::enterprise) or an `NT_ENTERPRISE` [`Principal`]).
    pub canonicalize: Option<bool>,
    /// Treat the client name as an enterprise name (`kinit -E`, RFC 6806 NT-ENTERPRISE):
    /// `alice@example.com` becomes one name component in the default realm.
    pub enterprise: bool,
    /// The service to ask for (default `krbtgt/REALM@REALM`).
    pub server: Option<Principal>,
    /// FAST armor (RFC 6113, `kinit -T`): see [`Client::armor_from_ccache`]. None: no FAST.
    pub armor: Option<crate::exchange::FastArmor>,
}

/// Builder-style setters, each storing `Some(value)` in the `Option` field of its name.
macro_rules! option_setters {
    ($($(#[$doc:meta])* $name:ident: $ty:ty;)*) => {
        $(
            $(#[$doc])*
            pub fn $name(mut self, value: $ty) -> Self {
                self.$name = Some(value);
                self
            }
        )*
    };
}

impl TgtOptions {
    option_setters! {
        /// Sets [`lifetime`](Self::lifetime).
        lifetime: Duration;
        /// Sets [`renew_lifetime`](Self::renew_lifetime).
        renew_lifetime: Duration;
        /// Sets [`forwardable`](Self::forwardable).
        forwardable: bool;
        /// Sets [`proxiable`](Self::proxiable).
        proxiable: bool;
        /// Sets [`allow_weak_crypto`](Self::allow_weak_crypto).
        allow_weak_crypto: bool;
        /// Sets [`request_pac`](Self::request_pac).
        request_pac: bool;
        /// Sets [`canonicalize`](Self::canonicalize).
        canonicalize: bool;
        /// Sets [`server`](Self::server).
        server: Principal;
        /// Sets [`armor`](Self::armor): armor the AS exchange with FAST.
        armor: crate::exchange::FastArmor;
    }

    /// Sets [`enctypes`](Self::enctypes).
    pub fn enctypes(mut self, list: impl Into<Vec<i32>>) -> Self {
        self.enctypes = Some(list.into());
        self
    }

    /// Sets [`enterprise`](Self::enterprise).
    pub fn enterprise(mut self, v: bool) -> Self {
        self.enterprise = v;
        self
    }
}

/// Anything that names the client: a string (`alice`, `alice@EXAMPLE.TEST`) or a [`Principal`].
pub trait IntoPrincipal {
    /// The principal, with `default_realm` for a name without realm; `enterprise` as
    /// [`TgtOptions::enterprise`].
    fn into_principal(
        self,
        default_realm: Option<&str>,
        enterprise: bool,
    ) -> Result<Principal, ClientError>;
}

impl IntoPrincipal for &str {
    fn into_principal(
        self,
        default_realm: Option<&str>,
        enterprise: bool,
    ) -> Result<Principal, ClientError> {
        parse_client_name(self, default_realm, enterprise)
    }
}

impl IntoPrincipal for &String {
    fn into_principal(
        self,
        default_realm: Option<&str>,
        enterprise: bool,
    ) -> Result<Principal, ClientError> {
        parse_client_name(self, default_realm, enterprise)
    }
}

impl IntoPrincipal for String {
    fn into_principal(
        self,
        default_realm: Option<&str>,
        enterprise: bool,
    ) -> Result<Principal, ClientError> {
        parse_client_name(&self, default_realm, enterprise)
    }
}

impl IntoPrincipal for Principal {
    fn into_principal(self, _: Option<&str>, enterprise: bool) -> Result<Principal, ClientError> {
        let mut p = self;
        if enterprise {
            p.name_type = NT_ENTERPRISE;
        }
        Ok(p)
    }
}

impl IntoPrincipal for &Principal {
    fn into_principal(
        self,
        default_realm: Option<&str>,
        enterprise: bool,
    ) -> Result<Principal, ClientError> {
        self.clone().into_principal(default_realm, enterprise)
    }
}

/// Positions of the `@` not escaped by a backslash.
fn unescaped_ats(s: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '@' => out.push(i),
            _ => {}
        }
    }
    out
}

/// Parses a client name as `kinit` does; with `enterprise`, `user@domain` is one component
/// (`user\@domain@REALM`), and the realm is the default realm (or the upper-cased domain when
/// there is none).
fn parse_client_name(
    s: &str,
    default_realm: Option<&str>,
    enterprise: bool,
) -> Result<Principal, ClientError> {
    let ats = unescaped_ats(s);
    if enterprise {
        match ats.as_slice() {
            [] | [_, _, ..] => {
                let realm = default_realm.map(str::to_owned);
                if ats.is_empty() && realm.is_none() {
                    return Err(ClientError::NoDefaultRealm(s.to_owned()));
                }
                Ok(Principal::parse_with_type(
                    s,
                    realm.as_deref(),
                    NT_ENTERPRISE,
                )?)
            }
            [at] => {
                let domain = s.get(at + 1..).unwrap_or_default();
                let realm = default_realm
                    .map(str::to_owned)
                    .unwrap_or_else(|| domain.to_ascii_uppercase());
                if realm.is_empty() {
                    return Err(ClientError::NoDefaultRealm(s.to_owned()));
                }
                Ok(Principal::new(NT_ENTERPRISE, realm, [s]))
            }
        }
    } else {
        if ats.is_empty() && default_realm.is_none() {
            return Err(ClientError::NoDefaultRealm(s.to_owned()));
        }
        Ok(Principal::parse(s, default_realm)?)
    }
}

/// Builds a [`Client`].
#[derive(Debug, Default)]
pub struct ClientBuilder {
    config: Option<Config>,
    clock: Option<Arc<dyn Clock>>,
    #[cfg(feature = "dns")]
    locator: Option<transport::discovery::SrvLocator>,
    udp_preference_limit: Option<usize>,
    kdc_timeout: Option<Duration>,
    kdc_passes: Option<u32>,
    max_in_flight: Option<usize>,
    proxy: ProxyOptions,
}

impl ClientBuilder {
    option_setters! {
        /// The configuration (default: [`Config::from_env`]).
        config: Config;
        /// Overrides `udp_preference_limit` (bytes; 1 means TCP always).
        udp_preference_limit: usize;
        /// Overrides `kdc_timeout` (per KDC attempt).
        kdc_timeout: Duration;
        /// Passes over a realm's KDCs before giving up (default 3; each pass doubles the
        /// per-KDC timeout, as MIT does).
        kdc_passes: u32;
    }

    /// The time source (default: [`SystemClock`]).
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// The system clock shifted by `secs` seconds (a test of clock-skew handling).
    pub fn clock_offset(self, secs: i64) -> Self {
        self.clock(OffsetClock { offset_secs: secs })
    }

    /// The DNS SRV locator used when `dns_lookup_kdc` is true and a realm has no `kdc` entry
    /// (default: the system's resolvers).
    #[cfg(feature = "dns")]
    pub fn srv_locator(mut self, locator: transport::discovery::SrvLocator) -> Self {
        self.locator = Some(locator);
        self
    }

    /// The most KDC requests the async drivers of this client (and its clones) have in flight at
    /// once (default 32); more wait their turn. A single-threaded KDC such as MIT's drops
    /// datagrams when a burst overflows its socket buffer, and the retransmissions that follow
    /// only add to its load; queueing on the client side keeps every exchange moving.
    pub fn max_in_flight(mut self, requests: usize) -> Self {
        self.max_in_flight = Some(requests.max(1));
        self
    }

    /// Trust only these CA certificates (PEM) for KDC proxies (`kdc = https://…`); default: the
    /// system's roots.
    pub fn kdc_proxy_ca_pem(mut self, pem: Vec<u8>) -> Self {
        self.proxy.roots = TrustRoots::CaPem(pem);
        self
    }

    /// Allow `http://` KDC proxies (plain text; for tests or a TLS-terminating front end).
    pub fn allow_plain_http_proxy(mut self, allow: bool) -> Self {
        self.proxy.allow_plain_http = allow;
        self
    }

    /// Time allowed for one request through a KDC proxy (default 15 s).
    pub fn kdc_proxy_timeout(mut self, timeout: Duration) -> Self {
        self.proxy.timeout = timeout;
        self
    }

    /// The client; reads the configuration from the environment if none was given.
    pub fn build(self) -> Result<Client, ClientError> {
        let config = match self.config {
            Some(c) => c,
            None => Config::from_env()?,
        };
        Ok(Client {
            config: Arc::new(config),
            clock: self.clock.unwrap_or_else(|| Arc::new(SystemClock)),
            #[cfg(feature = "dns")]
            locator: self.locator,
            udp_preference_limit: self.udp_preference_limit,
            kdc_timeout: self.kdc_timeout,
            kdc_passes: self.kdc_passes,
            #[cfg(feature = "tokio")]
            in_flight: Arc::new(::tokio::sync::Semaphore::new(
                self.max_in_flight.unwrap_or(DEFAULT_MAX_IN_FLIGHT),
            )),
            proxy: Arc::new(ProxyState::new(self.proxy)),
            tickets: Arc::default(),
        })
    }
}

/// A Kerberos client: configuration, KDC location and the AS exchange drivers. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Client {
    config: Arc<Config>,
    clock: Arc<dyn Clock>,
    #[cfg(feature = "dns")]
    locator: Option<transport::discovery::SrvLocator>,
    udp_preference_limit: Option<usize>,
    kdc_timeout: Option<Duration>,
    kdc_passes: Option<u32>,
    /// Limits the async drivers' KDC requests in flight.
    #[cfg(feature = "tokio")]
    in_flight: Arc<::tokio::sync::Semaphore>,
    proxy: Arc<ProxyState>,
    tickets: Arc<service::TicketCache>,
}

/// Default of [`ClientBuilder::max_in_flight`].
#[cfg(feature = "tokio")]
const DEFAULT_MAX_IN_FLIGHT: usize = 32;

/// KDC proxy settings and the TLS configuration built from them once, on first use.
#[derive(Debug)]
struct ProxyState {
    options: ProxyOptions,
    tls: std::sync::OnceLock<Arc<rustls::ClientConfig>>,
}

impl ProxyState {
    fn new(options: ProxyOptions) -> Self {
        ProxyState {
            options,
            tls: std::sync::OnceLock::new(),
        }
    }

    fn tls(&self, url: &ProxyUrl) -> Result<Option<Arc<rustls::ClientConfig>>, KkdcpError> {
        if !url.tls {
            if !self.options.allow_plain_http {
                return Err(KkdcpError::PlainHttpRefused(url.to_string()));
            }
            return Ok(None);
        }
        if let Some(c) = self.tls.get() {
            return Ok(Some(c.clone()));
        }
        let c = kkdcp::tls_config(&self.options.roots)?;
        Ok(Some(self.tls.get_or_init(|| c).clone()))
    }
}

impl Client {
    /// A client with this configuration and the defaults for everything else.
    pub fn new(config: Config) -> Self {
        Client {
            config: Arc::new(config),
            clock: Arc::new(SystemClock),
            #[cfg(feature = "dns")]
            locator: None,
            udp_preference_limit: None,
            kdc_timeout: None,
            kdc_passes: None,
            #[cfg(feature = "tokio")]
            in_flight: Arc::new(::tokio::sync::Semaphore::new(DEFAULT_MAX_IN_FLIGHT)),
            proxy: Arc::new(ProxyState::new(ProxyOptions::default())),
            tickets: Arc::default(),
        }
    }

    /// A client configured from `KRB5_CONFIG` (else `/etc/krb5.conf`).
    pub fn from_env() -> Result<Self, ClientError> {
        Ok(Self::new(Config::from_env()?))
    }

    /// A client configured from one krb5.conf file.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, ClientError> {
        Ok(Self::new(Config::from_file(path)?))
    }

    /// A client configured from krb5.conf text.
    pub fn from_config_str(text: &str) -> Result<Self, ClientError> {
        Ok(Self::new(Config::parse_str(text)?))
    }

    /// A builder.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The client's current time.
    pub fn now(&self) -> SystemTime {
        self.clock.now()
    }

    /// The credential cache to use: `KRB5CCNAME`, else `default_ccache_name` from krb5.conf
    /// (`%{uid}`/`%{euid}` expanded), else MIT's default `FILE:/tmp/krb5cc_<uid>`.
    pub fn default_ccache_name(&self) -> Result<CcacheName, ClientError> {
        if let Ok(v) = std::env::var("KRB5CCNAME")
            && !v.is_empty()
        {
            return Ok(CcacheName::parse(&v)?);
        }
        if let Some(name) = &self.config.libdefaults().default_ccache_name {
            let uid = rustix::process::geteuid().as_raw().to_string();
            let name = name
                .replace("%{uid}", &uid)
                .replace("%{euid}", &uid)
                .replace("%{TEMP}", "/tmp");
            if !name.contains("%{") {
                return Ok(CcacheName::parse(&name)?);
            }
            tracing::warn!(%name, "default_ccache_name has an unsupported %{{...}} token; using the default cache");
        }
        Ok(CcacheName::default_name())
    }

    /// Stores `cred` in the cache `name` as `kinit` does (see [`Credential::store`]).
    pub fn store(&self, cred: &Credential, name: &CcacheName) -> Result<(), ClientError> {
        cred.store(name)
    }

    /// `send` options for a realm from `udp_preference_limit` and `kdc_timeout`.
    pub fn send_options(&self, realm: &str) -> Result<SendOptions, ClientError> {
        let ld = self.config.libdefaults_for_realm(realm)?;
        Ok(SendOptions {
            udp_preference_limit: self
                .udp_preference_limit
                .unwrap_or(ld.udp_preference_limit as usize),
            timeout: self.kdc_timeout.unwrap_or(ld.kdc_timeout),
            passes: self.kdc_passes.unwrap_or(SendOptions::default().passes),
            ..SendOptions::default()
        })
    }

    /// The KDCs configured for `realm`, in order; proxy (`https://`) entries are skipped. Empty
    /// when there is no `kdc` entry. Returns whether any proxy entry was skipped.
    fn configured_kdcs(&self, realm: &str) -> (Vec<KdcEndpoint>, bool) {
        let mut skipped = false;
        let endpoints = self
            .config
            .kdcs(realm)
            .iter()
            .filter_map(|loc| {
                let ep = KdcEndpoint::from_location(loc);
                skipped |= ep.is_none();
                ep
            })
            .collect();
        (endpoints, skipped)
    }

    /// The KDC proxies (`kdc = https://…` / `kkdcp://…`) krb5.conf names for `realm`, in order.
    pub fn kdc_proxies(&self, realm: &str) -> Vec<ProxyUrl> {
        self.config
            .kdcs(realm)
            .iter()
            .filter_map(ProxyUrl::from_location)
            .collect()
    }

    /// Send `message` for `realm` through its KDC proxies in order (MS-KKDCP).
    fn send_via_proxies(
        &self,
        realm: &str,
        proxies: &[ProxyUrl],
        message: &[u8],
    ) -> Result<(Vec<u8>, Option<String>), ClientError> {
        let mut failures = Vec::new();
        for url in proxies {
            let result = self
                .proxy
                .tls(url)
                .and_then(|tls| kkdcp::send_with(url, realm, message, &self.proxy.options, tls));
            match result {
                Ok(reply) => {
                    tracing::debug!(%url, request_id = ?reply.request_id, "KDC proxy answered");
                    return Ok((reply.message, reply.request_id));
                }
                Err(e) => {
                    tracing::debug!(%url, error = %e, "KDC proxy failed");
                    failures.push(e);
                }
            }
        }
        Err(ClientError::Proxy {
            realm: realm.to_owned(),
            failures,
        })
    }

    /// Send one message of an exchange to its realm: through the realm's KDC proxies when
    /// krb5.conf names any, else over UDP/TCP to its KDCs (configured, then DNS SRV).
    fn send_blocking(&self, out: &Outgoing, driver: &mut Driver) -> Result<Vec<u8>, ClientError> {
        let proxies = self.kdc_proxies(&out.realm);
        if !proxies.is_empty() {
            let (reply, request_id) = self.send_via_proxies(&out.realm, &proxies, &out.message)?;
            driver.proxy_request_id = request_id;
            return Ok(reply);
        }
        let endpoints = driver.endpoints(out, |r| self.kdcs(r))?;
        let opts = self.send_options_for(out)?;
        check_sendable(out, &endpoints)?;
        Ok(transport::blocking::send(
            &out.realm,
            &endpoints,
            &out.message,
            &opts,
        )?)
    }

    /// Async form of [`send_blocking`](Self::send_blocking); proxied requests run on tokio's
    /// blocking pool.
    #[cfg(feature = "tokio")]
    async fn send_async(
        &self,
        out: &Outgoing,
        driver: &mut Driver,
    ) -> Result<Vec<u8>, ClientError> {
        let proxies = self.kdc_proxies(&out.realm);
        if !proxies.is_empty() {
            let client = self.clone();
            let (realm, message) = (out.realm.clone(), out.message.clone());
            let (reply, request_id) = ::tokio::task::spawn_blocking(move || {
                client.send_via_proxies(&realm, &proxies, &message)
            })
            .await
            .map_err(|_| ClientError::Incomplete)??;
            driver.proxy_request_id = request_id;
            return Ok(reply);
        }
        let endpoints = match driver.cached(&out.realm) {
            Some(e) => e,
            None => {
                let e = self.kdcs_async(&out.realm).await?;
                driver.remember(&out.realm, e.clone());
                e
            }
        };
        let opts = self.send_options_for(out)?;
        check_sendable(out, &endpoints)?;
        let _permit = self
            .in_flight
            .acquire()
            .await
            .map_err(|_| ClientError::Incomplete)?;
        Ok(transport::tokio::send(&out.realm, &endpoints, &out.message, &opts).await?)
    }

    fn dns_lookup_kdc(&self, realm: &str) -> Result<bool, ClientError> {
        Ok(self.config.libdefaults_for_realm(realm)?.dns_lookup_kdc)
    }

    fn no_kdc(realm: &str, proxies_skipped: bool, dns: Option<bool>) -> ClientError {
        let hint = if proxies_skipped {
            "krb5.conf lists only KDC proxy (https) entries for this realm: requests go through \
             the proxy (MS-KKDCP), there is no UDP/TCP KDC to list"
                .to_owned()
        } else {
            match dns {
                None => format!(
                    "krb5.conf has no [realms] {realm} kdc entry, and dns_lookup_kdc is false"
                ),
                Some(_) => format!(
                    "krb5.conf has no [realms] {realm} kdc entry, and DNS has no \
                     _kerberos._udp/_tcp.{realm} SRV record"
                ),
            }
        };
        ClientError::NoKdc {
            realm: realm.to_owned(),
            hint,
        }
    }

    /// The configured KDCs of `realm`, or word that DNS SRV records are to be asked.
    fn lookup_configured(&self, realm: &str) -> Result<Lookup, ClientError> {
        let (endpoints, skipped) = self.configured_kdcs(realm);
        if !endpoints.is_empty() {
            tracing::debug!(realm, kdcs = %list(&endpoints), "KDCs from krb5.conf");
            return Ok(Lookup::Found(endpoints));
        }
        if skipped || !self.dns_lookup_kdc(realm)? {
            return Err(Self::no_kdc(realm, skipped, None));
        }
        if cfg!(not(feature = "dns")) {
            tracing::info!(
                realm,
                "dns_lookup_kdc is set but this build has no DNS support (feature `dns`)"
            );
            return Err(Self::no_kdc(realm, false, None));
        }
        Ok(Lookup::AskDns)
    }

    /// What DNS SRV discovery found, or the error that says it found nothing.
    #[cfg(feature = "dns")]
    fn dns_found(
        realm: &str,
        found: Result<Vec<KdcEndpoint>, transport::discovery::DiscoveryError>,
    ) -> Result<Vec<KdcEndpoint>, ClientError> {
        let found = found.map_err(|source| ClientError::Discovery {
            realm: realm.to_owned(),
            source,
        })?;
        tracing::debug!(realm, kdcs = %list(&found), "KDCs from DNS SRV records");
        if found.is_empty() {
            return Err(Self::no_kdc(realm, false, Some(true)));
        }
        Ok(found)
    }

    /// The KDCs of `realm`: the configured ones, else those DNS SRV records name (when
    /// `dns_lookup_kdc` is true). Fails when there are none.
    pub fn kdcs(&self, realm: &str) -> Result<Vec<KdcEndpoint>, ClientError> {
        match self.lookup_configured(realm)? {
            Lookup::Found(endpoints) => Ok(endpoints),
            #[cfg(feature = "dns")]
            Lookup::AskDns => {
                let locator = self.locator.clone().unwrap_or_default();
                Self::dns_found(realm, locator.kdcs(realm))
            }
            #[cfg(not(feature = "dns"))]
            Lookup::AskDns => Err(Self::no_kdc(realm, false, None)),
        }
    }

    /// Async form of [`kdcs`](Self::kdcs).
    #[cfg(feature = "tokio")]
    pub async fn kdcs_async(&self, realm: &str) -> Result<Vec<KdcEndpoint>, ClientError> {
        match self.lookup_configured(realm)? {
            Lookup::Found(endpoints) => Ok(endpoints),
            #[cfg(feature = "dns")]
            Lookup::AskDns => {
                let locator = self.locator.clone().unwrap_or_default();
                Self::dns_found(realm, locator.kdcs_async(realm).await)
            }
            #[cfg(not(feature = "dns"))]
            Lookup::AskDns => Err(Self::no_kdc(realm, false, None)),
        }
    }

    /// FAST armor from the TGT of a credential cache (`kinit -T ARMOR_CCACHE`): the cache's
    /// default principal's local TGT, FAST required.
    pub fn armor_from_ccache(
        &self,
        path: impl AsRef<Path>,
    ) -> Result<crate::exchange::FastArmor, ClientError> {
        use crate::exchange::ExchangeError;
        let cache = crate::ccache::CredentialCache::read(path.as_ref())?;
        let tgt = cache.tgt().ok_or_else(|| {
            ExchangeError::FastArmor(format!(
                "no TGT for {} in the armor cache {}",
                cache.default_principal,
                path.as_ref().display()
            ))
        })?;
        let etype = crate::crypto::EncryptionType::try_from(tgt.key.etype)
            .map_err(|_| ExchangeError::EtypeNotPermitted(tgt.key.etype))?;
        let key = crate::crypto::Key::from_bytes(etype, &tgt.key.value)?;
        Ok(crate::exchange::FastArmor::new(
            tgt.ticket.clone(),
            key,
            tgt.client.clone(),
        ))
    }

    /// A TGT for `client` with the krb5.conf defaults (like `kinit client`).
    pub fn get_tgt(
        &self,
        client: impl IntoPrincipal,
        secret: Secret,
    ) -> Result<Credential, ClientError> {
        self.get_tgt_with(client, secret, &TgtOptions::default())
    }

    /// A TGT (or the [`TgtOptions::server`] ticket) for `client` with these options.
    pub fn get_tgt_with(
        &self,
        client: impl IntoPrincipal,
        secret: Secret,
        options: &TgtOptions,
    ) -> Result<Credential, ClientError> {
        let request = self.as_request(client, secret, options)?;
        let span = tracing::info_span!("get_tgt", client = %request.client);
        let _guard = span.enter();
        let mut ex = AsExchange::new(request, self.clock.now())?;
        let cred = self.drive(&mut ex)?;
        Ok(cred.with_fast(ex.fast_used(), ex.preauth_type()))
    }

    /// Run an exchange to its end over the client's transports (blocking).
    pub(crate) fn drive(&self, ex: &mut impl KdcExchange) -> Result<Credential, ClientError> {
        let mut driver = Driver::default();
        loop {
            match ex.poll() {
                Some(Step::Send(out)) => {
                    let reply = self.send_blocking(&out, &mut driver)?;
                    driver.sent(&out, reply.len());
                    ex.receive(&reply, self.clock.now())
                        .map_err(|e| driver.annotate(e))?;
                }
                Some(Step::Done(cred)) => return Ok(driver.finish(cred)),
                None => return Err(ClientError::Incomplete),
            }
        }
    }

    /// Run an exchange to its end over the client's transports (tokio).
    #[cfg(feature = "tokio")]
    pub(crate) async fn drive_async(
        &self,
        ex: &mut (impl KdcExchange + Send),
    ) -> Result<Credential, ClientError> {
        let mut driver = Driver::default();
        loop {
            // Step is not held across an await point with the exchange borrowed.
            let step = ex.poll();
            match step {
                Some(Step::Send(out)) => {
                    let reply = self.send_async(&out, &mut driver).await?;
                    driver.sent(&out, reply.len());
                    ex.receive(&reply, self.clock.now())
                        .map_err(|e| driver.annotate(e))?;
                }
                Some(Step::Done(cred)) => return Ok(driver.finish(cred)),
                None => return Err(ClientError::Incomplete),
            }
        }
    }

    /// Async form of [`get_tgt`](Self::get_tgt) on tokio.
    #[cfg(feature = "tokio")]
    pub async fn get_tgt_async(
        &self,
        client: impl IntoPrincipal,
        secret: Secret,
    ) -> Result<Credential, ClientError> {
        self.get_tgt_with_async(client, secret, &TgtOptions::default())
            .await
    }

    /// Async form of [`get_tgt_with`](Self::get_tgt_with) on tokio.
    #[cfg(feature = "tokio")]
    pub async fn get_tgt_with_async(
        &self,
        client: impl IntoPrincipal,
        secret: Secret,
        options: &TgtOptions,
    ) -> Result<Credential, ClientError> {
        use tracing::Instrument;
        let request = self.as_request(client, secret, options)?;
        let span = tracing::info_span!("get_tgt", client = %request.client);
        async move {
            let mut ex = AsExchange::new(request, self.clock.now())?;
            let cred = self.drive_async(&mut ex).await?;
            Ok(cred.with_fast(ex.fast_used(), ex.preauth_type()))
        }
        .instrument(span)
        .await
    }

    fn send_options_for(&self, out: &Outgoing) -> Result<SendOptions, ClientError> {
        let mut opts = self.send_options(&out.realm)?;
        opts.tcp_only = out.tcp_only;
        Ok(opts)
    }

    /// The AS request: client name, keys and options with the krb5.conf defaults applied.
    fn as_request(
        &self,
        client: impl IntoPrincipal,
        secret: Secret,
        options: &TgtOptions,
    ) -> Result<AsRequest, ClientError> {
        let client = client.into_principal(self.config.default_realm(), options.enterprise)?;
        let realm = client.realm_str();
        let ld = self.config.libdefaults_for_realm(&realm)?;
        let allow_weak = options.allow_weak_crypto.unwrap_or(ld.allow_weak_crypto);
        let mut etypes = request_enctypes(&ld, options.enctypes.as_deref(), allow_weak);
        let secret = match secret {
            Secret::Password(p) => AsSecret::Password(p),
            Secret::Key(k) => AsSecret::Keys(keys_for(vec![k], &mut etypes)?),
            Secret::Keys(ks) => AsSecret::Keys(keys_for(ks, &mut etypes)?),
            Secret::Keytab(kt) => {
                AsSecret::Keys(keytab_keys(&kt, &client, "in-memory keytab", &mut etypes)?)
            }
            Secret::KeytabFile(path) => {
                let kt = Keytab::read(&path).map_err(|source| ClientError::Keytab {
                    path: path.clone(),
                    source,
                })?;
                let name = path.display().to_string();
                AsSecret::Keys(keytab_keys(&kt, &client, &name, &mut etypes)?)
            }
        };
        if etypes.is_empty() {
            return Err(ClientError::NoEnctypes);
        }
        let renew = options.renew_lifetime.unwrap_or(ld.renew_lifetime);
        let o = AsOptions {
            lifetime: options.lifetime.unwrap_or(ld.ticket_lifetime),
            renew_lifetime: (!renew.is_zero()).then_some(renew),
            forwardable: options.forwardable.unwrap_or(ld.forwardable),
            proxiable: options.proxiable.unwrap_or(ld.proxiable),
            etypes,
            allow_weak_crypto: allow_weak,
            request_pac: options.request_pac,
            // An enterprise name is only useful canonicalized (as `kinit -E`).
            canonicalize: options.enterprise
                || client.name_type == NT_ENTERPRISE
                || options.canonicalize.unwrap_or(ld.canonicalize),
            addressless: true,
            server: options.server.clone(),
            clock_skew: ld.clockskew,
            armor: options.armor.clone(),
            ..AsOptions::default()
        };
        tracing::debug!(
            client = %client,
            etypes = ?o.etypes,
            lifetime = o.lifetime.as_secs(),
            renew = o.renew_lifetime.map(|d| d.as_secs()),
            forwardable = o.forwardable,
            proxiable = o.proxiable,
            canonicalize = o.canonicalize,
            request_pac = ?o.request_pac,
            "AS request options"
        );
        Ok(AsRequest {
            client,
            secret,
            options: o,
        })
    }
}

/// The enctypes to request: the explicit list, else `default_tkt_enctypes`, keeping those in
/// `permitted_enctypes`; only the implemented ones, RC4 only with weak crypto allowed, no
/// duplicates, order kept.
fn request_enctypes(ld: &LibDefaults, explicit: Option<&[i32]>, allow_weak: bool) -> Vec<i32> {
    let base: Vec<i32> = explicit
        .unwrap_or(&ld.default_tkt_enctypes)
        .iter()
        .copied()
        .filter(|e| ld.permitted_enctypes.contains(e))
        .collect();
    let mut out = Vec::new();
    for e in base {
        let Ok(et) = EncryptionType::try_from(e) else {
            continue;
        };
        if (allow_weak || !et.is_weak()) && !out.contains(&e) {
            out.push(e);
        }
    }
    out
}

/// Keeps the keys whose enctype may be requested and narrows `etypes` to those keys.
fn keys_for(keys: Vec<Key>, etypes: &mut Vec<i32>) -> Result<Vec<Key>, ClientError> {
    let have: Vec<i32> = keys.iter().map(|k| k.etype().id()).collect();
    etypes.retain(|e| have.contains(e));
    if etypes.is_empty() {
        return Err(ClientError::NoEnctypes);
    }
    Ok(keys
        .into_iter()
        .filter(|k| etypes.contains(&k.etype().id()))
        .collect())
}

/// The client's keys (highest kvno) from a keytab, usable with the requested enctypes.
fn keytab_keys(
    kt: &Keytab,
    client: &Principal,
    name: &str,
    etypes: &mut Vec<i32>,
) -> Result<Vec<Key>, ClientError> {
    let keys: Vec<Key> = kt
        .keys(client, None)
        .into_iter()
        .filter_map(|e| {
            let et = EncryptionType::try_from(e.key.etype).ok()?;
            Key::from_bytes(et, &e.key.value).ok()
        })
        .collect();
    let no_key = || ClientError::NoKeytabKey {
        principal: client.to_string(),
        keytab: name.to_owned(),
        found: kt
            .principals()
            .into_iter()
            .take(5)
            .map(ToString::to_string)
            .collect(),
    };
    if keys.is_empty() {
        return Err(no_key());
    }
    tracing::debug!(keytab = name, client = %client, etypes = ?keys.iter().map(|k| k.etype().id()).collect::<Vec<_>>(), "keys from keytab");
    keys_for(keys, etypes).map_err(|_| no_key())
}

/// Fails clearly when the exchange needs TCP and the realm has only UDP KDCs.
fn check_sendable(out: &Outgoing, endpoints: &[KdcEndpoint]) -> Result<(), ClientError> {
    if out.tcp_only
        && !endpoints.is_empty()
        && endpoints.iter().all(|e| e.protocol == Some(Protocol::Udp))
    {
        return Err(ClientError::NoKdc {
            realm: out.realm.clone(),
            hint: "the KDC's reply does not fit in UDP (KRB_ERR_RESPONSE_TOO_BIG) and every \
                   configured KDC is udp/ only; allow TCP"
                .to_owned(),
        });
    }
    Ok(())
}

fn list(endpoints: &[KdcEndpoint]) -> String {
    endpoints
        .iter()
        .map(|e| match e.protocol {
            Some(p) => format!("{p}/{e}"),
            None => e.to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Where a realm's KDCs come from.
enum Lookup {
    /// krb5.conf names them.
    Found(Vec<KdcEndpoint>),
    /// Ask DNS SRV records.
    AskDns,
}

/// Bookkeeping shared by the blocking and async drivers.
#[derive(Default)]
struct Driver {
    /// The `x-ms-request-id` of the last reply that came through a KDC proxy.
    proxy_request_id: Option<String>,
    endpoints: Vec<(String, Vec<KdcEndpoint>)>,
    messages: Vec<SentMessage>,
    last_request: Vec<u8>,
}

impl Driver {
    /// A KDC's error with what the transport knew (the KDC proxy's request id).
    fn annotate(&self, mut e: crate::exchange::ExchangeError) -> crate::exchange::ExchangeError {
        if let (Some(id), Some(k)) = (&self.proxy_request_id, e.kdc_error_mut()) {
            k.context.proxy_request_id = Some(id.clone());
        }
        e
    }

    fn cached(&self, realm: &str) -> Option<Vec<KdcEndpoint>> {
        self.endpoints
            .iter()
            .find(|(r, _)| r == realm)
            .map(|(_, e)| e.clone())
    }

    fn remember(&mut self, realm: &str, endpoints: Vec<KdcEndpoint>) {
        self.endpoints.push((realm.to_owned(), endpoints));
    }

    fn endpoints(
        &mut self,
        out: &Outgoing,
        locate: impl FnOnce(&str) -> Result<Vec<KdcEndpoint>, ClientError>,
    ) -> Result<Vec<KdcEndpoint>, ClientError> {
        if let Some(e) = self.cached(&out.realm) {
            return Ok(e);
        }
        let e = locate(&out.realm)?;
        self.remember(&out.realm, e.clone());
        Ok(e)
    }

    fn sent(&mut self, out: &Outgoing, reply_len: usize) {
        tracing::debug!(
            realm = %out.realm,
            sent = out.message.len(),
            received = reply_len,
            tcp_only = out.tcp_only,
            "KDC exchange"
        );
        self.last_request.clone_from(&out.message);
        self.messages.push(SentMessage {
            realm: out.realm.clone(),
            request_len: out.message.len(),
            reply_len,
            tcp_only: out.tcp_only,
        });
    }

    fn finish(self, cred: crate::exchange::Credential) -> Credential {
        tracing::info!(
            client = %cred.client,
            server = %cred.server,
            etype = ?cred.session_key.etype(),
            end_time = cred.end_time,
            kdc_offset = cred.kdc_offset,
            "got ticket"
        );
        let pa_type = preauth_type(&self.last_request);
        Credential::new(cred, pa_type, self.messages)
    }
}

/// The pre-authentication type in the AS-REQ that got the ticket (for the ccache's `pa_type`
/// entry, as MIT records it), if it carried one.
fn preauth_type(as_req: &[u8]) -> Option<i32> {
    use crate::asn1::constants::padata_type as pa;
    const KINDS: [i32; 4] = [
        pa::PA_ENC_TIMESTAMP,
        pa::PA_ENCRYPTED_CHALLENGE,
        pa::PA_PK_AS_REQ,
        pa::PA_SPAKE,
    ];
    let req: crate::asn1::AsReq = crate::asn1::decode(as_req).ok()?;
    req.0
        .padata
        .iter()
        .flatten()
        .map(|p| p.padata_type)
        .find(|t| KINDS.contains(t))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::principal::NT_PRINCIPAL;

    #[test]
    fn enterprise_names() {
        let p = parse_client_name("alice@samba.test", Some("SAMBA.TEST"), true).unwrap();
        assert_eq!(p.name_type, NT_ENTERPRISE);
        assert_eq!(p.components, vec![b"alice@samba.test".to_vec()]);
        assert_eq!(p.realm, b"SAMBA.TEST");
        let p = parse_client_name("alice@samba.test", None, true).unwrap();
        assert_eq!(p.realm, b"SAMBA.TEST");
        let p = parse_client_name("alice@samba.test@OTHER.TEST", None, true).unwrap();
        assert_eq!(p.components, vec![b"alice@samba.test".to_vec()]);
        assert_eq!(p.realm, b"OTHER.TEST");
        let p = parse_client_name("alice", Some("R"), true).unwrap();
        assert_eq!(
            (p.name_type, p.realm.as_slice()),
            (NT_ENTERPRISE, &b"R"[..])
        );
        assert!(matches!(
            parse_client_name("alice", None, true),
            Err(ClientError::NoDefaultRealm(_))
        ));
    }

    #[test]
    fn plain_names() {
        let p = parse_client_name("alice", Some("EXAMPLE.TEST"), false).unwrap();
        assert_eq!(p.to_string(), "alice@EXAMPLE.TEST");
        assert_eq!(p.name_type, NT_PRINCIPAL);
        let p = parse_client_name("host/h.example.test@R", None, false).unwrap();
        assert_eq!(p.components.len(), 2);
        assert!(matches!(
            parse_client_name("alice", None, false),
            Err(ClientError::NoDefaultRealm(_))
        ));
    }

    #[test]
    fn enctypes_from_libdefaults() {
        let cfg = Config::parse_str(
            "[libdefaults]\n default_tkt_enctypes = aes256-cts-hmac-sha1-96 arcfour-hmac \
             aes128-cts-hmac-sha1-96 des-cbc-crc\n permitted_enctypes = aes256-cts-hmac-sha1-96 \
             aes128-cts-hmac-sha1-96 arcfour-hmac\n allow_weak_crypto = true\n",
        )
        .unwrap();
        let ld = cfg.libdefaults();
        assert_eq!(request_enctypes(ld, None, true), vec![18, 23, 17]);
        assert_eq!(request_enctypes(ld, None, false), vec![18, 17]);
        assert_eq!(
            request_enctypes(ld, Some(&[18, 18, 23, 99]), false),
            vec![18]
        );
        assert_eq!(
            request_enctypes(ld, Some(&[20, 17]), true),
            vec![17],
            "20 not permitted"
        );
        let ld = LibDefaults::default();
        assert_eq!(request_enctypes(&ld, None, false), vec![18, 17, 20, 19]);
    }

    #[test]
    fn keys_narrow_the_enctypes() {
        let mut etypes = vec![18, 17, 20, 19];
        let keys = keys_for(
            vec![
                Key::random(EncryptionType::Aes128CtsHmacSha196),
                Key::random(EncryptionType::Rc4Hmac),
            ],
            &mut etypes,
        )
        .unwrap();
        assert_eq!(etypes, vec![17]);
        assert_eq!(keys.len(), 1);
        let mut etypes = vec![18];
        assert!(matches!(
            keys_for(vec![Key::random(EncryptionType::Rc4Hmac)], &mut etypes),
            Err(ClientError::NoEnctypes)
        ));
    }

    #[test]
    fn no_kdc_without_config_or_dns() {
        let client = Client::from_config_str(
            "[libdefaults]\n dns_lookup_kdc = false\n[realms]\n P.TEST = {\n  kdc = https://proxy/KdcProxy\n }\n",
        )
        .unwrap();
        let e = client.kdcs("NOPE.TEST").unwrap_err();
        assert!(e.to_string().contains("dns_lookup_kdc is false"), "{e}");
        let e = client.kdcs("P.TEST").unwrap_err();
        assert!(e.to_string().contains("proxy"), "{e}");
    }

    #[test]
    fn offset_clock() {
        let c = OffsetClock { offset_secs: -3600 };
        let d = SystemTime::now().duration_since(c.now()).unwrap();
        assert!(d >= Duration::from_secs(3599) && d <= Duration::from_secs(3601));
    }

    #[test]
    fn secret_debug_redacts() {
        let s = format!("{:?}", Secret::password("hunter2"));
        assert!(!s.contains("hunter2"));
    }
}
