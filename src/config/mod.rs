//! krb5.conf: the profile parser and the typed settings other layers read.
//!
//! ```
//! use kerberos_client::config::{Config, KdcLocation};
//!
//! let cfg = Config::parse_str(
//!     "[libdefaults]\n default_realm = EXAMPLE.COM\n\
//!      [realms]\n EXAMPLE.COM = {\n  kdc = kdc.example.com:88\n }\n\
//!      [domain_realm]\n .example.com = EXAMPLE.COM\n",
//! )
//! .unwrap();
//! assert_eq!(cfg.default_realm(), Some("EXAMPLE.COM"));
//! assert_eq!(
//!     cfg.realm("EXAMPLE.COM").kdc,
//!     vec![KdcLocation::Any { host: "kdc.example.com".into(), port: 88 }]
//! );
//! assert_eq!(cfg.realm_for_host("www.example.com").as_deref(), Some("EXAMPLE.COM"));
//!
//! let built = Config::builder()
//!     .default_realm("EXAMPLE.COM")
//!     .kdc("EXAMPLE.COM", "127.0.0.1:88")
//!     .build()
//!     .unwrap();
//! assert_eq!(built.kdcs("EXAMPLE.COM")[0].port(), 88);
//! ```
//!
//! # Where configuration comes from
//!
//! [`Config::from_env`] follows MIT: `KRB5_CONFIG` is a colon-separated list
//! of files (or, since MIT 1.14, directories, read like `includedir`);
//! earlier entries take precedence, missing or unreadable entries are
//! skipped, and when the variable is unset `/etc/krb5.conf` is read. If no
//! file exists the configuration is empty (all defaults), as in MIT.
//!
//! # Defaults
//!
//! [`LibDefaults::default`] documents every default. Where this library
//! deliberately differs from MIT:
//!
//! * `dns_canonicalize_hostname` defaults to **false** (MIT: true) and
//!   `rdns` to **false** (MIT: true): no DNS-based hostname
//!   canonicalisation unless asked for. With either set, the client does
//!   what MIT does (forward lookup with CNAMEs, then the PTR name; `fallback`
//!   asks for the name as written first). Host-based names are always
//!   lowercased, and a name without a dot is qualified with
//!   `qualify_shortname` (unset: the system's first DNS search domain, as in
//!   MIT; `""`: never).
//! * RC4 (`arcfour-hmac`, 23/24) and DES3 (16) count as weak crypto and are
//!   removed from all enctype lists unless `allow_weak_crypto = true` (MIT
//!   1.20 only deprecates them).
//! * `kdc_timeout` (not an MIT relation; Heimdal's) is read as a duration,
//!   default 1 s per KDC attempt, matching MIT's initial per-KDC wait.
//! * `dns_lookup_kdc` keeps MIT's default (true); the locator layer decides
//!   whether it implements DNS SRV lookups at all.
//!
//! Invalid booleans, numbers and durations in `[libdefaults]` are errors
//! (as MIT's context initialisation fails on them). Invalid server
//! locations in `[realms]` are skipped with a warning; unknown enctype
//! names are ignored with a warning; unknown sections and relations are
//! kept in the raw [`Profile`] and otherwise ignored.

mod builder;
mod kdc;
mod profile;
mod values;

use std::path::{Path, PathBuf};
use std::time::Duration;

pub use builder::ConfigBuilder;
pub use kdc::{HTTPS_PORT, KADMIN_PORT, KDC_PORT, KPASSWD_PORT, KdcLocation, LocationError};
pub use profile::{
    MAX_FILE_SIZE, MAX_FILES, MAX_INCLUDE_DEPTH, MAX_NESTING, Node, Origin, ParseOptions, Profile,
    ProfileFile, Relation, Section, SyntaxError,
};
pub use values::{
    DEFAULT_ENCTYPES, MAX_DURATION_SECS, enctype, enctype_from_name, is_weak_enctype, parse_bool,
    parse_duration, parse_enctype_list,
};

/// The file read when `KRB5_CONFIG` is unset.
pub const DEFAULT_CONFIG_PATH: &str = "/etc/krb5.conf";

/// MIT's hard cap on `udp_preference_limit`.
pub const MAX_UDP_PREFERENCE_LIMIT: u32 = 32700;

