//! RFC 4120 §5 types (with the RFC 6806 `encrypted-pa-data` addition).
//!
//! Written from the ASN.1 module in RFC 4120 Appendix A (EXPLICIT TAGS). Field names
//! are the RFC names in snake_case.

use rasn::prelude::*;
use rasn::types::OctetString;

use super::ext::{Extensions, RawTicket};
use super::flags::{ApOptions, KdcOptions, TicketFlags};
use super::int::{Int32, Microseconds, UInt32};
use super::key::KeyBytes;
use super::string::{KerberosString, Realm};
use super::time::KerberosTime;

/// `PrincipalName ::= SEQUENCE { name-type [0] Int32, name-string [1] SEQUENCE OF KerberosString }`
#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct PrincipalName {
    #[rasn(tag(explicit(0)))]
    pub name_type: Int32,
    #[rasn(tag(explicit(1)))]
    pub name_string: Vec<KerberosString>,
}

impl PrincipalName {
    /// `PrincipalName::new(name_type::NT_SRV_INST, &["krbtgt", "REALM"])`.
    pub fn new<S: AsRef<str>>(name_type: Int32, components: &[S]) -> Self {
        Self {
            name_type,
            name_string: components
                .iter()
                .map(|c| KerberosString::from(c.as_ref()))
                .collect(),
        }
    }

    /// The components joined with `/` (lossy UTF-8), e.g. `krbtgt/EXAMPLE.COM`.
    pub fn to_string_lossy(&self) -> String {
        let parts: Vec<String> = self
            .name_string
            .iter()
            .map(|s| s.to_string_lossy().into_owned())
            .collect();
        parts.join("/")
    }
}

/// `HostAddress ::= SEQUENCE { addr-type [0] Int32, address [1] OCTET STRING }`
#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq, Hash)]
pub struct HostAddress {
    #[rasn(tag(explicit(0)))]
    pub addr_type: Int32,
    #[rasn(tag(explicit(1)))]
    pub address: OctetString,
}

/// `HostAddresses ::= SEQUENCE OF HostAddress` (may be empty on the wire).
pub type HostAddresses = Vec<HostAddress>;

/// One element of `AuthorizationData`.
#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq, Hash)]
pub struct AuthorizationDataEntry {
    #[rasn(tag(explicit(0)))]
    pub ad_type: Int32,
    #[rasn(tag(explicit(1)))]
    pub ad_data: OctetString,
}

/// `AuthorizationData ::= SEQUENCE OF SEQUENCE { ad-type [0] Int32, ad-data [1] OCTET STRING }`
pub type AuthorizationData = Vec<AuthorizationDataEntry>;
/// `AD-IF-RELEVANT ::= AuthorizationData`
pub type AdIfRelevant = AuthorizationData;
/// `AD-MANDATORY-FOR-KDC ::= AuthorizationData`
pub type AdMandatoryForKdc = AuthorizationData;

/// `AD-KDCIssued`
#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq, Hash)]
pub struct AdKdcIssued {
    #[rasn(tag(explicit(0)))]
    pub ad_checksum: Checksum,
    #[rasn(tag(explicit(1)))]
    pub i_realm: Option<Realm>,
    #[rasn(tag(explicit(2)))]
    pub i_sname: Option<PrincipalName>,
    #[rasn(tag(explicit(3)))]
    pub elements: AuthorizationData,
}

/// `AD-AND-OR`
#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq, Hash)]
pub struct AdAndOr {
    #[rasn(tag(explicit(0)))]
    pub condition_count: Int32,
    #[rasn(tag(explicit(1)))]
    pub elements: AuthorizationData,
}

/// `PA-DATA ::= SEQUENCE { padata-type [1] Int32, padata-value [2] OCTET STRING }`
///
/// The value is opaque; see [`super::padata`] for the typed decoders. Unknown types
/// (e.g. Heimdal/Samba's 655) simply stay raw.
#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq, Hash)]
pub struct PaData {
    #[rasn(tag(explicit(1)))]
    pub padata_type: Int32,
    #[rasn(tag(explicit(2)))]
    pub padata_value: OctetString,
}

