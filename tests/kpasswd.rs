//! Password changes with `Client::change_password` (kpasswd, RFC 3244) against the real kpasswd
//! services of the Samba AD DC and Heimdal, directly and through the KDC proxy. The password is
//! "changed" to the same value, so the rest of the suite is not disturbed: Samba (no history
//! here) accepts it, Heimdal refuses the reuse with a soft error it can only give after reading our
//! KRB-PRIV.

mod common;

use common::{BOB_PW, Realm, need_env};
use kerberos_client::{Client, ClientError, Config};

fn client(conf: String) -> Client {
    Client::builder()
        .config(Config::parse_str(&conf).unwrap())
        .build()
        .unwrap()
}

fn direct(realm: &Realm, kpasswd: &str) -> Client {
    client(format!(
        "[libdefaults]\n default_realm = {r}\n dns_lookup_kdc = false\n\
         [realms]\n {r} = {{\n  kdc = {kdc}\n  kpasswd_server = {kpasswd}\n }}\n",
        r = realm.realm,
        kdc = realm.kdc
    ))
}

#[test]
fn samba_accepts_a_change_directly_and_through_the_proxy() {
    let realm = Realm::samba();
    let kpasswd = need_env("KC_SAMBA_KPASSWD", "samba-dc.sh");
    let c = direct(&realm, &kpasswd);
    let r = c.change_password("bob", BOB_PW, BOB_PW).unwrap();
    assert_eq!(r.code, 0, "{r:?}");
    c.get_tgt("bob", kerberos_client::Secret::password(BOB_PW))
        .unwrap();

    let url = need_env("KC_KDCPROXY_HTTPS_URL", "kdcproxy.sh");
    let ca = std::fs::read(need_env("KC_KDCPROXY_CA", "kdcproxy.sh")).unwrap();
    let proxied = Client::builder()
        .config(
            Config::parse_str(&format!(
                "[libdefaults]\n default_realm = {r}\n\
                 [realms]\n {r} = {{\n  kdc = {url}\n  kpasswd_server = {url}\n }}\n",
                r = realm.realm
            ))
            .unwrap(),
        )
        .kdc_proxy_ca_pem(ca)
        .build()
        .unwrap();
    let r = proxied.change_password("bob", BOB_PW, BOB_PW).unwrap();
    assert!(r.is_success(), "{r:?}");
}

#[test]
fn heimdal_refuses_reuse_with_a_typed_error() {
    let realm = Realm::heimdal();
    let kpasswd = need_env("KC_HEIMDAL_KPASSWD", "heimdal-kdc.sh");
    let c = direct(&realm, &format!("udp/{kpasswd}"));
    match c.change_password("bob", BOB_PW, BOB_PW) {
        Err(ClientError::PasswordChangeRejected { code, name, text }) => {
            assert_eq!((code, name), (4, "KRB5_KPASSWD_SOFTERROR"), "{text}");
            assert!(!text.is_empty());
        }
        Ok(r) => assert!(r.is_success(), "{r:?}"),
        Err(e) => panic!("unexpected {e}"),
    }
}

#[test]
fn wrong_old_password_is_the_kdc_error() {
    let realm = Realm::samba();
    let kpasswd = need_env("KC_SAMBA_KPASSWD", "samba-dc.sh");
    let e = direct(&realm, &kpasswd)
        .change_password("bob", "not-the-password", "Whatever-1")
        .unwrap_err();
    assert!(e.is_wrong_password(), "{e}");
}
