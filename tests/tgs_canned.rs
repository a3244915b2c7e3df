//! The TGS exchange against canned KDC replies: request contents (PA-TGS-REQ, S4U padata,
//! S4U2Proxy, key list), and one typed error per bad reply (nonce, names, keys), referral
//! loops, the hop limit, the TCP retry and pre-request checks.

use std::time::{Duration, SystemTime};

use kerberos_client::asn1::constants::{msg_type, padata_type as pt};
use kerberos_client::asn1::{
    self, ApReq, Authenticator, EncKdcRepPart, EncTgsRepPart, EncryptedData, EncryptionKey,
    Extensions, KdcOptions, KdcRep, KerberosString, KerberosTime, KrbError, PaForUser,
    PaPacOptions, PaS4uX509User, PacOptionsFlags, PrincipalName, RawTicket, TgsRep, TgsReq, Ticket,
    TicketFlags, UInt32,
};
use kerberos_client::crypto::{ChecksumType, EncryptionType, Key, KeyUsage};
use kerberos_client::exchange::{
    Credential, ExchangeError, S4uProxy, S4uSelf, Step, TgsError, TgsExchange, TgsOptions,
    TgsRequest,
};
use kerberos_client::principal::Principal;

const NONCE: u32 = 0x1234_5678;
const NOW: u64 = 1_764_115_200;

fn nonce() -> u32 {
    NONCE
}

fn now() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(NOW)
}

fn ticket(realm: &str, sname: &[&str]) -> Vec<u8> {
    RawTicket::from_ticket(&Ticket {
        tkt_vno: 5,
        realm: realm.into(),
        sname: PrincipalName::new(2, sname),
        enc_part: EncryptedData::new(18, Some(1), vec![9u8; 60]),
    })
    .expect("ticket")
    .into_bytes()
}

fn alice(realm: &str) -> Principal {
    Principal::new(1, realm, ["alice"])
}

fn cred(client: Principal, server: Principal, flags: u32) -> Credential {
    let comps: Vec<String> = server
        .components
        .iter()
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    let comps: Vec<&str> = comps.iter().map(String::as_str).collect();
    Credential {
        ticket: ticket(&server.realm_str(), &comps),
        client,
        server,
        session_key: Key::random(EncryptionType::Aes256CtsHmacSha196),
        flags,
        auth_time: NOW as i64 - 60,
        start_time: NOW as i64 - 60,
        end_time: NOW as i64 + 36_000,
        renew_till: None,
        kdc_offset: 0,
        enc_padata: Vec::new(),
    }
}

fn tgt(realm: &str) -> Credential {
    cred(
        alice(realm),
        Principal::krbtgt(realm, realm),
        TicketFlags::empty().with(TicketFlags::FORWARDABLE).to_u32(),
    )
}

fn svc(realm: &str) -> Principal {
    Principal::new(2, realm, ["host", "svc.example.test"])
}

struct Reply<'a> {
    key: &'a Key,
    usage: KeyUsage,
    nonce: u32,
    client: Principal,
    srealm: String,
    sname: Vec<String>,
    session_key: Key,
    endtime: i64,
    padata: Option<Vec<kerberos_client::asn1::PaData>>,
}

impl<'a> Reply<'a> {
    fn new(key: &'a Key, srealm: &str, sname: &[&str]) -> Self {
        Reply {
            key,
            usage: KeyUsage::TGS_REP_ENC_PART_SESSION_KEY,
            nonce: NONCE,
            client: alice("A.TEST"),
            srealm: srealm.into(),
            sname: sname.iter().map(|s| s.to_string()).collect(),
            session_key: Key::random(EncryptionType::Aes256CtsHmacSha196),
            endtime: NOW as i64 + 3600,
            padata: None,
        }
    }