/// Errors from reading or interpreting krb5.conf.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A line could not be parsed.
    #[error("{origin}: {kind}")]
    Syntax {
        /// File and line.
        origin: Origin,
        /// What was wrong.
        kind: SyntaxError,
    },
    /// A file or directory could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// An `include`/`includedir` directive failed.
    #[error("{origin}: include failed: {source}")]
    Include {
        /// The directive's file and line.
        origin: Origin,
        /// Why.
        #[source]
        source: Box<ConfigError>,
    },
    /// An include directive was found while includes were disabled.
    #[error("{origin}: include directives are disabled")]
    IncludeDisabled {
        /// The directive's file and line.
        origin: Origin,
    },
    /// A file includes itself, directly or indirectly.
    #[error("include loop: {} is already being read", path.display())]
    IncludeLoop {
        /// The file included again.
        path: PathBuf,
    },
    /// Includes nested deeper than [`MAX_INCLUDE_DEPTH`].
    #[error("includes nested deeper than {limit} at {}", path.display())]
    IncludeDepth {
        /// The file that would exceed the limit.
        path: PathBuf,
        /// The limit.
        limit: usize,
    },
    /// More than [`MAX_FILES`] files.
    #[error("more than {limit} configuration files")]
    TooManyFiles {
        /// The limit.
        limit: usize,
    },
    /// A file larger than [`MAX_FILE_SIZE`].
    #[error("{} is larger than {limit} bytes", path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The limit.
        limit: u64,
    },
    /// A known relation has a value of the wrong form.
    #[error("{origin}: invalid value {value:?} for {key}: expected {expected}")]
    InvalidValue {
        /// Where the relation was written.
        origin: Origin,
        /// The relation's tag.
        key: String,
        /// The offending value.
        value: String,
        /// What was expected.
        expected: &'static str,
    },
}

/// `dns_canonicalize_hostname`: `true`, `false` or `fallback`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DnsCanonicalize {
    /// Do not canonicalise (this library's default).
    #[default]
    No,
    /// Canonicalise with forward DNS lookups (MIT's default).
    Yes,
    /// Try the name as given first, then canonicalised (MIT 1.18+).
    Fallback,
}

/// Typed `[libdefaults]` settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LibDefaults {
    /// `default_realm`; no default.
    pub default_realm: Option<String>,
    /// `dns_lookup_kdc`; default true (MIT's default).
    pub dns_lookup_kdc: bool,
    /// `dns_lookup_realm`; default false.
    pub dns_lookup_realm: bool,
    /// `udp_preference_limit` in bytes; default 1465, capped at 32700.
    pub udp_preference_limit: u32,
    /// `kdc_timeout`, per KDC attempt; default 1 s.
    pub kdc_timeout: Duration,
    /// `request_timeout`, total for one request; default none.
    pub request_timeout: Option<Duration>,
    /// `ticket_lifetime`; default 1 day.
    pub ticket_lifetime: Duration,
    /// `renew_lifetime`; default 0 (no renewable tickets requested).
    pub renew_lifetime: Duration,
    /// `forwardable`; default false.
    pub forwardable: bool,
    /// `proxiable`; default false.
    pub proxiable: bool,
    /// `noaddresses`; default true.
    pub noaddresses: bool,
    /// `allow_weak_crypto`; default false.
    pub allow_weak_crypto: bool,
    /// `default_tkt_enctypes` after weak filtering; default `DEFAULT`.
    pub default_tkt_enctypes: Vec<i32>,
    /// `default_tgs_enctypes` after weak filtering; default `DEFAULT`.
    pub default_tgs_enctypes: Vec<i32>,
    /// `permitted_enctypes` after weak filtering; default `DEFAULT`.
    pub permitted_enctypes: Vec<i32>,
    /// `dns_canonicalize_hostname`; default [`DnsCanonicalize::No`]
    /// (MIT: true).
    pub dns_canonicalize_hostname: DnsCanonicalize,
    /// `rdns`; default false (MIT: true).
    pub rdns: bool,
    /// `qualify_shortname`: the domain appended to a host name without a dot when DNS does not
    /// canonicalize it. `None` when not set (the client then uses the system's first DNS search
    /// domain, as MIT does); `Some("")` turns qualification off.
    pub qualify_shortname: Option<String>,
    /// `default_ccache_name`; no default here (the ccache layer picks one).
    pub default_ccache_name: Option<String>,
    /// `default_keytab_name`; no default here.
    pub default_keytab_name: Option<String>,
    /// `default_client_keytab_name`; no default here.
    pub default_client_keytab_name: Option<String>,
    /// `clockskew`; default 300 s.
    pub clockskew: Duration,
    /// `canonicalize`; default false.
    pub canonicalize: bool,
}

