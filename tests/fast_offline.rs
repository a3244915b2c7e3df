//! Damaged FAST (RFC 6113) AS replies, offline. A scripted FAST KDC double with real
//! crypto opens the client's armored AS-REQ (armor AP-REQ → subkey → armor key →
//! KrbFastReq) and answers from a script: armored PREAUTH_REQUIRED, an armored AS-REP, or a
//! KRB-ERROR, each bent in one way. Every case asserts the exact typed error the exchange
//! ends with (a panic fails the test). Real KDCs are exercised by `tests/fast_as.rs`;
//! this double only exists because they do not misbehave on demand.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use kerberos_client::asn1::constants::{error_code as ec, padata_type as pt};
use kerberos_client::asn1::{
    self, ApReq, AsRep, AsReq, Authenticator, Checksum, EncAsRepPart, EncKdcRepPart, EncryptedData,
    EncryptionKey, EtypeInfo2Entry, Extensions, KdcRep, KdcReqBody, KerberosString, KerberosTime,
    KrbError, KrbFastArmoredRep, KrbFastFinished, KrbFastReq, KrbFastResponse, OctetString, PaData,
    PaEncTsEnc, PaFxFastReply, PaFxFastRequest, PrincipalName, RawTicket, Ticket, TicketFlags,
    UInt32,
};
use kerberos_client::crypto::{EncryptionType, Key, KeyUsage, cf2};
use kerberos_client::exchange::{
    AsExchange, AsOptions, AsRequest, AsSecret, Credential, ExchangeError, FastArmor, Outgoing,
    Step,
};
use kerberos_client::principal::Principal;

/// The client's (and the double's) clock: 2025-11-26 00:00:00 UTC.
const T0: i64 = 1_764_115_200;
const REALM: &str = "EXAMPLE.TEST";
/// The request nonce (already 31 bits, so the client sends it as is).
const NONCE: u32 = 0x1234_5678;

fn at(unix: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(unix as u64)
}

fn nonce() -> u32 {
    NONCE
}

fn aes256(byte: u8) -> Key {
    Key::from_bytes(EncryptionType::Aes256CtsHmacSha196, &[byte; 32]).expect("aes256 key")
}

/// alice's long-term key, known to the client (AsSecret::Keys) and to the double.
fn client_key() -> Key {
    aes256(0x11)
}

/// The armor TGT's session key.
fn armor_session_key() -> Key {
    aes256(0x42)
}

fn host() -> Principal {
    Principal::new(3, REALM, ["host", "client.example.test"])
}

fn alice() -> Principal {
    Principal::new(1, REALM, ["alice"])
}

/// A forged armor TGT: only its DER travels; its enc-part is never opened (the double
/// knows the session key).
fn armor_ticket() -> Vec<u8> {
    let ticket = Ticket {
        tkt_vno: 5,
        realm: KerberosString::from(REALM),
        sname: PrincipalName::new(2, &["krbtgt", REALM]),
        enc_part: EncryptedData::new(18, Some(2), b"not a real ticket encryption".to_vec()),
    };
    asn1::encode(&ticket).expect("armor ticket")
}

fn armor() -> FastArmor {
    FastArmor::new(armor_ticket(), armor_session_key(), host())
}

fn request(armor: FastArmor) -> AsRequest {
    AsRequest {
        client: alice(),
        secret: AsSecret::Keys(vec![client_key()]),
        options: AsOptions {
            armor: Some(armor),
            ..AsOptions::default()
        },
    }
}

fn exchange(armor: FastArmor) -> AsExchange {
    AsExchange::new_with_nonce_source(request(armor), at(T0), nonce).expect("exchange")
}

/// An exchange without RFC 6806 canonicalization: the client name may not change.
fn exchange_without_canonicalize() -> AsExchange {
    let mut req = request(armor());
    req.options.canonicalize = false;
    AsExchange::new_with_nonce_source(req, at(T0), nonce).expect("exchange")
}

/// An armored AS-REQ as the double sees it once opened.
struct Opened {
    message: Vec<u8>,
    outer: AsReq,
    armor_key: Key,
    inner: KrbFastReq,
}

impl Opened {
    fn body(&self) -> &KdcReqBody {
        &self.inner.req_body
    }

    fn nonce(&self) -> u32 {
        self.body().nonce.get()
    }

    fn inner_padata(&self, padata_type: i32) -> Option<&PaData> {
        self.inner
            .padata
            .iter()
            .find(|p| p.padata_type == padata_type)
    }
}

/// Open an armored AS-REQ the way a KDC does (RFC 6113 §5.4.1): the armor AP-REQ's
/// authenticator (usage 11, armor ticket session key) gives the subkey; the armor key is
/// KRB-FX-CF2(subkey, ticket session key, "subkeyarmor", "ticketarmor"); the checksum over
/// the outer body is usage 50; enc-fast-req is usage 51. Anything wrong here is a client bug.
fn open(message: &[u8]) -> Opened {
    let outer: AsReq = asn1::decode(message).expect("the client sent an AS-REQ");
    let padata = outer
        .0
        .padata
        .as_deref()
        .expect("an armored request has padata");
    assert_eq!(
        padata.iter().map(|p| p.padata_type).collect::<Vec<_>>(),
        vec![pt::PA_FX_FAST],
        "the outer padata of an armored AS-REQ is PA-FX-FAST alone"
    );
    let PaFxFastRequest::ArmoredData(armored) = padata[0].decode_value().expect("PA-FX-FAST");
    let armor = armored.armor.as_ref().expect("explicit armor in an AS-REQ");
    assert_eq!(armor.armor_type, 1, "FX_FAST_ARMOR_AP_REQUEST");
    let ap_req: ApReq = asn1::decode(&armor.armor_value).expect("armor AP-REQ");
    assert_eq!(ap_req.ticket.as_bytes(), armor_ticket().as_slice());
    let plain = armor_session_key()
        .decrypt(KeyUsage::AP_REQ_AUTH, &ap_req.authenticator.cipher)
        .expect("the armor authenticator decrypts with the armor session key");
    let auth: Authenticator = asn1::decode(&plain).expect("Authenticator");
    assert_eq!(auth.cname.to_string_lossy(), "host/client.example.test");
    assert_eq!(auth.ctime.unix(), T0);
    let sk = auth
        .subkey
        .expect("the armor authenticator carries a subkey");
    let subkey = Key::from_bytes(
        EncryptionType::try_from(sk.keytype).expect("subkey etype"),
        sk.keyvalue.as_ref(),
    )
    .expect("subkey");
    let armor_key = cf2(
        &subkey,
        &armor_session_key(),
        b"subkeyarmor",
        b"ticketarmor",
    );
    let body_der = outer.0.req_body_der().expect("outer body");
    let expected = armor_key.checksum(KeyUsage::KEY_USAGE_FAST_REQ_CHKSUM, &body_der);
    assert_eq!(
        armored.req_checksum.checksum.as_ref(),
        expected.as_slice(),
        "req-checksum over the outer KDC-REQ-BODY"
    );
    assert_eq!(armored.enc_fast_req.etype, 18);
    let plain = armor_key
        .decrypt(KeyUsage::KEY_USAGE_FAST_ENC, &armored.enc_fast_req.cipher)
        .expect("enc-fast-req decrypts with the armor key");
    let inner: KrbFastReq = asn1::decode(&plain).expect("KrbFastReq");
    assert_eq!(inner.req_body.nonce.get(), NONCE);
    Opened {
        message: message.to_vec(),
        outer,
        armor_key,
        inner,
    }
}