impl PaData {
    /// A PA-DATA with the given type and raw value.
    pub fn new(padata_type: Int32, value: impl Into<Vec<u8>>) -> Self {
        Self {
            padata_type,
            padata_value: OctetString::from(value.into()),
        }
    }
}

/// `METHOD-DATA ::= SEQUENCE OF PA-DATA`
pub type MethodData = Vec<PaData>;

/// `EncryptedData ::= SEQUENCE { etype [0] Int32, kvno [1] UInt32 OPTIONAL, cipher [2] OCTET STRING }`
#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq, Hash)]
pub struct EncryptedData {
    #[rasn(tag(explicit(0)))]
    pub etype: Int32,
    #[rasn(tag(explicit(1)))]
    pub kvno: Option<UInt32>,
    #[rasn(tag(explicit(2)))]
    pub cipher: OctetString,
}

impl EncryptedData {
    /// Build from parts.
    pub fn new(etype: Int32, kvno: Option<u32>, cipher: impl Into<Vec<u8>>) -> Self {
        Self {
            etype,
            kvno: kvno.map(UInt32),
            cipher: OctetString::from(cipher.into()),
        }
    }
}

/// `EncryptionKey ::= SEQUENCE { keytype [0] Int32, keyvalue [1] OCTET STRING }`
///
/// `keyvalue` is a [`KeyBytes`]: zeroized on drop and redacted in `Debug`.
#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq, Hash)]
pub struct EncryptionKey {
    #[rasn(tag(explicit(0)))]
    pub keytype: Int32,
    #[rasn(tag(explicit(1)))]
    pub keyvalue: KeyBytes,
}

impl EncryptionKey {
    /// Build from parts.
    pub fn new(keytype: Int32, keyvalue: impl Into<Vec<u8>>) -> Self {
        Self {
            keytype,
            keyvalue: KeyBytes::new(keyvalue),
        }
    }
}

/// `Checksum ::= SEQUENCE { cksumtype [0] Int32, checksum [1] OCTET STRING }`
#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq, Hash)]
pub struct Checksum {
    #[rasn(tag(explicit(0)))]
    pub cksumtype: Int32,
    #[rasn(tag(explicit(1)))]
    pub checksum: OctetString,
}

impl Checksum {
    /// Build from parts.
    pub fn new(cksumtype: Int32, checksum: impl Into<Vec<u8>>) -> Self {
        Self {
            cksumtype,
            checksum: OctetString::from(checksum.into()),
        }
    }
}

/// `Ticket ::= [APPLICATION 1] SEQUENCE { tkt-vno [0] INTEGER (5), realm [1] Realm, sname [2] PrincipalName, enc-part [3] EncryptedData }`
///
/// Messages carry tickets as [`RawTicket`]; this is the parsed view.
#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq, Hash)]
#[rasn(tag(explicit(application, 1)))]
pub struct Ticket {
    #[rasn(tag(explicit(0)))]
    pub tkt_vno: i32,
    #[rasn(tag(explicit(1)))]
    pub realm: Realm,
    #[rasn(tag(explicit(2)))]
    pub sname: PrincipalName,
    #[rasn(tag(explicit(3)))]
    pub enc_part: EncryptedData,
}

/// `TransitedEncoding ::= SEQUENCE { tr-type [0] Int32, contents [1] OCTET STRING }`
#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq, Hash)]
pub struct TransitedEncoding {
    #[rasn(tag(explicit(0)))]
    pub tr_type: Int32,
    #[rasn(tag(explicit(1)))]
    pub contents: OctetString,
}