impl Default for LibDefaults {
    fn default() -> Self {
        let enctypes: Vec<i32> = DEFAULT_ENCTYPES
            .iter()
            .copied()
            .filter(|&e| !is_weak_enctype(e))
            .collect();
        LibDefaults {
            default_realm: None,
            dns_lookup_kdc: true,
            dns_lookup_realm: false,
            udp_preference_limit: 1465,
            kdc_timeout: Duration::from_secs(1),
            request_timeout: None,
            ticket_lifetime: Duration::from_secs(86_400),
            renew_lifetime: Duration::ZERO,
            forwardable: false,
            proxiable: false,
            noaddresses: true,
            allow_weak_crypto: false,
            default_tkt_enctypes: enctypes.clone(),
            default_tgs_enctypes: enctypes.clone(),
            permitted_enctypes: enctypes,
            dns_canonicalize_hostname: DnsCanonicalize::No,
            rdns: false,
            qualify_shortname: None,
            default_ccache_name: None,
            default_keytab_name: None,
            default_client_keytab_name: None,
            clockskew: Duration::from_secs(300),
            canonicalize: false,
        }
    }
}

/// Typed settings of one `[realms]` entry.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RealmConfig {
    /// The realm name.
    pub name: String,
    /// `kdc` (default port 88).
    pub kdc: Vec<KdcLocation>,
    /// `primary_kdc`, or `master_kdc` when there is no `primary_kdc`.
    pub primary_kdc: Vec<KdcLocation>,
    /// `admin_server` (default port 749).
    pub admin_server: Vec<KdcLocation>,
    /// `kpasswd_server` (default port 464); when absent, the
    /// `admin_server` hosts with port 464, as MIT does.
    pub kpasswd_server: Vec<KdcLocation>,
    /// `default_domain`.
    pub default_domain: Option<String>,
}

/// A parsed krb5.conf (possibly several files) with typed settings.
#[derive(Debug, Clone, Default)]
pub struct Config {
    profile: Profile,
    libdefaults: LibDefaults,
}

impl Config {
    /// Reads the files named by `KRB5_CONFIG`, or `/etc/krb5.conf`.
    pub fn from_env() -> Result<Self, ConfigError> {
        let var = std::env::var_os("KRB5_CONFIG").map(|v| {
            v.into_string().unwrap_or_else(|v| {
                tracing::warn!("KRB5_CONFIG is not valid UTF-8; invalid bytes replaced");
                v.to_string_lossy().into_owned()
            })
        });
        Self::from_krb5_config_var(var.as_deref())
    }

    /// Like [`Config::from_env`] with the value of `KRB5_CONFIG` given:
    /// `None` means unset (read `/etc/krb5.conf`). Entries are separated
    /// by `:`; missing or unreadable entries are skipped; directories are
    /// read like `includedir`.
    pub fn from_krb5_config_var(var: Option<&str>) -> Result<Self, ConfigError> {
        let list = var.unwrap_or(DEFAULT_CONFIG_PATH);
        let opts = ParseOptions::default();
        let mut profile = Profile::new();
        for entry in list.split(':').filter(|e| !e.is_empty()) {
            let path = Path::new(entry);
            match profile.push_file(path, &opts) {
                Ok(()) => {}
                Err(ConfigError::Io { path: p, source })
                    if p == path
                        && matches!(
                            source.kind(),
                            std::io::ErrorKind::NotFound | std::io::ErrorKind::PermissionDenied
                        ) =>
                {
                    tracing::debug!(path = %path.display(), error = %source, "skipping Kerberos configuration file");
                }
                Err(e) => return Err(e),
            }
        }
        Self::from_profile(profile)
    }

    /// Reads one file, which must exist (a directory is read like
    /// `includedir`).
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, ConfigError> {
        Self::from_files(&[path])
    }

    /// Reads several files, earlier ones taking precedence. Unlike
    /// [`Config::from_krb5_config_var`], every file must exist.
    pub fn from_files<P: AsRef<Path>>(paths: &[P]) -> Result<Self, ConfigError> {
        let opts = ParseOptions::default();
        let mut profile = Profile::new();
        for p in paths {
            profile.push_file(p.as_ref(), &opts)?;
        }
        Self::from_profile(profile)
    }