/// Ways to bend an armored AS-REP.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Damage {
    None,
    /// No PA-FX-FAST in the reply's padata.
    StripFast,
    /// PA-FX-FAST with an empty value (the form that advertises FAST in METHOD-DATA).
    EmptyFast,
    /// Garbage bytes as the PA-FX-FAST value.
    GarbageFast,
    /// enc-fast-rep under another key of the armor key's enctype.
    WrongFastKey,
    /// enc-fast-rep in another enctype (aes128, from another key).
    FastEnctype,
    /// enc-fast-rep decrypts, but to something that is not a KrbFastResponse.
    GarbageFastResponse,
    /// KrbFastResponse.nonce is not the request's.
    FastNonce,
    /// No KrbFastFinished.
    NoFinished,
    /// KrbFastFinished's ticket checksum is over other bytes.
    TicketChecksum,
    /// KrbFastFinished's ticket checksum of a type the client does not know.
    TicketChecksumType,
    /// KrbFastFinished names another client (the outer reply names alice).
    FinishedCname,
    /// The outer reply hides the client (as Heimdal may); KrbFastFinished names alice.
    OuterCnameHidden,
    /// A strengthen key is sent, but the enc-part is under the unstrengthened reply key.
    Unstrengthened,
    /// A strengthen key of an etype the client does not implement (DES, 3).
    StrengthenEtype,
    /// A strengthen key whose value has the wrong length.
    StrengthenLength,
    /// The enc-part's nonce differs (the armor is fine).
    EncPartNonce,
}

/// The KDC's PA-ENCRYPTED-CHALLENGE in the KrbFastResponse of the AS-REP.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum KdcChallenge {
    /// Sent when the client pre-authenticated with PA-ENCRYPTED-CHALLENGE (RFC 6113 §6.5).
    Valid,
    /// Never sent.
    Omit,
    /// With Heimdal's pepper ("clientchallengearmor" for the KDC's challenge too).
    HeimdalPepper,
    /// Under a key that is not the KDC challenge key.
    Undecryptable,
    /// Not an EncryptedData.
    Malformed,
    /// A timestamp an hour away.
    Skewed,
}

/// How a KRB-ERROR is sent.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum ErrorForm {
    /// Armored: outer code = inner code, e-data = METHOD-DATA { PA-FX-FAST },
    /// the KrbFastResponse's padata = PA-FX-ERROR (the real error) + hints.
    Armored,
    /// Armored, with this outer error code.
    ArmoredOuter(i32),
    /// Armored, but the PA-FX-ERROR value is garbage.
    GarbageFxError,
    /// Armored, but the PA-FX-FAST value in e-data is garbage.
    GarbageFast,
    /// Armored under a key that is not the armor key.
    WrongKey,
    /// Armored, with a KrbFastResponse nonce that is not the request's.
    OtherNonce,
    /// A plain KRB-ERROR (what a KDC without FAST, or an attacker, sends).
    Unarmored,
}

/// One scripted answer.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Answer {
    /// Armored PREAUTH_REQUIRED offering PA-ENCRYPTED-CHALLENGE, ETYPE-INFO2 and a cookie.
    PreauthRequired,
    /// An armored AS-REP (after checking the client's PA-ENCRYPTED-CHALLENGE, if any).
    Reply(Damage),
    /// An unarmored AS-REP under the client's key (what a KDC that ignores FAST sends).
    UnarmoredReply,
    /// A KRB-ERROR with this code.
    Error(i32, ErrorForm),
}

const COOKIE: &[u8] = b"fast-cookie";

struct FastKdc {
    script: Vec<Answer>,
    strengthen: Option<Key>,
    kdc_challenge: KdcChallenge,
    /// The opened armored requests, in order.
    seen: Vec<Opened>,
    /// Every message received (armored or not).
    messages: Vec<Vec<u8>>,
}

impl FastKdc {
    fn new(script: &[Answer]) -> Self {
        FastKdc {
            script: script.to_vec(),
            strengthen: Some(aes256(0x5a)),
            kdc_challenge: KdcChallenge::Valid,
            seen: Vec::new(),
            messages: Vec::new(),
        }
    }

    fn without_strengthen(mut self) -> Self {
        self.strengthen = None;
        self
    }

