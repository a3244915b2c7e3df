//! Server location strings: `kdc`, `admin_server`, `kpasswd_server`, ...

use std::fmt;
use std::net::Ipv6Addr;

/// Default KDC port.
pub const KDC_PORT: u16 = 88;
/// Default kpasswd port.
pub const KPASSWD_PORT: u16 = 464;
/// Default kadmin port.
pub const KADMIN_PORT: u16 = 749;
/// Default HTTPS port (MS-KKDCP proxies).
pub const HTTPS_PORT: u16 = 443;

/// Where to reach a Kerberos server, parsed from a krb5.conf value.
///
/// Accepted forms (the port defaults to the service's port):
///
/// * `host`, `host:port`, `1.2.3.4:88`, `[2001:db8::1]`, `[2001:db8::1]:88`,
///   and a bare IPv6 address without brackets (then no port can be given)
///   → [`KdcLocation::Any`] (UDP or TCP, chosen by `udp_preference_limit`)
/// * `udp/host[:port]` → [`KdcLocation::Udp`], `tcp/host[:port]` →
///   [`KdcLocation::Tcp`]
/// * `https://host[:port][/path]` → [`KdcLocation::Https`] (MS-KKDCP proxy)
/// * `kkdcp://host[:port][/path]` → [`KdcLocation::Kkdcp`] (MS-KKDCP proxy
///   reached over HTTPS; see [`KdcLocation::https_url`])
///
/// Hosts are stored without brackets.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum KdcLocation {
    /// No transport given: either UDP or TCP.
    Any {
        /// Host name or address.
        host: String,
        /// Port.
        port: u16,
    },
    /// `udp/` prefix.
    Udp {
        /// Host name or address.
        host: String,
        /// Port.
        port: u16,
    },
    /// `tcp/` prefix.
    Tcp {
        /// Host name or address.
        host: String,
        /// Port.
        port: u16,
    },
    /// `https://` MS-KKDCP proxy URL.
    Https {
        /// Host name or address.
        host: String,
        /// Port (443 unless given).
        port: u16,
        /// Path with its leading `/`, or empty.
        path: String,
    },
    /// `http://` MS-KKDCP proxy URL: plain text, used only when the client allows plain http
    /// (tests, or a proxy behind a TLS-terminating front end).
    Http {
        /// Host name or address.
        host: String,
        /// Port (80 unless given).
        port: u16,
        /// Path with its leading `/`, or empty.
        path: String,
    },
    /// `kkdcp://` MS-KKDCP proxy URL.
    Kkdcp {
        /// Host name or address.
        host: String,
        /// Port (443 unless given).
        port: u16,
        /// Path with its leading `/`, or empty.
        path: String,
    },
}

/// Why a location string was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid server location {value:?}: {reason}")]
pub struct LocationError {
    /// The rejected value.
    pub value: String,
    /// What was wrong.
    pub reason: &'static str,
}

impl KdcLocation {
    /// Parses a location with `default_port` for the host forms.
    pub fn parse(value: &str, default_port: u16) -> Result<Self, LocationError> {
        let err = |reason| LocationError {
            value: value.to_owned(),
            reason,
        };
        let s = value.trim();
        if let Some(rest) = strip_prefix_ci(s, "https://") {
            let (host, port, path) = parse_url_rest(rest, HTTPS_PORT).map_err(err)?;
            return Ok(KdcLocation::Https { host, port, path });
        }
        if let Some(rest) = strip_prefix_ci(s, "http://") {
            let (host, port, path) = parse_url_rest(rest, 80).map_err(err)?;
            return Ok(KdcLocation::Http { host, port, path });
        }
        if let Some(rest) = strip_prefix_ci(s, "kkdcp://") {
            let (host, port, path) = parse_url_rest(rest, HTTPS_PORT).map_err(err)?;
            return Ok(KdcLocation::Kkdcp { host, port, path });
        }
        if s.contains("://") {
            return Err(err("unsupported URL scheme"));
        }
        if let Some(rest) = strip_prefix_ci(s, "udp/") {
            let (host, port) = parse_host_port(rest, default_port).map_err(err)?;
            return Ok(KdcLocation::Udp { host, port });
        }
        if let Some(rest) = strip_prefix_ci(s, "tcp/") {
            let (host, port) = parse_host_port(rest, default_port).map_err(err)?;
            return Ok(KdcLocation::Tcp { host, port });
        }
        let (host, port) = parse_host_port(s, default_port).map_err(err)?;
        Ok(KdcLocation::Any { host, port })
    }

