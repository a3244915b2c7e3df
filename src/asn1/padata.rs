//! Typed PA-DATA values and the [`TypedPaData`] dispatcher.

use rasn::prelude::*;
use rasn::types::OctetString;

use super::constants::padata_type as pt;
use super::fast::{PaAuthenticationSet, PaFxFastReply, PaFxFastRequest};
use super::int::{Int32, Microseconds};
use super::messages::{ApReq, Checksum, EncryptedData, PaData};
use super::ms::{
    KerbKeyListRep, KerbKeyListReq, KerbPaPacRequest, PaForUser, PaPacOptions, PaS4uX509User,
    supported_enctypes,
};
use super::string::KerberosString;
use super::time::KerberosTime;
use super::{Asn1Error, decode, encode};

/// `PA-ENC-TIMESTAMP ::= EncryptedData -- PA-ENC-TS-ENC`
pub type PaEncTimestamp = EncryptedData;

/// `PA-ENC-TS-ENC ::= SEQUENCE { patimestamp [0] KerberosTime, pausec [1] Microseconds OPTIONAL }`
#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq, Hash)]
pub struct PaEncTsEnc {
    #[rasn(tag(explicit(0)))]
    pub patimestamp: KerberosTime,
    #[rasn(tag(explicit(1)))]
    pub pausec: Option<Microseconds>,
}

impl PaEncTsEnc {
    /// A timestamp with optional microseconds.
    pub fn new(patimestamp: KerberosTime, pausec: Option<Microseconds>) -> Self {
        Self {
            patimestamp,
            pausec,
        }
    }
}

/// `ETYPE-INFO-ENTRY ::= SEQUENCE { etype [0] Int32, salt [1] OCTET STRING OPTIONAL }`
#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq, Hash)]
pub struct EtypeInfoEntry {
    #[rasn(tag(explicit(0)))]
    pub etype: Int32,
    #[rasn(tag(explicit(1)))]
    pub salt: Option<OctetString>,
}

/// `ETYPE-INFO ::= SEQUENCE OF ETYPE-INFO-ENTRY`
pub type EtypeInfo = Vec<EtypeInfoEntry>;

/// `ETYPE-INFO2-ENTRY ::= SEQUENCE { etype [0] Int32, salt [1] KerberosString OPTIONAL, s2kparams [2] OCTET STRING OPTIONAL }`
#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq, Hash)]
pub struct EtypeInfo2Entry {
    #[rasn(tag(explicit(0)))]
    pub etype: Int32,
    #[rasn(tag(explicit(1)))]
    pub salt: Option<KerberosString>,
    #[rasn(tag(explicit(2)))]
    pub s2kparams: Option<OctetString>,
}

/// `ETYPE-INFO2 ::= SEQUENCE SIZE (1..MAX) OF ETYPE-INFO2-ENTRY`
pub type EtypeInfo2 = Vec<EtypeInfo2Entry>;

/// Which way a PA-DATA travels; PA-FX-FAST (136) has a different type in each direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PaDirection {
    /// In a KDC-REQ (or KrbFastReq).
    Request,
    /// In a KDC-REP, KRB-ERROR METHOD-DATA, KrbFastResponse or encrypted-pa-data.
    Reply,
}

