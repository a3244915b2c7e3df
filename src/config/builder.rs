//! Programmatic configurations.

use std::time::Duration;

use super::kdc::{KADMIN_PORT, KDC_PORT, KPASSWD_PORT, KdcLocation};
use super::profile::{Origin, Profile, ProfileFile, Section};
use super::{Config, ConfigError, DnsCanonicalize};

/// Builds a [`Config`] as if from a krb5.conf: every setter adds a relation
/// to an in-memory profile, which is then interpreted exactly like a file.
///
/// ```
/// use std::time::Duration;
/// use kerberos_client::config::Config;
///
/// let cfg = Config::builder()
///     .default_realm("EXAMPLE.COM")
///     .kdc("EXAMPLE.COM", "127.0.0.1:60088")
///     .kdc("EXAMPLE.COM", "tcp/[::1]:60088")
///     .domain_realm(".example.com", "EXAMPLE.COM")
///     .forwardable(true)
///     .ticket_lifetime(Duration::from_secs(3600))
///     .build()
///     .unwrap();
/// assert_eq!(cfg.kdcs("EXAMPLE.COM").len(), 2);
/// assert!(cfg.libdefaults().forwardable);
/// ```
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct ConfigBuilder {
    root: Section,
    /// Server locations to validate at `build` time: (tag, value, port).
    locations: Vec<(String, String, u16)>,
}

fn secs(d: Duration) -> String {
    d.as_secs().to_string()
}

fn enctype_list(list: &[i32]) -> String {
    list.iter()
        .map(i32::to_string)
        .collect::<Vec<_>>()
        .join(" ")
}

impl ConfigBuilder {
    /// An empty builder (all defaults).
    pub fn new() -> Self {
        ConfigBuilder::default()
    }

    /// Adds `tag = value` under `path` (`["libdefaults"]`,
    /// `["realms", "EXAMPLE.COM"]`, ...). Values added for the same tag
    /// are kept in order.
    pub fn relation(mut self, path: &[&str], tag: &str, value: &str) -> Self {
        self.root.add_relation(path, tag, value);
        self
    }

    /// Adds a raw `[libdefaults]` relation.
    pub fn libdefault(self, tag: &str, value: &str) -> Self {
        self.relation(&["libdefaults"], tag, value)
    }

    fn realm_location(mut self, realm: &str, tag: &str, value: &str, port: u16) -> Self {
        self.locations
            .push((format!("{realm} {tag}"), value.to_owned(), port));
        self.relation(&["realms", realm], tag, value)
    }

