//! The sans-IO TGS exchange and the AP-REQ builder against the real MIT KDC of
//! `scripts/mit-kdc.sh` (two realms with cross-realm keys), driven through
//! `transport::blocking::send` (see tests/common/mod.rs for the required environment).

mod common;

use std::time::{Duration, SystemTime};

use common::{ALICE_PW, lab, run};
use kerberos_client::asn1::{
    self, ApReq, Authenticator, EncTicketPart, RawTicket, TgsRep, TgsReq, TicketFlags,
};
use kerberos_client::ccache::CredentialCache;
use kerberos_client::config::Config;
use kerberos_client::crypto::{EncryptionType, Key, KeyUsage};
use kerberos_client::exchange::{
    ApReqBuilder, AsExchange, AsOptions, AsRequest, AsSecret, Credential, ExchangeError, S4uProxy,
    S4uSelf, Step, TgsError, TgsExchange, TgsOptions, TgsRequest, parse_service_name,
};
use kerberos_client::keytab::Keytab;
use kerberos_client::principal::Principal;
use kerberos_client::transport::{KdcEndpoint, SendOptions, blocking};

fn endpoint(var: &str) -> Vec<KdcEndpoint> {
    let v =
        std::env::var(var).unwrap_or_else(|_| panic!("{var} is not set: source the lab env.sh"));
    let (host, port) = v
        .rsplit_once(':')
        .unwrap_or_else(|| panic!("{var}={v} is not host:port"));
    vec![KdcEndpoint::new(host, port.parse().expect("port"))]
}

fn endpoints_for(realm: &str) -> Vec<KdcEndpoint> {
    let lab = lab();
    if realm == lab.realm {
        endpoint("KC_MIT_KDC")
    } else if realm == lab.realm2 {
        endpoint("KC_MIT_KDC2")
    } else {
        panic!("the lab has no KDC for realm {realm}")
    }
}

fn send(out: &kerberos_client::exchange::Outgoing) -> Vec<u8> {
    let opts = SendOptions {
        tcp_only: out.tcp_only,
        ..SendOptions::default()
    };
    blocking::send(&out.realm, &endpoints_for(&out.realm), &out.message, &opts)
        .unwrap_or_else(|e| panic!("transport to the MIT KDC of {} failed: {e}", out.realm))
}

fn principal(name: &str) -> Principal {
    Principal::parse(name, Some(&lab().realm)).expect("principal")
}

fn tgt_with(client: &str, secret: AsSecret, options: AsOptions) -> Credential {
    let mut ex = AsExchange::new(
        AsRequest {
            client: principal(client),
            secret,
            options,
        },
        SystemTime::now(),
    )
    .expect("AS request");
    loop {
        match ex.poll() {
            Some(Step::Send(out)) => ex
                .receive(&send(&out), SystemTime::now())
                .unwrap_or_else(|e| panic!("AS exchange for {client}: {e}")),
            Some(Step::Done(c)) => return c,
            None => panic!("poll() gave None before Done"),
        }
    }
}

fn alice_tgt() -> Credential {
    tgt_with(
        "alice",
        AsSecret::password(ALICE_PW),
        AsOptions {
            etypes: vec![18, 17, 20, 19, 23],
            allow_weak_crypto: true,
            ..AsOptions::default()
        },
    )
}

/// Drives a TGS exchange; returns the result, the realms the messages went to, and the
/// intermediate TGTs.
struct Driven {
    result: Result<Credential, ExchangeError>,
    realms: Vec<String>,
    intermediate: Vec<Credential>,
    messages: Vec<Vec<u8>>,
    replies: Vec<Vec<u8>>,
}

fn drive_tgs(req: TgsRequest) -> Driven {
    let mut realms = Vec::new();
    let mut messages = Vec::new();
    let mut replies = Vec::new();
    let mut ex = match TgsExchange::new(req, SystemTime::now()) {
        Ok(ex) => ex,
        Err(e) => {
            return Driven {
                result: Err(e),
                realms,
                intermediate: Vec::new(),
                messages,
                replies,
            };
        }
    };
    let result = loop {
        match ex.poll() {
            Some(Step::Send(out)) => {
                realms.push(out.realm.clone());
                messages.push(out.message.clone());
                let reply = send(&out);
                replies.push(reply.clone());
                if let Err(e) = ex.receive(&reply, SystemTime::now()) {
                    break Err(e);
                }
            }
            Some(Step::Done(c)) => break Ok(c),
            None => panic!("poll() gave None before Done"),
        }
    };
    Driven {
        result,
        realms,
        intermediate: ex.intermediate_tgts().to_vec(),
        messages,
        replies,
    }
}