/// A PA-DATA value decoded according to its type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TypedPaData {
    /// 1 PA-TGS-REQ: an AP-REQ.
    TgsReq(Box<ApReq>),
    /// 2 PA-ENC-TIMESTAMP: EncryptedData of PA-ENC-TS-ENC.
    EncTimestamp(EncryptedData),
    /// 3 PA-PW-SALT: raw salt octets (not ASN.1).
    PwSalt(Vec<u8>),
    /// 11 PA-ETYPE-INFO.
    EtypeInfo(EtypeInfo),
    /// 19 PA-ETYPE-INFO2.
    EtypeInfo2(EtypeInfo2),
    /// 128 PA-PAC-REQUEST.
    PacRequest(KerbPaPacRequest),
    /// 129 PA-FOR-USER.
    ForUser(Box<PaForUser>),
    /// 130 PA-S4U-X509-USER.
    S4uX509User(Box<PaS4uX509User>),
    /// 133 PA-FX-COOKIE: opaque octets.
    FxCookie(Vec<u8>),
    /// 134 PA-AUTHENTICATION-SET.
    AuthenticationSet(PaAuthenticationSet),
    /// 136 PA-FX-FAST in a request.
    FxFastRequest(Box<PaFxFastRequest>),
    /// 136 PA-FX-FAST in a reply.
    FxFastReply(Box<PaFxFastReply>),
    /// 138 PA-ENCRYPTED-CHALLENGE: EncryptedData of PA-ENC-TS-ENC.
    EncryptedChallenge(EncryptedData),
    /// 149 PA-REQ-ENC-PA-REP: a Checksum in encrypted-pa-data (empty in the request:
    /// see [`TypedPaData::Empty`]).
    ReqEncPaRep(Checksum),
    /// 161 KERB-KEY-LIST-REQ.
    KeyListReq(KerbKeyListReq),
    /// 162 KERB-KEY-LIST-REP.
    KeyListRep(KerbKeyListRep),
    /// 165 PA-SUPPORTED-ENCTYPES (little-endian u32).
    SupportedEnctypes(u32),
    /// 167 PA-PAC-OPTIONS.
    PacOptions(PaPacOptions),
    /// A known type sent with an empty value: METHOD-DATA hints in KRB-ERROR (e.g.
    /// PA-ENC-TIMESTAMP, PA-FX-FAST), PA-REQ-ENC-PA-REP in a request.
    Empty(Int32),
    /// Any other type (e.g. 655 PA-GSS, 150 PA-AS-FRESHNESS), kept raw.
    Unknown {
        /// padata-type
        padata_type: Int32,
        /// padata-value
        value: Vec<u8>,
    },
}

impl TypedPaData {
    /// Decode a PA-DATA's value according to its type and direction.
    pub fn from_padata(pa: &PaData, dir: PaDirection) -> Result<Self, Asn1Error> {
        let v: &[u8] = &pa.padata_value;
        let raw_types = [pt::PA_PW_SALT, pt::PA_FX_COOKIE];
        if v.is_empty() && !raw_types.contains(&pa.padata_type) {
            return Ok(match pa.padata_type {
                t if super::constants::padata_type::name(t).is_some() => Self::Empty(t),
                t => Self::Unknown {
                    padata_type: t,
                    value: Vec::new(),
                },
            });
        }
        Ok(match pa.padata_type {
            pt::PA_TGS_REQ => Self::TgsReq(Box::new(decode(v)?)),
            pt::PA_ENC_TIMESTAMP => Self::EncTimestamp(decode(v)?),
            pt::PA_PW_SALT => Self::PwSalt(v.to_vec()),
            pt::PA_ETYPE_INFO => Self::EtypeInfo(decode(v)?),
            pt::PA_ETYPE_INFO2 => Self::EtypeInfo2(decode(v)?),
            pt::PA_PAC_REQUEST => Self::PacRequest(decode(v)?),
            pt::PA_FOR_USER => Self::ForUser(Box::new(decode(v)?)),
            pt::PA_FOR_X509_USER => Self::S4uX509User(Box::new(decode(v)?)),
            pt::PA_FX_COOKIE => Self::FxCookie(v.to_vec()),
            pt::PA_AUTHENTICATION_SET => Self::AuthenticationSet(decode(v)?),
            pt::PA_FX_FAST => match dir {
                PaDirection::Request => Self::FxFastRequest(Box::new(decode(v)?)),
                PaDirection::Reply => Self::FxFastReply(Box::new(decode(v)?)),
            },
            pt::PA_ENCRYPTED_CHALLENGE => Self::EncryptedChallenge(decode(v)?),
            pt::PA_REQ_ENC_PA_REP => Self::ReqEncPaRep(decode(v)?),
            pt::KERB_KEY_LIST_REQ => Self::KeyListReq(decode(v)?),
            pt::KERB_KEY_LIST_REP => Self::KeyListRep(decode(v)?),
            pt::PA_SUPPORTED_ENCTYPES => Self::SupportedEnctypes(supported_enctypes::decode(v)?),
            pt::PA_PAC_OPTIONS => Self::PacOptions(decode(v)?),
            other => Self::Unknown {
                padata_type: other,
                value: v.to_vec(),
            },
        })
    }

