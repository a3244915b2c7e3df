//! `KerberosString` (GeneralString, UNIVERSAL 27) that keeps raw octets.
//!
//! RFC 4120 restricts KerberosString to IA5 characters, but MS-KILE §3.1.5.7 and every
//! modern KDC carry UTF-8 in it. rasn's `GeneralString` rejects octets 0x80–0xA0 (which
//! occur in most non-Latin UTF-8), so this type stores the octets unchanged and offers
//! UTF-8 accessors instead.

use core::fmt;

use rasn::prelude::*;

/// A Kerberos GeneralString holding raw octets (normally UTF-8).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct KerberosString(Vec<u8>);

/// `Realm ::= KerberosString`.
pub type Realm = KerberosString;

impl KerberosString {
    /// Wrap raw octets as they appear on the wire.
    pub fn from_bytes(bytes: impl Into<Vec<u8>>) -> Self {
        Self(bytes.into())
    }

    /// The raw octets.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Consume into the raw octets.
    pub fn into_bytes(self) -> Vec<u8> {
        self.0
    }

    /// The string, if the octets are valid UTF-8.
    pub fn as_str(&self) -> Option<&str> {
        core::str::from_utf8(&self.0).ok()
    }

    /// The string with invalid UTF-8 replaced by U+FFFD.
    pub fn to_string_lossy(&self) -> alloc_cow::Cow<'_, str> {
        String::from_utf8_lossy(&self.0)
    }

    /// Length in octets.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True if empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

mod alloc_cow {
    pub use std::borrow::Cow;
}

impl From<&str> for KerberosString {
    fn from(s: &str) -> Self {
        Self(s.as_bytes().to_vec())
    }
}

impl From<String> for KerberosString {
    fn from(s: String) -> Self {
        Self(s.into_bytes())
    }
}

impl From<&[u8]> for KerberosString {
    fn from(b: &[u8]) -> Self {
        Self(b.to_vec())
    }
}

impl From<Vec<u8>> for KerberosString {
    fn from(b: Vec<u8>) -> Self {
        Self(b)
    }
}

impl PartialEq<str> for KerberosString {
    fn eq(&self, other: &str) -> bool {
        self.0 == other.as_bytes()
    }
}

impl PartialEq<&str> for KerberosString {
    fn eq(&self, other: &&str) -> bool {
        self.0 == other.as_bytes()
    }
}

impl fmt::Debug for KerberosString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.as_str() {
            Some(s) => fmt::Debug::fmt(s, f),
            None => write!(f, "KerberosString(0x{})", HexBytes(&self.0)),
        }
    }
}

impl fmt::Display for KerberosString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_string_lossy())
    }
}

pub(crate) struct HexBytes<'a>(pub &'a [u8]);

impl fmt::Display for HexBytes<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl AsnType for KerberosString {
    const TAG: Tag = Tag::GENERAL_STRING;
}

impl Decode for KerberosString {
    fn decode_with_tag_and_constraints<D: Decoder>(
        decoder: &mut D,
        tag: Tag,
        constraints: &Constraints,
    ) -> Result<Self, D::Error> {
        let v: Vec<u8> = decoder.decode_octet_string(tag, constraints)?;
        Ok(Self(v))
    }
}

impl Encode for KerberosString {
    fn encode_with_tag_and_constraints<'b, E: Encoder<'b>>(
        &self,
        encoder: &mut E,
        tag: Tag,
        constraints: &Constraints,
        identifier: Identifier,
    ) -> Result<(), E::Error> {
        encoder
            .encode_octet_string(tag, constraints, &self.0, identifier)
            .map(drop)
    }
}