/// The keys of `princ` in keytab `file` (all kvnos and etypes).
fn keytab_keys(file: &str, princ: &Principal) -> Vec<Key> {
    let kt = Keytab::read(lab().keytab(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
    let keys: Vec<Key> = kt
        .entries
        .iter()
        .filter(|e| e.principal.matches(princ))
        .filter_map(|e| {
            let etype = EncryptionType::try_from(e.key.etype).ok()?;
            Key::from_bytes(etype, &e.key.value).ok()
        })
        .collect();
    assert!(!keys.is_empty(), "{file} has no keys for {princ}");
    keys
}

/// Decrypts a ticket with one of `keys` (key usage 2).
fn decrypt_ticket(ticket: &[u8], keys: &[Key]) -> EncTicketPart {
    let t = RawTicket::from_der(ticket.to_vec())
        .and_then(|r| r.parse())
        .expect("ticket");
    for k in keys.iter().filter(|k| k.etype().id() == t.enc_part.etype) {
        if let Ok(plain) = k.decrypt(KeyUsage::KDC_REP_TICKET, &t.enc_part.cipher) {
            return asn1::decode(&plain).expect("EncTicketPart");
        }
    }
    panic!(
        "the ticket (enctype {}) decrypts with none of the {} keys",
        t.enc_part.etype,
        keys.len()
    )
}

fn check_ticket(cred: &Credential, part: &EncTicketPart) {
    assert_eq!(part.key.keytype, cred.session_key.etype().id());
    assert_eq!(part.key.keyvalue.as_ref(), cred.session_key.as_bytes());
    assert_eq!(part.crealm.as_bytes(), cred.client.realm.as_slice());
    let names: Vec<&[u8]> = part
        .cname
        .name_string
        .iter()
        .map(|s| s.as_bytes())
        .collect();
    let want: Vec<&[u8]> = cred
        .client
        .components
        .iter()
        .map(|c| c.as_slice())
        .collect();
    assert_eq!(names, want);
    assert_eq!(part.endtime.unix(), cred.end_time);
    assert_eq!(part.flags.to_u32(), cred.flags);
}

const HTTP: &str = "HTTP/web.example.test";

#[test]
fn service_ticket_every_enctype_decrypts_with_the_service_key() {
    let tgt = alice_tgt();
    let http = principal(HTTP);
    let keys = keytab_keys("http.keytab", &http);
    for etype in [17, 18, 19, 20, 23] {
        for use_subkey in [false, true] {
            let mut req = TgsRequest::new(tgt.clone(), http.clone());
            req.options = TgsOptions {
                etypes: vec![etype],
                allow_weak_crypto: etype == 23,
                use_subkey,
                ..TgsOptions::default()
            };
            let d = drive_tgs(req);
            let cred = d
                .result
                .unwrap_or_else(|e| panic!("HTTP ticket with etype {etype}: {e}"));
            assert_eq!(d.realms, vec![lab().realm.clone()]);
            assert!(d.intermediate.is_empty());
            assert_eq!(cred.session_key.etype().id(), etype);
            assert_eq!(cred.server.to_string(), format!("{HTTP}@{}", lab().realm));
            assert_eq!(cred.client.to_string(), format!("alice@{}", lab().realm));
            assert!(cred.end_time <= tgt.end_time);
            assert_eq!(cred.auth_time, tgt.auth_time);
            let part = decrypt_ticket(&cred.ticket, &keys);
            check_ticket(&cred, &part);

            // An application AP-REQ over it: the service decrypts the authenticator.
            let ap = ApReqBuilder::new(
                &cred.ticket,
                &cred.session_key,
                &cred.client,
                SystemTime::now(),
            )
            .mutual_required(true)
            .random_subkey()
            .random_seq_number()
            .build()
            .expect("AP-REQ");
            let req: ApReq = asn1::decode(&ap.message).expect("AP-REQ decodes");
            let part = decrypt_ticket(req.ticket.as_bytes(), &keys);
            let skey = Key::from_bytes(
                EncryptionType::try_from(part.key.keytype).expect("etype"),
                part.key.keyvalue.as_ref(),
            )
            .expect("session key");
            let auth: Authenticator = asn1::decode(
                &skey
                    .decrypt(KeyUsage::AP_REQ_AUTH, &req.authenticator.cipher)
                    .expect("authenticator decrypts with the ticket's session key"),
            )
            .expect("Authenticator");
            assert_eq!(auth.cname.to_string_lossy(), "alice");
            assert_eq!(auth.ctime.unix(), ap.ctime);
            assert_eq!(auth.seq_number.map(|s| s.get()), ap.seq_number);
        }
    }
}

#[test]
fn tgs_req_carries_a_verifiable_pa_tgs_req() {
    let tgt = alice_tgt();
    let d = drive_tgs(TgsRequest::new(tgt.clone(), principal(HTTP)));
    d.result.expect("HTTP ticket");
    let req: TgsReq = asn1::decode(&d.messages[0]).expect("TGS-REQ");
    let pa = req.0.find_padata(1).expect("PA-TGS-REQ");
    let ap: ApReq = asn1::decode(&pa.padata_value).expect("AP-REQ");
    assert_eq!(ap.ticket.as_bytes(), tgt.ticket.as_slice());
    let auth: Authenticator = asn1::decode(
        &tgt.session_key
            .decrypt(KeyUsage::TGS_REQ_AUTH, &ap.authenticator.cipher)
            .expect("usage 7"),
    )
    .expect("Authenticator");
    let ck = auth.cksum.expect("req-body checksum");
    assert_eq!(ck.cksumtype, tgt.session_key.etype().checksum_type().id());
    tgt.session_key
        .verify_checksum(
            KeyUsage::TGS_REQ_AUTH_CKSUM,
            &req.0.req_body_der().expect("body"),
            &ck.checksum,
        )
        .expect("checksum over the DER KDC-REQ-BODY, usage 6");
}

#[test]
fn unknown_service_is_a_typed_kdc_error() {
    let d = drive_tgs(TgsRequest::new(
        alice_tgt(),
        principal("HTTP/nowhere.example.test"),
    ));
    let e = d.result.expect_err("unknown service");
    assert_eq!(e.kdc_code(), Some(7), "{e}");
    assert!(e.to_string().contains("server not found"), "{e}");
}

fn lab_config() -> Config {
    Config::from_file(&lab().krb5_config).expect("lab krb5.conf")
}

#[test]
fn cross_realm_with_known_service_realm() {
    let lab = lab();
    let conf = lab_config();
    let server = parse_service_name("host/svc.other.test", &lab.realm, Some(&conf)).expect("spn");
    assert_eq!(server.realm_str(), lab.realm2);
    let d = drive_tgs(TgsRequest::new(alice_tgt(), server.clone()));
    let cred = d
        .result
        .unwrap_or_else(|e| panic!("cross-realm ticket: {e}"));
    assert_eq!(d.realms, vec![lab.realm.clone(), lab.realm2.clone()]);
    assert_eq!(d.intermediate.len(), 1);
    assert_eq!(
        d.intermediate[0].server.to_string(),
        format!("krbtgt/{}@{}", lab.realm2, lab.realm)
    );
    assert_eq!(
        cred.server.to_string(),
        format!("host/svc.other.test@{}", lab.realm2)
    );
    assert_eq!(cred.client.to_string(), format!("alice@{}", lab.realm));
    let keys = keytab_keys("svc-other.keytab", &server);
    let part = decrypt_ticket(&cred.ticket, &keys);
    check_ticket(&cred, &part);
    // The transited field names the client's realm.
    assert!(
        String::from_utf8_lossy(&part.transited.contents).contains(&lab.realm)
            || part.transited.contents.is_empty(),
        "transited {:?}",
        part.transited
    );
}

#[test]
fn cross_realm_by_referral() {
    let lab = lab();
    // A host-based name in the client's realm: the KDC refers us to OTHER.TEST (RFC 6806).
    let server = Principal::new(
        kerberos_client::principal::NT_SRV_HST,
        lab.realm.as_bytes(),
        ["host", "svc.other.test"],
    );
    let d = drive_tgs(TgsRequest::new(alice_tgt(), server));
    let cred = d.result.unwrap_or_else(|e| panic!("referral: {e}"));
    assert_eq!(d.realms, vec![lab.realm.clone(), lab.realm2.clone()]);
    assert_eq!(d.intermediate.len(), 1);
    assert_eq!(
        cred.server.to_string(),
        format!("host/svc.other.test@{}", lab.realm2)
    );
    let keys = keytab_keys(
        "svc-other.keytab",
        &principal("host/svc.other.test@OTHER.TEST"),
    );
    check_ticket(&cred, &decrypt_ticket(&cred.ticket, &keys));
}

#[test]
fn renew_a_renewable_tgt() {
    let tgt = tgt_with(
        "alice",
        AsSecret::password(ALICE_PW),
        AsOptions {
            lifetime: Duration::from_secs(3600),
            renew_lifetime: Some(Duration::from_secs(7200)),
            ..AsOptions::default()
        },
    );
    assert!(tgt.is_renewable(), "flags {:#x}", tgt.flags);
    std::thread::sleep(Duration::from_millis(1100));
    let d = drive_tgs(TgsRequest::renew(tgt.clone()));
    let new = d.result.unwrap_or_else(|e| panic!("renew: {e}"));
    assert_eq!(new.server, tgt.server);
    assert!(
        new.start_time > tgt.start_time,
        "{} vs {}",
        new.start_time,
        tgt.start_time
    );
    assert!(
        new.end_time > tgt.end_time,
        "{} vs {}",
        new.end_time,
        tgt.end_time
    );
    assert_eq!(new.renew_till, tgt.renew_till);
    assert_ne!(new.ticket, tgt.ticket);
    assert!(TicketFlags::from_u32(new.flags).is_set(TicketFlags::RENEWABLE));
    // The renewed TGT works.
    drive_tgs(TgsRequest::new(new, principal(HTTP)))
        .result
        .expect("ticket with the renewed TGT");

    // A TGT that is not renewable: a clear error before anything is sent.
    let plain = alice_tgt();
    let d = drive_tgs(TgsRequest::renew(plain));
    assert!(d.realms.is_empty());
    match d.result {
        Err(ExchangeError::Tgs(TgsError::NotRenewable { reason, .. })) => {
            assert!(reason.contains("not renewable"), "{reason}")
        }
        other => panic!("expected NotRenewable, got {other:?}"),
    }
    // Validate needs an invalid/postdated ticket.
    let d = drive_tgs(TgsRequest::validate(alice_tgt()));
    assert!(matches!(
        d.result,
        Err(ExchangeError::Tgs(TgsError::NotValidatable(_)))
    ));
}

fn svc_tgt() -> (Principal, Credential) {
    let svc = principal("host/svc.example.test");
    let keys = keytab_keys("svc.keytab", &svc);
    let options = AsOptions {
        forwardable: true,
        ..AsOptions::default()
    };
    let tgt = tgt_with("host/svc.example.test", AsSecret::Keys(keys), options);
    (svc, tgt)
}

/// `+ok_to_auth_as_delegate` on host/svc (idempotent), so that S4U2Self tickets are
/// forwardable.
fn svc_ok_to_auth_as_delegate() {
    let lab = lab();
    let mut c = lab.cmd("kadmin.local");
    c.env(
        "KRB5_KDC_PROFILE",
        std::env::var("KRB5_KDC_PROFILE").expect("KRB5_KDC_PROFILE"),
    )
    .args([
        "-r",
        &lab.realm,
        "-q",
        "modprinc +ok_to_auth_as_delegate host/svc.example.test",
    ]);
    run(c, None);
}

#[test]
fn s4u2self_for_alice() {
    svc_ok_to_auth_as_delegate();
    let (svc, tgt) = svc_tgt();
    let keys = keytab_keys("svc.keytab", &svc);
    for x509 in [false, true] {
        let mut req = TgsRequest::new(tgt.clone(), svc.clone());
        req.options.s4u2self = Some(S4uSelf {
            user: principal("alice"),
            use_x509_user_pa: x509,
        });
        req.options.use_subkey = x509;
        req.options.forwardable = true;
        let d = drive_tgs(req);
        let rep: TgsRep = asn1::decode(d.replies.last().expect("a reply")).expect("TGS-REP");
        // MIT echoes PA-S4U-X509-USER (checked by the exchange: usage 27, nonce, user).
        assert_eq!(rep.0.find_padata(130).is_some(), x509);
        let cred = d
            .result
            .unwrap_or_else(|e| panic!("S4U2Self (x509 {x509}): {e}"));
        assert_eq!(cred.client.to_string(), format!("alice@{}", lab().realm));
        assert!(cred.server.matches(&svc), "{}", cred.server);
        assert!(
            TicketFlags::from_u32(cred.flags).is_set(TicketFlags::FORWARDABLE),
            "ok_to_auth_as_delegate gives a forwardable ticket: {:#x}",
            cred.flags
        );
        let part = decrypt_ticket(&cred.ticket, &keys);
        check_ticket(&cred, &part);
        assert_eq!(part.cname.to_string_lossy(), "alice");

        // S4U2Proxy with it as evidence: MIT's DB2 KDB has no constrained delegation, so the
        // KDC refuses; the request must still be well formed (a KRB-ERROR, not garbage).
        let mut p = TgsRequest::new(tgt.clone(), principal(HTTP));
        p.options.s4u2proxy = Some(S4uProxy {
            evidence: cred.clone(),
            resource_based: false,
        });
        let d = drive_tgs(p);
        let req: TgsReq = asn1::decode(&d.messages[0]).expect("TGS-REQ");
        let addl = req
            .0
            .req_body
            .additional_tickets
            .as_ref()
            .expect("evidence");
        assert_eq!(addl[0].as_bytes(), cred.ticket.as_slice());
        assert!(
            req.0
                .req_body
                .kdc_options
                .is_set(asn1::KdcOptions::CNAME_IN_ADDL_TKT)
        );
        let e = d.result.expect_err("DB2 has no constrained delegation");
        assert!(e.kdc_code().is_some(), "a KDC error, got {e}");
    }
}

#[test]
fn user_to_user() {
    let (svc, svc_tgt) = svc_tgt();
    let mut req = TgsRequest::new(alice_tgt(), svc.clone());
    req.options.enc_tkt_in_skey = Some(svc_tgt.ticket.clone());
    let d = drive_tgs(req);
    let cred = d.result.unwrap_or_else(|e| panic!("U2U: {e}"));
    assert!(cred.server.matches(&svc));
    // The ticket is encrypted in the session key of svc's TGT, not in svc's long-term key.
    let t = RawTicket::from_der(cred.ticket.clone())
        .and_then(|r| r.parse())
        .expect("ticket");
    assert_eq!(t.enc_part.etype, svc_tgt.session_key.etype().id());
    let part = decrypt_ticket(&cred.ticket, std::slice::from_ref(&svc_tgt.session_key));
    check_ticket(&cred, &part);
    // and the AP-REQ says use-session-key
    let ap = ApReqBuilder::new(
        &cred.ticket,
        &cred.session_key,
        &cred.client,
        SystemTime::now(),
    )
    .use_session_key(true)
    .build()
    .expect("AP-REQ");
    let req: ApReq = asn1::decode(&ap.message).expect("AP-REQ");
    assert!(req.ap_options.is_set(asn1::ApOptions::USE_SESSION_KEY));
}

#[test]
fn mit_klist_lists_the_service_tickets() {
    let lab = lab();
    let tgt = alice_tgt();
    let http = drive_tgs(TgsRequest::new(tgt.clone(), principal(HTTP)))
        .result
        .expect("HTTP ticket");
    let conf = lab_config();
    let other = parse_service_name("host/svc.other.test", &lab.realm, Some(&conf)).expect("spn");
    let d = drive_tgs(TgsRequest::new(tgt.clone(), other));
    let other = d.result.expect("cross-realm ticket");
    let dir = tempfile::tempdir().expect("tempdir");
    let cc = dir.path().join("cc");
    let mut cache = CredentialCache::new(tgt.client.clone());
    cache.push(tgt.to_ccache());
    for c in d.intermediate.iter().chain([&http, &other]) {
        cache.push(c.to_ccache());
    }
    cache.write_atomic(&cc).expect("write ccache");
    let out = lab.klist(&cc, &["-e"]);
    for want in [
        format!("krbtgt/{0}@{0}", lab.realm),
        format!("krbtgt/{}@{}", lab.realm2, lab.realm),
        format!("{HTTP}@{}", lab.realm),
        format!("host/svc.other.test@{}", lab.realm2),
    ] {
        assert!(out.contains(&want), "klist lacks {want}:\n{out}");
    }
    // MIT's kvno finds the HTTP ticket in the cache (no new TGS request needed) and works.
    let kvno = lab.kvno(&cc, &format!("{HTTP}@{}", lab.realm));
    assert!(kvno.status.success());
}

/// The TGT that MIT's kinit stored in `cc`, as an exchange Credential.
fn tgt_from_mit_ccache(cc: &std::path::Path) -> Credential {
    let cache = CredentialCache::read(cc).expect("read MIT ccache");
    let c = cache.tgt().expect("a TGT in the MIT ccache");
    let etype = EncryptionType::try_from(c.key.etype).expect("session key etype");
    Credential {
        client: c.client.clone(),
        server: c.server.clone(),
        ticket: c.ticket.clone(),
        session_key: Key::from_bytes(etype, &c.key.value).expect("session key"),
        flags: c.flags.0,
        auth_time: i64::from(c.times.authtime),
        start_time: i64::from(c.times.starttime),
        end_time: i64::from(c.times.endtime),
        renew_till: (c.times.renew_till != 0).then(|| i64::from(c.times.renew_till)),
        kdc_offset: 0,
        enc_padata: Vec::new(),
    }
}

fn mit_kinit(cc: &std::path::Path, args: &[&str]) {
    let lab = lab();
    let mut c = lab.cmd("kinit");
    c.env("KRB5CCNAME", format!("FILE:{}", cc.display()))
        .args(args)
        .arg(format!("alice@{}", lab.realm));
    run(c, Some(ALICE_PW));
}

#[test]
fn validate_a_postdated_tgt_from_mit_kinit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cc = dir.path().join("cc");
    // A TGT valid from 2 s from now: MIT marks it postdated and invalid.
    mit_kinit(&cc, &["-s", "2s", "-l", "1h"]);
    let tgt = tgt_from_mit_ccache(&cc);
    let f = TicketFlags::from_u32(tgt.flags);
    assert!(
        f.is_set(TicketFlags::POSTDATED) && f.is_set(TicketFlags::INVALID),
        "{f:?}"
    );
    // Invalid tickets buy nothing (the KDC says so) ...
    let e = drive_tgs(TgsRequest::new(tgt.clone(), principal(HTTP)))
        .result
        .expect_err("an invalid TGT");
    assert!(e.kdc_code().is_some(), "{e}");
    // ... until validated after their start time.
    std::thread::sleep(Duration::from_millis(3100));
    let d = drive_tgs(TgsRequest::validate(tgt.clone()));
    let valid = d.result.unwrap_or_else(|e| panic!("validate: {e}"));
    assert!(!TicketFlags::from_u32(valid.flags).is_set(TicketFlags::INVALID));
    assert_eq!(valid.server, tgt.server);
    drive_tgs(TgsRequest::new(valid, principal(HTTP)))
        .result
        .expect("ticket with the validated TGT");
}

#[test]
fn renew_a_tgt_from_mit_kinit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cc = dir.path().join("cc");
    mit_kinit(&cc, &["-r", "2h", "-l", "1h"]);
    let tgt = tgt_from_mit_ccache(&cc);
    assert!(tgt.is_renewable());
    std::thread::sleep(Duration::from_millis(1100));
    let new = drive_tgs(TgsRequest::renew(tgt.clone()))
        .result
        .unwrap_or_else(|e| panic!("renew: {e}"));
    assert!(new.end_time > tgt.end_time);
    assert_eq!(new.renew_till, tgt.renew_till);
}

#[test]
fn tgt_session_key_of_every_enctype() {
    // The authenticator and the req-body checksum use the TGT's session key: one TGT per
    // enctype (RC4: hmac-md5 checksum).
    let http = principal(HTTP);
    let keys = keytab_keys("http.keytab", &http);
    for etype in [17, 18, 19, 20, 23] {
        let tgt = tgt_with(
            "alice",
            AsSecret::password(ALICE_PW),
            AsOptions {
                etypes: vec![etype],
                allow_weak_crypto: etype == 23,
                ..AsOptions::default()
            },
        );
        assert_eq!(tgt.session_key.etype().id(), etype);
        let mut req = TgsRequest::new(tgt, http.clone());
        req.options.allow_weak_crypto = true;
        req.options.etypes = vec![18, 17, 20, 19, 23];
        let cred = drive_tgs(req)
            .result
            .unwrap_or_else(|e| panic!("TGT session key etype {etype}: {e}"));
        check_ticket(&cred, &decrypt_ticket(&cred.ticket, &keys));
    }
}
