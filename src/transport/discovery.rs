//! The library's DNS access (feature `dns`): KDC discovery through SRV records and hostname
//! canonicalization for host-based service names.
//!
//! * SRV discovery (RFC 4120 §7.2.3.2): `_kerberos._udp.REALM` and `_kerberos._tcp.REALM`, ordered
//!   by priority, then by weight (heaviest first). Names are queried fully qualified (with the
//!   trailing dot), so no search domain is ever appended, and SRV targets are resolved to
//!   addresses by the same resolver.
//! * Hostname canonicalization ([`SrvLocator::canonical_host`]), as MIT krb5 does it for
//!   `dns_canonicalize_hostname = true`: a forward lookup of the host (search domains apply to
//!   names without a dot, and CNAME chains are followed) gives the canonical name, the owner of
//!   the address records; with `rdns = true` the first address is then looked up in reverse,
//!   and its PTR name wins when there is one.

use std::net::SocketAddr;
use std::time::Duration;

use hickory_resolver::Resolver;
use hickory_resolver::config::{
    ConnectionConfig, NameServerConfig, ResolveHosts, ResolverConfig, ResolverOpts,
};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::proto::rr::{Name, RData, RecordType};

use super::{KdcEndpoint, Protocol};

/// Why discovery failed.
#[derive(Debug, thiserror::Error)]
pub enum DiscoveryError {
    /// The system resolver configuration could not be read.
    #[error("cannot read the system DNS configuration: {0}")]
    SystemConfig(String),
    /// The realm is not a valid DNS name.
    #[error("realm {0:?} is not a valid DNS name")]
    BadName(String),
    /// The resolver could not be started.
    #[error("cannot start the DNS resolver: {0}")]
    Runtime(String),
}

/// The DNS resolver the client uses: SRV discovery of KDCs and hostname canonicalization.
#[derive(Clone, Debug)]
pub struct SrvLocator {
    nameservers: Option<Vec<SocketAddr>>,
    search: Vec<String>,
    timeout: Duration,
}

impl Default for SrvLocator {
    fn default() -> Self {
        Self::system()
    }
}

impl SrvLocator {
    /// Use the system's resolvers (`/etc/resolv.conf`).
    pub fn system() -> Self {
        SrvLocator {
            nameservers: None,
            search: Vec::new(),
            timeout: Duration::from_secs(2),
        }
    }

    /// Ask only these name servers (for example a test server on loopback).
    pub fn with_nameservers(nameservers: Vec<SocketAddr>) -> Self {
        SrvLocator {
            nameservers: Some(nameservers),
            search: Vec::new(),
            timeout: Duration::from_secs(2),
        }
    }

    /// The time allowed for each query.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Search domains for host names without a dot (hostname canonicalization only; SRV names
    /// are always fully qualified). With [`SrvLocator::system`] the `search`/`domain` lines of
    /// `/etc/resolv.conf` are used as well, after these.
    pub fn search_domains(mut self, domains: Vec<String>) -> Self {
        self.search = domains;
        self
    }

    fn resolver(&self) -> Result<Resolver<TokioRuntimeProvider>, DiscoveryError> {
        let provider = TokioRuntimeProvider::default();
        let mut builder = match &self.nameservers {
            None => {
                // Our search domains first, then the system's.
                let (domain, system_search, servers) = system_config()?.into_parts();
                let mut search = self.search_names()?;
                search.extend(system_search);
                let config = ResolverConfig::from_parts(domain, search, servers);
                Resolver::builder_with_config(config, provider)
            }
            Some(list) => {
                let servers = list
                    .iter()
                    .map(|a| {
                        let mut udp = ConnectionConfig::udp();
                        udp.port = a.port();
                        let mut tcp = ConnectionConfig::tcp();
                        tcp.port = a.port();
                        NameServerConfig::new(a.ip(), true, vec![udp, tcp])
                    })
                    .collect();
                let config = ResolverConfig::from_parts(None, self.search_names()?, servers);
                Resolver::builder_with_config(config, provider)
            }
        };
        let mut opts = ResolverOpts::default();
        opts.timeout = self.timeout;
        opts.attempts = 1;
        // Like the C resolver's default: a name with a dot is tried as it is first.
        opts.ndots = 1;
        // Explicit name servers (a test server) mean only those; the system configuration
        // includes /etc/hosts, as getaddrinfo does.
        opts.use_hosts_file = if self.nameservers.is_some() {
            ResolveHosts::Never
        } else {
            ResolveHosts::Always
        };
        *builder.options_mut() = opts;
        builder
            .build()
            .map_err(|e| DiscoveryError::Runtime(e.to_string()))
    }

    /// The KDCs of `realm` from SRV records, UDP entries first, then TCP; empty if there are none.
    pub async fn kdcs_async(&self, realm: &str) -> Result<Vec<KdcEndpoint>, DiscoveryError> {
        let resolver = self.resolver()?;
        let mut out = Vec::new();
        for (label, protocol) in [("_udp", Protocol::Udp), ("_tcp", Protocol::Tcp)] {
            let name = format!("_kerberos.{label}.{}.", realm.trim_end_matches('.'));
            if name.len() > 253 || realm.is_empty() {
                return Err(DiscoveryError::BadName(realm.to_owned()));
            }
            let lookup = match resolver.lookup(name.as_str(), RecordType::SRV).await {
                Ok(l) => l,
                Err(e) => {
                    tracing::debug!(%name, error = %e, "SRV lookup found nothing");
                    continue;
                }
            };
            let mut records: Vec<(u16, u16, String, u16)> = lookup
                .answers()
                .iter()
                .filter_map(|r| match &r.data {
                    RData::SRV(srv) => {
                        let target = srv.target.to_utf8();
                        let host = target.trim_end_matches('.').to_owned();
                        // A target of "." means the service is decidedly not available.
                        (!host.is_empty()).then_some((srv.priority, srv.weight, host, srv.port))
                    }
                    _ => None,
                })
                .collect();
            records.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
            tracing::debug!(%name, found = records.len(), "SRV lookup");
            for (_, _, host, port) in records {
                // Resolve the targets with the same resolver, so the transport gets IP literals and
                // never falls back to another resolver for these names.
                match resolver.lookup_ip(format!("{host}.")).await {
                    Ok(ips) => {
                        out.extend(ips.iter().map(|ip| {
                            KdcEndpoint::new(ip.to_string(), port).with_protocol(protocol)
                        }))
                    }
                    Err(e) => tracing::debug!(%host, error = %e, "SRV target does not resolve"),
                }
            }
        }
        Ok(out)
    }