    /// `default_realm`.
    pub fn default_realm(self, realm: &str) -> Self {
        self.libdefault("default_realm", realm)
    }
    /// Adds a `kdc` for `realm` (any form [`KdcLocation::parse`] accepts).
    pub fn kdc(self, realm: &str, location: &str) -> Self {
        self.realm_location(realm, "kdc", location, KDC_PORT)
    }
    /// Adds a `primary_kdc` for `realm`.
    pub fn primary_kdc(self, realm: &str, location: &str) -> Self {
        self.realm_location(realm, "primary_kdc", location, KDC_PORT)
    }
    /// Adds an `admin_server` for `realm`.
    pub fn admin_server(self, realm: &str, location: &str) -> Self {
        self.realm_location(realm, "admin_server", location, KADMIN_PORT)
    }
    /// Adds a `kpasswd_server` for `realm`.
    pub fn kpasswd_server(self, realm: &str, location: &str) -> Self {
        self.realm_location(realm, "kpasswd_server", location, KPASSWD_PORT)
    }
    /// Sets `default_domain` for `realm`.
    pub fn default_domain(self, realm: &str, domain: &str) -> Self {
        self.relation(&["realms", realm], "default_domain", domain)
    }
    /// Adds a `[domain_realm]` mapping (`.example.com` for a domain,
    /// `host.example.com` for one host).
    pub fn domain_realm(self, domain: &str, realm: &str) -> Self {
        self.relation(&["domain_realm"], domain, realm)
    }
    /// Adds `[capaths] client = { server = intermediate... }`; an empty
    /// list writes `.` (direct).
    pub fn capath(mut self, client: &str, server: &str, intermediates: &[&str]) -> Self {
        if intermediates.is_empty() {
            return self.relation(&["capaths", client], server, ".");
        }
        for r in intermediates {
            self = self.relation(&["capaths", client], server, r);
        }
        self
    }
    /// `dns_lookup_kdc`.
    pub fn dns_lookup_kdc(self, v: bool) -> Self {
        self.libdefault("dns_lookup_kdc", &v.to_string())
    }
    /// `dns_lookup_realm`.
    pub fn dns_lookup_realm(self, v: bool) -> Self {
        self.libdefault("dns_lookup_realm", &v.to_string())
    }
    /// `udp_preference_limit` (use 1 to always use TCP).
    pub fn udp_preference_limit(self, bytes: u32) -> Self {
        self.libdefault("udp_preference_limit", &bytes.to_string())
    }
    /// `kdc_timeout` (whole seconds).
    pub fn kdc_timeout(self, d: Duration) -> Self {
        self.libdefault("kdc_timeout", &secs(d))
    }
    /// `request_timeout` (whole seconds).
    pub fn request_timeout(self, d: Duration) -> Self {
        self.libdefault("request_timeout", &secs(d))
    }
    /// `ticket_lifetime` (whole seconds).
    pub fn ticket_lifetime(self, d: Duration) -> Self {
        self.libdefault("ticket_lifetime", &secs(d))
    }
    /// `renew_lifetime` (whole seconds).
    pub fn renew_lifetime(self, d: Duration) -> Self {
        self.libdefault("renew_lifetime", &secs(d))
    }
    /// `clockskew` (whole seconds).
    pub fn clockskew(self, d: Duration) -> Self {
        self.libdefault("clockskew", &secs(d))
    }
    /// `forwardable`.
    pub fn forwardable(self, v: bool) -> Self {
        self.libdefault("forwardable", &v.to_string())
    }
    /// `proxiable`.
    pub fn proxiable(self, v: bool) -> Self {
        self.libdefault("proxiable", &v.to_string())
    }
    /// `noaddresses`.
    pub fn noaddresses(self, v: bool) -> Self {
        self.libdefault("noaddresses", &v.to_string())
    }
    /// `canonicalize`.
    pub fn canonicalize(self, v: bool) -> Self {
        self.libdefault("canonicalize", &v.to_string())
    }
    /// `rdns`.
    pub fn rdns(self, v: bool) -> Self {
        self.libdefault("rdns", &v.to_string())
    }
    /// `qualify_shortname` (an empty string turns qualification off).
    pub fn qualify_shortname(self, domain: &str) -> Self {
        self.libdefault("qualify_shortname", domain)
    }
    /// `allow_weak_crypto`.
    pub fn allow_weak_crypto(self, v: bool) -> Self {
        self.libdefault("allow_weak_crypto", &v.to_string())
    }
    /// `dns_canonicalize_hostname`.
    pub fn dns_canonicalize_hostname(self, v: DnsCanonicalize) -> Self {
        let s = match v {
            DnsCanonicalize::No => "false",
            DnsCanonicalize::Yes => "true",
            DnsCanonicalize::Fallback => "fallback",
        };
        self.libdefault("dns_canonicalize_hostname", s)
    }
    /// `default_tkt_enctypes` (still subject to weak-crypto filtering).
    pub fn default_tkt_enctypes(self, list: &[i32]) -> Self {
        self.libdefault("default_tkt_enctypes", &enctype_list(list))
    }
    /// `default_tgs_enctypes` (still subject to weak-crypto filtering).
    pub fn default_tgs_enctypes(self, list: &[i32]) -> Self {
        self.libdefault("default_tgs_enctypes", &enctype_list(list))
    }
    /// `permitted_enctypes` (still subject to weak-crypto filtering).
    pub fn permitted_enctypes(self, list: &[i32]) -> Self {
        self.libdefault("permitted_enctypes", &enctype_list(list))
    }
    /// `default_ccache_name`.
    pub fn default_ccache_name(self, name: &str) -> Self {
        self.libdefault("default_ccache_name", name)
    }
    /// `default_keytab_name`.
    pub fn default_keytab_name(self, name: &str) -> Self {
        self.libdefault("default_keytab_name", name)
    }
    /// `default_client_keytab_name`.
    pub fn default_client_keytab_name(self, name: &str) -> Self {
        self.libdefault("default_client_keytab_name", name)
    }

    /// Builds the configuration. Server locations given to [`kdc`] and the
    /// like are validated here, as are raw values added with
    /// [`relation`]/[`libdefault`].
    ///
    /// [`kdc`]: ConfigBuilder::kdc
    /// [`relation`]: ConfigBuilder::relation
    /// [`libdefault`]: ConfigBuilder::libdefault
    pub fn build(self) -> Result<Config, ConfigError> {
        for (key, value, port) in &self.locations {
            if KdcLocation::parse(value, *port).is_err() {
                return Err(ConfigError::InvalidValue {
                    origin: Origin::default(),
                    key: key.clone(),
                    value: value.clone(),
                    expected: "host, host:port, [v6]:port, tcp/…, udp/…, https://… or kkdcp://…",
                });
            }
        }
        let mut profile = Profile::new();
        profile.push(ProfileFile::from_root(None, self.root));
        Config::from_profile(profile)
    }
}