    fn handle(&mut self, out: &Outgoing) -> Vec<u8> {
        assert_eq!(out.realm, REALM);
        self.messages.push(out.message.clone());
        assert!(
            !self.script.is_empty(),
            "more requests than scripted answers"
        );
        let answer = self.script.remove(0);
        let plain: AsReq = asn1::decode(&out.message).expect("AS-REQ");
        if plain.0.find_padata(pt::PA_FX_FAST).is_none() {
            // The client dropped the armor (permitted fallback).
            return match answer {
                Answer::UnarmoredReply => unarmored_reply(&plain, &out.message),
                Answer::Error(code, ErrorForm::Unarmored) => plain_error(&plain.0.req_body, code),
                other => panic!("unarmored request, scripted answer {other:?}"),
            };
        }
        let req = open(&out.message);
        let reply = match answer {
            Answer::PreauthRequired => {
                assert!(req.inner_padata(pt::PA_ENCRYPTED_CHALLENGE).is_none());
                armored_error(&req, ec::KDC_ERR_PREAUTH_REQUIRED, ErrorForm::Armored)
            }
            Answer::Reply(damage) => {
                if let Some(pa) = req.inner_padata(pt::PA_ENCRYPTED_CHALLENGE) {
                    check_client_challenge(&req, pa);
                    assert_eq!(
                        req.inner_padata(pt::PA_FX_COOKIE)
                            .map(|p| p.padata_value.to_vec()),
                        Some(COOKIE.to_vec()),
                        "the cookie is echoed inside the armor"
                    );
                }
                self.as_rep(&req, damage)
            }
            Answer::UnarmoredReply => unarmored_reply(&req.outer, &req.message),
            Answer::Error(code, form) => armored_error(&req, code, form),
        };
        self.seen.push(req);
        reply
    }

    /// The armored AS-REP, bent by `damage`.
    fn as_rep(&self, req: &Opened, damage: Damage) -> Vec<u8> {
        let body = req.body();
        let long_term = client_key();
        let used_challenge = req.inner_padata(pt::PA_ENCRYPTED_CHALLENGE).is_some();
        let strengthen = match damage {
            Damage::StrengthenEtype => Some(EncryptionKey::new(3, vec![0x01; 8])),
            Damage::StrengthenLength => Some(EncryptionKey::new(18, vec![0x01; 5])),
            _ => self
                .strengthen
                .as_ref()
                .map(|k| EncryptionKey::new(k.etype().id(), k.as_bytes().to_vec())),
        };
        // The reply key (RFC 6113 §5.4.3): strengthened when a strengthen key is sent.
        let reply_key = match &self.strengthen {
            Some(sk) if damage != Damage::Unstrengthened => {
                cf2(sk, &long_term, b"strengthenkey", b"replykey")
            }
            _ => long_term.clone(),
        };

        let ticket = Ticket {
            tkt_vno: 5,
            realm: KerberosString::from(REALM),
            sname: PrincipalName::new(2, &["krbtgt", REALM]),
            enc_part: EncryptedData::new(
                18,
                Some(1),
                aes256(0x07).encrypt(KeyUsage::KDC_REP_TICKET, b"opaque ticket part"),
            ),
        };
        let ticket = RawTicket::from_ticket(&ticket).expect("ticket");

        // The enc-part, with the RFC 6806 proof over the request as sent.
        let session_key = aes256(0x33);
        let proof = Checksum::new(
            reply_key.etype().checksum_type().id(),
            reply_key.checksum(KeyUsage(56), &req.message),
        );
        let enc = EncKdcRepPart {
            key: EncryptionKey::new(18, session_key.as_bytes().to_vec()),
            last_req: Vec::new(),
            nonce: UInt32(if damage == Damage::EncPartNonce {
                req.nonce() ^ 1
            } else {
                req.nonce()
            }),
            key_expiration: None,
            flags: TicketFlags::empty()
                .with(TicketFlags::INITIAL)
                .with(TicketFlags::PRE_AUTHENT)
                .with(TicketFlags::ENC_PA_REP),
            authtime: KerberosTime::from_unix(T0),
            starttime: Some(KerberosTime::from_unix(T0)),
            endtime: KerberosTime::from_unix(body.till.unix().min(T0 + 10 * 3600)),
            renew_till: None,
            srealm: KerberosString::from(REALM),
            sname: PrincipalName::new(2, &["krbtgt", REALM]),
            caddr: None,
            encrypted_pa_data: Some(vec![
                PaData::from_value(pt::PA_REQ_ENC_PA_REP, &proof).expect("proof"),
            ]),
            ext: Extensions::default(),
        };
        let plain = asn1::encode(&EncAsRepPart(enc)).expect("enc-part");
        let enc_part = EncryptedData::new(
            18,
            Some(1),
            reply_key.encrypt(KeyUsage::AS_REP_ENC_PART, &plain),
        );

        // The KrbFastResponse.
        let checksummed: &[u8] = if damage == Damage::TicketChecksum {
            b"another ticket"
        } else {
            ticket.as_bytes()
        };
        let ticket_checksum = Checksum::new(
            if damage == Damage::TicketChecksumType {
                7 // RSA-MD4, not implemented (and unkeyed)
            } else {
                req.armor_key.etype().checksum_type().id()
            },
            req.armor_key
                .checksum(KeyUsage::KEY_USAGE_FAST_FINISHED, checksummed),
        );
        let finished = KrbFastFinished {
            timestamp: KerberosTime::from_unix(T0),
            usec: 0,
            crealm: KerberosString::from(REALM),
            cname: PrincipalName::new(
                1,
                &[if damage == Damage::FinishedCname {
                    "mallory"
                } else {
                    "alice"
                }],
            ),
            ticket_checksum,
            ext: Extensions::default(),
        };
        let mut fast_padata = Vec::new();
        if used_challenge && let Some(pa) = kdc_challenge(req, &long_term, self.kdc_challenge) {
            fast_padata.push(pa);
        }
        let resp = KrbFastResponse {
            padata: fast_padata,
            strengthen_key: strengthen,
            finished: (damage != Damage::NoFinished).then_some(finished),
            nonce: UInt32(if damage == Damage::FastNonce {
                req.nonce() ^ 1
            } else {
                req.nonce()
            }),
            ext: Extensions::default(),
        };
        let mut padata = match damage {
            Damage::StripFast => Vec::new(),
            Damage::EmptyFast => vec![PaData::new(pt::PA_FX_FAST, Vec::new())],
            Damage::GarbageFast => vec![PaData::new(pt::PA_FX_FAST, b"\x30\x03garbage".to_vec())],
            _ => vec![fast_padata_of(req, &resp, damage)],
        };
        // Some KDCs also send hints in the clear; they must not matter.
        padata.push(PaData::new(pt::PA_FX_COOKIE, COOKIE.to_vec()));
        let (crealm, cname) = if damage == Damage::OuterCnameHidden {
            (
                KerberosString::from("WELLKNOWN:ANONYMOUS"),
                PrincipalName::new(11, &["WELLKNOWN", "ANONYMOUS"]),
            )
        } else {
            (
                body.realm.clone(),
                body.cname.clone().expect("the request names the client"),
            )
        };
        let rep = AsRep(KdcRep {
            pvno: 5,
            msg_type: 11,
            padata: Some(padata),
            crealm,
            cname,
            ticket,
            enc_part,
        });
        asn1::encode(&rep).expect("AS-REP")
    }
}

