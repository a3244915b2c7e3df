//! Key material octets that are wiped from memory when dropped.

use core::fmt;

use rasn::prelude::*;
use zeroize::Zeroizing;

/// The `keyvalue` OCTET STRING of an `EncryptionKey`, zeroized on drop.
///
/// The bytes are copied straight out of the decoder's input into a zeroizing buffer; the
/// caller remains responsible for wiping the decrypted plaintext it decoded from.
#[derive(Clone, Default)]
pub struct KeyBytes(Zeroizing<Vec<u8>>);

/// Constant-time comparison (lengths are not secret).
impl PartialEq for KeyBytes {
    fn eq(&self, other: &Self) -> bool {
        use subtle::ConstantTimeEq;
        self.0.len() == other.0.len() && bool::from(self.0.as_slice().ct_eq(other.0.as_slice()))
    }
}

impl Eq for KeyBytes {}

impl core::hash::Hash for KeyBytes {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.0.as_slice().hash(state);
    }
}

impl KeyBytes {
    /// Wrap key bytes.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Self(Zeroizing::new(bytes.into()))
    }

    /// The key bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True if empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl core::ops::Deref for KeyBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl AsRef<[u8]> for KeyBytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl From<Vec<u8>> for KeyBytes {
    fn from(v: Vec<u8>) -> Self {
        Self::new(v)
    }
}

impl From<&[u8]> for KeyBytes {
    fn from(v: &[u8]) -> Self {
        Self::new(v.to_vec())
    }
}

impl fmt::Debug for KeyBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyBytes(<{} bytes>)", self.0.len())
    }
}

impl AsnType for KeyBytes {
    const TAG: Tag = Tag::OCTET_STRING;
}

impl Decode for KeyBytes {
    fn decode_with_tag_and_constraints<D: Decoder>(
        decoder: &mut D,
        tag: Tag,
        constraints: &Constraints,
    ) -> Result<Self, D::Error> {
        let v: Vec<u8> = decoder.decode_octet_string(tag, constraints)?;
        Ok(Self::new(v))
    }
}

impl Encode for KeyBytes {
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