    /// Parses text. Includes are followed; relative include paths are
    /// resolved against the working directory.
    pub fn parse_str(text: &str) -> Result<Self, ConfigError> {
        Self::parse_str_with(text, &ParseOptions::default())
    }

    /// Parses text with explicit options (e.g. includes disabled or a base
    /// directory for relative includes).
    pub fn parse_str_with(text: &str, opts: &ParseOptions) -> Result<Self, ConfigError> {
        Self::from_profile(Profile::parse_str(text, opts)?)
    }

    /// Interprets an already parsed profile.
    pub fn from_profile(profile: Profile) -> Result<Self, ConfigError> {
        let libdefaults = compute_libdefaults(&profile, None)?;
        Ok(Config {
            profile,
            libdefaults,
        })
    }

    /// A builder for programmatic configurations.
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder::new()
    }

    /// The raw tree: every section and relation, known or not.
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// The global `[libdefaults]`.
    pub fn libdefaults(&self) -> &LibDefaults {
        &self.libdefaults
    }

    /// `[libdefaults]` with the `[libdefaults] REALM = { ... }` overrides
    /// for `realm` applied (each relation is looked up in the realm's
    /// subsection first).
    pub fn libdefaults_for_realm(&self, realm: &str) -> Result<LibDefaults, ConfigError> {
        compute_libdefaults(&self.profile, Some(realm))
    }

    /// `default_realm`.
    pub fn default_realm(&self) -> Option<&str> {
        self.libdefaults.default_realm.as_deref()
    }

    /// The realms that have a `[realms]` entry.
    pub fn realm_names(&self) -> Vec<&str> {
        self.profile.subsection_names(&["realms"])
    }

    /// The typed `[realms]` entry for `realm` (empty when absent).
    pub fn realm(&self, realm: &str) -> RealmConfig {
        let locs = |tag: &str, port: u16| -> Vec<KdcLocation> {
            self.profile
                .relations(&["realms", realm, tag])
                .into_iter()
                .filter_map(|r| match KdcLocation::parse(r.value(), port) {
                    Ok(l) => Some(l),
                    Err(e) => {
                        tracing::warn!(location = %r.origin(), tag, error = %e, "ignoring invalid server location");
                        None
                    }
                })
                .collect()
        };
        let mut primary_kdc = locs("primary_kdc", KDC_PORT);
        if primary_kdc.is_empty() {
            primary_kdc = locs("master_kdc", KDC_PORT);
        }
        let admin_server = locs("admin_server", KADMIN_PORT);
        let mut kpasswd_server = locs("kpasswd_server", KPASSWD_PORT);
        if kpasswd_server.is_empty() {
            kpasswd_server = admin_server
                .iter()
                .map(|l| l.with_port(KPASSWD_PORT))
                .collect();
        }
        RealmConfig {
            name: realm.to_owned(),
            kdc: locs("kdc", KDC_PORT),
            primary_kdc,
            admin_server,
            kpasswd_server,
            default_domain: self
                .profile
                .value(&["realms", realm, "default_domain"])
                .map(str::to_owned),
        }
    }

    /// The configured KDCs of `realm`.
    pub fn kdcs(&self, realm: &str) -> Vec<KdcLocation> {
        self.realm(realm).kdc
    }

    /// The realm `[domain_realm]` maps `host` to.
    ///
    /// As MIT does, the host (lower-cased, trailing dot removed) is looked
    /// up, then each parent domain, first with and then without a leading
    /// dot: for `a.b.example.com` the keys tried are `a.b.example.com`,
    /// `.b.example.com`, `b.example.com`, `.example.com`, `example.com`,
    /// `.com`, `com`. The first hit (the longest match) wins. Unlike MIT,
    /// keys are compared case-insensitively. IP addresses are not looked
    /// up.
    pub fn realm_for_host(&self, host: &str) -> Option<String> {
        let host = host.trim().trim_end_matches('.').to_ascii_lowercase();
        if host.is_empty() || host.parse::<std::net::IpAddr>().is_ok() {
            return None;
        }
        let mut key: &str = &host;
        loop {
            let found = self
                .profile
                .relations_by(&["domain_realm", key], |a, b| a.eq_ignore_ascii_case(b));
            if let Some(r) = found.first() {
                return Some(r.value().to_owned());
            }
            key = if let Some(rest) = key.strip_prefix('.') {
                rest
            } else {
                match key.find('.') {
                    Some(i) => &key[i..],
                    None => return None,
                }
            };
            if key.is_empty() {
                return None;
            }
        }
    }

    /// The intermediate realms on the path from `client` to `server`.
    ///
    /// `[capaths] CLIENT = { SERVER = R1 SERVER = R2 }` gives `[R1, R2]`;
    /// a value of `.` means a direct path (no intermediates). With no
    /// `[capaths]` entry the hierarchical path is used, as MIT does: up
    /// from the client to the closest common parent realm (split on `.`),
    /// then down to the server; e.g. `A.EXAMPLE.COM` → `B.EXAMPLE.COM`
    /// goes through `EXAMPLE.COM`.
    pub fn capath(&self, client: &str, server: &str) -> Vec<String> {
        if client == server {
            return Vec::new();
        }
        let explicit = self.profile.values(&["capaths", client, server]);
        if !explicit.is_empty() {
            return explicit
                .into_iter()
                .flat_map(|v| v.split_ascii_whitespace())
                .filter(|v| *v != ".")
                .map(str::to_owned)
                .collect();
        }
        hierarchical_path(client, server)
    }

    /// The files that make up this configuration, in precedence order.
    pub fn sources(&self) -> Vec<&Path> {
        self.profile
            .files()
            .iter()
            .filter_map(ProfileFile::source)
            .collect()
    }
}

