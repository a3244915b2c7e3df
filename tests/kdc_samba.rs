//! The `Client` façade against the real Samba AD DC of `scripts/samba-dc.sh` (SAMBA.TEST).
//! Needs `. DIR/env.sh` of that script (KC_SAMBA_*); fails, never skips, without it.

mod common;

use common::{ALICE_PW, BOB_PW, Realm};
use kerberos_client::principal::{NT_ENTERPRISE, Principal};
use kerberos_client::{Client, ClientError, Credential, Secret, TgtOptions};

fn samba() -> Realm {
    Realm::samba()
}

/// The lab's own krb5.conf: default udp_preference_limit, no weak crypto.
fn client() -> Client {
    Client::from_file(samba().krb5_config).unwrap()
}

fn check_tgt(cred: &Credential, client: &str) {
    let realm = samba().realm;
    assert_eq!(cred.client.to_string(), client);
    assert_eq!(cred.server, Principal::krbtgt(realm.clone(), realm));
    assert!(cred.end_time > cred.start_time, "{cred:?}");
}

#[test]
fn password_login_aes() {
    for etype in [18, 17] {
        let cred = client()
            .get_tgt_with(
                "alice",
                Secret::password(ALICE_PW),
                &TgtOptions::default().enctypes([etype]),
            )
            .unwrap_or_else(|e| panic!("enctype {etype}: {e}"));
        check_tgt(&cred, "alice@SAMBA.TEST");
        assert_eq!(cred.session_key.etype().id(), etype);
        assert_eq!(cred.pa_type(), Some(2));
    }
}

#[test]
fn rc4_only_with_weak_crypto() {
    let e = client()
        .get_tgt_with(
            "alice",
            Secret::password(ALICE_PW),
            &TgtOptions::default().enctypes([23]),
        )
        .unwrap_err();
    assert!(matches!(e, ClientError::NoEnctypes), "{e}");
    let weak = Client::from_config_str(&samba().conf_with(" allow_weak_crypto = true\n")).unwrap();
    let cred = weak
        .get_tgt_with(
            "alice",
            Secret::password(ALICE_PW),
            &TgtOptions::default().enctypes([23]),
        )
        .unwrap();
    check_tgt(&cred, "alice@SAMBA.TEST");
    assert_eq!(cred.session_key.etype().id(), 23);
}

#[test]
fn enterprise_name_is_canonicalized() {
    let cred = client()
        .get_tgt_with(
            "alice@samba.test",
            Secret::password(ALICE_PW),
            &TgtOptions::default().enterprise(true),
        )
        .unwrap();
    check_tgt(&cred, "alice@SAMBA.TEST");
    assert_ne!(cred.client.name_type, NT_ENTERPRISE, "{:?}", cred.client);
    // The same through an explicit Principal.
    let p = Principal::new(NT_ENTERPRISE, "SAMBA.TEST", ["alice@samba.test"]);
    let cred = client().get_tgt(p, Secret::password(ALICE_PW)).unwrap();
    check_tgt(&cred, "alice@SAMBA.TEST");
}

#[test]
fn udp_to_tcp_fallback() {
    // Default udp_preference_limit: the AS-REQ goes over UDP, Samba's PAC-laden AS-REP does not
    // fit and it answers KRB_ERR_RESPONSE_TOO_BIG; the exchange resends over TCP.
    let cred = client()
        .get_tgt("alice", Secret::password(ALICE_PW))
        .unwrap();
    check_tgt(&cred, "alice@SAMBA.TEST");
    assert!(
        cred.fell_back_to_tcp(),
        "expected a UDP→TCP fallback: {:?}",
        cred.messages()
    );
    // TCP from the start (udp_preference_limit = 1): no fallback needed.
    let tcp = Client::builder()
        .config(kerberos_client::Config::from_file(samba().krb5_config).unwrap())
        .udp_preference_limit(1)
        .build()
        .unwrap();
    let cred = tcp.get_tgt("alice", Secret::password(ALICE_PW)).unwrap();
    check_tgt(&cred, "alice@SAMBA.TEST");
    assert!(!cred.fell_back_to_tcp(), "{:?}", cred.messages());
    assert!(cred.messages().iter().all(|m| !m.tcp_only));
    // UDP only: the reply can never arrive, and the error says why.
    let s = samba();
    let udp_only = Client::from_config_str(&s.conf_text(&[format!("udp/{}", s.kdc)], "")).unwrap();
    let e = udp_only
        .get_tgt("alice", Secret::password(ALICE_PW))
        .unwrap_err();
    assert!(matches!(e, ClientError::NoKdc { .. }), "{e}");
    assert!(e.to_string().contains("RESPONSE_TOO_BIG"), "{e}");
}

#[test]
fn keytab_login_as_svc() {
    let s = samba();
    let cred = client()
        .get_tgt("svc", Secret::keytab_file(s.keytab("svc.keytab")))
        .unwrap();
    check_tgt(&cred, "svc@SAMBA.TEST");
}

#[test]
fn without_preauth_bob() {
    let cred = client().get_tgt("bob", Secret::password(BOB_PW)).unwrap();
    check_tgt(&cred, "bob@SAMBA.TEST");
    assert_eq!(cred.pa_type(), None);
}

#[test]
fn wrong_password_and_unknown_principal() {
    let e = client()
        .get_tgt("alice", Secret::password("Wrong-Passw0rd"))
        .unwrap_err();
    assert!(e.is_wrong_password(), "{e}");
    let e = client()
        .get_tgt("nobody", Secret::password("x"))
        .unwrap_err();
    assert!(e.is_unknown_principal(), "{e}");
}

#[test]
fn kinit_example_enterprise_name() {
    let s = samba();
    let exe = common::kinit_example();
    let dir = tempfile::tempdir().unwrap();
    let cc = dir.path().join("cc");
    let mut c = std::process::Command::new(&exe);
    c.env("KRB5_CONFIG", &s.krb5_config)
        .env("KRB5CCNAME", format!("FILE:{}", cc.display()))
        .args(["-E", "alice@samba.test"]);
    let out = common::run_unchecked(c, "Alice-Passw0rd\n");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cache = kerberos_client::ccache::CredentialCache::read(&cc).unwrap();
    assert_eq!(cache.default_principal.to_string(), "alice@SAMBA.TEST");
    assert!(cache.tgt().is_some());
}
