//! A small fake KDC with real crypto for the canned AS exchange tests and the bench: it
//! decodes the AS-REQ, checks PA-ENC-TIMESTAMP, and builds KRB-ERRORs and AS-REPs with
//! known keys. Knobs bend the replies to exercise each client-side check.
#![allow(dead_code)]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use kerberos_client::asn1::constants::{error_code as ec, padata_type as pt};
use kerberos_client::asn1::{
    self, AsRep, AsReq, Checksum, EncAsRepPart, EncKdcRepPart, EncTgsRepPart, EncryptedData,
    EncryptionKey, EtypeInfo2Entry, EtypeInfoEntry, Extensions, KdcRep, KerberosString,
    KerberosTime, KrbError, OctetString, PaData, PaEncTsEnc, PrincipalName, RawTicket, Ticket,
    TicketFlags, UInt32,
};
use kerberos_client::crypto::{EncryptionType, Key, KeyUsage};
use kerberos_client::exchange::{ExchangeError, Outgoing};

/// The client's clock in the tests: 2025-11-26 00:00:00 UTC.
pub const T0: i64 = 1_764_115_200;
/// Low PBKDF2 iteration count so that string-to-key is cheap in debug builds.
pub const ITER: u32 = 256;

pub fn at(unix: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(unix as u64)
}

/// A long-term key of the client as the KDC stores it, with the salt it advertises.
#[derive(Clone)]
pub struct ClientKey {
    pub etype: i32,
    pub salt: Option<String>,
    pub s2kparams: Option<Vec<u8>>,
    pub key: Key,
}

impl ClientKey {
    /// Derived from `password` with `salt` (and `ITER` iterations for AES).
    pub fn from_password(etype: i32, password: &str, salt: &str) -> Self {
        let t = EncryptionType::try_from(etype).expect("etype");
        let params = if t == EncryptionType::Rc4Hmac {
            None
        } else {
            Some(ITER.to_be_bytes().to_vec())
        };
        let key = Key::from_password(t, password, salt.as_bytes(), params.as_deref())
            .expect("string-to-key");
        ClientKey {
            etype,
            salt: Some(salt.to_owned()),
            s2kparams: params,
            key,
        }
    }
}

/// How the KDC describes the client's keys in PREAUTH_REQUIRED.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Hints {
    /// PA-ETYPE-INFO2 (modern KDCs).
    Info2,
    /// PA-ETYPE-INFO (old KDCs), salts included.
    Info1,
    /// Only PA-PW-SALT (with the first key's salt).
    PwSaltOnly,
    /// Nothing: the client must use the default salt.
    Nothing,
}

/// The RFC 6806 PA-REQ-ENC-PA-REP answer.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Proof {
    /// A valid checksum (and the enc-pa-rep flag) when the request asks for it.
    Valid,
    /// Nothing (a KDC that does not implement it).
    Missing,
    /// The flag and a checksum over other bytes.
    Bad,
    /// The enc-pa-rep flag without the padata.
    FlagOnly,
}

/// Ways to break the AS-REP.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Mutation {
    None,
    Nonce,
    Sname,
    TicketSname,
    Srealm,
    Crealm,
    Cname,
    /// The enc-part under this APPLICATION tag number.
    Tag(u8),
    /// The enc-part encrypted with the client's RC4 key.
    Rc4EncPart,
    /// An RC4 session key.
    Rc4SessionKey,
    /// No starttime (Heimdal/Samba).
    NoStarttime,
    /// endtime a day beyond till.
    EndtimeFar,
    /// endtime before starttime.
    EndBeforeStart,
    /// The enc-part encrypted with a key the client does not have.
    WrongKey,
    /// msg-type 13 in an [APPLICATION 11].
    MsgType,
}

pub struct FakeKdc {
    pub realm: String,
    /// KDC clock minus the client's clock.
    pub offset: i64,
    /// The client's keys, in the KDC's ETYPE-INFO2 order.
    pub keys: Vec<ClientKey>,
    pub hints: Hints,
    pub require_preauth: bool,
    /// Include ETYPE-INFO2 in PREAUTH_FAILED (as MIT does).
    pub hints_in_preauth_failed: bool,
    pub krbtgt: Key,
    /// Answer KDC_ERR_WRONG_REALM pointing here.
    pub refer_to: Option<String>,
    /// Answer KRB_ERR_RESPONSE_TOO_BIG to requests not sent over TCP only.
    pub too_big_on_udp: bool,
    /// The canonical client name to return (RFC 6806), else the requested one.
    pub canonical_name: Option<Vec<String>>,
    pub proof: Proof,
    pub mutation: Mutation,
    /// PA-DATA to put in the AS-REP (Heimdal sends PA-PW-SALT / ETYPE-INFO2 there).
    pub reply_padata: Vec<PaData>,
    /// Answer every request with this error code (after pre-auth), e.g. 18.
    pub fail_with: Option<i32>,
    /// Record of the PA-ENC-TIMESTAMP etypes received.
    pub enc_ts_etypes: Vec<i32>,
    /// Every request received, decoded.
    pub requests: Vec<AsReq>,
}

