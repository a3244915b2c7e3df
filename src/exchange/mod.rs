//! Sans-IO exchanges with a KDC. The exchange never opens a socket and never reads the
//! clock: the driver passes the current time in, sends the bytes of each [`Step::Send`]
//! to a KDC of the named realm, and feeds the reply back, until [`Step::Done`].
//!
//! ```no_run
//! use std::time::SystemTime;
//! use kerberos_client::exchange::{AsExchange, AsOptions, AsRequest, AsSecret, Step};
//! use kerberos_client::principal::Principal;
//!
//! # fn send(_: &str, _: &[u8], _tcp_only: bool) -> Vec<u8> { unimplemented!() }
//! let request = AsRequest {
//!     client: Principal::parse("alice@EXAMPLE.TEST", None)?,
//!     secret: AsSecret::password("Alice-Passw0rd"),
//!     options: AsOptions::default(),
//! };
//! let mut ex = AsExchange::new(request, SystemTime::now())?;
//! let cred = loop {
//!     match ex.poll() {
//!         Some(Step::Send(out)) => {
//!             let reply = send(&out.realm, &out.message, out.tcp_only);
//!             ex.receive(&reply, SystemTime::now())?;
//!         }
//!         Some(Step::Done(cred)) => break cred,
//!         None => unreachable!("poll() gives None only after Done or an error"),
//!     }
//! };
//! println!("TGT for {} until {}", cred.client, cred.end_time);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The AS exchange ([`AsExchange`]) handles: pre-authentication with PA-ENC-TIMESTAMP
//! (ETYPE-INFO2 first, ETYPE-INFO / PW-SALT for old KDCs, the default salt otherwise; one
//! retry with another ETYPE-INFO2 entry on `KDC_ERR_PREAUTH_FAILED`), clock skew
//! (`KRB_AP_ERR_SKEW`: one retry with the KDC's time), client referrals
//! (`KDC_ERR_WRONG_REALM`, with a hop limit), `KRB_ERR_RESPONSE_TOO_BIG` (resend over TCP),
//! and checks every field of the AS-REP (see [`ExchangeError`] for one variant per check),
//! including RFC 6806 canonicalization, which is accepted only with a valid
//! PA-REQ-ENC-PA-REP checksum over the request.
//!
//! FAST (RFC 6113, [`fast`]): with [`AsOptions::armor`] (a TGT, like `kinit -T`) the AS
//! exchange is armored and pre-authenticates with PA-ENCRYPTED-CHALLENGE when offered;
//! with [`TgsOptions::fast`] the TGS exchange uses the implicit armor of its TGT. Without
//! them nothing changes. A KDC that answers an armored request unarmored fails the
//! exchange ([`ExchangeError::FastNotOffered`]) unless [`FastArmor::required`] is false.

pub mod ap;
pub mod app_messages;
pub mod as_exchange;
pub mod credential;
pub mod error;
pub mod fast;
pub mod kpasswd;
mod preauth;
pub mod service_name;
pub mod tgs_exchange;

pub use ap::{ApError, ApRepInfo, ApReqBuilder, ApReqOutput, AuthenticatorChecksum, verify_ap_rep};
pub use app_messages::{
    AppMessageError, KrbCredParams, MessageParams, MessageVerifier, ReceivedCredentials,
    ReceivedMessage, build_krb_cred, build_krb_priv, build_krb_safe, parse_krb_cred, read_krb_priv,
    read_krb_safe,
};
pub use as_exchange::{AsExchange, AsOptions, AsRequest, AsSecret};
pub use credential::Credential;
pub use error::{ExchangeError, KdcError, KdcErrorContext};
pub use fast::FastArmor;
pub use kpasswd::{KpasswdError, KpasswdRequest, KpasswdResult};
pub use service_name::{HostBased, ServiceNameError, parse_service_name};
pub use tgs_exchange::{
    DriveError, S4uProxy, S4uSelf, TgsError, TgsExchange, TgsOptions, TgsOutcome, TgsRequest,
};

