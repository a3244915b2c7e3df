//! RFC 4121 per-message tokens: MIC (TOK_ID 04 04) and Wrap (TOK_ID 05 04), sealed and
//! unsealed, with EC and RRC, and the receive-side sequence window.
//!
//! Keys are [`UsageKey`]s derived once per direction, so a Wrap costs one encryption.

use crate::crypto::{EncryptionType, Key, KeyUsage, UsageKey};

use super::GssError;

/// Token flag: sent by the acceptor.
pub const FLAG_SENT_BY_ACCEPTOR: u8 = 0x01;
/// Token flag: the Wrap token is encrypted.
pub const FLAG_SEALED: u8 = 0x02;
/// Token flag: the acceptor's subkey protects the token.
pub const FLAG_ACCEPTOR_SUBKEY: u8 = 0x04;

const TOK_MIC: [u8; 2] = [0x04, 0x04];
const TOK_WRAP: [u8; 2] = [0x05, 0x04];
const HEADER_LEN: usize = 16;
/// Replay window size, in tokens.
pub const WINDOW: u64 = 64;

/// How a received token's sequence number relates to the ones before.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeqStatus {
    /// The next expected number.
    InOrder,
    /// Later than expected: tokens were skipped (GSS_S_GAP_TOKEN).
    Gap,
    /// Earlier than expected but within the window and not seen before (GSS_S_UNSEQ_TOKEN).
    Late,
}

/// A verified and (if sealed) decrypted Wrap token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unwrapped {
    /// The message.
    pub data: Vec<u8>,
    /// Whether it was encrypted.
    pub confidential: bool,
    /// The sender's sequence number.
    pub seq: u64,
    /// Its place in the sequence.
    pub status: SeqStatus,
}

/// The keys for one direction (seal and sign usages of one key).
pub(crate) struct DirectionKeys {
    seal: UsageKey,
    sign: UsageKey,
    cksum_len: usize,
}

impl DirectionKeys {
    pub(crate) fn new(key: &Key, from_acceptor: bool) -> Result<Self, GssError> {
        if key.etype() == EncryptionType::Rc4Hmac {
            return Err(GssError::UnsupportedEnctype(key.etype().id()));
        }
        let (seal, sign) = if from_acceptor {
            (KeyUsage::GSS_ACCEPTOR_SEAL, KeyUsage::GSS_ACCEPTOR_SIGN)
        } else {
            (KeyUsage::GSS_INITIATOR_SEAL, KeyUsage::GSS_INITIATOR_SIGN)
        };
        Ok(DirectionKeys {
            seal: key.for_usage(seal),
            sign: key.for_usage(sign),
            cksum_len: key.etype().checksum_type().size(),
        })
    }
}

/// The per-message keys of an established context, seen from one side.
pub(crate) struct TokenKeys {
    /// Keys for what we send.
    pub(crate) send: DirectionKeys,
    /// Flags we set on what we send (sender and acceptor-subkey bits).
    pub(crate) send_flags: u8,
    /// Keys for the peer's tokens without the AcceptorSubkey flag.
    pub(crate) recv: DirectionKeys,
    /// Keys for the peer's tokens with the AcceptorSubkey flag.
    pub(crate) recv_acceptor_subkey: Option<DirectionKeys>,
    /// The sender bit the peer's tokens must carry.
    pub(crate) peer_is_acceptor: bool,
}

impl TokenKeys {
    /// Keys for the initiator: `ctx_key` is the initiator subkey (or session key),
    /// `acceptor_subkey` the AP-REP's subkey.
    pub(crate) fn initiator(
        ctx_key: &Key,
        acceptor_subkey: Option<&Key>,
    ) -> Result<Self, GssError> {
        let send_key = acceptor_subkey.unwrap_or(ctx_key);
        Ok(TokenKeys {
            send: DirectionKeys::new(send_key, false)?,
            send_flags: if acceptor_subkey.is_some() {
                FLAG_ACCEPTOR_SUBKEY
            } else {
                0
            },
            recv: DirectionKeys::new(ctx_key, true)?,
            recv_acceptor_subkey: acceptor_subkey
                .map(|k| DirectionKeys::new(k, true))
                .transpose()?,
            peer_is_acceptor: true,
        })
    }

