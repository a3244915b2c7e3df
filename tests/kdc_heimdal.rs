//! The `Client` façade against the real Heimdal KDC of `scripts/heimdal-kdc.sh` (HEIMDAL.TEST).
//! Needs `. DIR/env.sh` of that script (KC_HEIMDAL_*); fails, never skips, without it.

mod common;

use common::{ALICE_PW, BOB_PW, Realm};
use kerberos_client::ccache::CredentialCache;
use kerberos_client::principal::Principal;
use kerberos_client::{Client, ClientError, Credential, Secret, TgtOptions};

fn heimdal() -> Realm {
    Realm::heimdal()
}

/// The lab's krb5.conf plus allow_weak_crypto (Heimdal has RC4 keys for alice).
fn client() -> Client {
    Client::from_config_str(&heimdal().conf_with(" allow_weak_crypto = true\n")).unwrap()
}

fn check_tgt(cred: &Credential, client: &str) {
    let realm = heimdal().realm;
    assert_eq!(cred.client.to_string(), client);
    assert_eq!(cred.server, Principal::krbtgt(realm.clone(), realm));
    assert!(cred.end_time > cred.start_time, "{cred:?}");
}

#[test]
fn password_login_each_enctype() {
    let c = client();
    // 19/20 use a random salt on Heimdal: only ETYPE-INFO2 gives it.
    for etype in [17, 18, 19, 20, 23] {
        let cred = c
            .get_tgt_with(
                "alice",
                Secret::password(ALICE_PW),
                &TgtOptions::default().enctypes([etype]),
            )
            .unwrap_or_else(|e| panic!("enctype {etype}: {e}"));
        check_tgt(&cred, "alice@HEIMDAL.TEST");
        assert_eq!(cred.session_key.etype().id(), etype);
        assert_eq!(cred.pa_type(), Some(2));
    }
    // The lab's own krb5.conf (no weak crypto): the default list.
    let c = Client::from_file(heimdal().krb5_config).unwrap();
    let cred = c.get_tgt("alice", Secret::password(ALICE_PW)).unwrap();
    check_tgt(&cred, "alice@HEIMDAL.TEST");
    let e = c
        .get_tgt_with(
            "alice",
            Secret::password(ALICE_PW),
            &TgtOptions::default().enctypes([23]),
        )
        .unwrap_err();
    assert!(matches!(e, ClientError::NoEnctypes), "{e}");
}

#[test]
fn without_preauth_bob() {
    let cred = client().get_tgt("bob", Secret::password(BOB_PW)).unwrap();
    check_tgt(&cred, "bob@HEIMDAL.TEST");
    assert_eq!(cred.pa_type(), None);
    assert_eq!(cred.messages().len(), 1);
}

#[test]
fn keytab_logins() {
    let h = heimdal();
    let cred = client()
        .get_tgt("alice", Secret::keytab_file(h.keytab("alice.keytab")))
        .unwrap();
    check_tgt(&cred, "alice@HEIMDAL.TEST");
    let cred = client()
        .get_tgt(
            "host/svc.heimdal.test",
            Secret::keytab_file(h.keytab("svc.keytab")),
        )
        .unwrap();
    check_tgt(&cred, "host/svc.heimdal.test@HEIMDAL.TEST");
}

#[test]
fn wrong_password_and_unknown_principal() {
    let e = client()
        .get_tgt("alice", Secret::password("Wrong-Passw0rd"))
        .unwrap_err();
    assert!(e.is_wrong_password(), "{e}");
    let e = client()
        .get_tgt("bob", Secret::password("Wrong-Passw0rd"))
        .unwrap_err();
    assert!(e.is_wrong_password(), "{e}");
    let e = client()
        .get_tgt("nobody", Secret::password("x"))
        .unwrap_err();
    assert!(e.is_unknown_principal(), "{e}");
}

#[test]
fn stored_cache_has_the_ticket() {
    // Heimdal omits starttime: the cache gets authtime instead, as MIT's kinit stores it.
    let cred = client()
        .get_tgt("alice", Secret::password(ALICE_PW))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cc = dir.path().join("cc");
    cred.store_in(&cc).unwrap();
    let cache = CredentialCache::read(&cc).unwrap();
    assert_eq!(cache.default_principal.to_string(), "alice@HEIMDAL.TEST");
    let tgt = cache.tgt().expect("TGT in the cache");
    assert!(tgt.times.starttime >= tgt.times.authtime);
    assert!(tgt.times.endtime > tgt.times.starttime);
}
