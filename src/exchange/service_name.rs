//! Service names as users write them, turned into the principal a TGS-REQ asks for.
//!
//! * `service/host` and `service/host@REALM` → NT-SRV-INST `[service, host]`, sent exactly
//!   as written (no case change, no DNS).
//! * `service@host` (host-based, GSS style) → NT-SRV-HST `[service, host]`, with the host
//!   expanded as MIT's `krb5_sname_to_principal` does: canonicalized by DNS when
//!   `dns_canonicalize_hostname` asks for it (the driver's job: this module does no I/O; see
//!   [`HostBased`] and `Client::service_principals`), otherwise a name without a dot is
//!   qualified with `qualify_shortname`; then lowercased and stripped of a trailing dot.
//! * The realm, when not written, comes from `[domain_realm]` (`Config::realm_for_host`) of
//!   the final host name, else it is the client's realm, and the KDC's referrals (RFC 6806)
//!   lead further.
//!
//! ```
//! use kerberos_client::exchange::service_name::parse_service_name;
//! let p = parse_service_name("HTTP/Web.Example.Test", "EXAMPLE.TEST", None)?;
//! assert_eq!(p.to_string(), "HTTP/Web.Example.Test@EXAMPLE.TEST");
//! assert_eq!(p.name_type, 2);
//! let h = parse_service_name("host@Svc.Example.Test.", "EXAMPLE.TEST", None)?;
//! assert_eq!((h.to_string().as_str(), h.name_type), ("host/svc.example.test@EXAMPLE.TEST", 3));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::config::Config;
use crate::principal::{NT_SRV_HST, NT_SRV_INST, Principal};

/// A service name that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ServiceNameError {
    /// Nothing to ask for.
    #[error("empty service name {0:?}: write service/host, service/host@REALM or service@host")]
    Empty(String),
    /// No `/` and no `@`: a bare word is not a service principal.
    #[error("{0:?} is not a service name: write service/host, service/host@REALM or service@host")]
    NotAService(String),
    /// The principal syntax is wrong (escapes, several realms …).
    #[error("invalid service principal {0:?}: {1}")]
    Syntax(String, String),
}

fn realm_for(host: &str, client_realm: &str, config: Option<&Config>) -> String {
    config
        .and_then(|c| c.realm_for_host(host))
        .unwrap_or_else(|| client_realm.to_owned())
}

/// A host-based service name (`service@host`) before its host is expanded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HostBased<'a> {
    /// The service (`host`, `HTTP`, `cifs` …), kept as written.
    pub service: &'a str,
    /// The host as written.
    pub host: &'a str,
}

impl<'a> HostBased<'a> {
    /// `Some` when `spec` is written `service@host` (no `/`).
    pub fn parse(spec: &'a str) -> Option<Self> {
        let s = spec.trim();
        if s.contains('/') {
            return None;
        }
        let (service, host) = s.split_once('@')?;
        (!service.is_empty() && !host.is_empty()).then_some(HostBased { service, host })
    }

    /// The principal without DNS: the host qualified with `qualify` when it has no dot (and is
    /// not an address), lowercased, trailing dot dropped (MIT's expansion when DNS
    /// canonicalization is off or finds nothing).
    pub fn principal_without_dns(
        &self,
        qualify: Option<&str>,
        client_realm: &str,
        config: Option<&Config>,
    ) -> Principal {
        let host = qualify_shortname(self.host, qualify);
        host_based_service(self.service, &host, client_realm, config)
    }

    /// The principal for a host name that DNS canonicalized (see the driver).
    pub fn principal_for(
        &self,
        canonical_host: &str,
        client_realm: &str,
        config: Option<&Config>,
    ) -> Principal {
        host_based_service(self.service, canonical_host, client_realm, config)
    }
}

/// `host` with `.domain` appended when it has no dot and is not an IP address literal, and a
/// domain is given and not empty (MIT's `qualify_shortname`).
pub fn qualify_shortname(host: &str, domain: Option<&str>) -> String {
    let domain = domain.map(|d| d.trim_matches('.')).unwrap_or("");
    if host.contains('.') || host.contains(':') || domain.is_empty() {
        host.to_owned()
    } else {
        format!("{host}.{domain}")
    }
}