/// `EncTicketPart ::= [APPLICATION 3] SEQUENCE { ... }`
#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq, Hash)]
#[rasn(tag(explicit(application, 3)))]
pub struct EncTicketPart {
    #[rasn(tag(explicit(0)))]
    pub flags: TicketFlags,
    #[rasn(tag(explicit(1)))]
    pub key: EncryptionKey,
    #[rasn(tag(explicit(2)))]
    pub crealm: Realm,
    #[rasn(tag(explicit(3)))]
    pub cname: PrincipalName,
    #[rasn(tag(explicit(4)))]
    pub transited: TransitedEncoding,
    #[rasn(tag(explicit(5)))]
    pub authtime: KerberosTime,
    #[rasn(tag(explicit(6)))]
    pub starttime: Option<KerberosTime>,
    #[rasn(tag(explicit(7)))]
    pub endtime: KerberosTime,
    #[rasn(tag(explicit(8)))]
    pub renew_till: Option<KerberosTime>,
    #[rasn(tag(explicit(9)))]
    pub caddr: Option<HostAddresses>,
    #[rasn(tag(explicit(10)))]
    pub authorization_data: Option<AuthorizationData>,
}

/// `KDC-REQ-BODY`.
///
/// Build with `KdcReqBody { realm, till, nonce, etype, ..Default::default() }` or the
/// `with_*` helpers. For the checksum over the body as sent, encode it on its own with
/// [`super::encode`] (DER is canonical, so this equals the bytes inside the request) or
/// use [`KdcReq::req_body_der`].
#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct KdcReqBody {
    #[rasn(tag(explicit(0)))]
    pub kdc_options: KdcOptions,
    #[rasn(tag(explicit(1)))]
    pub cname: Option<PrincipalName>,
    #[rasn(tag(explicit(2)))]
    pub realm: Realm,
    #[rasn(tag(explicit(3)))]
    pub sname: Option<PrincipalName>,
    #[rasn(tag(explicit(4)))]
    pub from: Option<KerberosTime>,
    #[rasn(tag(explicit(5)))]
    pub till: KerberosTime,
    #[rasn(tag(explicit(6)))]
    pub rtime: Option<KerberosTime>,
    #[rasn(tag(explicit(7)))]
    pub nonce: UInt32,
    #[rasn(tag(explicit(8)))]
    pub etype: Vec<Int32>,
    #[rasn(tag(explicit(9)))]
    pub addresses: Option<HostAddresses>,
    #[rasn(tag(explicit(10)))]
    pub enc_authorization_data: Option<EncryptedData>,
    #[rasn(tag(explicit(11)))]
    pub additional_tickets: Option<Vec<RawTicket>>,
}

impl KdcReqBody {
    /// A body with the required fields; everything optional is absent.
    pub fn new(
        kdc_options: KdcOptions,
        realm: impl Into<Realm>,
        till: KerberosTime,
        nonce: u32,
        etype: &[Int32],
    ) -> Self {
        Self {
            kdc_options,
            realm: realm.into(),
            till,
            nonce: UInt32(nonce),
            etype: etype.to_vec(),
            ..Default::default()
        }
    }

    /// Set `cname`.
    #[must_use]
    pub fn with_cname(mut self, cname: PrincipalName) -> Self {
        self.cname = Some(cname);
        self
    }

    /// Set `sname`.
    #[must_use]
    pub fn with_sname(mut self, sname: PrincipalName) -> Self {
        self.sname = Some(sname);
        self
    }

    /// Set `from`.
    #[must_use]
    pub fn with_from(mut self, from: KerberosTime) -> Self {
        self.from = Some(from);
        self
    }

    /// Set `rtime`.
    #[must_use]
    pub fn with_rtime(mut self, rtime: KerberosTime) -> Self {
        self.rtime = Some(rtime);
        self
    }

    /// Set `addresses`.
    #[must_use]
    pub fn with_addresses(mut self, addresses: HostAddresses) -> Self {
        self.addresses = Some(addresses);
        self
    }

    /// Set `enc-authorization-data`.
    #[must_use]
    pub fn with_enc_authorization_data(mut self, data: EncryptedData) -> Self {
        self.enc_authorization_data = Some(data);
        self
    }

