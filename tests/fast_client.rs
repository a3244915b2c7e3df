//! FAST through the client façade, like `kinit -k -t svc.keytab host/svc...; kinit -T armor alice`,
//! with MIT's klist reading the result.
mod common;

use std::process::Command;

use common::{ALICE_PW, Realm};
use kerberos_client::ccache::{CONF_FAST_AVAIL, CredentialCache};
use kerberos_client::{Client, Secret, TgtOptions};

fn armor_cache(r: &Realm, dir: &std::path::Path, host: &str) -> std::path::PathBuf {
    let client = Client::from_file(&r.krb5_config).expect("lab krb5.conf");
    let cred = client
        .get_tgt(host, Secret::keytab_file(r.keytab("svc.keytab")))
        .unwrap_or_else(|e| panic!("armor TGT: {e}"));
    assert!(!cred.fast_used(), "no armor given: no FAST");
    let path = dir.join("armor");
    cred.store_in(&path).expect("store armor cache");
    path
}

fn kinit_t(r: &Realm, host: &str) {
    let dir = tempfile::tempdir().expect("tempdir");
    let armor_path = armor_cache(r, dir.path(), host);
    let client = Client::from_file(&r.krb5_config).expect("lab krb5.conf");
    let armor = client.armor_from_ccache(&armor_path).expect("armor");
    let opts = TgtOptions::default().armor(armor.clone());
    let cred = client
        .get_tgt_with("alice", Secret::password(ALICE_PW), &opts)
        .unwrap_or_else(|e| panic!("armored get_tgt on {}: {e}", r.realm));
    assert!(cred.fast_used());
    assert_eq!(cred.pa_type(), Some(138));
    let out = dir.path().join("alice");
    cred.store_in(&out).expect("store");
    let cache = CredentialCache::read(&out).expect("read back");
    assert_eq!(
        cache.config(CONF_FAST_AVAIL, Some(&cred.server)),
        Some(&b"yes"[..])
    );
    let klist = Command::new("klist")
        .arg("-c")
        .arg(&out)
        .env("KRB5_CONFIG", &r.krb5_config)
        .output()
        .expect("klist");
    let text = String::from_utf8_lossy(&klist.stdout);
    assert!(klist.status.success(), "klist failed: {text}");
    assert!(text.contains(&format!("krbtgt/{0}@{0}", r.realm)), "{text}");

    let err = client
        .get_tgt_with("alice", Secret::password("not-the-password"), &opts)
        .expect_err("wrong password");
    assert!(
        err.is_wrong_password() || err.to_string().contains("integrity"),
        "wrong password: {err}"
    );
}

#[test]
fn mit_kinit_dash_t() {
    kinit_t(&Realm::mit(), "host/svc.example.test");
}

#[test]
fn heimdal_kinit_dash_t() {
    kinit_t(&Realm::heimdal(), "host/svc.heimdal.test");
}

#[test]
fn samba_kinit_dash_t() {
    kinit_t(&Realm::samba(), "svc");
}

/// `examples/kinit -T ARMOR_CACHE alice`, then MIT's `klist -C` shows `fast_avail` and
/// `pa_type` 138.
#[test]
fn mit_kinit_example_dash_t() {
    let r = Realm::mit();
    let dir = tempfile::tempdir().expect("tempdir");
    let armor_path = armor_cache(&r, dir.path(), "host/svc.example.test");
    let out = dir.path().join("alice");
    let mut c = Command::new(common::kinit_example());
    c.arg("-T")
        .arg(format!("FILE:{}", armor_path.display()))
        .arg("-c")
        .arg(&out)
        .arg("alice")
        .env("KRB5_CONFIG", &r.krb5_config);
    let o = common::run_unchecked(c, &format!("{ALICE_PW}\n"));
    assert!(
        o.status.success(),
        "kinit -T: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let klist = Command::new("klist")
        .arg("-C")
        .arg("-c")
        .arg(&out)
        .env("KRB5_CONFIG", &r.krb5_config)
        .output()
        .expect("klist");
    let text = String::from_utf8_lossy(&klist.stdout);
    assert!(
        text.contains("fast_avail(krbtgt/EXAMPLE.TEST@EXAMPLE.TEST) = yes"),
        "{text}"
    );
    assert!(
        text.contains("pa_type(krbtgt/EXAMPLE.TEST@EXAMPLE.TEST) = 138"),
        "{text}"
    );
}
