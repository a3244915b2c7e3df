//! FAST (RFC 6113) armored AS exchanges against the lab KDCs: an armor TGT from the host
//! keytab (like `kinit -k`), then `kinit -T`-style logins.
mod common;

use std::time::SystemTime;

use common::{ALICE_PW, Realm};
use kerberos_client::crypto::{EncryptionType, Key};
use kerberos_client::exchange::{
    AsExchange, AsOptions, AsRequest, AsSecret, Credential, ExchangeError, FastArmor, Step,
    TgsExchange, TgsOptions, TgsRequest,
};
use kerberos_client::keytab::Keytab;
use kerberos_client::principal::Principal;
use kerberos_client::transport::{KdcEndpoint, SendOptions, blocking};

fn endpoint(r: &Realm) -> Vec<KdcEndpoint> {
    vec![KdcEndpoint::new("127.0.0.1", r.kdc_port())]
}

/// Drives an AS exchange; returns the result, whether it was armored and the pa type.
fn drive(r: &Realm, req: AsRequest) -> (Result<Credential, ExchangeError>, bool, Option<i32>) {
    let eps = endpoint(r);
    let mut ex = match AsExchange::new(req, SystemTime::now()) {
        Ok(ex) => ex,
        Err(e) => return (Err(e), false, None),
    };
    loop {
        match ex.poll() {
            Some(Step::Send(out)) => {
                let opts = SendOptions {
                    tcp_only: out.tcp_only,
                    ..SendOptions::default()
                };
                let reply = blocking::send(&out.realm, &eps, &out.message, &opts)
                    .unwrap_or_else(|e| panic!("transport to {}: {e}", r.kdc));
                if let Err(e) = ex.receive(&reply, SystemTime::now()) {
                    return (Err(e), ex.fast_used(), None);
                }
            }
            Some(Step::Done(cred)) => return (Ok(cred), ex.fast_used(), ex.preauth_type()),
            None => panic!("poll() gave None before Done"),
        }
    }
}

fn principal(r: &Realm, name: &str) -> Principal {
    Principal::parse(name, Some(&r.realm)).expect("principal")
}

/// The host's TGT from its keytab (the armor, like `kinit -k -t svc.keytab host/svc...`).
fn armor_tgt(r: &Realm, host: &str) -> Credential {
    let kt = Keytab::read(r.keytab("svc.keytab")).expect("svc.keytab");
    let p = principal(r, host);
    let keys: Vec<Key> = kt
        .entries
        .iter()
        .filter(|e| e.principal.matches(&p))
        .filter_map(|e| {
            let etype = EncryptionType::try_from(e.key.etype).ok()?;
            Key::from_bytes(etype, &e.key.value).ok()
        })
        .collect();
    assert!(!keys.is_empty(), "no keys for {host} in svc.keytab");
    let (cred, fast, _) = drive(
        r,
        AsRequest {
            client: p,
            secret: AsSecret::Keys(keys),
            options: AsOptions::default(),
        },
    );
    assert!(!fast, "no armor was given: no FAST");
    cred.unwrap_or_else(|e| panic!("armor TGT for {host}: {e}"))
}

fn armored(r: &Realm, armor: &Credential, user: &str, pw: &str) -> AsRequest {
    AsRequest {
        client: principal(r, user),
        secret: AsSecret::password(pw),
        options: AsOptions {
            armor: Some(FastArmor::from_credential(armor)),
            ..AsOptions::default()
        },
    }
}

fn login_and_wrong_password(r: &Realm, host: &str) {
    let armor = armor_tgt(r, host);
    let (cred, fast, pa) = drive(r, armored(r, &armor, "alice", ALICE_PW));
    let cred = cred.unwrap_or_else(|e| panic!("armored login on {}: {e}", r.realm));
    assert!(fast, "the exchange was armored");
    assert_eq!(pa, Some(138), "encrypted challenge inside FAST");
    assert_eq!(cred.client.to_string(), r.name("alice"));
    assert!(cred.server.is_krbtgt());

    let (res, fast, _) = drive(r, armored(r, &armor, "alice", "wrong-password"));
    assert!(fast, "the error came armored");
    match res {
        Err(ExchangeError::Kdc(e)) => assert!(
            [18, 24, 25, 31].contains(&e.code),
            "PREAUTH_FAILED (Heimdal: BAD_INTEGRITY) expected, got {e}"
        ),
        other => panic!("wrong password: expected a KDC error, got {other:?}"),
    }
}