    /// Append an additional ticket (S4U2proxy evidence ticket, U2U TGT).
    #[must_use]
    pub fn with_additional_ticket(mut self, ticket: RawTicket) -> Self {
        self.additional_tickets
            .get_or_insert_with(Vec::new)
            .push(ticket);
        self
    }
}

/// `KDC-REQ ::= SEQUENCE { pvno [1] INTEGER (5), msg-type [2] INTEGER (10|12), padata [3] SEQUENCE OF PA-DATA OPTIONAL, req-body [4] KDC-REQ-BODY }`
#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq, Hash)]
pub struct KdcReq {
    #[rasn(tag(explicit(1)))]
    pub pvno: i32,
    #[rasn(tag(explicit(2)))]
    pub msg_type: i32,
    #[rasn(tag(explicit(3)))]
    pub padata: Option<Vec<PaData>>,
    #[rasn(tag(explicit(4)))]
    pub req_body: KdcReqBody,
}

impl KdcReq {
    /// The DER of `req-body` (what PA-TGS-REQ / FAST checksums cover). Since requests are
    /// encoded with DER, this equals the bytes inside the encoded request.
    pub fn req_body_der(&self) -> Result<Vec<u8>, super::Asn1Error> {
        super::encode(&self.req_body)
    }

    /// The first PA-DATA of the given type.
    pub fn find_padata(&self, padata_type: Int32) -> Option<&PaData> {
        self.padata
            .as_deref()
            .and_then(|p| p.iter().find(|pa| pa.padata_type == padata_type))
    }
}

/// `AS-REQ ::= [APPLICATION 10] KDC-REQ`
#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq, Hash)]
#[rasn(tag(explicit(application, 10)), delegate)]
pub struct AsReq(pub KdcReq);

/// `TGS-REQ ::= [APPLICATION 12] KDC-REQ`
#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq, Hash)]
#[rasn(tag(explicit(application, 12)), delegate)]
pub struct TgsReq(pub KdcReq);

impl AsReq {
    /// An AS-REQ (pvno 5, msg-type 10).
    pub fn new(padata: Option<Vec<PaData>>, req_body: KdcReqBody) -> Self {
        Self(KdcReq {
            pvno: 5,
            msg_type: super::constants::msg_type::AS_REQ,
            padata,
            req_body,
        })
    }
}

impl TgsReq {
    /// A TGS-REQ (pvno 5, msg-type 12).
    pub fn new(padata: Option<Vec<PaData>>, req_body: KdcReqBody) -> Self {
        Self(KdcReq {
            pvno: 5,
            msg_type: super::constants::msg_type::TGS_REQ,
            padata,
            req_body,
        })
    }
}

/// `KDC-REP ::= SEQUENCE { pvno [0], msg-type [1], padata [2] OPTIONAL, crealm [3], cname [4], ticket [5], enc-part [6] }`
#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq, Hash)]
pub struct KdcRep {
    #[rasn(tag(explicit(0)))]
    pub pvno: i32,
    #[rasn(tag(explicit(1)))]
    pub msg_type: i32,
    #[rasn(tag(explicit(2)))]
    pub padata: Option<Vec<PaData>>,
    #[rasn(tag(explicit(3)))]
    pub crealm: Realm,
    #[rasn(tag(explicit(4)))]
    pub cname: PrincipalName,
    #[rasn(tag(explicit(5)))]
    pub ticket: RawTicket,
    #[rasn(tag(explicit(6)))]
    pub enc_part: EncryptedData,
}

impl KdcRep {
    /// The first PA-DATA of the given type.
    pub fn find_padata(&self, padata_type: Int32) -> Option<&PaData> {
        self.padata
            .as_deref()
            .and_then(|p| p.iter().find(|pa| pa.padata_type == padata_type))
    }
}

/// `AS-REP ::= [APPLICATION 11] KDC-REP`
#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq, Hash)]
#[rasn(tag(explicit(application, 11)), delegate)]
pub struct AsRep(pub KdcRep);

