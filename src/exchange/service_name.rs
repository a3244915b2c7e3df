//! Service names as users write them, turned into the principal a TGS-REQ asks for.
//!
//! * `service/host` and `service/host@REALM` → NT-SRV-INST `[service, host]`, sent exactly
//!   as written (no case change, no DNS).
//! * `service@host` (host-based, GSS style) → NT-SRV-HST `[service, host]`; the host is
//!   lowercased (and a trailing dot dropped) only when hostname canonicalization is on
//!   (`dns_canonicalize_hostname` other than `false`). No DNS lookups happen here (the
//!   library is sans-IO): a driver that wants DNS canonicalization (or `rdns`) resolves
//!   the host first and passes the canonical name.
//! * The realm, when not written, comes from `[domain_realm]` (`Config::realm_for_host`),
//!   else it is the client's realm, and the KDC's referrals (RFC 6806) lead further.
//!
//! ```
//! use kerberos_client::exchange::service_name::parse_service_name;
//! let p = parse_service_name("HTTP/Web.Example.Test", "EXAMPLE.TEST", None)?;
//! assert_eq!(p.to_string(), "HTTP/Web.Example.Test@EXAMPLE.TEST");
//! assert_eq!(p.name_type, 2);
//! let h = parse_service_name("host@svc.example.test", "EXAMPLE.TEST", None)?;
//! assert_eq!((h.to_string().as_str(), h.name_type), ("host/svc.example.test@EXAMPLE.TEST", 3));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::config::{Config, DnsCanonicalize};
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

/// Whether the configuration asks for hostname canonicalization (lowercasing here).
fn canonicalize_hosts(config: Option<&Config>) -> bool {
    config.is_some_and(|c| c.libdefaults().dns_canonicalize_hostname != DnsCanonicalize::No)
}

fn realm_for(host: &str, client_realm: &str, config: Option<&Config>) -> String {
    config
        .and_then(|c| c.realm_for_host(host))
        .unwrap_or_else(|| client_realm.to_owned())
}

/// Parse a service name (see the [module documentation](self)).
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
    match s.split_once('@') {
        Some((service, host)) if !service.is_empty() && !host.is_empty() => {
            Ok(host_based_service(service, host, client_realm, config))
        }
        Some(_) => Err(ServiceNameError::Empty(spec.to_owned())),
        None => Err(ServiceNameError::NotAService(spec.to_owned())),
    }
}

/// The NT-SRV-HST principal `service/host@REALM` for a host-based service name. The host
/// is lowercased (trailing dot dropped) only when `config` enables hostname
/// canonicalization; the realm comes from `[domain_realm]`, else `client_realm`.
pub fn host_based_service(
    service: &str,
    host: &str,
    client_realm: &str,
    config: Option<&Config>,
) -> Principal {
    let host = if canonicalize_hosts(config) {
        host.trim_end_matches('.').to_ascii_lowercase()
    } else {
        host.to_owned()
    };
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
        let p = parse_service_name("host@SVC.Other.Test.", "EXAMPLE.TEST", Some(&conf))?;
        assert_eq!(p.name_type, NT_SRV_HST);
        assert_eq!(p.to_string(), "host/SVC.Other.Test.@OTHER.TEST");
        let canon = Config::parse_str(&format!(
            "{CONF}[libdefaults]\n dns_canonicalize_hostname = true\n"
        ))?;
        let p = parse_service_name("host@SVC.Other.Test.", "EXAMPLE.TEST", Some(&canon))?;
        assert_eq!(p.to_string(), "host/svc.other.test@OTHER.TEST");
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