#[test]
fn mit_armored_login_and_wrong_password() {
    login_and_wrong_password(&Realm::mit(), "host/svc.example.test");
}

#[test]
fn heimdal_armored_login_and_wrong_password() {
    login_and_wrong_password(&Realm::heimdal(), "host/svc.heimdal.test");
}

#[test]
fn mit_unarmored_exchange_stays_unarmored() {
    let r = Realm::mit();
    let (cred, fast, pa) = drive(
        &r,
        AsRequest::new(principal(&r, "alice"), AsSecret::password(ALICE_PW)),
    );
    cred.expect("unarmored login");
    assert!(!fast);
    assert_eq!(pa, Some(2));
}

#[test]
fn mit_armor_with_a_bad_ticket_is_a_typed_error() {
    let r = Realm::mit();
    let mut armor = FastArmor::from_credential(&armor_tgt(&r, "host/svc.example.test"));
    armor.session_key = Key::random(armor.session_key.etype());
    let req = AsRequest {
        client: principal(&r, "alice"),
        secret: AsSecret::password(ALICE_PW),
        options: AsOptions {
            armor: Some(armor),
            ..AsOptions::default()
        },
    };
    let (res, _, _) = drive(&r, req);
    assert!(res.is_err(), "an armor the KDC cannot read must fail");
}

/// Drives a TGS exchange against the realm's KDC.
#[allow(clippy::result_large_err)] // the crate's error type, as in the other tests
fn drive_tgs(r: &Realm, req: TgsRequest) -> Result<Credential, ExchangeError> {
    let eps = endpoint(r);
    let mut ex = TgsExchange::new(req, SystemTime::now())?;
    loop {
        match ex.poll() {
            Some(Step::Send(out)) => {
                let reply = blocking::send(&out.realm, &eps, &out.message, &SendOptions::default())
                    .unwrap_or_else(|e| panic!("transport to {}: {e}", r.kdc));
                ex.receive(&reply, SystemTime::now())?;
            }
            Some(Step::Done(cred)) => return Ok(cred),
            None => panic!("poll() gave None before Done"),
        }
    }
}

fn armored_tgs(r: &Realm, host: &str, armor_client: &str) {
    let armor = armor_tgt(r, armor_client);
    let (tgt, _, _) = drive(r, armored(r, &armor, "alice", ALICE_PW));
    let tgt = tgt.expect("armored TGT");
    let mut req = TgsRequest::new(tgt, principal(r, host));
    req.options = TgsOptions {
        fast: true,
        ..TgsOptions::default()
    };
    let st = drive_tgs(r, req).unwrap_or_else(|e| panic!("armored TGS on {}: {e}", r.realm));
    assert_eq!(st.server.to_string(), r.name(host));
    assert_eq!(st.client.to_string(), r.name("alice"));

    // An armored TGS-REQ for a service that does not exist: a typed KDC error.
    let (tgt, _, _) = drive(r, armored(r, &armor, "alice", ALICE_PW));
    let mut req = TgsRequest::new(tgt.expect("TGT"), principal(r, "host/nowhere.invalid"));
    req.options.fast = true;
    match drive_tgs(r, req) {
        Err(ExchangeError::Kdc(e)) => assert_eq!(e.code, 7, "{e}"),
        other => panic!("expected S_PRINCIPAL_UNKNOWN, got {other:?}"),
    }
}

#[test]
fn mit_armored_tgs_with_implicit_armor() {
    armored_tgs(
        &Realm::mit(),
        "host/svc.example.test",
        "host/svc.example.test",
    );
}

