//! RFC 4120 §7.2.2 TCP framing: a 4-byte big-endian length, whose high bit is reserved, then the message.

use super::AttemptError;

/// Default cap on a reply's size: far above any real KDC reply (PAC-laden AD replies are tens of KB).
pub const DEFAULT_MAX_MESSAGE_LEN: usize = 1 << 20;

/// The largest UDP datagram.
pub const MAX_UDP_LEN: usize = 65_535;

/// `message` with its length prefix, ready for a TCP stream.
pub fn frame(message: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len() + 4);
    // Kerberos messages are far below 2^31 bytes; saturate rather than wrap for absurd inputs.
    let len = u32::try_from(message.len()).unwrap_or(u32::MAX) & 0x7fff_ffff;
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(message);
    out
}

/// The length announced by a 4-byte prefix, checked against the reserved bit and `max`.
pub fn parse_prefix(prefix: [u8; 4], max: usize) -> Result<usize, AttemptError> {
    let len = u32::from_be_bytes(prefix);
    if len & 0x8000_0000 != 0 {
        return Err(AttemptError::ReservedBit);
    }
    if len == 0 {
        return Err(AttemptError::Empty);
    }
    let len = len as usize;
    if len > max {
        return Err(AttemptError::TooLarge {
            len: len as u64,
            max,
        });
    }
    Ok(len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_and_parse() {
        let f = frame(b"hello");
        assert_eq!(&f[..4], &[0, 0, 0, 5]);
        assert_eq!(parse_prefix([0, 0, 0, 5], 10).ok(), Some(5));
    }

    #[test]
    fn hostile_prefixes() {
        assert!(matches!(
            parse_prefix([0x80, 0, 0, 0], usize::MAX),
            Err(AttemptError::ReservedBit)
        ));
        assert!(matches!(
            parse_prefix([0x7f, 0xff, 0xff, 0xff], DEFAULT_MAX_MESSAGE_LEN),
            Err(AttemptError::TooLarge { .. })
        ));
        assert!(matches!(parse_prefix([0; 4], 10), Err(AttemptError::Empty)));
    }
}