/// PA-FX-FAST holding `resp` encrypted with the armor key (usage 52), or bent by `damage`.
fn fast_padata_of(req: &Opened, resp: &KrbFastResponse, damage: Damage) -> PaData {
    let plain = match damage {
        Damage::GarbageFastResponse => b"\x30\x80not a KrbFastResponse".to_vec(),
        _ => asn1::encode(resp).expect("KrbFastResponse"),
    };
    let enc_fast_rep = match damage {
        Damage::WrongFastKey => EncryptedData::new(
            18,
            None,
            aes256(0x66).encrypt(KeyUsage::KEY_USAGE_FAST_REP, &plain),
        ),
        Damage::FastEnctype => {
            let k = Key::from_bytes(EncryptionType::Aes128CtsHmacSha196, &[0x66; 16]).expect("k");
            EncryptedData::new(17, None, k.encrypt(KeyUsage::KEY_USAGE_FAST_REP, &plain))
        }
        _ => EncryptedData::new(
            18,
            None,
            req.armor_key.encrypt(KeyUsage::KEY_USAGE_FAST_REP, &plain),
        ),
    };
    let reply = PaFxFastReply::ArmoredData(KrbFastArmoredRep {
        enc_fast_rep,
        ext: Extensions::default(),
    });
    PaData::from_value(pt::PA_FX_FAST, &reply).expect("PA-FX-FAST")
}

fn challenge_key(armor_key: &Key, long_term: &Key, pepper: &[u8]) -> Key {
    cf2(armor_key, long_term, pepper, b"challengelongterm")
}

/// The client's PA-ENCRYPTED-CHALLENGE (RFC 6113 §5.4.6): PA-ENC-TS-ENC under
/// KRB-FX-CF2(armor key, long-term key, "clientchallengearmor", "challengelongterm"),
/// usage 54, within the skew.
fn check_client_challenge(req: &Opened, pa: &PaData) {
    let enc: EncryptedData = pa.decode_value().expect("EncryptedChallenge");
    assert_eq!(enc.etype, 18);
    let key = challenge_key(&req.armor_key, &client_key(), b"clientchallengearmor");
    let plain = key
        .decrypt(KeyUsage::KEY_USAGE_ENC_CHALLENGE_CLIENT, &enc.cipher)
        .expect("the client's challenge decrypts");
    let ts: PaEncTsEnc = asn1::decode(&plain).expect("PA-ENC-TS-ENC");
    assert_eq!(ts.patimestamp.unix(), T0);
}

fn kdc_challenge(req: &Opened, long_term: &Key, how: KdcChallenge) -> Option<PaData> {
    let ts = |t: i64| asn1::encode(&PaEncTsEnc::new(KerberosTime::from_unix(t), Some(0))).unwrap();
    let enc = |key: Key, plain: &[u8]| {
        let e = EncryptedData::new(
            18,
            None,
            key.encrypt(KeyUsage::KEY_USAGE_ENC_CHALLENGE_KDC, plain),
        );
        PaData::from_value(pt::PA_ENCRYPTED_CHALLENGE, &e).expect("challenge")
    };
    let kdc_key = || challenge_key(&req.armor_key, long_term, b"kdcchallengearmor");
    match how {
        KdcChallenge::Omit => None,
        KdcChallenge::Valid => Some(enc(kdc_key(), &ts(T0))),
        KdcChallenge::HeimdalPepper => Some(enc(
            challenge_key(&req.armor_key, long_term, b"clientchallengearmor"),
            &ts(T0),
        )),
        KdcChallenge::Undecryptable => Some(enc(
            challenge_key(&req.armor_key, &aes256(0x99), b"kdcchallengearmor"),
            &ts(T0),
        )),
        KdcChallenge::Malformed => Some(PaData::new(pt::PA_ENCRYPTED_CHALLENGE, b"\x04\x01x")),
        KdcChallenge::Skewed => Some(enc(kdc_key(), &ts(T0 + 3600))),
    }
}

fn krb_error(body: &KdcReqBody, code: i32, e_data: Option<Vec<u8>>) -> KrbError {
    KrbError {
        pvno: 5,
        msg_type: 30,
        ctime: None,
        cusec: None,
        stime: KerberosTime::from_unix(T0),
        susec: 0,
        error_code: code,
        crealm: None,
        cname: body.cname.clone(),
        realm: body.realm.clone(),
        sname: body.sname.clone().unwrap_or_default(),
        e_text: None,
        e_data: e_data.map(OctetString::from),
    }
}

/// The hints a KDC sends with PREAUTH_REQUIRED / PREAUTH_FAILED.
fn hints() -> Vec<PaData> {
    let info2 = vec![EtypeInfo2Entry {
        etype: 18,
        salt: Some(KerberosString::from("EXAMPLE.TESTalice")),
        s2kparams: None,
    }];
    vec![
        PaData::from_value(pt::PA_ETYPE_INFO2, &info2).expect("etype-info2"),
        PaData::new(pt::PA_ENCRYPTED_CHALLENGE, Vec::new()),
        PaData::new(pt::PA_FX_COOKIE, COOKIE.to_vec()),
    ]
}

fn plain_error(body: &KdcReqBody, code: i32) -> Vec<u8> {
    let e_data = if code == ec::KDC_ERR_PREAUTH_REQUIRED {
        // A KDC without FAST: no PA-FX-FAST advertised, PA-ENC-TIMESTAMP offered.
        let mut md = vec![PaData::new(pt::PA_ENC_TIMESTAMP, Vec::new())];
        md.extend(hints().into_iter().take(1));
        Some(asn1::encode(&md).expect("METHOD-DATA"))
    } else {
        None
    };
    asn1::encode(&krb_error(body, code, e_data)).expect("KRB-ERROR")
}