/// Heimdal 7.8 answers an armored TGS-REQ with an unarmored TGS-REP: like MIT's client
/// (KRB5_KDCREP_MODIFIED), the exchange refuses it with a typed error.
#[test]
fn heimdal_unarmored_answer_to_an_armored_tgs_is_refused() {
    let r = Realm::heimdal();
    let armor = armor_tgt(&r, "host/svc.heimdal.test");
    let (tgt, _, _) = drive(&r, armored(&r, &armor, "alice", ALICE_PW));
    let mut req = TgsRequest::new(tgt.expect("TGT"), principal(&r, "host/svc.heimdal.test"));
    req.options.fast = true;
    match drive_tgs(&r, req) {
        Err(ExchangeError::FastReplyInvalid(why)) => {
            assert!(why.contains("no PA-FX-FAST"), "{why}")
        }
        other => panic!("expected FastReplyInvalid, got {other:?}"),
    }
    // Unarmored, the same request works.
    let (tgt, _, _) = drive(&r, armored(&r, &armor, "alice", ALICE_PW));
    let req = TgsRequest::new(tgt.expect("TGT"), principal(&r, "host/svc.heimdal.test"));
    drive_tgs(&r, req).unwrap_or_else(|e| panic!("unarmored TGS: {e}"));
}

#[test]
fn samba_armored_tgs_with_implicit_armor() {
    armored_tgs(&Realm::samba(), "host/svc.samba.test", "svc");
}

/// The MIT KDC's unarmored PREAUTH_REQUIRED for alice: what a KDC without FAST answers to
/// an armored request (it ignores PA-FX-FAST).
fn unarmored_preauth_required(r: &Realm) -> Vec<u8> {
    let mut ex = AsExchange::new(
        AsRequest::new(principal(r, "alice"), AsSecret::password(ALICE_PW)),
        SystemTime::now(),
    )
    .expect("exchange");
    let Some(Step::Send(out)) = ex.poll() else {
        panic!("no first request")
    };
    blocking::send(
        &out.realm,
        &endpoint(r),
        &out.message,
        &SendOptions::default(),
    )
    .expect("transport")
}

fn padata_types(message: &[u8]) -> Vec<i32> {
    let req: kerberos_client::asn1::AsReq =
        kerberos_client::asn1::decode(message).expect("an AS-REQ");
    req.0
        .padata
        .iter()
        .flatten()
        .map(|p| p.padata_type)
        .collect()
}

#[test]
fn mit_no_fast_from_the_kdc_fails_when_required_and_falls_back_only_when_allowed() {
    let r = Realm::mit();
    let armor = armor_tgt(&r, "host/svc.example.test");
    let stripped = unarmored_preauth_required(&r);
    for required in [true, false] {
        let mut req = armored(&r, &armor, "alice", ALICE_PW);
        if let Some(a) = req.options.armor.as_mut() {
            a.required = required;
        }
        let mut ex = AsExchange::new(req, SystemTime::now()).expect("exchange");
        let Some(Step::Send(out)) = ex.poll() else {
            panic!("no first request")
        };
        assert_eq!(
            padata_types(&out.message),
            vec![136],
            "only PA-FX-FAST outside"
        );
        let res = ex.receive(&stripped, SystemTime::now());
        if required {
            assert!(
                matches!(res, Err(ExchangeError::FastNotOffered(_))),
                "required FAST: {res:?}"
            );
            continue;
        }
        res.expect("fallback allowed");
        // The exchange goes on without armor, to the end.
        let eps = endpoint(&r);
        let cred = loop {
            match ex.poll() {
                Some(Step::Send(out)) => {
                    assert!(!padata_types(&out.message).contains(&136), "unarmored");
                    let reply =
                        blocking::send(&out.realm, &eps, &out.message, &SendOptions::default())
                            .expect("transport");
                    ex.receive(&reply, SystemTime::now())
                        .expect("unarmored step");
                }
                Some(Step::Done(cred)) => break cred,
                None => panic!("None before Done"),
            }
        };
        assert!(!ex.fast_used());
        assert_eq!(cred.client.to_string(), r.name("alice"));
    }
}

#[test]
fn samba_armored_login_and_wrong_password() {
    // AD: the keytab's TGT must be for the account name, not the SPN.
    login_and_wrong_password(&Realm::samba(), "svc");
}
