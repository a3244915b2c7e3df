//! Microsoft extensions: MS-KILE (PAC request/options, key list, error data, AD
//! restrictions, supported enctypes) and MS-SFU (S4U2self).

use rasn::prelude::*;
use rasn::types::OctetString;

use super::Asn1Error;
use super::ext::Extensions;
use super::flags::{PacOptionsFlags, S4uOptions};
use super::int::{Int32, UInt32};
use super::messages::{Checksum, EncryptionKey, PrincipalName};
use super::string::{KerberosString, Realm};

/// `KERB-PA-PAC-REQUEST ::= SEQUENCE { include-pac [0] BOOLEAN }` (MS-KILE 2.2.3, PA type 128)
#[derive(AsnType, Decode, Encode, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KerbPaPacRequest {
    #[rasn(tag(explicit(0)))]
    pub include_pac: bool,
}

/// `PA-PAC-OPTIONS ::= SEQUENCE { KerberosFlags }` (MS-KILE 2.2.10, PA type 167): the
/// flags are tagged `[0]`.
#[derive(AsnType, Decode, Encode, Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct PaPacOptions {
    #[rasn(tag(explicit(0)))]
    pub flags: PacOptionsFlags,
}

/// `PA-FOR-USER ::= SEQUENCE { userName [0] PrincipalName, userRealm [1] Realm, cksum [2] Checksum, auth-package [3] KerberosString }` (MS-SFU 2.2.1, PA type 129)
#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq, Hash)]
pub struct PaForUser {
    #[rasn(tag(explicit(0)))]
    pub user_name: PrincipalName,
    #[rasn(tag(explicit(1)))]
    pub user_realm: Realm,
    #[rasn(tag(explicit(2)))]
    pub cksum: Checksum,
    #[rasn(tag(explicit(3)))]
    pub auth_package: KerberosString,
}

impl PaForUser {
    /// The bytes the PA-FOR-USER HMAC-MD5 checksum covers (MS-SFU 2.2.1): name-type as
    /// 4-byte little-endian, then each name component, the realm and the auth-package.
    pub fn checksum_input(&self) -> Vec<u8> {
        let mut v = Vec::new();
        v.extend_from_slice(&self.user_name.name_type.to_le_bytes());
        for s in &self.user_name.name_string {
            v.extend_from_slice(s.as_bytes());
        }
        v.extend_from_slice(self.user_realm.as_bytes());
        v.extend_from_slice(self.auth_package.as_bytes());
        v
    }
}

/// `PA-S4U-X509-USER ::= SEQUENCE { user-id [0] S4UUserID, checksum [1] Checksum, ... }` (MS-SFU 2.2.2, PA type 130)
#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq, Hash)]
pub struct PaS4uX509User {
    #[rasn(tag(explicit(0)))]
    pub user_id: S4uUserId,
    #[rasn(tag(explicit(1)))]
    pub checksum: Checksum,
    pub ext: Extensions,
}

/// `S4UUserID ::= SEQUENCE { nonce [0] UInt32, cname [1] PrincipalName OPTIONAL, crealm [2] Realm, subject-certificate [3] OCTET STRING OPTIONAL, options [4] BIT STRING (SIZE(32)) OPTIONAL, ... }`
#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq, Hash)]
pub struct S4uUserId {
    #[rasn(tag(explicit(0)))]
    pub nonce: UInt32,
    #[rasn(tag(explicit(1)))]
    pub cname: Option<PrincipalName>,
    #[rasn(tag(explicit(2)))]
    pub crealm: Realm,
    #[rasn(tag(explicit(3)))]
    pub subject_certificate: Option<OctetString>,
    #[rasn(tag(explicit(4)))]
    pub options: Option<S4uOptions>,
    pub ext: Extensions,
}

/// `KERB-KEY-LIST-REQ ::= SEQUENCE OF encryption-type Int32` (MS-KILE 2.2.11, PA type 161)
pub type KerbKeyListReq = Vec<Int32>;

/// `KERB-KEY-LIST-REP ::= SEQUENCE OF EncryptionKey` (MS-KILE 2.2.12, PA type 162)
pub type KerbKeyListRep = Vec<EncryptionKey>;

/// `KERB-ERROR-DATA ::= SEQUENCE { data-type [1] INTEGER, data-value [2] OCTET STRING OPTIONAL }` (MS-KILE 2.2.1)
#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq, Hash)]
pub struct KerbErrorData {
    #[rasn(tag(explicit(1)))]
    pub data_type: Int32,
    #[rasn(tag(explicit(2)))]
    pub data_value: Option<OctetString>,
}