/// What the driver must do next.
// `Done` is large (a Credential), but a Step is moved once per round trip and the
// contract with the façade is `Step::Done(cred) => break cred`: no Box.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Step {
    /// Send these bytes to a KDC of `realm` and feed the reply to `receive`.
    Send(Outgoing),
    /// The exchange is finished.
    Done(Credential),
}

/// A message for a KDC.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outgoing {
    /// The realm whose KDC must receive the message.
    pub realm: String,
    /// The encoded request (an AS-REQ).
    pub message: Vec<u8>,
    /// True: send over TCP only (the KDC said `KRB_ERR_RESPONSE_TOO_BIG`).
    pub tcp_only: bool,
}

impl std::fmt::Display for Outgoing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} bytes for {}{}",
            self.message.len(),
            self.realm,
            if self.tcp_only { " (TCP only)" } else { "" }
        )
    }
}

/// The step interface of the AS and TGS exchanges, for drivers that run either to its end.
pub trait KdcExchange {
    /// See [`AsExchange::poll`].
    fn poll(&mut self) -> Option<Step>;
    /// See [`AsExchange::receive`].
    fn receive(&mut self, reply: &[u8], now: std::time::SystemTime) -> Result<(), ExchangeError>;
}

impl KdcExchange for AsExchange {
    fn poll(&mut self) -> Option<Step> {
        AsExchange::poll(self)
    }
    fn receive(&mut self, reply: &[u8], now: std::time::SystemTime) -> Result<(), ExchangeError> {
        AsExchange::receive(self, reply, now)
    }
}

impl KdcExchange for TgsExchange {
    fn poll(&mut self) -> Option<Step> {
        TgsExchange::poll(self)
    }
    fn receive(&mut self, reply: &[u8], now: std::time::SystemTime) -> Result<(), ExchangeError> {
        TgsExchange::receive(self, reply, now)
    }
}

/// Where an exchange stands; shared by the AS and TGS exchanges, whose `poll` is this one.
pub(crate) enum State {
    /// A message waits for `poll`.
    Ready(Outgoing),
    /// A message was handed out; waiting for `receive`.
    Waiting(Outgoing),
    /// Finished; `poll` hands out the credential.
    Done(Box<Credential>),
    /// The credential was handed out.
    Finished,
    /// A final error was returned.
    Failed,
}

impl State {
    pub(crate) fn name(&self) -> &'static str {
        match self {
            State::Ready(_) => "a request is ready for poll()",
            State::Waiting(_) => "waiting for a reply",
            State::Done(_) => "done",
            State::Finished => "finished",
            State::Failed => "failed",
        }
    }

    /// The next step: `Send` (again, until a reply is received) or `Done` once; `None` after
    /// `Done` was handed out or after a final error.
    pub(crate) fn poll(&mut self) -> Option<Step> {
        match std::mem::replace(self, State::Failed) {
            State::Ready(out) | State::Waiting(out) => {
                *self = State::Waiting(out.clone());
                Some(Step::Send(out))
            }
            State::Done(cred) => {
                *self = State::Finished;
                Some(Step::Done(*cred))
            }
            State::Finished => {
                *self = State::Finished;
                None
            }
            State::Failed => None,
        }
    }

    /// Whether a reply is expected now (a message was handed out by `poll`).
    pub(crate) fn expect_reply(&self) -> Result<(), ExchangeError> {
        match self {
            State::Waiting(_) => Ok(()),
            other => Err(ExchangeError::NotExpectingReply(other.name())),
        }
    }

    /// Take the outcome of handling a reply: the next state, or `Failed` and the error.
    pub(crate) fn settle(
        &mut self,
        outcome: Result<State, ExchangeError>,
        exchange: &'static str,
    ) -> Result<(), ExchangeError> {
        match outcome {
            Ok(next) => {
                *self = next;
                Ok(())
            }
            Err(e) => {
                tracing::debug!(error = %e, "{exchange} exchange failed");
                *self = State::Failed;
                Err(e)
            }
        }
    }
}
