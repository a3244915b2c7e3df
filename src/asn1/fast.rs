//! RFC 6113 FAST types. All SEQUENCEs here are extensible (`...`), so each ends with an
//! [`Extensions`] field that keeps unknown later components.

use rasn::prelude::*;
use rasn::types::OctetString;

use super::ext::Extensions;
use super::flags::FastOptions;
use super::int::{Int32, Microseconds, UInt32};
use super::messages::{Checksum, EncryptedData, EncryptionKey, KdcReqBody, PaData, PrincipalName};
use super::string::Realm;
use super::time::KerberosTime;

/// `PA-FX-FAST-REQUEST ::= CHOICE { armored-data [0] KrbFastArmoredReq, ... }`
#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq, Hash)]
#[rasn(choice)]
pub enum PaFxFastRequest {
    /// `armored-data [0]`
    #[rasn(tag(explicit(0)))]
    ArmoredData(KrbFastArmoredReq),
}

/// `KrbFastArmor ::= SEQUENCE { armor-type [0] Int32, armor-value [1] OCTET STRING, ... }`
#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq, Hash)]
pub struct KrbFastArmor {
    #[rasn(tag(explicit(0)))]
    pub armor_type: Int32,
    #[rasn(tag(explicit(1)))]
    pub armor_value: OctetString,
    pub ext: Extensions,
}

/// `KrbFastArmoredReq ::= SEQUENCE { armor [0] KrbFastArmor OPTIONAL, req-checksum [1] Checksum, enc-fast-req [2] EncryptedData, ... }`
#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq, Hash)]
pub struct KrbFastArmoredReq {
    #[rasn(tag(explicit(0)))]
    pub armor: Option<KrbFastArmor>,
    #[rasn(tag(explicit(1)))]
    pub req_checksum: Checksum,
    #[rasn(tag(explicit(2)))]
    pub enc_fast_req: EncryptedData,
    pub ext: Extensions,
}

/// `KrbFastReq ::= SEQUENCE { fast-options [0] FastOptions, padata [1] SEQUENCE OF PA-DATA, req-body [2] KDC-REQ-BODY, ... }`
#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq, Hash)]
pub struct KrbFastReq {
    #[rasn(tag(explicit(0)))]
    pub fast_options: FastOptions,
    #[rasn(tag(explicit(1)))]
    pub padata: Vec<PaData>,
    #[rasn(tag(explicit(2)))]
    pub req_body: KdcReqBody,
    pub ext: Extensions,
}

/// `PA-FX-FAST-REPLY ::= CHOICE { armored-data [0] KrbFastArmoredRep, ... }`
#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq, Hash)]
#[rasn(choice)]
pub enum PaFxFastReply {
    /// `armored-data [0]`
    #[rasn(tag(explicit(0)))]
    ArmoredData(KrbFastArmoredRep),
}

/// `KrbFastArmoredRep ::= SEQUENCE { enc-fast-rep [0] EncryptedData, ... }`
#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq, Hash)]
pub struct KrbFastArmoredRep {
    #[rasn(tag(explicit(0)))]
    pub enc_fast_rep: EncryptedData,
    pub ext: Extensions,
}

/// `KrbFastResponse ::= SEQUENCE { padata [0] SEQUENCE OF PA-DATA, strengthen-key [1] EncryptionKey OPTIONAL, finished [2] KrbFastFinished OPTIONAL, nonce [3] UInt32, ... }`
#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq, Hash)]
pub struct KrbFastResponse {
    #[rasn(tag(explicit(0)))]
    pub padata: Vec<PaData>,
    #[rasn(tag(explicit(1)))]
    pub strengthen_key: Option<EncryptionKey>,
    #[rasn(tag(explicit(2)))]
    pub finished: Option<KrbFastFinished>,
    #[rasn(tag(explicit(3)))]
    pub nonce: UInt32,
    pub ext: Extensions,
}

/// `KrbFastFinished ::= SEQUENCE { timestamp [0], usec [1], crealm [2], cname [3], ticket-checksum [4], ... }`
#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq, Hash)]
pub struct KrbFastFinished {
    #[rasn(tag(explicit(0)))]
    pub timestamp: KerberosTime,
    #[rasn(tag(explicit(1)))]
    pub usec: Microseconds,
    #[rasn(tag(explicit(2)))]
    pub crealm: Realm,
    #[rasn(tag(explicit(3)))]
    pub cname: PrincipalName,
    #[rasn(tag(explicit(4)))]
    pub ticket_checksum: Checksum,
    pub ext: Extensions,
}

/// `PA-AUTHENTICATION-SET-ELEM ::= SEQUENCE { pa-type [0] Int32, pa-hint [1] OCTET STRING OPTIONAL, pa-value [2] OCTET STRING OPTIONAL, ... }`
#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq, Hash)]
pub struct PaAuthenticationSetElem {
    #[rasn(tag(explicit(0)))]
    pub pa_type: Int32,
    #[rasn(tag(explicit(1)))]
    pub pa_hint: Option<OctetString>,
    #[rasn(tag(explicit(2)))]
    pub pa_value: Option<OctetString>,
    pub ext: Extensions,
}

/// `PA-AUTHENTICATION-SET ::= SEQUENCE OF PA-AUTHENTICATION-SET-ELEM`
pub type PaAuthenticationSet = Vec<PaAuthenticationSetElem>;

/// `EncryptedChallenge ::= EncryptedData` (PA-ENCRYPTED-CHALLENGE; plaintext is PA-ENC-TS-ENC).
pub type EncryptedChallenge = EncryptedData;