    /// The padata-type of this value.
    pub fn padata_type(&self) -> Int32 {
        match self {
            Self::TgsReq(_) => pt::PA_TGS_REQ,
            Self::EncTimestamp(_) => pt::PA_ENC_TIMESTAMP,
            Self::PwSalt(_) => pt::PA_PW_SALT,
            Self::EtypeInfo(_) => pt::PA_ETYPE_INFO,
            Self::EtypeInfo2(_) => pt::PA_ETYPE_INFO2,
            Self::PacRequest(_) => pt::PA_PAC_REQUEST,
            Self::ForUser(_) => pt::PA_FOR_USER,
            Self::S4uX509User(_) => pt::PA_FOR_X509_USER,
            Self::FxCookie(_) => pt::PA_FX_COOKIE,
            Self::AuthenticationSet(_) => pt::PA_AUTHENTICATION_SET,
            Self::FxFastRequest(_) | Self::FxFastReply(_) => pt::PA_FX_FAST,
            Self::EncryptedChallenge(_) => pt::PA_ENCRYPTED_CHALLENGE,
            Self::ReqEncPaRep(_) => pt::PA_REQ_ENC_PA_REP,
            Self::KeyListReq(_) => pt::KERB_KEY_LIST_REQ,
            Self::KeyListRep(_) => pt::KERB_KEY_LIST_REP,
            Self::SupportedEnctypes(_) => pt::PA_SUPPORTED_ENCTYPES,
            Self::PacOptions(_) => pt::PA_PAC_OPTIONS,
            Self::Empty(t) => *t,
            Self::Unknown { padata_type, .. } => *padata_type,
        }
    }

    /// Encode back into a PA-DATA.
    pub fn to_padata(&self) -> Result<PaData, Asn1Error> {
        let value = match self {
            Self::TgsReq(x) => encode(x.as_ref())?,
            Self::EncTimestamp(x) | Self::EncryptedChallenge(x) => encode(x)?,
            Self::PwSalt(x) | Self::FxCookie(x) => x.clone(),
            Self::EtypeInfo(x) => encode(x)?,
            Self::EtypeInfo2(x) => encode(x)?,
            Self::PacRequest(x) => encode(x)?,
            Self::ForUser(x) => encode(x.as_ref())?,
            Self::S4uX509User(x) => encode(x.as_ref())?,
            Self::AuthenticationSet(x) => encode(x)?,
            Self::FxFastRequest(x) => encode(x.as_ref())?,
            Self::FxFastReply(x) => encode(x.as_ref())?,
            Self::ReqEncPaRep(c) => encode(c)?,
            Self::Empty(_) => Vec::new(),
            Self::KeyListReq(x) => encode(x)?,
            Self::KeyListRep(x) => encode(x)?,
            Self::SupportedEnctypes(x) => supported_enctypes::encode(*x).to_vec(),
            Self::PacOptions(x) => encode(x)?,
            Self::Unknown { value, .. } => value.clone(),
        };
        Ok(PaData::new(self.padata_type(), value))
    }
}

impl PaData {
    /// Decode the value according to the type (see [`TypedPaData::from_padata`]).
    pub fn typed(&self, dir: PaDirection) -> Result<TypedPaData, Asn1Error> {
        TypedPaData::from_padata(self, dir)
    }

    /// Decode the value as `T`.
    pub fn decode_value<T: Decode>(&self) -> Result<T, Asn1Error> {
        decode(&self.padata_value)
    }

    /// A PA-DATA whose value is the DER of `value`.
    pub fn from_value<T: Encode>(padata_type: Int32, value: &T) -> Result<Self, Asn1Error> {
        Ok(Self::new(padata_type, encode(value)?))
    }
}