/// `TGS-REP ::= [APPLICATION 13] KDC-REP`
#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq, Hash)]
#[rasn(tag(explicit(application, 13)), delegate)]
pub struct TgsRep(pub KdcRep);

/// `LastReq ::= SEQUENCE OF SEQUENCE { lr-type [0] Int32, lr-value [1] KerberosTime }`
#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq, Hash)]
pub struct LastReqEntry {
    #[rasn(tag(explicit(0)))]
    pub lr_type: Int32,
    #[rasn(tag(explicit(1)))]
    pub lr_value: KerberosTime,
}

/// `LastReq`
pub type LastReq = Vec<LastReqEntry>;

/// `EncKDCRepPart` (RFC 4120 §5.4.2 plus RFC 6806 `encrypted-pa-data [12]`). Extensible:
/// unknown later components are kept in `ext`.
#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq, Hash)]
pub struct EncKdcRepPart {
    #[rasn(tag(explicit(0)))]
    pub key: EncryptionKey,
    #[rasn(tag(explicit(1)))]
    pub last_req: LastReq,
    #[rasn(tag(explicit(2)))]
    pub nonce: UInt32,
    #[rasn(tag(explicit(3)))]
    pub key_expiration: Option<KerberosTime>,
    #[rasn(tag(explicit(4)))]
    pub flags: TicketFlags,
    #[rasn(tag(explicit(5)))]
    pub authtime: KerberosTime,
    #[rasn(tag(explicit(6)))]
    pub starttime: Option<KerberosTime>,
    #[rasn(tag(explicit(7)))]
    pub endtime: KerberosTime,
    #[rasn(tag(explicit(8)))]
    pub renew_till: Option<KerberosTime>,
    #[rasn(tag(explicit(9)))]
    pub srealm: Realm,
    #[rasn(tag(explicit(10)))]
    pub sname: PrincipalName,
    #[rasn(tag(explicit(11)))]
    pub caddr: Option<HostAddresses>,
    #[rasn(tag(explicit(12)))]
    pub encrypted_pa_data: Option<Vec<PaData>>,
    pub ext: Extensions,
}

/// `EncASRepPart ::= [APPLICATION 25] EncKDCRepPart`
#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq, Hash)]
#[rasn(tag(explicit(application, 25)), delegate)]
pub struct EncAsRepPart(pub EncKdcRepPart);

/// `EncTGSRepPart ::= [APPLICATION 26] EncKDCRepPart`
#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq, Hash)]
#[rasn(tag(explicit(application, 26)), delegate)]
pub struct EncTgsRepPart(pub EncKdcRepPart);

/// `AP-REQ ::= [APPLICATION 14] SEQUENCE { pvno [0], msg-type [1], ap-options [2], ticket [3], authenticator [4] }`
#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq, Hash)]
#[rasn(tag(explicit(application, 14)))]
pub struct ApReq {
    #[rasn(tag(explicit(0)))]
    pub pvno: i32,
    #[rasn(tag(explicit(1)))]
    pub msg_type: i32,
    #[rasn(tag(explicit(2)))]
    pub ap_options: ApOptions,
    #[rasn(tag(explicit(3)))]
    pub ticket: RawTicket,
    #[rasn(tag(explicit(4)))]
    pub authenticator: EncryptedData,
}

impl ApReq {
    /// An AP-REQ (pvno 5, msg-type 14).
    pub fn new(ap_options: ApOptions, ticket: RawTicket, authenticator: EncryptedData) -> Self {
        Self {
            pvno: 5,
            msg_type: super::constants::msg_type::AP_REQ,
            ap_options,
            ticket,
            authenticator,
        }
    }
}