/// `KERB-EXT-ERROR` (MS-KILE 2.2.2), the little-endian `data-value` of a
/// `KERB_ERR_TYPE_EXTENDED` KERB-ERROR-DATA: an NTSTATUS, a reserved word and flags.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KerbExtError {
    /// NTSTATUS (e.g. 0xC000006E STATUS_ACCOUNT_RESTRICTION).
    pub status: u32,
    /// Reserved.
    pub reserved: u32,
    /// Flags.
    pub flags: u32,
}

impl KerbExtError {
    /// Parse the 12-byte little-endian structure.
    pub fn from_bytes(b: &[u8]) -> Result<Self, Asn1Error> {
        let err = Asn1Error::InvalidValue("KERB-EXT-ERROR must be 12 bytes");
        let [s0, s1, s2, s3, r0, r1, r2, r3, f0, f1, f2, f3] = *b else {
            return Err(err);
        };
        Ok(Self {
            status: u32::from_le_bytes([s0, s1, s2, s3]),
            reserved: u32::from_le_bytes([r0, r1, r2, r3]),
            flags: u32::from_le_bytes([f0, f1, f2, f3]),
        })
    }

    /// Serialise as 12 little-endian bytes.
    pub fn to_bytes(&self) -> [u8; 12] {
        let mut v = [0u8; 12];
        v[..4].copy_from_slice(&self.status.to_le_bytes());
        v[4..8].copy_from_slice(&self.reserved.to_le_bytes());
        v[8..].copy_from_slice(&self.flags.to_le_bytes());
        v
    }
}

/// `KERB-AD-RESTRICTION-ENTRY ::= SEQUENCE { restriction-type [0] Int32, restriction [1] OCTET STRING }`
/// (MS-KILE 2.2.6; ad-type 141 carries a SEQUENCE OF these).
#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq, Hash)]
pub struct KerbAdRestrictionEntry {
    #[rasn(tag(explicit(0)))]
    pub restriction_type: Int32,
    #[rasn(tag(explicit(1)))]
    pub restriction: OctetString,
}

/// The ad-data of ad-type 141.
pub type KerbAdRestrictionEntries = Vec<KerbAdRestrictionEntry>;

/// PA-SUPPORTED-ENCTYPES (MS-KILE 2.2.8, PA type 165) and AD-AUTH-DATA-AP-OPTIONS: not
/// ASN.1 but a 32-bit little-endian integer.
pub mod supported_enctypes {
    use super::Asn1Error;

    /// DES-CBC-CRC
    pub const DES_CBC_CRC: u32 = 0x1;
    /// DES-CBC-MD5
    pub const DES_CBC_MD5: u32 = 0x2;
    /// RC4-HMAC
    pub const RC4_HMAC: u32 = 0x4;
    /// AES128-CTS-HMAC-SHA1-96
    pub const AES128_CTS_HMAC_SHA1_96: u32 = 0x8;
    /// AES256-CTS-HMAC-SHA1-96
    pub const AES256_CTS_HMAC_SHA1_96: u32 = 0x10;
    /// AES256-CTS-HMAC-SHA1-96 session keys
    pub const AES256_CTS_HMAC_SHA1_96_SK: u32 = 0x20;
    /// FAST supported
    pub const FAST_SUPPORTED: u32 = 0x1_0000;
    /// Compound identity supported
    pub const COMPOUND_IDENTITY_SUPPORTED: u32 = 0x2_0000;
    /// Claims supported
    pub const CLAIMS_SUPPORTED: u32 = 0x4_0000;
    /// Resource SID compression disabled
    pub const RESOURCE_SID_COMPRESSION_DISABLED: u32 = 0x8_0000;

    /// Encode as 4 little-endian bytes.
    pub fn encode(v: u32) -> [u8; 4] {
        v.to_le_bytes()
    }

    /// Decode 4 little-endian bytes.
    pub fn decode(b: &[u8]) -> Result<u32, Asn1Error> {
        let [a, b, c, d] = *b else {
            return Err(Asn1Error::InvalidValue(
                "PA-SUPPORTED-ENCTYPES must be 4 bytes",
            ));
        };
        Ok(u32::from_le_bytes([a, b, c, d]))
    }
}
