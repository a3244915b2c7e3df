//! RFC 2743 §3.1 mechanism-independent token framing: `0x60 len OID inner`, and the
//! krb5 TOK_ID (RFC 1964 §1.1, RFC 4121 §4.1).

use super::{GssError, KRB5_OID_DER, MS_KRB5_OID_DER};

/// TOK_ID of a krb5 AP-REQ token.
pub const TOK_AP_REQ: [u8; 2] = [0x01, 0x00];
/// TOK_ID of a krb5 AP-REP token.
pub const TOK_AP_REP: [u8; 2] = [0x02, 0x00];
/// TOK_ID of a krb5 KRB-ERROR token.
pub const TOK_KRB_ERROR: [u8; 2] = [0x03, 0x00];

/// Append a DER length.
pub(crate) fn push_der_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        let rest = bytes.get(skip..).unwrap_or(&[]);
        out.push(0x80 | rest.len() as u8);
        out.extend_from_slice(rest);
    }
}

/// Read a DER/BER definite length; returns (length, rest).
pub(crate) fn read_der_len(input: &[u8]) -> Result<(usize, &[u8]), GssError> {
    let (&first, rest) = input
        .split_first()
        .ok_or(GssError::Malformed("truncated length"))?;
    if first < 0x80 {
        return Ok((usize::from(first), rest));
    }
    let n = usize::from(first & 0x7f);
    if n == 0 || n > 4 {
        return Err(GssError::Malformed("unsupported length encoding"));
    }
    let (bytes, rest) = rest
        .split_at_checked(n)
        .ok_or(GssError::Malformed("truncated length"))?;
    let len = bytes
        .iter()
        .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
    Ok((len, rest))
}

/// Frame `inner` as an InitialContextToken for the mechanism `oid_der` (tag and length
/// of the OID included).
pub fn frame_initial_token(oid_der: &[u8], inner: &[u8]) -> Vec<u8> {
    let body = oid_der.len() + inner.len();
    let mut out = Vec::with_capacity(body + 6);
    out.push(0x60);
    push_der_len(&mut out, body);
    out.extend_from_slice(oid_der);
    out.extend_from_slice(inner);
    out
}

/// Split an InitialContextToken into the mechanism OID (DER, tag included) and the inner
/// token. The outer length must cover the input exactly.
pub fn parse_initial_token(token: &[u8]) -> Result<(&[u8], &[u8]), GssError> {
    let rest = match token.split_first() {
        Some((0x60, rest)) => rest,
        _ => return Err(GssError::Malformed("not an InitialContextToken (0x60)")),
    };
    let (len, body) = read_der_len(rest)?;
    if len != body.len() {
        return Err(GssError::Malformed("InitialContextToken length mismatch"));
    }
    match body.split_first() {
        Some((0x06, after_tag)) => {
            let (oid_len, oid_rest) = read_der_len(after_tag)?;
            let header = body.len() - oid_rest.len();
            let total = header
                .checked_add(oid_len)
                .ok_or(GssError::Malformed("OID length"))?;
            body.split_at_checked(total)
                .ok_or(GssError::Malformed("truncated OID"))
        }
        _ => Err(GssError::Malformed("no mechanism OID")),
    }
}

/// Frame a krb5 inner message with its TOK_ID as an InitialContextToken.
pub fn frame_krb5(tok_id: [u8; 2], message: &[u8]) -> Vec<u8> {
    let mut inner = Vec::with_capacity(message.len() + 2);
    inner.extend_from_slice(&tok_id);
    inner.extend_from_slice(message);
    frame_initial_token(KRB5_OID_DER, &inner)
}

/// Parse a framed krb5 context token: (TOK_ID, Kerberos message). The OID must be krb5
/// (or Microsoft's legacy krb5 OID).
pub fn parse_krb5(token: &[u8]) -> Result<([u8; 2], &[u8]), GssError> {
    let (oid, inner) = parse_initial_token(token)?;
    if oid != KRB5_OID_DER && oid != MS_KRB5_OID_DER {
        return Err(GssError::WrongMechanism);
    }
    match inner {
        [a, b, msg @ ..] => Ok(([*a, *b], msg)),
        _ => Err(GssError::Malformed("no TOK_ID")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_short_and_long() -> Result<(), GssError> {
        for n in [0usize, 10, 200, 70_000] {
            let msg = vec![0xab; n];
            let t = frame_krb5(TOK_AP_REQ, &msg);
            let (id, m) = parse_krb5(&t)?;
            assert_eq!(id, TOK_AP_REQ);
            assert_eq!(m, msg.as_slice());
        }
        Ok(())
    }

    #[test]
    fn rejects_garbage() {
        assert!(parse_krb5(&[]).is_err());
        assert!(parse_krb5(&[0x60]).is_err());
        assert!(parse_krb5(&[0x60, 0x85, 1, 1, 1, 1, 1]).is_err());
        assert!(parse_krb5(&[0x60, 0x03, 0x06, 0x09, 0x2a]).is_err());
        let spnego = frame_initial_token(super::super::SPNEGO_OID_DER, &[1, 2]);
        assert!(matches!(parse_krb5(&spnego), Err(GssError::WrongMechanism)));
        let mut t = frame_krb5(TOK_AP_REQ, b"xyz");
        t.push(0);
        assert!(parse_krb5(&t).is_err());
    }
}
