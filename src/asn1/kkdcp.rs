//! MS-KKDCP `KDC-PROXY-MESSAGE` (Kerberos over HTTPS).

use rasn::prelude::*;
use rasn::types::OctetString;

use super::Asn1Error;
use super::string::Realm;

/// `KDC-PROXY-MESSAGE ::= SEQUENCE { kerb-message [0] OCTET STRING, target-domain [1] KERB-REALM OPTIONAL, dclocator-hint [2] INTEGER OPTIONAL }`
///
/// `kerb-message` is the Kerberos message with its 4-byte TCP length prefix (MS-KKDCP
/// 2.2.2); see [`KdcProxyMessage::wrap`] and [`KdcProxyMessage::unwrap_message`].
#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq, Hash)]
pub struct KdcProxyMessage {
    #[rasn(tag(explicit(0)))]
    pub kerb_message: OctetString,
    #[rasn(tag(explicit(1)))]
    pub target_domain: Option<Realm>,
    #[rasn(tag(explicit(2)))]
    pub dclocator_hint: Option<i64>,
}

impl KdcProxyMessage {
    /// Wrap a Kerberos message: prepend the 4-byte big-endian length as on TCP.
    pub fn wrap(message: &[u8], target_domain: Option<Realm>) -> Result<Self, Asn1Error> {
        let len = u32::try_from(message.len())
            .map_err(|_| Asn1Error::InvalidValue("Kerberos message too long"))?;
        let mut v = Vec::with_capacity(message.len() + 4);
        v.extend_from_slice(&len.to_be_bytes());
        v.extend_from_slice(message);
        Ok(Self {
            kerb_message: OctetString::from(v),
            target_domain,
            dclocator_hint: None,
        })
    }

    /// The Kerberos message without its length prefix (checked against the prefix).
    pub fn unwrap_message(&self) -> Result<&[u8], Asn1Error> {
        let Some((prefix, body)) = self.kerb_message.split_at_checked(4) else {
            return Err(Asn1Error::InvalidValue(
                "kerb-message shorter than its length prefix",
            ));
        };
        let mut len = [0u8; 4];
        len.copy_from_slice(prefix);
        if usize::try_from(u32::from_be_bytes(len)).ok() != Some(body.len()) {
            return Err(Asn1Error::InvalidValue(
                "kerb-message length prefix mismatch",
            ));
        }
        Ok(body)
    }
}
