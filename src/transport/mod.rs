//! Drivers that move KDC messages: UDP and TCP (RFC 4120 §7.2.1, §7.2.2), blocking and tokio.
//!
//! The transport knows nothing about Kerberos messages: it takes the bytes an exchange wants sent and
//! a list of KDC endpoints, and returns the first reply it gets. Whether a reply asks for a retry over
//! TCP (KRB_ERR_RESPONSE_TOO_BIG) is the exchange's decision, which it signals with
//! [`SendOptions::tcp_only`] on the next send.

pub mod blocking;
#[cfg(feature = "dns")]
pub mod discovery;
pub mod framing;
pub mod kkdcp;
pub mod resolv_conf;
#[cfg(feature = "tokio")]
pub mod tokio;

use std::fmt;
use std::io;
use std::time::Duration;

use crate::config::KdcLocation;

/// The protocol used to reach a KDC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// One datagram out, one datagram back.
    Udp,
    /// A 4-byte big-endian length prefix before each message.
    Tcp,
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Protocol::Udp => "udp",
            Protocol::Tcp => "tcp",
        })
    }
}

/// One KDC to try: a host name or IP literal, a port and, optionally, the only protocol it speaks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KdcEndpoint {
    /// Host name or IP address literal (IPv6 without brackets).
    pub host: String,
    /// Port, 88 by default.
    pub port: u16,
    /// `None`: UDP or TCP as the message size decides; `Some(p)`: only `p`.
    pub protocol: Option<Protocol>,
}

impl KdcEndpoint {
    /// An endpoint that speaks both UDP and TCP.
    pub fn new(host: impl Into<String>, port: u16) -> Self {
        KdcEndpoint {
            host: host.into(),
            port,
            protocol: None,
        }
    }

    /// The same endpoint restricted to one protocol.
    pub fn with_protocol(mut self, protocol: Protocol) -> Self {
        self.protocol = Some(protocol);
        self
    }
}

impl KdcEndpoint {
    /// The endpoint a krb5.conf `kdc` value names, or `None` for a KDC proxy URL (https/kkdcp),
    /// which the MS-KKDCP transport serves instead.
    pub fn from_location(location: &KdcLocation) -> Option<Self> {
        match location {
            KdcLocation::Any { host, port } => Some(KdcEndpoint::new(host.clone(), *port)),
            KdcLocation::Udp { host, port } => {
                Some(KdcEndpoint::new(host.clone(), *port).with_protocol(Protocol::Udp))
            }
            KdcLocation::Tcp { host, port } => {
                Some(KdcEndpoint::new(host.clone(), *port).with_protocol(Protocol::Tcp))
            }
            KdcLocation::Https { .. } | KdcLocation::Kkdcp { .. } | KdcLocation::Http { .. } => {
                None
            }
        }
    }
}

impl fmt::Display for KdcEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

/// How one message is sent.
#[derive(Clone, Debug)]
pub struct SendOptions {
    /// Messages of this many bytes or more go over TCP first (krb5.conf `udp_preference_limit`).
    pub udp_preference_limit: usize,
    /// Time allowed for each KDC, from connecting to the last byte of the reply (krb5.conf `kdc_timeout`).
    pub timeout: Duration,
    /// The largest reply accepted; a longer TCP length prefix is an error, never an allocation.
    pub max_reply_len: usize,
    /// Never use UDP (set after a KRB_ERR_RESPONSE_TOO_BIG reply).
    pub tcp_only: bool,
    /// Passes over the KDC list: a KDC that timed out is asked again on the next pass with twice
    /// the timeout (as MIT's client does), so a busy KDC is not given up after one lost datagram.
    /// A KDC that refused the connection or answered garbage is not asked again.
    pub passes: u32,
}

impl Default for SendOptions {
    fn default() -> Self {
        SendOptions {
            udp_preference_limit: 1465,
            timeout: Duration::from_secs(1),
            max_reply_len: framing::DEFAULT_MAX_MESSAGE_LEN,
            tcp_only: false,
            passes: 3,
        }
    }
}

impl SendOptions {
    /// The protocols to try for a message of `len` bytes on `endpoint`, in order.
    pub fn protocols_for(&self, endpoint: &KdcEndpoint, len: usize) -> Vec<Protocol> {
        match endpoint.protocol {
            Some(Protocol::Udp) if self.tcp_only => Vec::new(),
            Some(p) => vec![p],
            None if self.tcp_only || len >= self.udp_preference_limit => vec![Protocol::Tcp],
            None => vec![Protocol::Udp, Protocol::Tcp],
        }
    }
}