impl FakeKdc {
    pub fn new(realm: &str, keys: Vec<ClientKey>) -> Self {
        FakeKdc {
            realm: realm.to_owned(),
            offset: 0,
            keys,
            hints: Hints::Info2,
            require_preauth: true,
            hints_in_preauth_failed: true,
            krbtgt: Key::from_bytes(EncryptionType::Aes256CtsHmacSha196, &[7u8; 32])
                .expect("krbtgt key"),
            refer_to: None,
            too_big_on_udp: false,
            canonical_name: None,
            proof: Proof::Valid,
            mutation: Mutation::None,
            reply_padata: Vec::new(),
            fail_with: None,
            enc_ts_etypes: Vec::new(),
            requests: Vec::new(),
        }
    }

    /// alice@REALM with password `pw`: aes256 and aes128 keys with the default salt.
    pub fn alice(realm: &str, pw: &str) -> Self {
        let salt = format!("{realm}alice");
        FakeKdc::new(
            realm,
            vec![
                ClientKey::from_password(18, pw, &salt),
                ClientKey::from_password(17, pw, &salt),
            ],
        )
    }

    fn now(&self) -> i64 {
        T0 + self.offset
    }

    fn method_data(&self) -> Vec<PaData> {
        let mut md = Vec::new();
        // Samba lists PA-GSS (655); unknown types must be ignored.
        md.push(PaData::new(655, Vec::new()));
        md.push(PaData::new(pt::PA_FX_FAST, Vec::new()));
        match self.hints {
            Hints::Info2 => {
                let entries: Vec<EtypeInfo2Entry> = self
                    .keys
                    .iter()
                    .map(|k| EtypeInfo2Entry {
                        etype: k.etype,
                        salt: k.salt.as_deref().map(KerberosString::from),
                        s2kparams: k.s2kparams.clone().map(OctetString::from),
                    })
                    .collect();
                md.push(PaData::from_value(pt::PA_ETYPE_INFO2, &entries).expect("etype-info2"));
            }
            Hints::Info1 => {
                let entries: Vec<EtypeInfoEntry> = self
                    .keys
                    .iter()
                    .map(|k| EtypeInfoEntry {
                        etype: k.etype,
                        salt: k
                            .salt
                            .as_deref()
                            .map(|s| OctetString::from(s.as_bytes().to_vec())),
                    })
                    .collect();
                md.push(PaData::from_value(pt::PA_ETYPE_INFO, &entries).expect("etype-info"));
            }
            Hints::PwSaltOnly => {
                let salt = self
                    .keys
                    .first()
                    .and_then(|k| k.salt.clone())
                    .unwrap_or_default();
                md.push(PaData::new(pt::PA_PW_SALT, salt.into_bytes()));
            }
            Hints::Nothing => {}
        }
        md.push(PaData::new(pt::PA_ENC_TIMESTAMP, Vec::new()));
        md.push(PaData::new(pt::PA_FX_COOKIE, b"cookie".to_vec()));
        md
    }

    pub fn error(&self, req: &AsReq, code: i32, e_data: Option<Vec<u8>>) -> Vec<u8> {
        self.error_at(req, code, e_data, self.now(), 123_456)
    }

    pub fn error_at(
        &self,
        req: &AsReq,
        code: i32,
        e_data: Option<Vec<u8>>,
        stime: i64,
        susec: i32,
    ) -> Vec<u8> {
        let body = &req.0.req_body;
        let err = KrbError {
            pvno: 5,
            msg_type: 30,
            ctime: None,
            cusec: None,
            stime: KerberosTime::from_unix(stime),
            susec,
            error_code: code,
            crealm: None,
            cname: body.cname.clone(),
            realm: body.realm.clone(),
            sname: body.sname.clone().unwrap_or_default(),
            e_text: None,
            e_data: e_data.map(OctetString::from),
        };
        asn1::encode(&err).expect("KRB-ERROR")
    }

    fn md_bytes(&self) -> Vec<u8> {
        asn1::encode(&self.method_data()).expect("METHOD-DATA")
    }