    fn encode(&self) -> Vec<u8> {
        let sname: Vec<&str> = self.sname.iter().map(String::as_str).collect();
        let sname = PrincipalName::new(2, &sname);
        let enc = EncKdcRepPart {
            key: EncryptionKey::new(18, self.session_key.as_bytes().to_vec()),
            last_req: Vec::new(),
            nonce: UInt32(self.nonce),
            key_expiration: None,
            flags: TicketFlags::empty().with(TicketFlags::FORWARDABLE),
            authtime: KerberosTime::from_unix(NOW as i64 - 60),
            starttime: Some(KerberosTime::from_unix(NOW as i64)),
            endtime: KerberosTime::from_unix(self.endtime),
            renew_till: None,
            srealm: self.srealm.as_str().into(),
            sname: sname.clone(),
            caddr: None,
            encrypted_pa_data: None,
            ext: Extensions::default(),
        };
        let plain = asn1::encode(&EncTgsRepPart(enc)).expect("enc part");
        let cipher = self.key.encrypt(self.usage, &plain);
        let names: Vec<String> = self
            .client
            .components
            .iter()
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect();
        let rep = KdcRep {
            pvno: 5,
            msg_type: msg_type::TGS_REP,
            padata: self.padata.clone(),
            crealm: self.client.realm.clone().into(),
            cname: PrincipalName::new(1, &names),
            ticket: RawTicket::from_ticket(&Ticket {
                tkt_vno: 5,
                realm: self.srealm.as_str().into(),
                sname,
                enc_part: EncryptedData::new(18, Some(3), vec![1u8; 70]),
            })
            .expect("ticket"),
            enc_part: EncryptedData::new(self.key.etype().id(), None, cipher),
        };
        asn1::encode(&TgsRep(rep)).expect("TGS-REP")
    }
}

fn start(req: TgsRequest) -> (TgsExchange, kerberos_client::exchange::Outgoing) {
    let mut ex = TgsExchange::new_with_nonce_source(req, now(), nonce).expect("request");
    match ex.poll() {
        Some(Step::Send(out)) => (ex, out),
        other => panic!("expected Send, got {other:?}"),
    }
}

fn next_send(ex: &mut TgsExchange) -> kerberos_client::exchange::Outgoing {
    match ex.poll() {
        Some(Step::Send(out)) => out,
        other => panic!("expected Send, got {other:?}"),
    }
}

fn done(ex: &mut TgsExchange) -> Credential {
    match ex.poll() {
        Some(Step::Done(c)) => c,
        other => panic!("expected Done, got {other:?}"),
    }
}

fn decode_req(msg: &[u8]) -> TgsReq {
    asn1::decode(msg).expect("TGS-REQ")
}

fn authenticator(msg: &[u8], key: &Key) -> Authenticator {
    let req: TgsReq = asn1::decode(msg).expect("TGS-REQ");
    let pa = req.0.find_padata(pt::PA_TGS_REQ).expect("PA-TGS-REQ");
    let ap: ApReq = asn1::decode(&pa.padata_value).expect("AP-REQ");
    asn1::decode(
        &key.decrypt(KeyUsage::TGS_REQ_AUTH, &ap.authenticator.cipher)
            .expect("authenticator, usage 7"),
    )
    .expect("Authenticator")
}

#[test]
fn good_reply_and_request_contents() {
    let t = tgt("A.TEST");
    let (mut ex, out) = start(TgsRequest::new(t.clone(), svc("A.TEST")));
    assert_eq!(out.realm, "A.TEST");
    let req = decode_req(&out.message);
    let body = &req.0.req_body;
    assert_eq!(body.nonce.get(), NONCE);
    assert_eq!(body.realm.as_str(), Some("A.TEST"));
    assert_eq!(
        body.sname.as_ref().map(|s| s.to_string_lossy()).as_deref(),
        Some("host/svc.example.test")
    );
    assert!(body.cname.is_none());
    assert!(body.kdc_options.is_set(KdcOptions::CANONICALIZE));
    assert_eq!(body.till.unix(), t.end_time);
    assert_eq!(body.etype, vec![18, 17, 20, 19]);
    let auth = authenticator(&out.message, &t.session_key);
    assert_eq!(auth.ctime.unix(), NOW as i64);
    assert!(auth.subkey.is_none());
    let ck = auth.cksum.expect("checksum");
    assert_eq!(ck.cksumtype, 16);
    t.session_key
        .verify_checksum(
            KeyUsage::TGS_REQ_AUTH_CKSUM,
            &req.0.req_body_der().expect("body"),
            &ck.checksum,
        )
        .expect("body checksum");

    let reply = Reply::new(&t.session_key, "A.TEST", &["host", "svc.example.test"]);
    ex.receive(&reply.encode(), now()).expect("good reply");
    let c = done(&mut ex);
    assert_eq!(c.server.to_string(), "host/svc.example.test@A.TEST");
    assert_eq!(c.client.to_string(), "alice@A.TEST");
    assert_eq!(c.session_key, reply.session_key);
    assert!(ex.intermediate_tgts().is_empty());
    assert!(ex.poll().is_none());
}