fn hierarchical_path(client: &str, server: &str) -> Vec<String> {
    let c: Vec<&str> = client.split('.').collect();
    let s: Vec<&str> = server.split('.').collect();
    let common = c
        .iter()
        .rev()
        .zip(s.iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    if common == 0 {
        return Vec::new();
    }
    let mut out = Vec::new();
    // Up from the client (excluding the client itself) to the common parent.
    for i in 1..=c.len() - common {
        out.push(c[i..].join("."));
    }
    // Down to the server (excluding the common parent and the server).
    for i in (1..s.len() - common).rev() {
        out.push(s[i..].join("."));
    }
    out.retain(|r| r != client && r != server);
    out
}

/// Looks up `[libdefaults]` relations, the realm's subsection first.
struct LibLookup<'a> {
    profile: &'a Profile,
    realm: Option<&'a str>,
}

impl<'a> LibLookup<'a> {
    fn get(&self, key: &str) -> Option<&'a Relation> {
        self.realm
            .and_then(|realm| self.profile.relation(&["libdefaults", realm, key]))
            .or_else(|| self.profile.relation(&["libdefaults", key]))
    }

    fn parse<T>(
        &self,
        key: &str,
        expected: &'static str,
        f: impl Fn(&str) -> Option<T>,
    ) -> Result<Option<T>, ConfigError> {
        match self.get(key) {
            None => Ok(None),
            Some(r) => f(r.value())
                .map(Some)
                .ok_or_else(|| ConfigError::InvalidValue {
                    origin: r.origin().clone(),
                    key: key.to_owned(),
                    value: r.value().to_owned(),
                    expected,
                }),
        }
    }

    fn bool(&self, key: &str, default: bool) -> Result<bool, ConfigError> {
        Ok(self
            .parse(
                key,
                "a boolean (yes/no, true/false, on/off, 1/0)",
                parse_bool,
            )?
            .unwrap_or(default))
    }

    fn duration(&self, key: &str) -> Result<Option<Duration>, ConfigError> {
        self.parse(
            key,
            "a duration (e.g. 36000, 10h, 1d2h30m, 1:30:00)",
            parse_duration,
        )
    }

    fn string(&self, key: &str) -> Option<String> {
        self.get(key).map(|r| r.value().to_owned())
    }

    fn enctypes(&self, key: &str, allow_weak: bool) -> Vec<i32> {
        let list = match self.get(key) {
            Some(r) => parse_enctype_list(r.value(), DEFAULT_ENCTYPES),
            None => DEFAULT_ENCTYPES.to_vec(),
        };
        if allow_weak {
            list
        } else {
            list.into_iter().filter(|&e| !is_weak_enctype(e)).collect()
        }
    }
}