    /// Blocking form of [`SrvLocator::kdcs_async`]; safe to call from any thread, including one that
    /// runs an async runtime (the lookup runs on a helper thread of its own).
    pub fn kdcs(&self, realm: &str) -> Result<Vec<KdcEndpoint>, DiscoveryError> {
        self.block_on(self.kdcs_async(realm))
    }

    fn search_names(&self) -> Result<Vec<Name>, DiscoveryError> {
        self.search
            .iter()
            .map(|d| {
                Name::from_utf8(format!("{}.", d.trim_end_matches('.')))
                    .map_err(|_| DiscoveryError::BadName(d.clone()))
            })
            .collect()
    }

    /// The canonical name of `host` (lower case, no trailing dot), as MIT krb5 finds it for
    /// `dns_canonicalize_hostname = true`: the owner name of the address records the forward
    /// lookup ends at (after CNAMEs and search domains), then, when `rdns` is true, the PTR
    /// name of the first address if it has one. `Ok(None)` when the forward lookup finds
    /// nothing (the caller then uses the name without DNS, as MIT does).
    pub async fn canonical_host_async(
        &self,
        host: &str,
        rdns: bool,
    ) -> Result<Option<String>, DiscoveryError> {
        let resolver = self.resolver()?;
        let literal = host.parse::<std::net::IpAddr>().ok();
        let (forward, first_ip) = match literal {
            // An address literal is its own forward name (getaddrinfo's ai_canonname).
            Some(ip) => (host.to_owned(), ip),
            None => {
                if Name::from_utf8(host).is_err() || host.is_empty() {
                    return Err(DiscoveryError::BadName(host.to_owned()));
                }
                let lookup = match resolver.lookup_ip(host).await {
                    Ok(l) => l,
                    Err(e) => {
                        tracing::debug!(%host, error = %e, "forward lookup found nothing");
                        return Ok(None);
                    }
                };
                let Some(ip) = lookup.iter().next() else {
                    return Ok(None);
                };
                let owner = lookup
                    .as_lookup()
                    .answers()
                    .iter()
                    .find(|r| matches!(r.data, RData::A(_) | RData::AAAA(_)))
                    .map(|r| r.name.to_utf8())
                    .unwrap_or_else(|| lookup.query().name().to_utf8());
                (owner, ip)
            }
        };
        let mut canonical = forward;
        if rdns {
            match resolver.reverse_lookup(Name::from(first_ip)).await {
                Ok(ptr) => {
                    if let Some(name) = ptr.answers().iter().find_map(|r| match &r.data {
                        RData::PTR(p) => Some(p.0.to_utf8()),
                        _ => None,
                    }) {
                        canonical = name;
                    }
                }
                Err(e) => tracing::debug!(ip = %first_ip, error = %e, "no reverse name"),
            }
        }
        let canonical = canonical.trim_end_matches('.').to_ascii_lowercase();
        tracing::debug!(%host, %canonical, rdns, "canonicalized host name");
        Ok((!canonical.is_empty()).then_some(canonical))
    }

    /// Blocking form of [`SrvLocator::canonical_host_async`] (runs on a helper thread, like
    /// [`SrvLocator::kdcs`]).
    pub fn canonical_host(&self, host: &str, rdns: bool) -> Result<Option<String>, DiscoveryError> {
        self.block_on(self.canonical_host_async(host, rdns))
    }

    fn block_on<T: Send>(
        &self,
        fut: impl std::future::Future<Output = Result<T, DiscoveryError>> + Send,
    ) -> Result<T, DiscoveryError> {
        std::thread::scope(|s| {
            s.spawn(|| {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| DiscoveryError::Runtime(e.to_string()))?;
                rt.block_on(fut)
            })
            .join()
            .unwrap_or_else(|_| Err(DiscoveryError::Runtime("resolver thread failed".into())))
        })
    }
}

fn system_config() -> Result<ResolverConfig, DiscoveryError> {
    let text = std::fs::read_to_string("/etc/resolv.conf")
        .map_err(|e| DiscoveryError::SystemConfig(e.to_string()))?;
    let servers: Vec<NameServerConfig> = text
        .lines()
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            (words.next() == Some("nameserver"))
                .then(|| words.next())
                .flatten()
                .and_then(|ip| ip.parse().ok())
        })
        .map(NameServerConfig::udp_and_tcp)
        .collect();
    if servers.is_empty() {
        return Err(DiscoveryError::SystemConfig(
            "no nameserver in /etc/resolv.conf".into(),
        ));
    }
    let search = super::resolv_conf::search_domains_in(&text)
        .iter()
        .filter_map(|d| Name::from_utf8(format!("{d}.")).ok())
        .collect();
    Ok(ResolverConfig::from_parts(None, search, servers))
}