/// The (KDC, protocol) pairs to try for a message of `len` bytes, in order.
pub fn plan<'a>(
    endpoints: &'a [KdcEndpoint],
    opts: &SendOptions,
    len: usize,
) -> Vec<(&'a KdcEndpoint, Protocol)> {
    endpoints
        .iter()
        .flat_map(|e| opts.protocols_for(e, len).into_iter().map(move |p| (e, p)))
        .collect()
}

/// The timeout of pass `pass` (0-based): the base timeout doubled each pass.
pub fn pass_timeout(base: Duration, pass: u32) -> Duration {
    base.saturating_mul(1u32 << pass.min(16))
}

/// The order of attempts of one send (sans-IO, shared by the blocking and tokio drivers): each
/// pass goes over the plan with the pass's timeout; an attempt that failed other than by timing
/// out is not made again; every failure is kept for the error.
pub(crate) struct Schedule<'a> {
    plan: Vec<(&'a KdcEndpoint, Protocol)>,
    retry: Vec<bool>,
    opts: &'a SendOptions,
    pass: u32,
    next: usize,
    failures: Failures<'a>,
}

/// One attempt of a [`Schedule`].
pub(crate) struct Planned<'a> {
    index: usize,
    pub(crate) endpoint: &'a KdcEndpoint,
    pub(crate) protocol: Protocol,
    /// The send options with this pass's timeout.
    pub(crate) opts: SendOptions,
}

impl<'a> Schedule<'a> {
    pub(crate) fn new(
        realm: &'a str,
        endpoints: &'a [KdcEndpoint],
        opts: &'a SendOptions,
        len: usize,
    ) -> Self {
        let plan = plan(endpoints, opts, len);
        Schedule {
            retry: vec![true; plan.len()],
            plan,
            opts,
            pass: 0,
            next: 0,
            failures: Failures::new(realm),
        }
    }

    /// The next attempt, or `None` when every pass is done.
    pub(crate) fn next_attempt(&mut self) -> Option<Planned<'a>> {
        while self.pass < self.opts.passes.max(1) {
            while let Some(&(endpoint, protocol)) = self.plan.get(self.next) {
                let index = self.next;
                self.next += 1;
                if self.retry.get(index).copied().unwrap_or(false) {
                    return Some(Planned {
                        index,
                        endpoint,
                        protocol,
                        opts: SendOptions {
                            timeout: pass_timeout(self.opts.timeout, self.pass),
                            ..self.opts.clone()
                        },
                    });
                }
            }
            if !self.retry.iter().any(|r| *r) {
                return None;
            }
            self.pass += 1;
            self.next = 0;
        }
        None
    }

    /// Record a failed attempt.
    pub(crate) fn failed(&mut self, attempt: Planned<'a>, error: AttemptError) {
        if !matches!(error, AttemptError::Timeout(_))
            && let Some(r) = self.retry.get_mut(attempt.index)
        {
            *r = false;
        }
        self.failures
            .record(attempt.endpoint, attempt.protocol, error);
    }

    /// The error after the last attempt failed.
    pub(crate) fn into_error(self) -> TransportError {
        self.failures.into_error()
    }
}

/// The failures of one send, in order, turned into the error when no KDC answered.
pub(crate) struct Failures<'r> {
    realm: &'r str,
    attempts: Vec<Attempt>,
}

impl<'r> Failures<'r> {
    pub(crate) fn new(realm: &'r str) -> Self {
        Failures {
            realm,
            attempts: Vec::new(),
        }
    }

    pub(crate) fn record(
        &mut self,
        endpoint: &KdcEndpoint,
        protocol: Protocol,
        error: AttemptError,
    ) {
        tracing::debug!(%endpoint, %protocol, %error, "KDC attempt failed");
        self.attempts.push(Attempt {
            endpoint: endpoint.clone(),
            protocol,
            error,
        });
    }

    pub(crate) fn into_error(self) -> TransportError {
        if self.attempts.is_empty() {
            TransportError::NoKdc(self.realm.to_owned())
        } else {
            TransportError::AllFailed {
                realm: self.realm.to_owned(),
                attempts: self.attempts,
            }
        }
    }
}