    /// Keys for an acceptor (unit tests): the mirror image of
    /// [`initiator`](Self::initiator).
    #[cfg(test)]
    pub(crate) fn acceptor(ctx_key: &Key, acceptor_subkey: Option<&Key>) -> Result<Self, GssError> {
        let send_key = acceptor_subkey.unwrap_or(ctx_key);
        Ok(TokenKeys {
            send: DirectionKeys::new(send_key, true)?,
            send_flags: FLAG_SENT_BY_ACCEPTOR
                | if acceptor_subkey.is_some() {
                    FLAG_ACCEPTOR_SUBKEY
                } else {
                    0
                },
            recv: DirectionKeys::new(ctx_key, false)?,
            recv_acceptor_subkey: acceptor_subkey
                .map(|k| DirectionKeys::new(k, false))
                .transpose()?,
            peer_is_acceptor: false,
        })
    }

    fn recv_keys(&self, flags: u8) -> Result<&DirectionKeys, GssError> {
        let from_acceptor = flags & FLAG_SENT_BY_ACCEPTOR != 0;
        if from_acceptor != self.peer_is_acceptor {
            return Err(GssError::Reflected);
        }
        if flags & FLAG_ACCEPTOR_SUBKEY != 0 {
            self.recv_acceptor_subkey
                .as_ref()
                .ok_or(GssError::Malformed(
                    "AcceptorSubkey flag without an acceptor subkey",
                ))
        } else {
            Ok(&self.recv)
        }
    }

    /// A MIC token over `msg` with sequence number `seq`.
    pub(crate) fn get_mic(&self, seq: u64, msg: &[u8]) -> Vec<u8> {
        let mut header = [0xffu8; HEADER_LEN];
        header[..2].copy_from_slice(&TOK_MIC);
        header[2] = self.send_flags;
        header[8..].copy_from_slice(&seq.to_be_bytes());
        let mut input = Vec::with_capacity(msg.len() + HEADER_LEN);
        input.extend_from_slice(msg);
        input.extend_from_slice(&header);
        let cksum = self.send.sign.checksum(&input);
        let mut out = Vec::with_capacity(HEADER_LEN + cksum.len());
        out.extend_from_slice(&header);
        out.extend_from_slice(&cksum);
        out
    }

    /// Verify a MIC token over `msg`; returns the sender's sequence number.
    pub(crate) fn verify_mic(&self, token: &[u8], msg: &[u8]) -> Result<u64, GssError> {
        let (header, cksum) = token
            .split_at_checked(HEADER_LEN)
            .ok_or(GssError::Malformed("MIC token shorter than its header"))?;
        if header.get(..2) != Some(&TOK_MIC[..]) {
            return Err(GssError::Malformed("not a MIC token (TOK_ID 04 04)"));
        }
        let flags = header.get(2).copied().unwrap_or(0);
        if header.get(3..8) != Some(&[0xff; 5][..]) {
            return Err(GssError::Malformed("MIC token filler"));
        }
        if flags & FLAG_SEALED != 0 {
            return Err(GssError::Malformed("Sealed flag on a MIC token"));
        }
        let keys = self.recv_keys(flags)?;
        let mut input = Vec::with_capacity(msg.len() + HEADER_LEN);
        input.extend_from_slice(msg);
        input.extend_from_slice(header);
        keys.sign
            .verify_checksum(&input, cksum)
            .map_err(|_| GssError::BadSignature)?;
        Ok(seq_of(header))
    }

    /// A Wrap token: encrypted when `confidential`, else integrity-protected only.
    pub(crate) fn wrap(&self, seq: u64, msg: &[u8], confidential: bool) -> Vec<u8> {
        let mut header = [0u8; HEADER_LEN];
        header[..2].copy_from_slice(&TOK_WRAP);
        header[3] = 0xff;
        header[8..].copy_from_slice(&seq.to_be_bytes());
        if confidential {
            header[2] = self.send_flags | FLAG_SEALED;
            // EC = 0 (no filler: the AES enctypes use ciphertext stealing), RRC = 0.
            let mut plain = Vec::with_capacity(msg.len() + HEADER_LEN);
            plain.extend_from_slice(msg);
            plain.extend_from_slice(&header);
            let mut out = Vec::with_capacity(msg.len() + 2 * HEADER_LEN + 40);
            out.extend_from_slice(&header);
            let mut cipher = Vec::new();
            self.send.seal.encrypt_into(&plain, &mut cipher);
            out.extend_from_slice(&cipher);
            out
        } else {
            header[2] = self.send_flags;
            let mut input = Vec::with_capacity(msg.len() + HEADER_LEN);
            input.extend_from_slice(msg);
            input.extend_from_slice(&header);
            let cksum = self.send.seal.checksum(&input);
            let ec = u16::try_from(cksum.len()).unwrap_or(0);
            header[4..6].copy_from_slice(&ec.to_be_bytes());
            let mut out = Vec::with_capacity(HEADER_LEN + msg.len() + cksum.len());
            out.extend_from_slice(&header);
            out.extend_from_slice(msg);
            out.extend_from_slice(&cksum);
            out
        }
    }