fn one_reply_error(mutate: impl FnOnce(&mut Reply)) -> ExchangeError {
    let t = tgt("A.TEST");
    let (mut ex, _) = start(TgsRequest::new(t.clone(), svc("A.TEST")));
    let mut reply = Reply::new(&t.session_key, "A.TEST", &["host", "svc.example.test"]);
    mutate(&mut reply);
    let e = ex.receive(&reply.encode(), now()).expect_err("bad reply");
    assert!(ex.poll().is_none(), "no step after an error");
    e
}

#[test]
fn wrong_nonce() {
    let e = one_reply_error(|r| r.nonce = NONCE + 1);
    assert!(
        matches!(e, ExchangeError::NonceMismatch { expected: NONCE, got } if got == NONCE + 1),
        "{e:?}"
    );
}

#[test]
fn wrong_sname() {
    let e = one_reply_error(|r| r.sname = vec!["HTTP".into(), "svc.example.test".into()]);
    assert!(
        matches!(e, ExchangeError::ServerNameMismatch { .. }),
        "{e:?}"
    );
}

#[test]
fn wrong_srealm() {
    let e = one_reply_error(|r| r.srealm = "B.TEST".into());
    assert!(
        matches!(e, ExchangeError::ServerRealmMismatch { .. }),
        "{e:?}"
    );
}

#[test]
fn wrong_cname() {
    let e = one_reply_error(|r| r.client = Principal::new(1, "A.TEST", ["mallory"]));
    assert!(
        matches!(e, ExchangeError::ClientNameMismatch { .. }),
        "{e:?}"
    );
}

#[test]
fn wrong_key_usage() {
    let e = one_reply_error(|r| r.usage = KeyUsage::TGS_REP_ENC_PART_SUBKEY);
    assert!(
        matches!(
            e,
            ExchangeError::Tgs(TgsError::ReplyDecryptFailed { usage: 8, .. })
        ),
        "{e:?}"
    );
}

#[test]
fn endtime_beyond_till() {
    let e = one_reply_error(|r| r.endtime = NOW as i64 + 100_000);
    assert!(matches!(e, ExchangeError::TimesInsane(_)), "{e:?}");
}

#[test]
fn subkey_reply_uses_usage_9() {
    let t = tgt("A.TEST");
    let mut req = TgsRequest::new(t.clone(), svc("A.TEST"));
    req.options.use_subkey = true;
    let (mut ex, out) = start(req);
    let sub = authenticator(&out.message, &t.session_key)
        .subkey
        .expect("subkey");
    assert_eq!(sub.keytype, 18);
    let sub =
        Key::from_bytes(EncryptionType::Aes256CtsHmacSha196, sub.keyvalue.as_ref()).expect("key");
    let mut reply = Reply::new(&sub, "A.TEST", &["host", "svc.example.test"]);
    reply.usage = KeyUsage::TGS_REP_ENC_PART_SUBKEY;
    ex.receive(&reply.encode(), now()).expect("subkey reply");
    done(&mut ex);
}