/// What went wrong with one KDC.
#[derive(Debug, thiserror::Error)]
pub enum AttemptError {
    /// The host name did not resolve, or resolved to nothing.
    #[error("cannot resolve host: {0}")]
    Resolve(io::Error),
    /// No reply within the time allowed.
    #[error("no reply within {0:?}")]
    Timeout(Duration),
    /// The connection was refused (nothing listens there).
    #[error("connection refused")]
    Refused,
    /// The peer closed the connection before a whole reply arrived.
    #[error("connection closed after {received} of {expected} bytes")]
    Truncated {
        /// Bytes of the reply (or of the length prefix) received.
        received: usize,
        /// Bytes expected.
        expected: usize,
    },
    /// A TCP length prefix over the limit.
    #[error("reply length {len} exceeds the limit of {max} bytes")]
    TooLarge {
        /// Announced length.
        len: u64,
        /// The limit.
        max: usize,
    },
    /// The reserved high bit of the TCP length prefix was set (RFC 4120 §7.2.2).
    #[error("reserved bit set in the TCP length prefix")]
    ReservedBit,
    /// An empty UDP datagram or zero-length TCP frame.
    #[error("empty reply")]
    Empty,
    /// Any other I/O error.
    #[error("{0}")]
    Io(io::Error),
}

impl AttemptError {
    pub(crate) fn from_io(e: io::Error, timeout: Duration) -> Self {
        match e.kind() {
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => AttemptError::Timeout(timeout),
            io::ErrorKind::ConnectionRefused => AttemptError::Refused,
            _ => AttemptError::Io(e),
        }
    }
}

/// One failed try: which KDC, over what, and why.
#[derive(Debug)]
pub struct Attempt {
    /// The KDC tried.
    pub endpoint: KdcEndpoint,
    /// The protocol used.
    pub protocol: Protocol,
    /// Why it failed.
    pub error: AttemptError,
}

impl fmt::Display for Attempt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.protocol, self.endpoint, self.error)
    }
}

/// The transport layer's error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// No KDC is known for the realm.
    #[error("no KDC is configured or discoverable for realm {0}")]
    NoKdc(String),
    /// Every KDC was tried and none answered; every failure is listed.
    #[error("no KDC for realm {realm} answered: {}", list(.attempts))]
    AllFailed {
        /// The realm.
        realm: String,
        /// Each KDC and protocol tried, in order.
        attempts: Vec<Attempt>,
    },
}

fn list(attempts: &[Attempt]) -> String {
    attempts
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_retries_only_timeouts_with_doubling_timeouts() {
        let eps = [KdcEndpoint::new("a", 88), KdcEndpoint::new("b", 88)];
        let opts = SendOptions {
            timeout: Duration::from_secs(1),
            passes: 3,
            ..SendOptions::default()
        };
        let mut s = Schedule::new("R", &eps, &opts, 10);
        let mut seen = Vec::new();
        while let Some(p) = s.next_attempt() {
            seen.push(format!(
                "{}/{}/{}",
                p.endpoint.host,
                p.protocol,
                p.opts.timeout.as_secs()
            ));
            // "a" refuses (never asked again); "b" always times out.
            let e = if p.endpoint.host == "a" {
                AttemptError::Refused
            } else {
                AttemptError::Timeout(p.opts.timeout)
            };
            s.failed(p, e);
        }
        assert_eq!(
            seen,
            [
                "a/udp/1", "a/tcp/1", "b/udp/1", "b/tcp/1", "b/udp/2", "b/tcp/2", "b/udp/4",
                "b/tcp/4"
            ]
        );
        match s.into_error() {
            TransportError::AllFailed { attempts, .. } => assert_eq!(attempts.len(), 8),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn endpoints_from_config_locations() {
        let l = KdcLocation::parse("tcp/[::1]:60088", 88).unwrap();
        let e = KdcEndpoint::from_location(&l).unwrap();
        assert_eq!(e.host, "::1");
        assert_eq!(e.port, 60088);
        assert_eq!(e.protocol, Some(Protocol::Tcp));
        assert_eq!(e.to_string(), "[::1]:60088");
        let l = KdcLocation::parse("kdc.example.com", 88).unwrap();
        assert_eq!(
            KdcEndpoint::from_location(&l),
            Some(KdcEndpoint::new("kdc.example.com", 88))
        );
        let l = KdcLocation::parse("https://proxy.example.com/KdcProxy", 88).unwrap();
        assert_eq!(KdcEndpoint::from_location(&l), None);
    }
}