/// `Authenticator ::= [APPLICATION 2] SEQUENCE { ... }`
#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq, Hash)]
#[rasn(tag(explicit(application, 2)))]
pub struct Authenticator {
    #[rasn(tag(explicit(0)))]
    pub authenticator_vno: i32,
    #[rasn(tag(explicit(1)))]
    pub crealm: Realm,
    #[rasn(tag(explicit(2)))]
    pub cname: PrincipalName,
    #[rasn(tag(explicit(3)))]
    pub cksum: Option<Checksum>,
    #[rasn(tag(explicit(4)))]
    pub cusec: Microseconds,
    #[rasn(tag(explicit(5)))]
    pub ctime: KerberosTime,
    #[rasn(tag(explicit(6)))]
    pub subkey: Option<EncryptionKey>,
    #[rasn(tag(explicit(7)))]
    pub seq_number: Option<UInt32>,
    #[rasn(tag(explicit(8)))]
    pub authorization_data: Option<AuthorizationData>,
}

impl Authenticator {
    /// An authenticator (vno 5) with the required fields; optional ones absent.
    pub fn new(
        crealm: impl Into<Realm>,
        cname: PrincipalName,
        ctime: KerberosTime,
        cusec: Microseconds,
    ) -> Self {
        Self {
            authenticator_vno: 5,
            crealm: crealm.into(),
            cname,
            cksum: None,
            cusec,
            ctime,
            subkey: None,
            seq_number: None,
            authorization_data: None,
        }
    }
}

/// `AP-REP ::= [APPLICATION 15] SEQUENCE { pvno [0], msg-type [1], enc-part [2] }`
#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq, Hash)]
#[rasn(tag(explicit(application, 15)))]
pub struct ApRep {
    #[rasn(tag(explicit(0)))]
    pub pvno: i32,
    #[rasn(tag(explicit(1)))]
    pub msg_type: i32,
    #[rasn(tag(explicit(2)))]
    pub enc_part: EncryptedData,
}

/// `EncAPRepPart ::= [APPLICATION 27] SEQUENCE { ctime [0], cusec [1], subkey [2] OPTIONAL, seq-number [3] OPTIONAL }`
#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq, Hash)]
#[rasn(tag(explicit(application, 27)))]
pub struct EncApRepPart {
    #[rasn(tag(explicit(0)))]
    pub ctime: KerberosTime,
    #[rasn(tag(explicit(1)))]
    pub cusec: Microseconds,
    #[rasn(tag(explicit(2)))]
    pub subkey: Option<EncryptionKey>,
    #[rasn(tag(explicit(3)))]
    pub seq_number: Option<UInt32>,
}

/// `KRB-SAFE ::= [APPLICATION 20] SEQUENCE { pvno [0], msg-type [1], safe-body [2], cksum [3] }`
#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq, Hash)]
#[rasn(tag(explicit(application, 20)))]
pub struct KrbSafe {
    #[rasn(tag(explicit(0)))]
    pub pvno: i32,
    #[rasn(tag(explicit(1)))]
    pub msg_type: i32,
    #[rasn(tag(explicit(2)))]
    pub safe_body: KrbSafeBody,
    #[rasn(tag(explicit(3)))]
    pub cksum: Checksum,
}

/// `KRB-SAFE-BODY`
#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq, Hash)]
pub struct KrbSafeBody {
    #[rasn(tag(explicit(0)))]
    pub user_data: OctetString,
    #[rasn(tag(explicit(1)))]
    pub timestamp: Option<KerberosTime>,
    #[rasn(tag(explicit(2)))]
    pub usec: Option<Microseconds>,
    #[rasn(tag(explicit(3)))]
    pub seq_number: Option<UInt32>,
    #[rasn(tag(explicit(4)))]
    pub s_address: HostAddress,
    #[rasn(tag(explicit(5)))]
    pub r_address: Option<HostAddress>,
}

/// `KRB-PRIV ::= [APPLICATION 21] SEQUENCE { pvno [0], msg-type [1], enc-part [3] }` (no `[2]`)
#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq, Hash)]
#[rasn(tag(explicit(application, 21)))]
pub struct KrbPriv {
    #[rasn(tag(explicit(0)))]
    pub pvno: i32,
    #[rasn(tag(explicit(1)))]
    pub msg_type: i32,
    #[rasn(tag(explicit(3)))]
    pub enc_part: EncryptedData,
}

