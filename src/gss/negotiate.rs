//! HTTP `Negotiate` authentication (RFC 4559): a SPNEGO/krb5 token in the `Authorization`
//! header, and the server's mutual-authentication token in `WWW-Authenticate`.

use std::time::SystemTime;

use super::{ContextOptions, GssError, InitiatorContext, SpnegoInitiator};
use crate::client::{Client, ClientError, Credential};
use crate::exchange;

/// Errors of the Negotiate helper.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NegotiateError {
    /// Getting the service ticket failed.
    #[error("service ticket: {0}")]
    Client(Box<ClientError>),
    /// The GSS layer failed (e.g. the server's token does not verify).
    #[error("GSS: {0}")]
    Gss(Box<GssError>),
    /// The header is not `Negotiate <base64>`.
    #[error("bad Negotiate header: {0}")]
    Header(&'static str),
}

impl From<ClientError> for NegotiateError {
    fn from(e: ClientError) -> Self {
        NegotiateError::Client(Box::new(e))
    }
}

impl From<GssError> for NegotiateError {
    fn from(e: GssError) -> Self {
        NegotiateError::Gss(Box::new(e))
    }
}

/// One HTTP Negotiate authentication: the request header, then the server's answer.
#[derive(Debug)]
pub struct NegotiateClient {
    spnego: SpnegoInitiator,
    header: String,
}

impl NegotiateClient {
    /// Get (or reuse) the service ticket for `spn` (e.g. `HTTP/web.example.test`) with
    /// `tgt`, and build the first token (mutual authentication requested).
    pub fn new(client: &Client, tgt: &Credential, spn: &str) -> Result<Self, NegotiateError> {
        let ticket = client.get_service_ticket(tgt, spn)?;
        Self::from_ticket(&ticket, ContextOptions::default(), client.now())
    }

    /// Sans-IO form: from a service ticket at local time `now`.
    pub fn from_ticket(
        ticket: &exchange::Credential,
        options: ContextOptions,
        now: SystemTime,
    ) -> Result<Self, NegotiateError> {
        let ctx = InitiatorContext::new(ticket, options, now)?;
        let mut spnego = SpnegoInitiator::new(ctx)?;
        let first = spnego.step(None)?;
        let token = first.output.ok_or(GssError::State("no initial token"))?;
        Ok(NegotiateClient {
            spnego,
            header: format!("Negotiate {}", base64_encode(&token)),
        })
    }

    /// The `Authorization` header value: `Negotiate <base64>`.
    pub fn header_value(&self) -> &str {
        &self.header
    }

    /// Check the server's `WWW-Authenticate: Negotiate <base64>` value (its AP-REP inside a
    /// NegTokenResp). Succeeds only when the server proved knowledge of the session key.
    pub fn verify_response(&mut self, www_authenticate: &str) -> Result<(), NegotiateError> {
        let v = www_authenticate.trim();
        let (scheme, rest) = v.split_once(' ').unwrap_or((v, ""));
        if !scheme.eq_ignore_ascii_case("negotiate") {
            return Err(NegotiateError::Header("not the Negotiate scheme"));
        }
        let rest = rest.trim();
        if rest.is_empty() {
            return Err(NegotiateError::Header("no token"));
        }
        let token = base64_decode(rest).ok_or(NegotiateError::Header("invalid base64"))?;
        let step = self.spnego.step(Some(&token))?;
        if !step.complete {
            return Err(GssError::Spnego("the server did not complete the negotiation").into());
        }
        Ok(())
    }

    /// The SPNEGO/krb5 context (MIC/Wrap after a verified response).
    pub fn context(&mut self) -> &mut InitiatorContext {
        self.spnego.context()
    }
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding.
pub fn base64_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                let idx = ((n >> (18 - 6 * i)) & 63) as usize;
                out.push(char::from(B64.get(idx).copied().unwrap_or(b'A')));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Standard base64 (padding optional); `None` on any invalid character.
pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let s = text.trim_end_matches('=').as_bytes();
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0u32;
    for &c in s {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    if bits >= 6 {
        return None;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trip() {
        for n in 0..20usize {
            let d: Vec<u8> = (0..n as u8).map(|i| i.wrapping_mul(37)).collect();
            let e = base64_encode(&d);
            assert_eq!(e.len() % 4, 0);
            assert_eq!(base64_decode(&e), Some(d));
        }
        assert_eq!(base64_encode(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64_encode(b"fo"), "Zm8=");
        assert_eq!(base64_decode("Zm8="), Some(b"fo".to_vec()));
        assert_eq!(base64_decode("Z"), None);
        assert_eq!(base64_decode("Zm9v!"), None);
    }
}