#[test]
fn referral_loop_lists_the_realms() {
    let t = tgt("A.TEST");
    let (mut ex, _) = start(TgsRequest::new(t.clone(), svc("A.TEST")));
    // A refers to B ...
    let r1 = Reply::new(&t.session_key, "A.TEST", &["krbtgt", "B.TEST"]);
    ex.receive(&r1.encode(), now()).expect("referral to B");
    let out = next_send(&mut ex);
    assert_eq!(out.realm, "B.TEST");
    let req = decode_req(&out.message);
    assert_eq!(req.0.req_body.realm.as_str(), Some("B.TEST"));
    assert_eq!(
        req.0
            .req_body
            .sname
            .as_ref()
            .map(|s| s.to_string_lossy())
            .as_deref(),
        Some("host/svc.example.test")
    );
    assert_eq!(ex.intermediate_tgts().len(), 1);
    assert_eq!(
        ex.intermediate_tgts()[0].server.to_string(),
        "krbtgt/B.TEST@A.TEST"
    );
    // ... and B back to A.
    let r2 = Reply::new(&r1.session_key, "B.TEST", &["krbtgt", "A.TEST"]);
    let e = ex.receive(&r2.encode(), now()).expect_err("loop");
    match e {
        ExchangeError::Tgs(TgsError::ReferralLoop { realms }) => {
            assert_eq!(realms, ["A.TEST", "B.TEST", "A.TEST"]);
        }
        other => panic!("expected ReferralLoop, got {other:?}"),
    }
}

#[test]
fn hop_limit() {
    let t = tgt("A.TEST");
    let mut req = TgsRequest::new(t.clone(), svc("A.TEST"));
    req.options.max_hops = 2;
    let (mut ex, _) = start(req);
    let mut key = t.session_key.clone();
    let mut last = Err(());
    for (from, to) in [
        ("A.TEST", "B.TEST"),
        ("B.TEST", "C.TEST"),
        ("C.TEST", "D.TEST"),
    ] {
        let r = Reply::new(&key, from, &["krbtgt", to]);
        match ex.receive(&r.encode(), now()) {
            Ok(()) => {
                assert_eq!(next_send(&mut ex).realm, to);
                key = r.session_key.clone();
            }
            Err(e) => {
                last = Ok(e);
                break;
            }
        }
    }
    match last {
        Ok(ExchangeError::Tgs(TgsError::TooManyHops { max: 2, realms })) => {
            assert_eq!(realms, ["A.TEST", "B.TEST", "C.TEST", "D.TEST"]);
        }
        other => panic!("expected TooManyHops, got {other:?}"),
    }
}

fn krb_error(code: i32, realm: &str) -> Vec<u8> {
    asn1::encode(&KrbError {
        pvno: 5,
        msg_type: msg_type::KRB_ERROR,
        ctime: None,
        cusec: None,
        stime: KerberosTime::from_unix(NOW as i64),
        susec: 0,
        error_code: code,
        crealm: None,
        cname: None,
        realm: realm.into(),
        sname: PrincipalName::new(2, &["krbtgt", realm]),
        e_text: Some(KerberosString::from("nope")),
        e_data: None,
    })
    .expect("KRB-ERROR")
}

#[test]
fn kdc_error_after_referral_names_the_realms() {
    let t = tgt("A.TEST");
    let (mut ex, _) = start(TgsRequest::new(t.clone(), svc("A.TEST")));
    let r1 = Reply::new(&t.session_key, "A.TEST", &["krbtgt", "B.TEST"]);
    ex.receive(&r1.encode(), now()).expect("referral");
    next_send(&mut ex);
    let e = ex
        .receive(&krb_error(7, "B.TEST"), now())
        .expect_err("unknown");
    match &e {
        ExchangeError::Tgs(TgsError::FailedAfterReferrals { realms, source }) => {
            assert_eq!(realms, &["A.TEST", "B.TEST"]);
            assert_eq!(source.kdc_code(), Some(7));
        }
        other => panic!("expected FailedAfterReferrals, got {other:?}"),
    }
    assert!(e.to_string().contains("A.TEST -> B.TEST"), "{e}");
}