/// `EncKrbPrivPart ::= [APPLICATION 28] SEQUENCE { ... }`
#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq, Hash)]
#[rasn(tag(explicit(application, 28)))]
pub struct EncKrbPrivPart {
    #[rasn(tag(explicit(0)))]
    pub user_data: OctetString,
    #[rasn(tag(explicit(1)))]
    pub timestamp: Option<KerberosTime>,
    #[rasn(tag(explicit(2)))]
    pub usec: Option<Microseconds>,
    #[rasn(tag(explicit(3)))]
    pub seq_number: Option<UInt32>,
    #[rasn(tag(explicit(4)))]
    pub s_address: HostAddress,
    #[rasn(tag(explicit(5)))]
    pub r_address: Option<HostAddress>,
}

/// `KRB-CRED ::= [APPLICATION 22] SEQUENCE { pvno [0], msg-type [1], tickets [2], enc-part [3] }`
#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq, Hash)]
#[rasn(tag(explicit(application, 22)))]
pub struct KrbCred {
    #[rasn(tag(explicit(0)))]
    pub pvno: i32,
    #[rasn(tag(explicit(1)))]
    pub msg_type: i32,
    #[rasn(tag(explicit(2)))]
    pub tickets: Vec<RawTicket>,
    #[rasn(tag(explicit(3)))]
    pub enc_part: EncryptedData,
}

/// `EncKrbCredPart ::= [APPLICATION 29] SEQUENCE { ... }`
#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq, Hash)]
#[rasn(tag(explicit(application, 29)))]
pub struct EncKrbCredPart {
    #[rasn(tag(explicit(0)))]
    pub ticket_info: Vec<KrbCredInfo>,
    #[rasn(tag(explicit(1)))]
    pub nonce: Option<UInt32>,
    #[rasn(tag(explicit(2)))]
    pub timestamp: Option<KerberosTime>,
    #[rasn(tag(explicit(3)))]
    pub usec: Option<Microseconds>,
    #[rasn(tag(explicit(4)))]
    pub s_address: Option<HostAddress>,
    #[rasn(tag(explicit(5)))]
    pub r_address: Option<HostAddress>,
}

/// `KrbCredInfo`
#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq, Hash)]
pub struct KrbCredInfo {
    #[rasn(tag(explicit(0)))]
    pub key: EncryptionKey,
    #[rasn(tag(explicit(1)))]
    pub prealm: Option<Realm>,
    #[rasn(tag(explicit(2)))]
    pub pname: Option<PrincipalName>,
    #[rasn(tag(explicit(3)))]
    pub flags: Option<TicketFlags>,
    #[rasn(tag(explicit(4)))]
    pub authtime: Option<KerberosTime>,
    #[rasn(tag(explicit(5)))]
    pub starttime: Option<KerberosTime>,
    #[rasn(tag(explicit(6)))]
    pub endtime: Option<KerberosTime>,
    #[rasn(tag(explicit(7)))]
    pub renew_till: Option<KerberosTime>,
    #[rasn(tag(explicit(8)))]
    pub srealm: Option<Realm>,
    #[rasn(tag(explicit(9)))]
    pub sname: Option<PrincipalName>,
    #[rasn(tag(explicit(10)))]
    pub caddr: Option<HostAddresses>,
}

