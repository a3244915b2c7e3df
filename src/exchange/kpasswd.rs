//! Changing a password with the kpasswd protocol (RFC 3244, version 1 "change password"), sans-IO.
//!
//! The request is an AP-REQ for the `kadmin/changepw` ticket (an initial ticket, obtained with the
//! old password) with a random subkey and sequence number, and a KRB-PRIV under that subkey holding
//! the new password. The reply is an AP-REP and a KRB-PRIV holding a 2-byte result code and a
//! message, or a KRB-ERROR. Over TCP (and through a KDC proxy) the message travels with the usual
//! 4-byte length prefix; the transports add it.

use std::time::{Duration, SystemTime};

use zeroize::Zeroizing;

use super::ap::{ApError, ApReqBuilder, ApReqOutput};
use super::app_messages::{AppMessageError, MessageParams, MessageVerifier, build_krb_priv};
use super::credential::Credential;
use super::error::KdcError;
use crate::asn1::{self, KrbError};
use crate::crypto::Key;

/// The protocol version of "change password" requests and replies.
pub const VERSION_CHANGE_PASSWORD: u16 = 1;
/// The version Microsoft's and MIT's servers use in replies to set-password requests.
pub const VERSION_SET_PASSWORD: u16 = 0xff80;

/// Why a kpasswd exchange failed before the server's result could be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KpasswdError {
    /// The ticket is not for `kadmin/changepw`.
    #[error("a password change needs a kadmin/changepw ticket, not one for {0}")]
    NotAChangepwTicket(String),
    /// The new password is too long for the protocol.
    #[error("the request is too long for the kpasswd protocol ({0} bytes)")]
    TooLong(usize),
    /// Building the AP-REQ or checking the AP-REP failed.
    #[error(transparent)]
    Ap(#[from] ApError),
    /// Building or reading the KRB-PRIV failed.
    #[error(transparent)]
    Message(#[from] AppMessageError),
    /// The server answered with a KRB-ERROR instead of a kpasswd reply.
    #[error(transparent)]
    Kdc(#[from] KdcError),
    /// The reply does not have the kpasswd reply layout.
    #[error("malformed kpasswd reply: {0}")]
    Malformed(&'static str),
}

/// The server's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KpasswdResult {
    /// Result code (0 success, 1 malformed, 2 hard error, 3 authentication error, 4 soft error,
    /// 5 access denied, 6 bad version, 7 initial flag needed).
    pub code: u16,
    /// The server's message (Active Directory sends a binary policy block for code 4; it is shown
    /// lossily here).
    pub text: String,
}

impl KpasswdResult {
    /// Whether the password was changed.
    pub fn is_success(&self) -> bool {
        self.code == 0
    }

    /// The RFC 3244 name of the result code.
    pub fn code_name(&self) -> &'static str {
        match self.code {
            0 => "KRB5_KPASSWD_SUCCESS",
            1 => "KRB5_KPASSWD_MALFORMED",
            2 => "KRB5_KPASSWD_HARDERROR",
            3 => "KRB5_KPASSWD_AUTHERROR",
            4 => "KRB5_KPASSWD_SOFTERROR",
            5 => "KRB5_KPASSWD_ACCESSDENIED",
            6 => "KRB5_KPASSWD_BAD_VERSION",
            7 => "KRB5_KPASSWD_INITIAL_FLAG_NEEDED",
            _ => "unknown kpasswd result",
        }
    }
}

/// A change-password request and what is needed to read its reply.
pub struct KpasswdRequest {
    /// The request bytes (without a TCP length prefix).
    pub message: Vec<u8>,
    ap: ApReqOutput,
    subkey: Key,
}

impl std::fmt::Debug for KpasswdRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KpasswdRequest")
            .field("message_len", &self.message.len())
            .finish_non_exhaustive()
    }
}

