//! Integer newtypes: the lenient `UInt32` used for kvno, nonce and seq-number.
//!
//! RFC 4120 declares these `UInt32 ::= INTEGER (0..4294967295)`, but MIT krb5 and Windows
//! encode them as a *signed* Int32 (an RODC kvno with bit 31 set goes out as
//! `02 04 ff 00 00 00`), while other peers send the unsigned 5-byte form
//! (`02 05 00 de ad be ef`). [`UInt32`] decodes both and always encodes the
//! MIT/Windows way: the 32-bit pattern as a signed Int32, never 5 bytes.
//!
//! Nonces: the encoding rule is the same. Senders should pick nonces with bit 31 clear
//! ([`UInt32::nonce`] masks to 31 bits, as MIT does) so that both interpretations agree.

use core::fmt;

use rasn::prelude::*;

/// `Int32 ::= INTEGER (-2147483648..2147483647)`.
pub type Int32 = i32;

/// `Microseconds ::= INTEGER (0..999999)` (range not enforced on decode).
pub type Microseconds = i32;

/// A 32-bit unsigned value (kvno, nonce, seq-number) that decodes from either the signed
/// or the unsigned encoding and encodes as a signed Int32.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct UInt32(pub u32);

impl UInt32 {
    /// Wrap a value.
    pub const fn new(v: u32) -> Self {
        Self(v)
    }

    /// The value as an unsigned 32-bit number (RODC kvnos keep their branch id in the top bits).
    pub const fn get(self) -> u32 {
        self.0
    }

    /// The same 32 bits read as a signed Int32 (what goes on the wire).
    pub const fn as_i32(self) -> i32 {
        self.0 as i32
    }

    /// A nonce from random bits, masked to 31 bits like MIT krb5 does, so that peers that
    /// treat it as signed and peers that treat it as unsigned agree.
    pub const fn nonce(random: u32) -> Self {
        Self(random & 0x7fff_ffff)
    }
}

impl From<u32> for UInt32 {
    fn from(v: u32) -> Self {
        Self(v)
    }
}

impl From<UInt32> for u32 {
    fn from(v: UInt32) -> Self {
        v.0
    }
}

impl fmt::Debug for UInt32 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for UInt32 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl AsnType for UInt32 {
    const TAG: Tag = Tag::INTEGER;
}

impl Decode for UInt32 {
    fn decode_with_tag_and_constraints<D: Decoder>(
        decoder: &mut D,
        tag: Tag,
        _constraints: &Constraints,
    ) -> Result<Self, D::Error> {
        let v: i64 = decoder.decode_integer(tag, &Constraints::default())?;
        if (i64::from(i32::MIN)..=i64::from(u32::MAX)).contains(&v) {
            // Negative values are the signed reading of the same 32 bits.
            Ok(Self(v as u32))
        } else {
            Err(rasn::error::DecodeError::from_kind(
                rasn::error::DecodeErrorKind::Custom {
                    msg: format!("UInt32 out of range: {v}"),
                },
                decoder.codec(),
            )
            .into())
        }
    }
}

impl Encode for UInt32 {
    fn encode_with_tag_and_constraints<'b, E: Encoder<'b>>(
        &self,
        encoder: &mut E,
        tag: Tag,
        _constraints: &Constraints,
        identifier: Identifier,
    ) -> Result<(), E::Error> {
        encoder
            .encode_integer::<i32>(tag, &Constraints::default(), &self.as_i32(), identifier)
            .map(drop)
    }
}