/// `KRB-ERROR ::= [APPLICATION 30] SEQUENCE { ... }`
#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq, Hash)]
#[rasn(tag(explicit(application, 30)))]
pub struct KrbError {
    #[rasn(tag(explicit(0)))]
    pub pvno: i32,
    #[rasn(tag(explicit(1)))]
    pub msg_type: i32,
    #[rasn(tag(explicit(2)))]
    pub ctime: Option<KerberosTime>,
    #[rasn(tag(explicit(3)))]
    pub cusec: Option<Microseconds>,
    #[rasn(tag(explicit(4)))]
    pub stime: KerberosTime,
    #[rasn(tag(explicit(5)))]
    pub susec: Microseconds,
    #[rasn(tag(explicit(6)))]
    pub error_code: Int32,
    #[rasn(tag(explicit(7)))]
    pub crealm: Option<Realm>,
    #[rasn(tag(explicit(8)))]
    pub cname: Option<PrincipalName>,
    #[rasn(tag(explicit(9)))]
    pub realm: Realm,
    #[rasn(tag(explicit(10)))]
    pub sname: PrincipalName,
    #[rasn(tag(explicit(11)))]
    pub e_text: Option<KerberosString>,
    #[rasn(tag(explicit(12)))]
    pub e_data: Option<OctetString>,
}

impl KrbError {
    /// The RFC name of `error_code` (e.g. `KDC_ERR_PREAUTH_REQUIRED`).
    pub fn error_name(&self) -> &'static str {
        super::constants::error_code::error_name(self.error_code)
    }

    /// `e-data` parsed as METHOD-DATA (what KDCs send with PREAUTH_REQUIRED / PREAUTH_FAILED).
    pub fn method_data(&self) -> Option<Result<MethodData, super::Asn1Error>> {
        self.e_data.as_ref().map(|d| super::decode(d))
    }

    /// `e-data` parsed as TYPED-DATA.
    pub fn typed_data(&self) -> Option<Result<TypedData, super::Asn1Error>> {
        self.e_data.as_ref().map(|d| super::decode(d))
    }
}

/// One element of `TYPED-DATA`.
#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq, Hash)]
pub struct TypedDataEntry {
    #[rasn(tag(explicit(0)))]
    pub data_type: Int32,
    #[rasn(tag(explicit(1)))]
    pub data_value: Option<OctetString>,
}

/// `TYPED-DATA ::= SEQUENCE SIZE (1..MAX) OF SEQUENCE { data-type [0] Int32, data-value [1] OCTET STRING OPTIONAL }`
pub type TypedData = Vec<TypedDataEntry>;

/// `AD-CAMMAC ::= SEQUENCE { elements [0] AuthorizationData, kdc-verifier [1] Verifier-MAC OPTIONAL, svc-verifier [2] Verifier-MAC OPTIONAL, other-verifiers [3] SEQUENCE (SIZE (1..MAX)) OF Verifier OPTIONAL }` (RFC 7751)
#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq, Hash)]
pub struct AdCammac {
    #[rasn(tag(explicit(0)))]
    pub elements: AuthorizationData,
    #[rasn(tag(explicit(1)))]
    pub kdc_verifier: Option<VerifierMac>,
    #[rasn(tag(explicit(2)))]
    pub svc_verifier: Option<VerifierMac>,
    #[rasn(tag(explicit(3)))]
    pub other_verifiers: Option<Vec<Verifier>>,
}

/// `Verifier ::= CHOICE { mac Verifier-MAC, ... }` (RFC 7751)
#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq, Hash)]
#[rasn(choice)]
pub enum Verifier {
    /// `mac`
    Mac(VerifierMac),
}

/// `Verifier-MAC ::= SEQUENCE { identifier [0] PrincipalName OPTIONAL, kvno [1] UInt32 OPTIONAL, enctype [2] Int32 OPTIONAL, mac [3] Checksum }` (RFC 7751)
#[derive(AsnType, Decode, Encode, Clone, Debug, PartialEq, Eq, Hash)]
pub struct VerifierMac {
    #[rasn(tag(explicit(0)))]
    pub identifier: Option<PrincipalName>,
    #[rasn(tag(explicit(1)))]
    pub kvno: Option<UInt32>,
    #[rasn(tag(explicit(2)))]
    pub enctype: Option<Int32>,
    #[rasn(tag(explicit(3)))]
    pub mac: Checksum,
}