    /// Verify (and decrypt) a Wrap token; undoes the RRC rotation. The sequence status
    /// is filled in by the caller.
    pub(crate) fn unwrap(&self, token: &[u8]) -> Result<(Vec<u8>, bool, u64), GssError> {
        let (header, body) = token
            .split_at_checked(HEADER_LEN)
            .ok_or(GssError::Malformed("Wrap token shorter than its header"))?;
        if header.get(..2) != Some(&TOK_WRAP[..]) {
            return Err(GssError::Malformed("not a Wrap token (TOK_ID 05 04)"));
        }
        let flags = header.get(2).copied().unwrap_or(0);
        if header.get(3) != Some(&0xff) {
            return Err(GssError::Malformed("Wrap token filler"));
        }
        let ec = usize::from(u16::from_be_bytes([
            header.get(4).copied().unwrap_or(0),
            header.get(5).copied().unwrap_or(0),
        ]));
        let rrc = usize::from(u16::from_be_bytes([
            header.get(6).copied().unwrap_or(0),
            header.get(7).copied().unwrap_or(0),
        ]));
        let keys = self.recv_keys(flags)?;
        let seq = seq_of(header);
        let mut body = body.to_vec();
        if !body.is_empty() {
            let r = rrc % body.len();
            body.rotate_left(r);
        }
        if flags & FLAG_SEALED != 0 {
            let mut plain = Vec::new();
            keys.seal
                .decrypt_into(&body, &mut plain)
                .map_err(|_| GssError::BadSignature)?;
            let data_len = plain
                .len()
                .checked_sub(HEADER_LEN)
                .and_then(|n| n.checked_sub(ec))
                .ok_or(GssError::Malformed("sealed Wrap token too short for EC"))?;
            let inner = plain
                .get(data_len + ec..)
                .ok_or(GssError::Malformed("sealed Wrap token"))?;
            // The encrypted copy of the header must match, except RRC.
            if inner.get(..6) != header.get(..6) || inner.get(8..) != header.get(8..) {
                return Err(GssError::BadSignature);
            }
            plain.truncate(data_len);
            Ok((plain, true, seq))
        } else {
            if ec != keys.cksum_len {
                return Err(GssError::BadSignature);
            }
            let data_len = body
                .len()
                .checked_sub(ec)
                .ok_or(GssError::Malformed("Wrap token shorter than its checksum"))?;
            let cksum = body.split_off(data_len);
            let mut plain_header = [0u8; HEADER_LEN];
            plain_header.copy_from_slice(header);
            plain_header[4..8].fill(0);
            let mut input = body;
            input.extend_from_slice(&plain_header);
            keys.seal
                .verify_checksum(&input, &cksum)
                .map_err(|_| GssError::BadSignature)?;
            input.truncate(data_len);
            Ok((input, false, seq))
        }
    }
}

fn seq_of(header: &[u8]) -> u64 {
    let mut b = [0u8; 8];
    if let Some(s) = header.get(8..16) {
        b.copy_from_slice(s);
    }
    u64::from_be_bytes(b)
}

/// Receive-side sequence checking: replay detection within [`WINDOW`] tokens, and
/// gap/late reporting.
#[derive(Clone, Debug)]
pub(crate) struct SeqWindow {
    next: u64,
    /// Bit i set: `next - 1 - i` was received.
    seen: u64,
    replay: bool,
}

impl SeqWindow {
    pub(crate) fn new(first: u64, replay: bool) -> Self {
        SeqWindow {
            next: first,
            seen: 0,
            replay,
        }
    }