#[test]
fn cross_realm_path_via_capath_and_tcp_retry() {
    let t = tgt("A.TEST");
    let mut req = TgsRequest::new(t.clone(), svc("C.TEST"));
    req.options.capath = vec!["B.TEST".into()];
    let (mut ex, out) = start(req);
    let r = decode_req(&out.message);
    assert_eq!(
        r.0.req_body
            .sname
            .as_ref()
            .map(|s| s.to_string_lossy())
            .as_deref(),
        Some("krbtgt/B.TEST")
    );
    // RESPONSE_TOO_BIG: the same message again over TCP.
    ex.receive(&krb_error(52, "A.TEST"), now())
        .expect("tcp retry");
    let again = next_send(&mut ex);
    assert!(again.tcp_only);
    assert_eq!(again.message, out.message);
    let r1 = Reply::new(&t.session_key, "A.TEST", &["krbtgt", "B.TEST"]);
    ex.receive(&r1.encode(), now()).expect("TGT for B");
    let out = next_send(&mut ex);
    assert_eq!(out.realm, "B.TEST");
    let r = decode_req(&out.message);
    assert_eq!(
        r.0.req_body
            .sname
            .as_ref()
            .map(|s| s.to_string_lossy())
            .as_deref(),
        Some("krbtgt/C.TEST")
    );
    let r2 = Reply::new(&r1.session_key, "B.TEST", &["krbtgt", "C.TEST"]);
    ex.receive(&r2.encode(), now()).expect("TGT for C");
    let out = next_send(&mut ex);
    assert_eq!(out.realm, "C.TEST");
    let r3 = Reply::new(&r2.session_key, "C.TEST", &["host", "svc.example.test"]);
    ex.receive(&r3.encode(), now()).expect("service ticket");
    let c = done(&mut ex);
    assert_eq!(c.server.to_string(), "host/svc.example.test@C.TEST");
    assert_eq!(ex.realms_visited(), ["A.TEST", "B.TEST", "C.TEST"]);
    let tgts: Vec<String> = ex
        .intermediate_tgts()
        .iter()
        .map(|c| c.server.to_string())
        .collect();
    assert_eq!(tgts, ["krbtgt/B.TEST@A.TEST", "krbtgt/C.TEST@B.TEST"]);
}

#[test]
fn s4u2self_padata() {
    let t = tgt("A.TEST");
    let mut req = TgsRequest::new(t.clone(), Principal::new(2, "A.TEST", ["host", "svc"]));
    req.options.s4u2self = Some(S4uSelf {
        user: Principal::new(1, "", ["bob"]),
        use_x509_user_pa: true,
    });
    let (_, out) = start(req);
    let r = decode_req(&out.message);
    let pfu: PaForUser =
        r.0.find_padata(pt::PA_FOR_USER)
            .expect("PA-FOR-USER")
            .decode_value()
            .expect("decode");
    assert_eq!(pfu.user_name.to_string_lossy(), "bob");
    assert_eq!(pfu.user_realm.as_str(), Some("A.TEST"));
    assert_eq!(pfu.auth_package.as_str(), Some("Kerberos"));
    assert_eq!(pfu.cksum.cksumtype, -138);
    t.session_key
        .verify_checksum_with_type(
            ChecksumType::HmacMd5,
            KeyUsage::PA_FOR_USER_CKSUM,
            &pfu.checksum_input(),
            &pfu.cksum.checksum,
        )
        .expect("PA-FOR-USER checksum, usage 17");
    let x: PaS4uX509User =
        r.0.find_padata(pt::PA_FOR_X509_USER)
            .expect("PA-S4U-X509-USER")
            .decode_value()
            .expect("decode");
    assert_eq!(x.user_id.nonce.get(), NONCE);
    t.session_key
        .verify_checksum(
            KeyUsage::PA_S4U_X509_USER,
            &asn1::encode(&x.user_id).expect("uid"),
            &x.checksum.checksum,
        )
        .expect("PA-S4U-X509-USER checksum, usage 26");
}

