//! Service tickets through the façade: the TGS exchange driven over the client's transports
//! (UDP/TCP or the realm's KDC proxy), with an in-memory, thread-safe ticket cache.

use std::collections::HashMap;
use std::sync::Mutex;

use super::{Client, ClientError, Credential};
use crate::asn1::constants::error_code::KDC_ERR_S_PRINCIPAL_UNKNOWN;
use crate::config::DnsCanonicalize;
use crate::exchange::service_name::{HostBased, parse_service_name};
use crate::exchange::{self, TgsExchange, TgsOptions, TgsRequest};
use crate::principal::Principal;

/// Tickets are reused while they have at least this long left (KDC clock).
const MIN_REMAINING_SECS: i64 = 60;

/// A finished TGS exchange: the ticket, and the cross-realm TGTs met on the way.
#[derive(Clone, Debug)]
pub struct ServiceTicket {
    /// The service ticket.
    pub credential: Credential,
    /// Cross-realm and referral TGTs, in the order they were obtained.
    pub intermediate_tgts: Vec<exchange::Credential>,
    /// The realms asked, in order.
    pub realms: Vec<String>,
}

impl ServiceTicket {
    fn of(ex: &TgsExchange, credential: Credential) -> Self {
        ServiceTicket {
            credential,
            intermediate_tgts: ex.intermediate_tgts().to_vec(),
            realms: ex.realms_visited().to_vec(),
        }
    }
}

/// Service tickets by (client, server), shared by clones of a [`Client`].
#[derive(Debug, Default)]
pub(crate) struct TicketCache {
    tickets: Mutex<HashMap<(String, String), exchange::Credential>>,
}

impl TicketCache {
    fn get(
        &self,
        client: &Principal,
        server: &Principal,
        kdc_now: i64,
    ) -> Option<exchange::Credential> {
        let map = self.tickets.lock().ok()?;
        let cred = map.get(&(client.to_string(), server.to_string()))?;
        (cred.end_time - kdc_now >= MIN_REMAINING_SECS).then(|| cred.clone())
    }

    fn put(&self, requested: &Principal, cred: &exchange::Credential) {
        if let Ok(mut map) = self.tickets.lock() {
            map.retain(|_, c| c.end_time > cred.auth_time);
            map.insert(
                (cred.client.to_string(), requested.to_string()),
                cred.clone(),
            );
        }
    }

    /// Forget every cached ticket.
    pub(crate) fn clear(&self) {
        if let Ok(mut map) = self.tickets.lock() {
            map.clear();
        }
    }
}

/// What a service name asks for first.
enum FirstName<'a> {
    /// This principal, no DNS needed.
    Ready(Principal),
    /// A host-based name whose host DNS canonicalizes first (`dns_canonicalize_hostname = true`).
    Canonicalize(HostBased<'a>),
}

#[cfg(feature = "dns")]
fn found_or_none(
    host: &str,
    found: Result<Option<String>, crate::transport::discovery::DiscoveryError>,
) -> Option<String> {
    found
        .inspect_err(|e| tracing::debug!(%host, error = %e, "hostname canonicalization failed"))
        .ok()
        .flatten()
}

#[cfg(not(feature = "dns"))]
fn no_dns(host: &str) -> Option<String> {
    tracing::debug!(%host, "no hostname canonicalization: this build has no DNS support (feature `dns`)");
    None
}