/// An armored KRB-ERROR (RFC 6113 §5.4.4), or one bent by `form`.
fn armored_error(req: &Opened, code: i32, form: ErrorForm) -> Vec<u8> {
    let body = req.body();
    if form == ErrorForm::Unarmored {
        return plain_error(body, code);
    }
    let inner = asn1::encode(&krb_error(body, code, None)).expect("inner KRB-ERROR");
    let fx_error = match form {
        ErrorForm::GarbageFxError => PaData::new(pt::PA_FX_ERROR, b"\x7e\x05junk!".to_vec()),
        _ => PaData::new(pt::PA_FX_ERROR, inner),
    };
    let mut padata = vec![fx_error];
    if matches!(
        code,
        ec::KDC_ERR_PREAUTH_REQUIRED | ec::KDC_ERR_PREAUTH_FAILED
    ) {
        padata.extend(hints());
    }
    let resp = KrbFastResponse {
        padata,
        strengthen_key: None,
        finished: None,
        nonce: UInt32(if form == ErrorForm::OtherNonce {
            req.nonce() ^ 1
        } else {
            req.nonce()
        }),
        ext: Extensions::default(),
    };
    let plain = asn1::encode(&resp).expect("KrbFastResponse");
    let key = if form == ErrorForm::WrongKey {
        aes256(0x66)
    } else {
        req.armor_key.clone()
    };
    let fast = if form == ErrorForm::GarbageFast {
        PaData::new(pt::PA_FX_FAST, b"\xa0\x02\x30\x00garbage".to_vec())
    } else {
        let reply = PaFxFastReply::ArmoredData(KrbFastArmoredRep {
            enc_fast_rep: EncryptedData::new(
                18,
                None,
                key.encrypt(KeyUsage::KEY_USAGE_FAST_REP, &plain),
            ),
            ext: Extensions::default(),
        });
        PaData::from_value(pt::PA_FX_FAST, &reply).expect("PA-FX-FAST")
    };
    let md = asn1::encode(&vec![fast]).expect("METHOD-DATA");
    let outer_code = match form {
        ErrorForm::ArmoredOuter(c) => c,
        _ => code,
    };
    asn1::encode(&krb_error(body, outer_code, Some(md))).expect("KRB-ERROR")
}

/// An AS-REP without FAST under the client's long-term key.
fn unarmored_reply(req: &AsReq, message: &[u8]) -> Vec<u8> {
    let body = &req.0.req_body;
    let key = client_key();
    let ticket = Ticket {
        tkt_vno: 5,
        realm: KerberosString::from(REALM),
        sname: PrincipalName::new(2, &["krbtgt", REALM]),
        enc_part: EncryptedData::new(18, Some(1), b"opaque".to_vec()),
    };
    let proof = Checksum::new(16, key.checksum(KeyUsage(56), message));
    let enc = EncKdcRepPart {
        key: EncryptionKey::new(18, vec![0x33; 32]),
        last_req: Vec::new(),
        nonce: body.nonce,
        key_expiration: None,
        flags: TicketFlags::empty()
            .with(TicketFlags::INITIAL)
            .with(TicketFlags::ENC_PA_REP),
        authtime: KerberosTime::from_unix(T0),
        starttime: None,
        endtime: KerberosTime::from_unix(T0 + 3600),
        renew_till: None,
        srealm: KerberosString::from(REALM),
        sname: PrincipalName::new(2, &["krbtgt", REALM]),
        caddr: None,
        encrypted_pa_data: Some(vec![
            PaData::from_value(pt::PA_REQ_ENC_PA_REP, &proof).expect("proof"),
        ]),
        ext: Extensions::default(),
    };
    let plain = asn1::encode(&EncAsRepPart(enc)).expect("enc-part");
    let rep = AsRep(KdcRep {
        pvno: 5,
        msg_type: 11,
        padata: None,
        crealm: body.realm.clone(),
        cname: body.cname.clone().expect("cname"),
        ticket: RawTicket::from_ticket(&ticket).expect("ticket"),
        enc_part: EncryptedData::new(18, Some(1), key.encrypt(KeyUsage::AS_REP_ENC_PART, &plain)),
    });
    asn1::encode(&rep).expect("AS-REP")
}

/// Drive `ex` against `kdc` with the fixed clock. Each failed `receive` must leave the
/// exchange failed (`poll` gives None).
#[allow(clippy::result_large_err)] // the crate's error type, as in the other tests
fn drive(ex: &mut AsExchange, kdc: &mut FastKdc) -> Result<Credential, ExchangeError> {
    for _ in 0..8 {
        match ex.poll() {
            Some(Step::Send(out)) => {
                let reply = kdc.handle(&out);
                if let Err(e) = ex.receive(&reply, at(T0)) {
                    assert!(ex.poll().is_none(), "a failed exchange stays failed");
                    return Err(e);
                }
            }
            Some(Step::Done(cred)) => {
                assert!(kdc.script.is_empty(), "unused answers: {:?}", kdc.script);
                return Ok(cred);
            }
            None => panic!("poll() gave None before Done"),
        }
    }
    panic!("the exchange does not end");
}

/// Run the script with FAST required.
fn run(kdc: &mut FastKdc) -> (Result<Credential, ExchangeError>, AsExchange) {
    let mut ex = exchange(armor());
    let res = drive(&mut ex, kdc);
    (res, ex)
}

/// The error of a failed run.
fn fail(kdc: &mut FastKdc) -> ExchangeError {
    match run(kdc).0 {
        Ok(cred) => panic!("a damaged reply was accepted: {}", cred.client),
        Err(e) => e,
    }
}

/// A damaged armored AS-REP answering the first (pre-authentication-free) request.
fn fail_reply(damage: Damage) -> ExchangeError {
    fail(&mut FastKdc::new(&[Answer::Reply(damage)]))
}

fn assert_fast_invalid(e: &ExchangeError, what: &str) {
    assert!(
        matches!(e, ExchangeError::FastReplyInvalid(m) if *m == what),
        "expected FastReplyInvalid({what:?}), got {e:?}"
    );
}