#[test]
fn s4u2proxy_request_and_evidence_check() {
    let t = tgt("A.TEST");
    let fwd = TicketFlags::empty().with(TicketFlags::FORWARDABLE).to_u32();
    let evidence = cred(
        alice("A.TEST"),
        Principal::new(2, "A.TEST", ["host", "svc"]),
        fwd,
    );
    let mut req = TgsRequest::new(t.clone(), Principal::new(2, "A.TEST", ["HTTP", "web"]));
    req.options.s4u2proxy = Some(S4uProxy {
        evidence: evidence.clone(),
        resource_based: true,
    });
    req.options.key_list_req = Some(vec![18]);
    let (mut ex, out) = start(req);
    let r = decode_req(&out.message);
    assert!(
        r.0.req_body
            .kdc_options
            .is_set(KdcOptions::CNAME_IN_ADDL_TKT)
    );
    let addl =
        r.0.req_body
            .additional_tickets
            .as_ref()
            .expect("additional ticket");
    assert_eq!(addl.len(), 1);
    assert_eq!(addl[0].as_bytes(), evidence.ticket.as_slice());
    let pac: PaPacOptions =
        r.0.find_padata(pt::PA_PAC_OPTIONS)
            .expect("PA-PAC-OPTIONS")
            .decode_value()
            .expect("decode");
    assert!(
        pac.flags
            .is_set(PacOptionsFlags::RESOURCE_BASED_CONSTRAINED_DELEGATION)
    );
    let list: Vec<i32> =
        r.0.find_padata(pt::KERB_KEY_LIST_REQ)
            .expect("key list")
            .decode_value()
            .expect("decode");
    assert_eq!(list, [18]);
    // The reply names the evidence ticket's client.
    let mut reply = Reply::new(&t.session_key, "A.TEST", &["HTTP", "web"]);
    reply.client = alice("A.TEST");
    ex.receive(&reply.encode(), now()).expect("S4U2Proxy reply");
    done(&mut ex);

    // Classic constrained delegation needs a forwardable evidence ticket.
    let not_fwd = cred(
        alice("A.TEST"),
        Principal::new(2, "A.TEST", ["host", "svc"]),
        0,
    );
    let mut req = TgsRequest::new(t, Principal::new(2, "A.TEST", ["HTTP", "web"]));
    req.options.s4u2proxy = Some(S4uProxy {
        evidence: not_fwd,
        resource_based: false,
    });
    let e = TgsExchange::new(req, now()).expect_err("not forwardable");
    assert!(
        matches!(
            e,
            ExchangeError::Tgs(TgsError::EvidenceNotForwardable { .. })
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("ok_to_auth_as_delegate"), "{e}");
}

#[test]
fn checks_before_the_request() {
    let mut expired = tgt("A.TEST");
    expired.end_time = NOW as i64 - 1;
    let e = TgsExchange::new(TgsRequest::new(expired, svc("A.TEST")), now()).expect_err("expired");
    assert!(
        matches!(e, ExchangeError::Tgs(TgsError::TicketExpired { .. })),
        "{e:?}"
    );

    let service_ticket = cred(alice("A.TEST"), svc("A.TEST"), 0);
    let e = TgsExchange::new(TgsRequest::new(service_ticket, svc("A.TEST")), now())
        .expect_err("not a TGT");
    assert!(
        e.to_string().contains("not a ticket-granting ticket"),
        "{e}"
    );

    let mut opts = TgsOptions {
        renew: true,
        validate: true,
        ..TgsOptions::default()
    };
    let mut req = TgsRequest::new(tgt("A.TEST"), svc("A.TEST"));
    req.options = opts.clone();
    assert!(matches!(
        TgsExchange::new(req, now()),
        Err(ExchangeError::Tgs(TgsError::InvalidRequest(_)))
    ));
    opts = TgsOptions {
        etypes: vec![23],
        ..TgsOptions::default()
    };
    let mut req = TgsRequest::new(tgt("A.TEST"), svc("A.TEST"));
    req.options = opts;
    assert!(matches!(
        TgsExchange::new(req, now()),
        Err(ExchangeError::NoCommonEtype { .. })
    ));

    // Not expecting a reply before poll().
    let mut ex =
        TgsExchange::new(TgsRequest::new(tgt("A.TEST"), svc("A.TEST")), now()).expect("ok");
    assert!(matches!(
        ex.receive(&[], now()),
        Err(ExchangeError::NotExpectingReply(_))
    ));
    // Garbage is an ASN.1 error, not a panic.
    next_send(&mut ex);
    assert!(matches!(
        ex.receive(&[0x6d, 0x03, 0x02, 0x01], now()),
        Err(ExchangeError::Asn1(_))
    ));
}

#[test]
fn validate_a_postdated_ticket() {
    let mut t = tgt("A.TEST");
    t.flags = TicketFlags::empty()
        .with(TicketFlags::INVALID)
        .with(TicketFlags::POSTDATED)
        .to_u32();
    let (mut ex, out) = start(TgsRequest::validate(t.clone()));
    assert_eq!(out.realm, "A.TEST");
    let r = decode_req(&out.message);
    assert!(r.0.req_body.kdc_options.is_set(KdcOptions::VALIDATE));
    assert_eq!(
        r.0.req_body
            .sname
            .as_ref()
            .map(|s| s.to_string_lossy())
            .as_deref(),
        Some("krbtgt/A.TEST")
    );
    let reply = Reply::new(&t.session_key, "A.TEST", &["krbtgt", "A.TEST"]);
    ex.receive(&reply.encode(), now()).expect("validated");
    let c = done(&mut ex);
    assert!(!TicketFlags::from_u32(c.flags).is_set(TicketFlags::INVALID));
}

#[test]
fn drive_with_a_closure_transport() {
    let mut t = tgt("A.TEST");
    // `drive` reads the real clock.
    let real_now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    t.end_time = real_now + 36_000;
    let key = t.session_key.clone();
    let mut req = TgsRequest::new(t, svc("A.TEST"));
    req.options.use_subkey = false;
    // A "KDC" that answers anything with a reply whose nonce we cannot know: NonceMismatch.
    let reply = Reply::new(&key, "A.TEST", &["host", "svc.example.test"]).encode();
    let r = kerberos_client::exchange::tgs_exchange::drive(req, SystemTime::now, |out| {
        assert_eq!(out.realm, "A.TEST");
        Ok::<_, std::io::Error>(reply.clone())
    });
    match r {
        Err(kerberos_client::exchange::DriveError::Exchange(e)) => {
            assert!(matches!(*e, ExchangeError::NonceMismatch { .. }), "{e:?}")
        }
        other => panic!("expected NonceMismatch, got {other:?}"),
    }
}

#[test]
fn s4u2self_reply_pa_s4u_x509_user_is_checked() {
    let t = tgt("A.TEST");
    let me = Principal::new(2, "A.TEST", ["host", "svc"]);
    let run = |cksum_usage: u32, nonce: u32| {
        let mut req = TgsRequest::new(t.clone(), me.clone());
        req.options.s4u2self = Some(S4uSelf {
            user: Principal::new(1, "", ["bob"]),
            use_x509_user_pa: true,
        });
        let (mut ex, out) = start(req);
        let r = decode_req(&out.message);
        let mut x: PaS4uX509User =
            r.0.find_padata(pt::PA_FOR_X509_USER)
                .expect("PA-S4U-X509-USER")
                .decode_value()
                .expect("decode");
        x.user_id.nonce = UInt32(nonce);
        let der = asn1::encode(&x.user_id).expect("uid");
        x.checksum.checksum = t.session_key.checksum(KeyUsage(cksum_usage), &der).into();
        let mut reply = Reply::new(&t.session_key, "A.TEST", &["host", "svc"]);
        reply.client = Principal::new(1, "A.TEST", ["bob"]);
        reply.padata = Some(vec![
            kerberos_client::asn1::PaData::from_value(pt::PA_FOR_X509_USER, &x).expect("pa"),
        ]);
        ex.receive(&reply.encode(), now()).err()
    };
    assert!(
        run(27, NONCE).is_none(),
        "a correct PA-S4U-X509-USER (usage 27)"
    );
    for e in [run(26, NONCE), run(27, NONCE + 1)] {
        assert!(
            matches!(e, Some(ExchangeError::Tgs(TgsError::S4uReplyInvalid(_)))),
            "{e:?}"
        );
    }
}