impl KpasswdRequest {
    /// A request to change the password of `ticket`'s client to `new_password`; `ticket` is the
    /// client's `kadmin/changepw` ticket.
    pub fn change_password(
        ticket: &Credential,
        new_password: &str,
        now: SystemTime,
    ) -> Result<KpasswdRequest, KpasswdError> {
        let server = &ticket.server;
        if server.components.first().map(Vec::as_slice) != Some(b"kadmin")
            || server.components.get(1).map(Vec::as_slice) != Some(b"changepw")
        {
            return Err(KpasswdError::NotAChangepwTicket(server.to_string()));
        }
        let ap = ApReqBuilder::new(&ticket.ticket, &ticket.session_key, &ticket.client, now)
            .random_subkey()
            .random_seq_number()
            .mutual_required(true)
            .build()?;
        let subkey = ap
            .subkey
            .clone()
            .ok_or(KpasswdError::Malformed("no subkey in our own AP-REQ"))?;
        let params = MessageParams {
            timestamp: Some(now),
            seq_number: ap.seq_number,
            s_address: None,
            r_address: None,
        };
        let password = Zeroizing::new(new_password.as_bytes().to_vec());
        let krb_priv = build_krb_priv(&subkey, &password, &params)?;
        let total = 6 + ap.message.len() + krb_priv.len();
        let too_long = || KpasswdError::TooLong(total);
        let mut message = Vec::with_capacity(total);
        message.extend_from_slice(&u16::try_from(total).map_err(|_| too_long())?.to_be_bytes());
        message.extend_from_slice(&VERSION_CHANGE_PASSWORD.to_be_bytes());
        message.extend_from_slice(
            &u16::try_from(ap.message.len())
                .map_err(|_| too_long())?
                .to_be_bytes(),
        );
        message.extend_from_slice(&ap.message);
        message.extend_from_slice(&krb_priv);
        Ok(KpasswdRequest {
            message,
            ap,
            subkey,
        })
    }

    /// Read the server's reply: the AP-REP (mutual authentication), then the KRB-PRIV with the
    /// result, checked for its sequence number and time (`clock_skew`).
    pub fn read_reply(
        &self,
        reply: &[u8],
        now: SystemTime,
        clock_skew: Duration,
    ) -> Result<KpasswdResult, KpasswdError> {
        // A bare KRB-ERROR (some servers answer a garbled request so).
        if reply.first() == Some(&0x7e) {
            let err: KrbError =
                asn1::decode(reply).map_err(|_| KpasswdError::Malformed("bad KRB-ERROR"))?;
            return Err(KdcError::from_krb_error(&err, now).into());
        }
        let field = |at: usize| -> Result<usize, KpasswdError> {
            match reply.get(at..at + 2) {
                Some([a, b]) => Ok(usize::from(u16::from_be_bytes([*a, *b]))),
                _ => Err(KpasswdError::Malformed("shorter than its header")),
            }
        };
        if field(0)? != reply.len() {
            return Err(KpasswdError::Malformed(
                "length field does not match the reply",
            ));
        }
        let ap_rep_len = field(4)?;
        let rest = reply
            .get(6..)
            .ok_or(KpasswdError::Malformed("shorter than its header"))?;
        if ap_rep_len == 0 {
            let err: KrbError = asn1::decode(rest)
                .map_err(|_| KpasswdError::Malformed("no AP-REP and no KRB-ERROR"))?;
            return Err(KdcError::from_krb_error(&err, now).into());
        }
        let (ap_rep, krb_priv) = rest
            .split_at_checked(ap_rep_len)
            .ok_or(KpasswdError::Malformed("AP-REP length beyond the reply"))?;
        let rep = self.ap.verify_ap_rep(ap_rep)?;
        let key = rep.subkey.clone().unwrap_or_else(|| self.subkey.clone());
        let mut verifier = MessageVerifier::new(clock_skew);
        if let Some(seq) = rep.seq_number {
            verifier = verifier.expect_sequence(seq);
        }
        let m = verifier.read_priv(&key, krb_priv, now)?;
        let (code, text) = m
            .user_data
            .split_at_checked(2)
            .ok_or(KpasswdError::Malformed("result shorter than its code"))?;
        Ok(KpasswdResult {
            code: u16::from_be_bytes([
                code.first().copied().unwrap_or(0),
                code.get(1).copied().unwrap_or(0),
            ]),
            text: String::from_utf8_lossy(text)
                .trim_end_matches('\0')
                .to_owned(),
        })
    }
}