fn assert_kdc(e: &ExchangeError, code: i32) {
    assert!(
        matches!(e, ExchangeError::Kdc(k) if k.code == code),
        "expected the KDC error {code}, got {e:?}"
    );
}

// ---- Baselines: the double is right. ----

#[test]
fn valid_armored_reply_with_strengthen_key_succeeds() {
    let mut kdc = FastKdc::new(&[Answer::Reply(Damage::None)]);
    let (res, ex) = run(&mut kdc);
    let cred = res.expect("the valid armored reply is accepted");
    assert!(ex.fast_used());
    assert_eq!(ex.preauth_type(), None);
    assert_eq!(cred.client.to_string(), "alice@EXAMPLE.TEST");
    assert_eq!(cred.server.to_string(), "krbtgt/EXAMPLE.TEST@EXAMPLE.TEST");
    assert_eq!(cred.session_key.as_bytes(), &[0x33; 32]);
    assert_eq!(cred.auth_time, T0);
    // The inner request carries the real padata (here PA-REQ-ENC-PA-REP), the outer only
    // PA-FX-FAST (checked by `open`).
    let inner: Vec<i32> = kdc.seen[0]
        .inner
        .padata
        .iter()
        .map(|p| p.padata_type)
        .collect();
    assert_eq!(inner, vec![pt::PA_REQ_ENC_PA_REP]);
}

#[test]
fn valid_armored_reply_without_strengthen_key_succeeds() {
    let mut kdc = FastKdc::new(&[Answer::Reply(Damage::None)]).without_strengthen();
    let (res, ex) = run(&mut kdc);
    let cred = res.expect("the valid armored reply is accepted");
    assert!(ex.fast_used());
    assert_eq!(cred.client.to_string(), "alice@EXAMPLE.TEST");
}

#[test]
fn encrypted_challenge_round_trip_succeeds() {
    // Armored PREAUTH_REQUIRED → PA-ENCRYPTED-CHALLENGE (with the cookie) → AS-REP with the
    // KDC's challenge.
    let mut kdc = FastKdc::new(&[Answer::PreauthRequired, Answer::Reply(Damage::None)]);
    let (res, ex) = run(&mut kdc);
    let cred = res.expect("the armored pre-authenticated exchange succeeds");
    assert!(ex.fast_used());
    assert_eq!(ex.preauth_type(), Some(pt::PA_ENCRYPTED_CHALLENGE));
    assert_eq!(cred.client.to_string(), "alice@EXAMPLE.TEST");
    assert_eq!(kdc.seen.len(), 2);
    assert!(kdc.seen[1].inner_padata(pt::PA_ENC_TIMESTAMP).is_none());
    // A fresh armor (subkey) per request.
    assert_ne!(
        kdc.seen[0].armor_key.as_bytes(),
        kdc.seen[1].armor_key.as_bytes()
    );
}

#[test]
fn encrypted_challenge_without_strengthen_key_succeeds() {
    let mut kdc =
        FastKdc::new(&[Answer::PreauthRequired, Answer::Reply(Damage::None)]).without_strengthen();
    let (res, ex) = run(&mut kdc);
    res.expect("accepted");
    assert_eq!(ex.preauth_type(), Some(pt::PA_ENCRYPTED_CHALLENGE));
}

#[test]
fn kdc_challenge_with_heimdal_pepper_or_omitted_is_accepted() {
    for how in [KdcChallenge::HeimdalPepper, KdcChallenge::Omit] {
        let mut kdc = FastKdc::new(&[Answer::PreauthRequired, Answer::Reply(Damage::None)]);
        kdc.kdc_challenge = how;
        let (res, ex) = run(&mut kdc);
        res.unwrap_or_else(|e| panic!("{how:?}: {e}"));
        assert!(ex.fast_used());
    }
}

#[test]
fn hidden_outer_client_is_taken_from_krb_fast_finished() {
    let mut kdc = FastKdc::new(&[Answer::Reply(Damage::OuterCnameHidden)]);
    let cred = run(&mut kdc).0.expect("accepted");
    assert_eq!(cred.client.to_string(), "alice@EXAMPLE.TEST");
}

// ---- Damaged armored AS-REPs. ----

#[test]
fn stripped_pa_fx_fast_is_refused() {
    let e = fail_reply(Damage::StripFast);
    assert_fast_invalid(&e, "the AS-REP to an armored request has no PA-FX-FAST");
    let e = fail_reply(Damage::EmptyFast);
    assert_fast_invalid(&e, "the AS-REP to an armored request has no PA-FX-FAST");
}

#[test]
fn garbage_pa_fx_fast_value_is_refused() {
    assert_fast_invalid(
        &fail_reply(Damage::GarbageFast),
        "malformed PA-FX-FAST reply",
    );
}

#[test]
fn enc_fast_rep_under_a_wrong_key_is_refused() {
    assert_fast_invalid(
        &fail_reply(Damage::WrongFastKey),
        "the armored reply does not decrypt",
    );
}

#[test]
fn enc_fast_rep_in_another_enctype_is_refused() {
    assert_fast_invalid(
        &fail_reply(Damage::FastEnctype),
        "the armored reply is not encrypted in the armor key's enctype",
    );
}

#[test]
fn enc_fast_rep_that_is_no_krb_fast_response_is_refused() {
    assert_fast_invalid(
        &fail_reply(Damage::GarbageFastResponse),
        "malformed KrbFastResponse",
    );
}

#[test]
fn krb_fast_response_with_another_nonce_is_refused() {
    assert_fast_invalid(
        &fail_reply(Damage::FastNonce),
        "the KrbFastResponse nonce is not the request's",
    );
}

#[test]
fn missing_krb_fast_finished_is_refused() {
    assert_fast_invalid(
        &fail_reply(Damage::NoFinished),
        "the armored reply has no KrbFastFinished",
    );
}

#[test]
fn wrong_ticket_checksum_is_refused() {
    assert_fast_invalid(
        &fail_reply(Damage::TicketChecksum),
        "wrong ticket checksum in KrbFastFinished",
    );
    assert_fast_invalid(
        &fail_reply(Damage::TicketChecksumType),
        "unsupported ticket checksum type",
    );
}