impl Client {
    /// A service ticket for `spn`, from the in-memory cache while a cached one has more than a
    /// minute left.
    ///
    /// `service/host[@REALM]` is sent exactly as written; `service@host` (host-based) is
    /// expanded as [`service_principal`](Self::service_principal) says, and with
    /// `dns_canonicalize_hostname = fallback` a `KDC_ERR_S_PRINCIPAL_UNKNOWN` for the name
    /// as written is followed by one more request for the DNS-canonicalized name (MIT 1.18+).
    /// The realm comes from `[domain_realm]`, else the TGT's realm and the KDC's referrals.
    pub fn get_service_ticket(
        &self,
        tgt: &Credential,
        spn: &str,
    ) -> Result<Credential, ClientError> {
        let client_realm = tgt.client.realm_str();
        let server = self.service_principal(spn, &client_realm)?;
        match self.cached_or_fetch(tgt, &server) {
            Err(e) if e.kdc_error_code() == Some(KDC_ERR_S_PRINCIPAL_UNKNOWN) => {
                match self.fallback_principal(spn, &client_realm, &server) {
                    Some(canonical) => {
                        tracing::debug!(%server, %canonical, "unknown server: trying the DNS-canonical name");
                        self.cached_or_fetch(tgt, &canonical)
                    }
                    None => Err(e),
                }
            }
            other => other,
        }
    }

    fn cached_or_fetch(
        &self,
        tgt: &Credential,
        server: &Principal,
    ) -> Result<Credential, ClientError> {
        let kdc_now = tgt.kdc_time(self.clock.now());
        if let Some(hit) = self.tickets.get(&tgt.client, server, kdc_now) {
            tracing::debug!(%server, "service ticket from the in-memory cache");
            return Ok(hit.into());
        }
        let options = self.tgs_options(&tgt.client.realm_str())?;
        let ticket = self.get_service_ticket_with(tgt, server.clone(), options)?;
        self.tickets.put(server, &ticket.credential);
        Ok(ticket.credential)
    }

    /// The principal a service name asks for first, like MIT's `krb5_sname_to_principal`:
    ///
    /// * `service/host[@REALM]`: exactly as written (realm from `[domain_realm]`, else
    ///   `client_realm`);
    /// * `service@host` with `dns_canonicalize_hostname = true`: the host's canonical DNS name
    ///   (CNAMEs followed; with `rdns = true` the reverse name of its first address), through
    ///   the client's [`SrvLocator`](crate::transport::discovery::SrvLocator); when DNS finds
    ///   nothing, the name as below;
    /// * `service@host` otherwise (`false`, this library's default, or `fallback`): no DNS; a
    ///   host without a dot is qualified with `qualify_shortname` (when that is not set, the
    ///   system's first DNS search domain, as MIT does);
    ///
    /// and the host is lowercased, trailing dot dropped.
    pub fn service_principal(
        &self,
        spn: &str,
        client_realm: &str,
    ) -> Result<Principal, ClientError> {
        match self.first_name(spn, client_realm)? {
            FirstName::Ready(p) => Ok(p),
            FirstName::Canonicalize(hb) => {
                let canonical = self.dns_canonical_host(hb.host);
                Ok(self.host_based_principal(&hb, canonical, client_realm))
            }
        }
    }