    /// The host (without IPv6 brackets).
    pub fn host(&self) -> &str {
        match self {
            KdcLocation::Any { host, .. }
            | KdcLocation::Udp { host, .. }
            | KdcLocation::Tcp { host, .. }
            | KdcLocation::Https { host, .. }
            | KdcLocation::Http { host, .. }
            | KdcLocation::Kkdcp { host, .. } => host,
        }
    }

    /// The port.
    pub fn port(&self) -> u16 {
        match self {
            KdcLocation::Any { port, .. }
            | KdcLocation::Udp { port, .. }
            | KdcLocation::Tcp { port, .. }
            | KdcLocation::Https { port, .. }
            | KdcLocation::Http { port, .. }
            | KdcLocation::Kkdcp { port, .. } => *port,
        }
    }

    /// Whether this is an MS-KKDCP proxy (`https://`, `kkdcp://` or `http://`).
    pub fn is_proxy(&self) -> bool {
        matches!(
            self,
            KdcLocation::Https { .. } | KdcLocation::Kkdcp { .. } | KdcLocation::Http { .. }
        )
    }

    /// For proxies, the `https://` URL to POST KKDCP messages to.
    pub fn https_url(&self) -> Option<String> {
        match self {
            KdcLocation::Https { host, port, path } | KdcLocation::Kkdcp { host, port, path } => {
                let mut url = format!("https://{}", bracket(host));
                if *port != HTTPS_PORT {
                    url.push_str(&format!(":{port}"));
                }
                if path.is_empty() {
                    url.push('/');
                } else {
                    url.push_str(path);
                }
                Some(url)
            }
            _ => None,
        }
    }

    /// The same location with another port (used for the kpasswd fallback
    /// to `admin_server` hosts).
    pub fn with_port(&self, new_port: u16) -> Self {
        let mut l = self.clone();
        match &mut l {
            KdcLocation::Any { port, .. }
            | KdcLocation::Udp { port, .. }
            | KdcLocation::Tcp { port, .. }
            | KdcLocation::Https { port, .. }
            | KdcLocation::Http { port, .. }
            | KdcLocation::Kkdcp { port, .. } => *port = new_port,
        }
        l
    }
}

impl fmt::Display for KdcLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KdcLocation::Any { host, port } => write!(f, "{}:{port}", bracket(host)),
            KdcLocation::Udp { host, port } => write!(f, "udp/{}:{port}", bracket(host)),
            KdcLocation::Tcp { host, port } => write!(f, "tcp/{}:{port}", bracket(host)),
            KdcLocation::Https { host, port, path } => {
                write!(f, "https://{}:{port}{path}", bracket(host))
            }
            KdcLocation::Http { host, port, path } => {
                write!(f, "http://{}:{port}{path}", bracket(host))
            }
            KdcLocation::Kkdcp { host, port, path } => {
                write!(f, "kkdcp://{}:{port}{path}", bracket(host))
            }
        }
    }
}

fn bracket(host: &str) -> String {
    if host.contains(':') {
        format!("[{host}]")
    } else {
        host.to_owned()
    }
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    if s.len() >= prefix.len()
        && s.is_char_boundary(prefix.len())
        && s[..prefix.len()].eq_ignore_ascii_case(prefix)
    {
        Some(&s[prefix.len()..])
    } else {
        None
    }
}

fn parse_url_rest(rest: &str, default_port: u16) -> Result<(String, u16, String), &'static str> {
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    if authority.contains('@') {
        return Err("user information is not allowed in a proxy URL");
    }
    if path.chars().any(char::is_whitespace) {
        return Err("whitespace in URL path");
    }
    let (host, port) = parse_host_port(authority, default_port)?;
    Ok((host, port, path.to_owned()))
}

fn parse_port(p: &str) -> Result<u16, &'static str> {
    if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
        return Err("invalid port");
    }
    match p.parse::<u16>() {
        Ok(0) | Err(_) => Err("port out of range"),
        Ok(n) => Ok(n),
    }
}