#[test]
fn krb_fast_finished_naming_another_client_is_refused() {
    // KrbFastFinished's cname is authoritative (the outer reply says alice); without
    // canonicalization mallory is not the client asked for.
    let mut kdc = FastKdc::new(&[Answer::Reply(Damage::FinishedCname)]);
    let mut ex = exchange_without_canonicalize();
    let e = drive(&mut ex, &mut kdc).expect_err("refused");
    assert!(
        matches!(&e, ExchangeError::ClientNameMismatch { returned, .. } if returned == "mallory@EXAMPLE.TEST"),
        "{e:?}"
    );
}

#[test]
fn enc_part_under_the_unstrengthened_key_is_refused() {
    let e = fail_reply(Damage::Unstrengthened);
    assert!(
        matches!(e, ExchangeError::ReplyDecryptFailed { etype: 18 }),
        "{e:?}"
    );
}

#[test]
fn unusable_strengthen_keys_are_refused() {
    assert_fast_invalid(
        &fail_reply(Damage::StrengthenEtype),
        "strengthen-key of an unknown enctype",
    );
    assert_fast_invalid(
        &fail_reply(Damage::StrengthenLength),
        "malformed strengthen-key",
    );
}

#[test]
fn valid_armor_around_an_enc_part_with_another_nonce_is_refused() {
    let e = fail_reply(Damage::EncPartNonce);
    assert!(
        matches!(e, ExchangeError::NonceMismatch { expected: NONCE, got } if got == NONCE ^ 1),
        "{e:?}"
    );
}

#[test]
fn kdc_challenge_that_does_not_check_is_refused() {
    for (how, what) in [
        (KdcChallenge::Undecryptable, "it does not decrypt"),
        (KdcChallenge::Malformed, "malformed"),
        (
            KdcChallenge::Skewed,
            "its timestamp is outside the clock skew",
        ),
    ] {
        let mut kdc = FastKdc::new(&[Answer::PreauthRequired, Answer::Reply(Damage::None)]);
        kdc.kdc_challenge = how;
        let (res, ex) = run(&mut kdc);
        let e = res.expect_err("a bad KDC challenge is refused");
        assert!(
            matches!(e, ExchangeError::KdcChallengeInvalid(m) if m == what),
            "{how:?}: {e:?}"
        );
        assert!(ex.fast_used(), "the PREAUTH_REQUIRED was armored");
    }
}

// ---- Armored KRB-ERRORs. ----

#[test]
fn armored_error_with_garbage_pa_fx_error_is_refused() {
    let e = fail(&mut FastKdc::new(&[Answer::Error(
        ec::KDC_ERR_C_PRINCIPAL_UNKNOWN,
        ErrorForm::GarbageFxError,
    )]));
    assert_fast_invalid(&e, "malformed PA-FX-ERROR");
}

#[test]
fn armored_error_with_garbage_pa_fx_fast_is_refused() {
    let e = fail(&mut FastKdc::new(&[Answer::Error(
        ec::KDC_ERR_PREAUTH_REQUIRED,
        ErrorForm::GarbageFast,
    )]));
    assert_fast_invalid(&e, "malformed PA-FX-FAST reply");
}

#[test]
fn armored_error_under_a_wrong_key_is_refused() {
    let e = fail(&mut FastKdc::new(&[Answer::Error(
        ec::KDC_ERR_PREAUTH_REQUIRED,
        ErrorForm::WrongKey,
    )]));
    assert_fast_invalid(&e, "the armored reply does not decrypt");
}

#[test]
fn armored_error_with_another_nonce_is_refused() {
    // RFC 6113 §5.4.3: the KrbFastResponse nonce is the request's, in errors too (MIT's
    // client checks it for both). Neither a final error nor a PREAUTH_REQUIRED that would
    // move the exchange on is taken from a KrbFastResponse of another request.
    for code in [
        ec::KDC_ERR_C_PRINCIPAL_UNKNOWN,
        ec::KDC_ERR_PREAUTH_REQUIRED,
    ] {
        let mut kdc = FastKdc::new(&[Answer::Error(code, ErrorForm::OtherNonce)]);
        let (res, ex) = run(&mut kdc);
        let e = res.expect_err("refused");
        assert_fast_invalid(&e, "the KrbFastResponse nonce is not the request's");
        assert!(!ex.fast_used());
        assert_eq!(kdc.messages.len(), 1, "nothing more is sent");
    }
}

#[test]
fn armored_client_unknown_reaches_the_caller() {
    // The outer code says PREAUTH_REQUIRED: only the inner PA-FX-ERROR counts.
    let e = fail(&mut FastKdc::new(&[Answer::Error(
        ec::KDC_ERR_C_PRINCIPAL_UNKNOWN,
        ErrorForm::ArmoredOuter(ec::KDC_ERR_PREAUTH_REQUIRED),
    )]));
    assert_kdc(&e, ec::KDC_ERR_C_PRINCIPAL_UNKNOWN);
    let e = fail(&mut FastKdc::new(&[Answer::Error(
        ec::KDC_ERR_C_PRINCIPAL_UNKNOWN,
        ErrorForm::Armored,
    )]));
    assert_kdc(&e, ec::KDC_ERR_C_PRINCIPAL_UNKNOWN);
}

#[test]
fn armored_preauth_failed_after_the_challenge_reaches_the_caller() {
    let mut kdc = FastKdc::new(&[
        Answer::PreauthRequired,
        Answer::Error(ec::KDC_ERR_PREAUTH_FAILED, ErrorForm::Armored),
    ]);
    let (res, ex) = run(&mut kdc);
    let e = res.expect_err("PREAUTH_FAILED");
    assert_kdc(&e, ec::KDC_ERR_PREAUTH_FAILED);
    assert!(e.is_wrong_password());
    assert!(ex.fast_used(), "both errors were armored");
    assert!(
        kdc.seen[1]
            .inner_padata(pt::PA_ENCRYPTED_CHALLENGE)
            .is_some()
    );
}

// ---- Unarmored answers to armored requests. ----

#[test]
fn unarmored_preauth_required_fails_when_fast_is_required() {
    let e = fail(&mut FastKdc::new(&[Answer::Error(
        ec::KDC_ERR_PREAUTH_REQUIRED,
        ErrorForm::Unarmored,
    )]));
    assert!(
        matches!(&e, ExchangeError::FastNotOffered(realm) if realm == REALM),
        "{e:?}"
    );
}