/// Parse a service name without any DNS (see the [module documentation](self)). A
/// host-based name is expanded as with `dns_canonicalize_hostname = false`, with the
/// configuration's `qualify_shortname` (the system's search domain, MIT's default when it is
/// not set, is the driver's to add).
pub fn parse_service_name(
    spec: &str,
    client_realm: &str,
    config: Option<&Config>,
) -> Result<Principal, ServiceNameError> {
    let s = spec.trim();
    if s.is_empty() {
        return Err(ServiceNameError::Empty(spec.to_owned()));
    }
    if s.contains('/') {
        // service/host[@REALM], MIT syntax, kept exactly as written.
        let mut p = Principal::parse_with_type(s, Some("\u{0}"), NT_SRV_INST)
            .map_err(|e| ServiceNameError::Syntax(spec.to_owned(), e.to_string()))?;
        if p.components.iter().any(|c| c.is_empty()) {
            return Err(ServiceNameError::Empty(spec.to_owned()));
        }
        if p.realm == b"\0" {
            let host = p
                .components
                .get(1)
                .map(|h| String::from_utf8_lossy(h).into_owned())
                .unwrap_or_default();
            p.realm = realm_for(&host, client_realm, config).into_bytes();
        }
        return Ok(p);
    }
    if let Some(hb) = HostBased::parse(s) {
        let qualify = config.and_then(|c| c.libdefaults().qualify_shortname.clone());
        return Ok(hb.principal_without_dns(qualify.as_deref(), client_realm, config));
    }
    match s.split_once('@') {
        Some(_) => Err(ServiceNameError::Empty(spec.to_owned())),
        None => Err(ServiceNameError::NotAService(spec.to_owned())),
    }
}

/// The NT-SRV-HST principal `service/host@REALM` for a host-based service name whose host is
/// final (canonicalized or qualified): lowercased, trailing dot dropped; the realm comes from
/// `[domain_realm]` of that host, else `client_realm`.
pub fn host_based_service(
    service: &str,
    host: &str,
    client_realm: &str,
    config: Option<&Config>,
) -> Principal {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let realm = realm_for(&host, client_realm, config);
    Principal::new(NT_SRV_HST, realm, [service.as_bytes(), host.as_bytes()])
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONF: &str = "[libdefaults]\n default_realm = EXAMPLE.TEST\n\
                        [domain_realm]\n .other.test = OTHER.TEST\n";

    #[test]
    fn forms() -> Result<(), Box<dyn std::error::Error>> {
        let conf = Config::parse_str(CONF)?;
        let p = parse_service_name("host/svc.other.test", "EXAMPLE.TEST", Some(&conf))?;
        assert_eq!(p.to_string(), "host/svc.other.test@OTHER.TEST");
        assert_eq!(p.name_type, NT_SRV_INST);
        let p = parse_service_name("HTTP/Web.Example.Test@X.TEST", "EXAMPLE.TEST", Some(&conf))?;
        assert_eq!(p.to_string(), "HTTP/Web.Example.Test@X.TEST");
        let p = parse_service_name("host/unknown.net", "EXAMPLE.TEST", Some(&conf))?;
        assert_eq!(p.realm, b"EXAMPLE.TEST");
        // Host-based: lowercased, trailing dot dropped, realm from the final host.
        let p = parse_service_name("host@SVC.Other.Test.", "EXAMPLE.TEST", Some(&conf))?;
        assert_eq!(p.name_type, NT_SRV_HST);
        assert_eq!(p.to_string(), "host/svc.other.test@OTHER.TEST");
        // Short names are qualified only when qualify_shortname says how.
        let p = parse_service_name("host@Svc", "EXAMPLE.TEST", Some(&conf))?;
        assert_eq!(p.to_string(), "host/svc@EXAMPLE.TEST");
        let q = Config::parse_str(&format!(
            "{CONF}[libdefaults]\n qualify_shortname = other.test\n"
        ))?;
        let p = parse_service_name("host@Svc", "EXAMPLE.TEST", Some(&q))?;
        assert_eq!(p.to_string(), "host/svc.other.test@OTHER.TEST");
        let p = parse_service_name("host@127.0.0.1", "EXAMPLE.TEST", Some(&q))?;
        assert_eq!(p.to_string(), "host/127.0.0.1@EXAMPLE.TEST");
        let off = Config::parse_str(&format!("{CONF}[libdefaults]\n qualify_shortname = \"\"\n"))?;
        assert_eq!(off.libdefaults().qualify_shortname.as_deref(), Some(""));
        let p = parse_service_name("host@svc", "EXAMPLE.TEST", Some(&off))?;
        assert_eq!(p.to_string(), "host/svc@EXAMPLE.TEST");
        assert_eq!(
            HostBased::parse(" HTTP@web "),
            Some(HostBased {
                service: "HTTP",
                host: "web"
            })
        );
        assert_eq!(HostBased::parse("HTTP/web@R"), None);
        assert!(matches!(
            parse_service_name("alice", "EXAMPLE.TEST", None),
            Err(ServiceNameError::NotAService(_))
        ));
        assert!(parse_service_name("", "EXAMPLE.TEST", None).is_err());
        assert!(parse_service_name("@host", "EXAMPLE.TEST", None).is_err());
        assert!(parse_service_name("host/", "EXAMPLE.TEST", None).is_err());
        Ok(())
    }
}