fn compute_libdefaults(profile: &Profile, realm: Option<&str>) -> Result<LibDefaults, ConfigError> {
    let l = LibLookup { profile, realm };
    let d = LibDefaults::default();
    let allow_weak_crypto = l.bool("allow_weak_crypto", d.allow_weak_crypto)?;
    let udp_preference_limit = l
        .parse("udp_preference_limit", "a non-negative integer", |v| {
            v.trim().parse::<u64>().ok()
        })?
        .map(|n| n.min(u64::from(MAX_UDP_PREFERENCE_LIMIT)) as u32)
        .unwrap_or(d.udp_preference_limit);
    let dns_canonicalize_hostname = l
        .parse(
            "dns_canonicalize_hostname",
            "a boolean or \"fallback\"",
            |v| {
                if v.eq_ignore_ascii_case("fallback") {
                    Some(DnsCanonicalize::Fallback)
                } else {
                    parse_bool(v).map(|b| {
                        if b {
                            DnsCanonicalize::Yes
                        } else {
                            DnsCanonicalize::No
                        }
                    })
                }
            },
        )?
        .unwrap_or(d.dns_canonicalize_hostname);
    let request_timeout = l.duration("request_timeout")?.filter(|t| !t.is_zero());
    Ok(LibDefaults {
        default_realm: l.string("default_realm").filter(|r| !r.is_empty()),
        dns_lookup_kdc: l.bool("dns_lookup_kdc", d.dns_lookup_kdc)?,
        dns_lookup_realm: l.bool("dns_lookup_realm", d.dns_lookup_realm)?,
        udp_preference_limit,
        kdc_timeout: l.duration("kdc_timeout")?.unwrap_or(d.kdc_timeout),
        request_timeout,
        ticket_lifetime: l.duration("ticket_lifetime")?.unwrap_or(d.ticket_lifetime),
        renew_lifetime: l.duration("renew_lifetime")?.unwrap_or(d.renew_lifetime),
        forwardable: l.bool("forwardable", d.forwardable)?,
        proxiable: l.bool("proxiable", d.proxiable)?,
        noaddresses: l.bool("noaddresses", d.noaddresses)?,
        allow_weak_crypto,
        default_tkt_enctypes: l.enctypes("default_tkt_enctypes", allow_weak_crypto),
        default_tgs_enctypes: l.enctypes("default_tgs_enctypes", allow_weak_crypto),
        permitted_enctypes: l.enctypes("permitted_enctypes", allow_weak_crypto),
        dns_canonicalize_hostname,
        rdns: l.bool("rdns", d.rdns)?,
        qualify_shortname: l
            .string("qualify_shortname")
            .map(|v| v.trim().trim_matches('.').to_owned()),
        default_ccache_name: l.string("default_ccache_name"),
        default_keytab_name: l.string("default_keytab_name"),
        default_client_keytab_name: l.string("default_client_keytab_name"),
        clockskew: l.duration("clockskew")?.unwrap_or(d.clockskew),
        canonicalize: l.bool("canonicalize", d.canonicalize)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hierarchy() {
        assert_eq!(
            hierarchical_path("A.EXAMPLE.COM", "B.EXAMPLE.COM"),
            vec!["EXAMPLE.COM"]
        );
        assert_eq!(
            hierarchical_path("ENG.EXAMPLE.COM", "EXAMPLE.COM"),
            Vec::<String>::new()
        );
        assert_eq!(
            hierarchical_path("EXAMPLE.COM", "ENG.EXAMPLE.COM"),
            Vec::<String>::new()
        );
        assert_eq!(
            hierarchical_path("A.X.COM", "B.Y.COM"),
            vec!["X.COM", "COM", "Y.COM"]
        );
        assert_eq!(
            hierarchical_path("A.B.EXAMPLE.COM", "C.D.EXAMPLE.COM"),
            vec!["B.EXAMPLE.COM", "EXAMPLE.COM", "D.EXAMPLE.COM"]
        );
        assert_eq!(hierarchical_path("FOO", "BAR"), Vec::<String>::new());
    }

    #[test]
    fn defaults() {
        let d = LibDefaults::default();
        assert_eq!(d.default_tkt_enctypes, vec![18, 17, 20, 19, 26, 25]);
        assert!(d.noaddresses && d.dns_lookup_kdc && !d.dns_lookup_realm);
        assert_eq!(d.udp_preference_limit, 1465);
        assert_eq!(Config::default().libdefaults(), &d);
    }
}