    /// The first name to ask for, or the host-based name whose host DNS canonicalizes first.
    fn first_name<'a>(
        &self,
        spn: &'a str,
        client_realm: &str,
    ) -> Result<FirstName<'a>, ClientError> {
        let Some(hb) = HostBased::parse(spn) else {
            let p = parse_service_name(spn, client_realm, Some(&self.config))?;
            return Ok(FirstName::Ready(p));
        };
        if self.config.libdefaults().dns_canonicalize_hostname == DnsCanonicalize::Yes {
            return Ok(FirstName::Canonicalize(hb));
        }
        Ok(FirstName::Ready(
            self.principal_without_dns(&hb, client_realm),
        ))
    }

    /// The principal of a host-based name from its DNS name, or without DNS when there is none.
    fn host_based_principal(
        &self,
        hb: &HostBased<'_>,
        canonical: Option<String>,
        client_realm: &str,
    ) -> Principal {
        match canonical {
            Some(host) => hb.principal_for(&host, client_realm, Some(&self.config)),
            None => self.principal_without_dns(hb, client_realm),
        }
    }

    /// With `dns_canonicalize_hostname = fallback`, the DNS-canonical principal to try after
    /// `first` was unknown to the KDC (`None` when it is the same name or DNS finds nothing).
    fn fallback_principal(
        &self,
        spn: &str,
        client_realm: &str,
        first: &Principal,
    ) -> Option<Principal> {
        let hb = self.falls_back(spn)?;
        let host = self.dns_canonical_host(hb.host)?;
        let p = hb.principal_for(&host, client_realm, Some(&self.config));
        (p != *first).then_some(p)
    }

    /// The host-based name of `spn` when `dns_canonicalize_hostname = fallback` applies to it.
    fn falls_back<'a>(&self, spn: &'a str) -> Option<HostBased<'a>> {
        (self.config.libdefaults().dns_canonicalize_hostname == DnsCanonicalize::Fallback)
            .then(|| HostBased::parse(spn))
            .flatten()
    }

    fn principal_without_dns(&self, hb: &HostBased<'_>, client_realm: &str) -> Principal {
        let qualify = if hb.host.contains('.') {
            None
        } else {
            match &self.config.libdefaults().qualify_shortname {
                Some(domain) => Some(domain.clone()),
                None => crate::transport::resolv_conf::primary_domain(),
            }
        };
        hb.principal_without_dns(qualify.as_deref(), client_realm, Some(&self.config))
    }

    /// The canonical DNS name of `host`, or `None` when DNS has none (or cannot be asked).
    fn dns_canonical_host(&self, host: &str) -> Option<String> {
        #[cfg(feature = "dns")]
        return found_or_none(host, self.resolver().canonical_host(host, self.rdns()));
        #[cfg(not(feature = "dns"))]
        no_dns(host)
    }

    #[cfg(feature = "tokio")]
    async fn dns_canonical_host_async(&self, host: &str) -> Option<String> {
        #[cfg(feature = "dns")]
        return found_or_none(
            host,
            self.resolver()
                .canonical_host_async(host, self.rdns())
                .await,
        );
        #[cfg(not(feature = "dns"))]
        no_dns(host)
    }

    #[cfg(feature = "dns")]
    fn resolver(&self) -> crate::transport::discovery::SrvLocator {
        self.locator.clone().unwrap_or_default()
    }

    #[cfg(feature = "dns")]
    fn rdns(&self) -> bool {
        self.config.libdefaults().rdns
    }

    /// Async form of [`service_principal`](Self::service_principal).
    #[cfg(feature = "tokio")]
    pub async fn service_principal_async(
        &self,
        spn: &str,
        client_realm: &str,
    ) -> Result<Principal, ClientError> {
        match self.first_name(spn, client_realm)? {
            FirstName::Ready(p) => Ok(p),
            FirstName::Canonicalize(hb) => {
                let canonical = self.dns_canonical_host_async(hb.host).await;
                Ok(self.host_based_principal(&hb, canonical, client_realm))
            }
        }
    }

    /// The TGS exchange with explicit options (S4U2Self/S4U2Proxy, user-to-user, renew,
    /// validate, subkeys…); never cached.
    pub fn get_service_ticket_with(
        &self,
        tgt: &Credential,
        server: Principal,
        options: TgsOptions,
    ) -> Result<ServiceTicket, ClientError> {
        self.run_tgs(TgsRequest {
            tgt: (**tgt).clone(),
            server,
            options,
        })
    }

    /// Drive one TGS exchange to its end over the client's transports.
    fn run_tgs(&self, request: TgsRequest) -> Result<ServiceTicket, ClientError> {
        let span =
            tracing::info_span!("tgs", client = %request.tgt.client, server = %request.server);
        let _guard = span.enter();
        let mut ex = TgsExchange::new(request, self.clock.now())?;
        let credential = self.drive(&mut ex)?;
        Ok(ServiceTicket::of(&ex, credential))
    }

    /// Async form of [`get_service_ticket`](Self::get_service_ticket) on tokio.
    #[cfg(feature = "tokio")]
    pub async fn get_service_ticket_async(
        &self,
        tgt: &Credential,
        spn: &str,
    ) -> Result<Credential, ClientError> {
        let client_realm = tgt.client.realm_str();
        let server = self.service_principal_async(spn, &client_realm).await?;
        match self.cached_or_fetch_async(tgt, &server).await {
            Err(e) if e.kdc_error_code() == Some(KDC_ERR_S_PRINCIPAL_UNKNOWN) => {
                let fallback = match self.falls_back(spn) {
                    Some(hb) => self
                        .dns_canonical_host_async(hb.host)
                        .await
                        .map(|h| hb.principal_for(&h, &client_realm, Some(&self.config)))
                        .filter(|p| *p != server),
                    None => None,
                };
                match fallback {
                    Some(canonical) => self.cached_or_fetch_async(tgt, &canonical).await,
                    None => Err(e),
                }
            }
            other => other,
        }
    }

    #[cfg(feature = "tokio")]
    async fn cached_or_fetch_async(
        &self,
        tgt: &Credential,
        server: &Principal,
    ) -> Result<Credential, ClientError> {
        let kdc_now = tgt.kdc_time(self.clock.now());
        if let Some(hit) = self.tickets.get(&tgt.client, server, kdc_now) {
            return Ok(hit.into());
        }
        let options = self.tgs_options(&tgt.client.realm_str())?;
        let ticket = self
            .run_tgs_async(TgsRequest {
                tgt: (**tgt).clone(),
                server: server.clone(),
                options,
            })
            .await?;
        self.tickets.put(server, &ticket.credential);
        Ok(ticket.credential)
    }

    /// Async form of [`get_service_ticket_with`](Self::get_service_ticket_with) on tokio.
    #[cfg(feature = "tokio")]
    pub async fn get_service_ticket_with_async(
        &self,
        tgt: &Credential,
        server: Principal,
        options: TgsOptions,
    ) -> Result<ServiceTicket, ClientError> {
        self.run_tgs_async(TgsRequest {
            tgt: (**tgt).clone(),
            server,
            options,
        })
        .await
    }

    #[cfg(feature = "tokio")]
    async fn run_tgs_async(&self, request: TgsRequest) -> Result<ServiceTicket, ClientError> {
        use tracing::Instrument;
        let span =
            tracing::info_span!("tgs", client = %request.tgt.client, server = %request.server);
        async move {
            let mut ex = TgsExchange::new(request, self.clock.now())?;
            let credential = self.drive_async(&mut ex).await?;
            Ok(ServiceTicket::of(&ex, credential))
        }
        .instrument(span)
        .await
    }

    /// Renew a renewable ticket (usually the TGT) before its renew-till.
    pub fn renew(&self, ticket: &Credential) -> Result<Credential, ClientError> {
        let mut request = TgsRequest::renew((**ticket).clone());
        let defaults = self.tgs_options(&ticket.client.realm_str())?;
        request.options.etypes = defaults.etypes;
        request.options.allow_weak_crypto = defaults.allow_weak_crypto;
        request.options.clock_skew = defaults.clock_skew;
        Ok(self.run_tgs(request)?.credential)
    }

    /// Forget the service tickets cached in memory.
    pub fn clear_ticket_cache(&self) {
        self.tickets.clear();
    }

    /// TGS options from `[libdefaults]`: `default_tgs_enctypes` within `permitted_enctypes`, RC4
    /// only with `allow_weak_crypto`.
    pub fn tgs_options(&self, realm: &str) -> Result<TgsOptions, ClientError> {
        let ld = self.config.libdefaults_for_realm(realm)?;
        let etypes =
            super::request_enctypes(&ld, Some(&ld.default_tgs_enctypes), ld.allow_weak_crypto);
        if etypes.is_empty() {
            return Err(ClientError::NoEnctypes);
        }
        Ok(TgsOptions {
            etypes,
            allow_weak_crypto: ld.allow_weak_crypto,
            clock_skew: ld.clockskew,
            ..TgsOptions::default()
        })
    }
}