    pub(crate) fn check(&mut self, seq: u64) -> Result<SeqStatus, GssError> {
        if seq >= self.next {
            let shift = seq - self.next + 1;
            self.seen = if shift >= 64 { 0 } else { self.seen << shift } | 1;
            let status = if seq == self.next {
                SeqStatus::InOrder
            } else {
                SeqStatus::Gap
            };
            self.next = seq.wrapping_add(1);
            return Ok(status);
        }
        let age = self.next - 1 - seq;
        if age >= WINDOW.min(64) {
            return if self.replay {
                Err(GssError::OldToken(seq))
            } else {
                Ok(SeqStatus::Late)
            };
        }
        let bit = 1u64 << age;
        if self.seen & bit != 0 {
            if self.replay {
                return Err(GssError::Duplicate(seq));
            }
        } else {
            self.seen |= bit;
        }
        Ok(SeqStatus::Late)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(sub: bool) -> Result<(TokenKeys, TokenKeys), GssError> {
        let k = Key::random(EncryptionType::Aes256CtsHmacSha196);
        let a = Key::random(EncryptionType::Aes256CtsHmacSha196);
        let acc = sub.then_some(&a);
        Ok((
            TokenKeys::initiator(&k, acc)?,
            TokenKeys::acceptor(&k, acc)?,
        ))
    }

    #[test]
    fn mic_and_wrap_both_ways() -> Result<(), GssError> {
        for sub in [false, true] {
            let (i, a) = pair(sub)?;
            let mic = i.get_mic(5, b"hello");
            assert_eq!(a.verify_mic(&mic, b"hello")?, 5);
            assert!(matches!(
                a.verify_mic(&mic, b"hellO"),
                Err(GssError::BadSignature)
            ));
            assert!(matches!(
                i.verify_mic(&mic, b"hello"),
                Err(GssError::Reflected)
            ));
            let mic = a.get_mic(9, b"x");
            assert_eq!(i.verify_mic(&mic, b"x")?, 9);
            for conf in [true, false] {
                for msg in [&b""[..], b"a", &[7u8; 1000][..]] {
                    let t = i.wrap(1, msg, conf);
                    assert_eq!(a.unwrap(&t)?, (msg.to_vec(), conf, 1));
                    let t = a.wrap(2, msg, conf);
                    assert_eq!(i.unwrap(&t)?, (msg.to_vec(), conf, 2));
                    let mut bad = t.clone();
                    if let Some(b) = bad.last_mut() {
                        *b ^= 1;
                    }
                    assert!(i.unwrap(&bad).is_err());
                }
            }
        }
        Ok(())
    }

    #[test]
    fn rrc_rotation_on_receive() -> Result<(), GssError> {
        let (i, a) = pair(true)?;
        for conf in [true, false] {
            let t = a.wrap(3, b"rotated message", conf);
            let (header, body) = t.split_at(HEADER_LEN);
            for rrc in [0usize, 1, 12, 28, 300] {
                let mut body = body.to_vec();
                let r = rrc % body.len();
                body.rotate_right(r);
                let mut tok = header.to_vec();
                tok[6..8].copy_from_slice(&(rrc as u16).to_be_bytes());
                tok.extend_from_slice(&body);
                assert_eq!(i.unwrap(&tok)?.0, b"rotated message");
            }
        }
        Ok(())
    }

    #[test]
    fn window() -> Result<(), GssError> {
        let mut w = SeqWindow::new(10, true);
        assert_eq!(w.check(10)?, SeqStatus::InOrder);
        assert_eq!(w.check(11)?, SeqStatus::InOrder);
        assert!(matches!(w.check(11), Err(GssError::Duplicate(11))));
        assert_eq!(w.check(14)?, SeqStatus::Gap);
        assert_eq!(w.check(12)?, SeqStatus::Late);
        assert!(matches!(w.check(12), Err(GssError::Duplicate(12))));
        assert_eq!(w.check(200)?, SeqStatus::Gap);
        assert!(matches!(w.check(100), Err(GssError::OldToken(100))));
        assert!(matches!(w.check(5), Err(GssError::OldToken(5))));
        Ok(())
    }

    #[test]
    fn garbage_never_panics() -> Result<(), GssError> {
        let (i, _) = pair(true)?;
        for n in 0..40 {
            let mut t = vec![0xffu8; n];
            if n >= 2 {
                t[0] = 5;
                t[1] = 4;
            }
            if n > 2 {
                t[2] = 0x07;
            }
            assert!(i.unwrap(&t).is_err());
            assert!(i.verify_mic(&t, b"").is_err());
        }
        Ok(())
    }
}