#[test]
fn unarmored_preauth_required_falls_back_only_when_fast_is_optional() {
    let mut kdc = FastKdc::new(&[
        Answer::Error(ec::KDC_ERR_PREAUTH_REQUIRED, ErrorForm::Unarmored),
        Answer::UnarmoredReply,
    ]);
    let mut ex = exchange(armor().required(false));
    let cred = drive(&mut ex, &mut kdc).expect("the permitted fallback succeeds");
    assert!(!ex.fast_used());
    assert_eq!(cred.client.to_string(), "alice@EXAMPLE.TEST");
    let second: AsReq = asn1::decode(&kdc.messages[1]).expect("AS-REQ");
    assert!(second.0.find_padata(pt::PA_FX_FAST).is_none(), "no armor");
}

#[test]
fn unarmored_preauth_required_after_an_armored_round_fails_even_when_optional() {
    // Once the KDC answered armored, a later unarmored PREAUTH_REQUIRED is a downgrade.
    let mut kdc = FastKdc::new(&[
        Answer::PreauthRequired,
        Answer::Error(ec::KDC_ERR_PREAUTH_REQUIRED, ErrorForm::Unarmored),
    ]);
    let mut ex = exchange(armor().required(false));
    let e = drive(&mut ex, &mut kdc).expect_err("downgrade refused");
    assert!(matches!(e, ExchangeError::FastNotOffered(_)), "{e:?}");
}

#[test]
fn unarmored_error_ends_the_armored_exchange() {
    // An unarmored final error (here C_PRINCIPAL_UNKNOWN) ends the exchange with its code,
    // whether FAST is required or not: nothing is retried and fast_used() stays false.
    for required in [true, false] {
        let mut kdc = FastKdc::new(&[Answer::Error(
            ec::KDC_ERR_C_PRINCIPAL_UNKNOWN,
            ErrorForm::Unarmored,
        )]);
        let mut ex = exchange(armor().required(required));
        let e = drive(&mut ex, &mut kdc).expect_err("error");
        assert_kdc(&e, ec::KDC_ERR_C_PRINCIPAL_UNKNOWN);
        assert!(!ex.fast_used());
        assert_eq!(kdc.messages.len(), 1);
    }
}

#[test]
fn unarmored_retry_errors_are_final_for_an_armored_request() {
    // Errors the client would act on (clock skew, referral, another salt) are not acted on
    // when they come unarmored to an armored request: only the code reaches the caller.
    for code in [
        ec::KRB_AP_ERR_SKEW,
        ec::KDC_ERR_WRONG_REALM,
        ec::KDC_ERR_PREAUTH_FAILED,
    ] {
        for required in [true, false] {
            let mut kdc = FastKdc::new(&[Answer::Error(code, ErrorForm::Unarmored)]);
            let mut ex = exchange(armor().required(required));
            let e = drive(&mut ex, &mut kdc).expect_err("error");
            assert_kdc(&e, code);
            assert_eq!(kdc.messages.len(), 1, "nothing resent after {code}");
        }
    }
}

#[test]
fn unarmored_as_rep_to_an_armored_request_is_refused_even_when_optional() {
    // FastArmor::required only allows falling back after an unarmored PREAUTH_REQUIRED;
    // an AS-REP without PA-FX-FAST to an armored request is never accepted.
    for required in [true, false] {
        let mut kdc = FastKdc::new(&[Answer::UnarmoredReply]);
        let mut ex = exchange(armor().required(required));
        let e = drive(&mut ex, &mut kdc).expect_err("refused");
        assert_fast_invalid(&e, "the AS-REP to an armored request has no PA-FX-FAST");
        assert!(!ex.fast_used());
    }
}

// ---- Truncations. ----

/// Every strict prefix of the answer to the script's last request (made afresh by `make`
/// for each exchange, since each armor has its own subkey) is a decoding error, and the
/// full answer is accepted.
fn every_prefix_fails(script: &[Answer], make: impl Fn(&mut FastKdc, &Outgoing) -> Vec<u8>) {
    let full_len = {
        let mut kdc = FastKdc::new(script);
        let mut ex = exchange(armor());
        let reply = answer_last(&mut ex, &mut kdc, &make);
        ex.receive(&reply, at(T0))
            .expect("the full reply is accepted");
        reply.len()
    };
    assert!(full_len > 200, "a realistic reply ({full_len} bytes)");
    for n in 0..full_len {
        let mut kdc = FastKdc::new(script);
        let mut ex = exchange(armor());
        let reply = answer_last(&mut ex, &mut kdc, &make);
        assert_eq!(reply.len(), full_len);
        let e = ex
            .receive(&reply[..n], at(T0))
            .expect_err("a truncated reply is refused");
        assert!(
            matches!(e, ExchangeError::Asn1(_)),
            "prefix of {n}/{full_len} bytes: {e:?}"
        );
        assert!(ex.poll().is_none());
    }
}

/// Play `script` up to its last request and return `make`'s answer to that request.
fn answer_last(
    ex: &mut AsExchange,
    kdc: &mut FastKdc,
    make: &impl Fn(&mut FastKdc, &Outgoing) -> Vec<u8>,
) -> Vec<u8> {
    loop {
        let Some(Step::Send(out)) = ex.poll() else {
            panic!("the exchange ended early");
        };
        if kdc.script.len() == 1 {
            return make(kdc, &out);
        }
        let reply = kdc.handle(&out);
        ex.receive(&reply, at(T0)).expect("scripted step");
    }
}

#[test]
fn every_truncation_of_a_valid_armored_as_rep_fails() {
    every_prefix_fails(&[Answer::Reply(Damage::None)], |kdc, out| kdc.handle(out));
}

#[test]
fn every_truncation_of_a_pre_authenticated_armored_as_rep_fails() {
    every_prefix_fails(
        &[Answer::PreauthRequired, Answer::Reply(Damage::None)],
        |kdc, out| kdc.handle(out),
    );
}

#[test]
fn every_truncation_of_an_armored_preauth_required_fails() {
    every_prefix_fails(&[Answer::PreauthRequired], |kdc, out| kdc.handle(out));
}
