//! KDC discovery through DNS SRV records (RFC 4120 §7.2.3.2): `_kerberos._udp.REALM` and
//! `_kerberos._tcp.REALM`, ordered by priority, then by weight (heaviest first).
//!
//! Names are queried fully qualified (with the trailing dot), so no search domain is ever appended, and
//! SRV targets are resolved to addresses by the same resolver.

use std::net::SocketAddr;
use std::time::Duration;

use hickory_resolver::Resolver;
use hickory_resolver::config::{ConnectionConfig, NameServerConfig, ResolverConfig, ResolverOpts};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::proto::rr::{RData, RecordType};

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

/// A DNS SRV locator for KDCs.
#[derive(Clone, Debug)]
pub struct SrvLocator {
    nameservers: Option<Vec<SocketAddr>>,
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
            timeout: Duration::from_secs(2),
        }
    }

    /// Ask only these name servers (for example a test server on loopback).
    pub fn with_nameservers(nameservers: Vec<SocketAddr>) -> Self {
        SrvLocator {
            nameservers: Some(nameservers),
            timeout: Duration::from_secs(2),
        }
    }

    /// The time allowed for each query.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    fn resolver(&self) -> Result<Resolver<TokioRuntimeProvider>, DiscoveryError> {
        let provider = TokioRuntimeProvider::default();
        let mut builder = match &self.nameservers {
            None => Resolver::builder_with_config(system_config()?, provider),
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
                Resolver::builder_with_config(ResolverConfig::from_name_servers(servers), provider)
            }
        };
        let mut opts = ResolverOpts::default();
        opts.timeout = self.timeout;
        opts.attempts = 1;
        opts.ndots = 0;
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
        std::thread::scope(|s| {
            s.spawn(|| {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| DiscoveryError::Runtime(e.to_string()))?;
                rt.block_on(self.kdcs_async(realm))
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
    Ok(ResolverConfig::from_name_servers(servers))
}