fn parse_host_port(s: &str, default_port: u16) -> Result<(String, u16), &'static str> {
    if let Some(rest) = s.strip_prefix('[') {
        let close = rest.find(']').ok_or("missing `]`")?;
        let host = &rest[..close];
        if host.parse::<Ipv6Addr>().is_err() {
            return Err("bracketed host is not an IPv6 address");
        }
        let after = &rest[close + 1..];
        let port = if after.is_empty() {
            default_port
        } else {
            parse_port(after.strip_prefix(':').ok_or("junk after `]`")?)?
        };
        return Ok((host.to_owned(), port));
    }
    let (host, port) = match s.matches(':').count() {
        0 => (s, default_port),
        1 => {
            let (h, p) = s.split_once(':').ok_or("invalid host")?;
            (h, parse_port(p)?)
        }
        // Several colons and no brackets: a bare IPv6 address (as MIT).
        _ => {
            if s.parse::<Ipv6Addr>().is_err() {
                return Err("invalid IPv6 address (use [addr]:port)");
            }
            (s, default_port)
        }
    };
    if host.is_empty() {
        return Err("empty host");
    }
    if host
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '/' | '[' | ']' | '@'))
    {
        return Err("invalid character in host");
    }
    Ok((host.to_owned(), port))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> KdcLocation {
        KdcLocation::parse(s, KDC_PORT).unwrap()
    }

    fn any(h: &str, port: u16) -> KdcLocation {
        KdcLocation::Any {
            host: h.into(),
            port,
        }
    }

    #[test]
    fn host_forms() {
        assert_eq!(p("kdc.example.com"), any("kdc.example.com", 88));
        assert_eq!(p(" kdc.example.com:750 "), any("kdc.example.com", 750));
        assert_eq!(p("127.0.0.1:60088"), any("127.0.0.1", 60088));
        assert_eq!(p("[2001:db8::1]"), any("2001:db8::1", 88));
        assert_eq!(p("[::1]:8888"), any("::1", 8888));
        assert_eq!(p("2001:db8::1"), any("2001:db8::1", 88));
        assert_eq!(
            p("TCP/kdc:1088"),
            KdcLocation::Tcp {
                host: "kdc".into(),
                port: 1088
            }
        );
        assert_eq!(
            p("udp/[::1]"),
            KdcLocation::Udp {
                host: "::1".into(),
                port: 88
            }
        );
    }

    #[test]
    fn url_forms() {
        let h = p("https://proxy.example.com/KdcProxy");
        assert_eq!(
            h,
            KdcLocation::Https {
                host: "proxy.example.com".into(),
                port: 443,
                path: "/KdcProxy".into()
            }
        );
        assert_eq!(h.https_url().unwrap(), "https://proxy.example.com/KdcProxy");
        let k = p("kkdcp://[::1]:8443/kdc");
        assert_eq!(k.port(), 8443);
        assert_eq!(k.host(), "::1");
        assert_eq!(k.https_url().unwrap(), "https://[::1]:8443/kdc");
        assert_eq!(p("https://h").https_url().unwrap(), "https://h/");
    }

    #[test]
    fn rejects() {
        for bad in [
            "",
            "host:",
            "host:0",
            "host:65536",
            "host:x",
            "[::1",
            "[::1]x",
            "[notv6]",
            "a:b:c",
            "ftp://x/",
            "ho st",
            "https://",
            "https://u@h/",
            ":88",
        ] {
            assert!(KdcLocation::parse(bad, KDC_PORT).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn plain_http_proxy() {
        let l = KdcLocation::parse("http://127.0.0.1:60080/KdcProxy", KDC_PORT).unwrap();
        assert!(l.is_proxy());
        assert_eq!(l.port(), 60080);
        assert_eq!(
            KdcLocation::parse("http://p/x", KDC_PORT).unwrap().port(),
            80
        );
        assert_eq!(l.https_url(), None, "plain http is not an https URL");
    }

    #[test]
    fn display_roundtrip() {
        for s in [
            "h:88",
            "[::1]:88",
            "tcp/h:1",
            "udp/h:2",
            "https://h:443/p",
            "kkdcp://h:1/x",
        ] {
            assert_eq!(p(s).to_string(), s);
            assert_eq!(p(&p(s).to_string()), p(s));
        }
    }
}