    fn key_of(&self, etype: i32) -> Option<&ClientKey> {
        self.keys.iter().find(|k| k.etype == etype)
    }

    /// Answer one message from the client.
    pub fn handle(&mut self, out: &Outgoing) -> Vec<u8> {
        assert_eq!(out.realm, self.realm, "message routed to the wrong KDC");
        let req: AsReq = asn1::decode(&out.message).expect("the client sent a valid AS-REQ");
        self.requests.push(req.clone());
        assert_eq!(req.0.req_body.realm.as_str(), Some(self.realm.as_str()));
        if self.too_big_on_udp && !out.tcp_only {
            return self.error(&req, ec::KRB_ERR_RESPONSE_TOO_BIG, None);
        }
        if let Some(to) = &self.refer_to {
            let mut err: KrbError =
                asn1::decode(&self.error(&req, ec::KDC_ERR_WRONG_REALM, None)).expect("err");
            err.crealm = Some(KerberosString::from(to.as_str()));
            return asn1::encode(&err).expect("referral");
        }
        // Pre-authentication.
        let mut reply_key: Option<ClientKey> = None;
        if let Some(pa) = req.0.find_padata(pt::PA_ENC_TIMESTAMP) {
            let enc: EncryptedData = pa.decode_value().expect("PA-ENC-TIMESTAMP");
            self.enc_ts_etypes.push(enc.etype);
            let Some(ck) = self.key_of(enc.etype).cloned() else {
                return self.error(&req, ec::KDC_ERR_ETYPE_NOSUPP, None);
            };
            let Ok(plain) = ck
                .key
                .decrypt(KeyUsage::AS_REQ_PA_ENC_TIMESTAMP, &enc.cipher)
            else {
                let md = self.hints_in_preauth_failed.then(|| self.md_bytes());
                return self.error(&req, ec::KDC_ERR_PREAUTH_FAILED, md);
            };
            let ts: PaEncTsEnc = asn1::decode(&plain).expect("PA-ENC-TS-ENC");
            if (ts.patimestamp.unix() - self.now()).abs() > 300 {
                return self.error(&req, ec::KRB_AP_ERR_SKEW, None);
            }
            reply_key = Some(ck);
        } else if self.require_preauth {
            let md = self.md_bytes();
            return self.error(&req, ec::KDC_ERR_PREAUTH_REQUIRED, Some(md));
        }
        if let Some(code) = self.fail_with {
            return self.error(&req, code, None);
        }
        let body = &req.0.req_body;
        let reply_key = match reply_key {
            Some(k) => k,
            None => {
                let found = body.etype.iter().find_map(|e| self.key_of(*e).cloned());
                match found {
                    Some(k) => k,
                    None => return self.error(&req, ec::KDC_ERR_ETYPE_NOSUPP, None),
                }
            }
        };
        let session_etype = if self.mutation == Mutation::Rc4SessionKey {
            EncryptionType::Rc4Hmac
        } else {
            body.etype
                .iter()
                .find_map(|e| EncryptionType::try_from(*e).ok())
                .expect("a supported etype in the request")
        };
        let session_key = Key::random(session_etype);
        let now = self.now();
        let till = body.till.unix();
        let mut endtime = till.min(now + 10 * 3600);
        let mut starttime = Some(KerberosTime::from_unix(now));
        match self.mutation {
            Mutation::EndtimeFar => endtime = till + 86_400,
            Mutation::EndBeforeStart => endtime = now - 10,
            Mutation::NoStarttime => starttime = None,
            _ => {}
        }
        let mut flags = TicketFlags::empty()
            .with(TicketFlags::INITIAL)
            .with(TicketFlags::PRE_AUTHENT);
        let mut enc_pa = Vec::new();
        let wants_proof = req.0.find_padata(pt::PA_REQ_ENC_PA_REP).is_some();
        if wants_proof {
            let cksum_over = |bytes: &[u8]| {
                let t = reply_key.key.etype().checksum_type();
                let c = Checksum::new(t.id(), reply_key.key.checksum(KeyUsage(56), bytes));
                PaData::from_value(pt::PA_REQ_ENC_PA_REP, &c).expect("checksum")
            };
            match self.proof {
                Proof::Valid => {
                    flags.set(TicketFlags::ENC_PA_REP);
                    enc_pa.push(cksum_over(&out.message));
                }
                Proof::Bad => {
                    flags.set(TicketFlags::ENC_PA_REP);
                    enc_pa.push(cksum_over(b"some other request"));
                }
                Proof::FlagOnly => flags.set(TicketFlags::ENC_PA_REP),
                Proof::Missing => {}
            }
        }
        let mut sname = body.sname.clone().expect("sname");
        let mut srealm = body.realm.clone();
        match self.mutation {
            Mutation::Sname => sname = PrincipalName::new(2, &["krbtgt", "EVIL.TEST"]),
            Mutation::Srealm => srealm = KerberosString::from("EVIL.TEST"),
            _ => {}
        }
        let ticket_sname = if self.mutation == Mutation::TicketSname {
            PrincipalName::new(2, &["host", "evil.test"])
        } else {
            sname.clone()
        };
        let ticket = Ticket {
            tkt_vno: 5,
            realm: srealm.clone(),
            sname: ticket_sname,
            enc_part: EncryptedData::new(
                18,
                Some(1),
                self.krbtgt
                    .encrypt(KeyUsage::KDC_REP_TICKET, b"opaque ticket part"),
            ),
        };
        let nonce = if self.mutation == Mutation::Nonce {
            body.nonce.get() ^ 1
        } else {
            body.nonce.get()
        };
        let part = EncKdcRepPart {
            key: EncryptionKey::new(session_etype.id(), session_key.as_bytes().to_vec()),
            last_req: Vec::new(),
            nonce: UInt32(nonce),
            key_expiration: None,
            flags,
            authtime: KerberosTime::from_unix(now),
            starttime,
            endtime: KerberosTime::from_unix(endtime),
            renew_till: body.rtime,
            srealm,
            sname,
            caddr: None,
            encrypted_pa_data: if enc_pa.is_empty() {
                None
            } else {
                Some(enc_pa)
            },
            ext: Extensions::default(),
        };
        let plain = match self.mutation {
            Mutation::Tag(26) => asn1::encode(&EncTgsRepPart(part)).expect("enc part"),
            Mutation::Tag(n) => {
                let mut b = asn1::encode(&EncAsRepPart(part)).expect("enc part");
                b[0] = 0x60 | n;
                b
            }
            _ => asn1::encode(&EncAsRepPart(part)).expect("enc part"),
        };
        let (enc_etype, enc_key) = match self.mutation {
            Mutation::Rc4EncPart => (
                23,
                self.key_of(23)
                    .map(|k| k.key.clone())
                    .unwrap_or_else(|| Key::random(EncryptionType::Rc4Hmac)),
            ),
            Mutation::WrongKey => (reply_key.etype, Key::random(reply_key.key.etype())),
            _ => (reply_key.etype, reply_key.key.clone()),
        };
        let cipher = enc_key.encrypt(KeyUsage::AS_REP_ENC_PART, &plain);
        let mut crealm = body.realm.clone();
        let mut cname = match &self.canonical_name {
            Some(n) => PrincipalName::new(1, n),
            None => body.cname.clone().expect("cname"),
        };
        match self.mutation {
            Mutation::Crealm => crealm = KerberosString::from("EVIL.TEST"),
            Mutation::Cname => cname = PrincipalName::new(1, &["mallory"]),
            _ => {}
        }
        let rep = AsRep(KdcRep {
            pvno: 5,
            msg_type: if self.mutation == Mutation::MsgType {
                13
            } else {
                11
            },
            padata: if self.reply_padata.is_empty() {
                None
            } else {
                Some(self.reply_padata.clone())
            },
            crealm,
            cname,
            ticket: RawTicket::from_ticket(&ticket).expect("ticket"),
            enc_part: EncryptedData::new(enc_etype, Some(1), cipher),
        });
        asn1::encode(&rep).expect("AS-REP")
    }
}

/// Drive an exchange against a set of fake KDCs (routed by realm); the client's clock is
/// `now`. Returns the result and every message sent.
pub fn drive(
    ex: &mut kerberos_client::exchange::AsExchange,
    kdcs: &mut [&mut FakeKdc],
    now: SystemTime,
) -> (
    Result<kerberos_client::exchange::Credential, ExchangeError>,
    Vec<Outgoing>,
) {
    use kerberos_client::exchange::Step;
    let mut sent = Vec::new();
    loop {
        match ex.poll() {
            Some(Step::Send(out)) => {
                sent.push(out.clone());
                assert!(sent.len() < 30, "the exchange does not terminate");
                let kdc = kdcs
                    .iter_mut()
                    .find(|k| k.realm == out.realm)
                    .unwrap_or_else(|| panic!("no fake KDC for realm {}", out.realm));
                let reply = kdc.handle(&out);
                if let Err(e) = ex.receive(&reply, now) {
                    return (Err(e), sent);
                }
            }
            Some(Step::Done(c)) => return (Ok(c), sent),
            None => panic!("poll() returned None before Done"),
        }
    }
}
