//! Service tickets through the façade against the MIT KDC: `Client::get_service_ticket` with its
//! in-memory cache, renew, adding tickets to a ccache that MIT `klist` lists, and `examples/kvno`.

mod common;

use std::process::Command;

use common::{ALICE_PW, Realm, example, run, run_unchecked};
use kerberos_client::{Client, Config, Credential, Secret, TgtOptions};

fn client(realm: &Realm) -> Client {
    Client::builder()
        .config(Config::from_file(&realm.krb5_config).unwrap())
        .build()
        .unwrap()
}

fn alice_tgt(c: &Client) -> Credential {
    let options = TgtOptions::default().renew_lifetime(std::time::Duration::from_secs(2 * 86400));
    c.get_tgt_with("alice", Secret::password(ALICE_PW), &options)
        .unwrap()
}

#[test]
fn service_ticket_then_cached_then_klist() {
    let realm = Realm::mit();
    let c = client(&realm);
    let tgt = alice_tgt(&c);
    let t = c.get_service_ticket(&tgt, "HTTP/web.example.test").unwrap();
    assert_eq!(t.server.to_string(), "HTTP/web.example.test@EXAMPLE.TEST");
    assert_eq!(t.client.to_string(), "alice@EXAMPLE.TEST");
    assert!(
        !t.messages().is_empty(),
        "the first request goes to the KDC"
    );
    let again = c.get_service_ticket(&tgt, "HTTP/web.example.test").unwrap();
    assert!(
        again.messages().is_empty(),
        "the second comes from the in-memory cache"
    );
    assert_eq!(again.ticket, t.ticket);
    c.clear_ticket_cache();
    let fresh = c.get_service_ticket(&tgt, "HTTP/web.example.test").unwrap();
    assert_ne!(fresh.ticket, t.ticket);

    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cc");
    tgt.store_in(&cache).unwrap();
    t.add_to(&cache).unwrap();
    let mut k = Command::new("klist");
    k.arg("-c")
        .arg(&cache)
        .env("KRB5_CONFIG", &realm.krb5_config);
    let out = String::from_utf8(run(k, None).stdout).unwrap();
    assert!(out.contains("krbtgt/EXAMPLE.TEST@EXAMPLE.TEST"), "{out}");
    assert!(out.contains("HTTP/web.example.test@EXAMPLE.TEST"), "{out}");
}

#[test]
fn cache_is_shared_by_threads() {
    let realm = Realm::mit();
    let c = client(&realm);
    let tgt = alice_tgt(&c);
    let tickets: Vec<Vec<u8>> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..4)
            .map(|_| s.spawn(|| c.get_service_ticket(&tgt, "host/svc.example.test").unwrap()))
            .collect();
        hs.into_iter()
            .map(|h| h.join().unwrap().ticket.clone())
            .collect()
    });
    assert_eq!(tickets.len(), 4);
    let last = c.get_service_ticket(&tgt, "host/svc.example.test").unwrap();
    assert!(last.messages().is_empty());
    assert!(tickets.contains(&last.ticket));
}

#[test]
fn renew_a_renewable_tgt() {
    let realm = Realm::mit();
    let c = client(&realm);
    let tgt = alice_tgt(&c);
    assert!(tgt.is_renewable());
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let renewed = c.renew(&tgt).unwrap();
    assert_eq!(renewed.server, tgt.server);
    assert!(renewed.end_time >= tgt.end_time);
    assert!(
        renewed.start_time > tgt.start_time,
        "a renewed ticket starts anew"
    );
    assert!(
        renewed.auth_time == tgt.auth_time,
        "renewal keeps the authtime"
    );
}

#[test]
fn unknown_service_is_a_typed_kdc_error() {
    let realm = Realm::mit();
    let c = client(&realm);
    let tgt = alice_tgt(&c);
    let e = c
        .get_service_ticket(&tgt, "HTTP/nowhere.example.test")
        .unwrap_err();
    assert_eq!(e.kdc_error_code(), Some(7), "{e}");
}

#[test]
fn kvno_example_prints_kvnos_and_fills_the_cache() {
    let realm = Realm::mit();
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cc");
    let c = client(&realm);
    alice_tgt(&c).store_in(&cache).unwrap();
    let mut k = Command::new(example("kvno"));
    k.arg("-c")
        .arg(&cache)
        .args(["HTTP/web.example.test", "host/svc.other.test@OTHER.TEST"])
        .env("KRB5_CONFIG", &realm.krb5_config);
    let out = String::from_utf8(run(k, None).stdout).unwrap();
    assert_eq!(
        out,
        "HTTP/web.example.test@EXAMPLE.TEST: kvno = 1\nhost/svc.other.test@OTHER.TEST: kvno = 2\n"
    );
    // MIT kvno prints the same for the same service.
    let mut m = Command::new("kvno");
    m.arg("-c")
        .arg(&cache)
        .arg("HTTP/web.example.test")
        .env("KRB5_CONFIG", &realm.krb5_config);
    let mit = String::from_utf8(run(m, None).stdout).unwrap();
    assert_eq!(mit, "HTTP/web.example.test@EXAMPLE.TEST: kvno = 1\n");

    let mut bad = Command::new(example("kvno"));
    bad.arg("-c")
        .arg(&cache)
        .arg("HTTP/nowhere.example.test")
        .env("KRB5_CONFIG", &realm.krb5_config);
    let o = run_unchecked(bad, "");
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("while getting credentials for HTTP/nowhere.example.test"),
        "{err}"
    );
}

#[test]
fn kvno_example_s4u2self() {
    let realm = Realm::mit();
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cc");
    let c = client(&realm);
    c.get_tgt(
        "host/svc.example.test",
        Secret::KeytabFile(realm.dir.join("keytabs/svc.keytab")),
    )
    .unwrap()
    .store_in(&cache)
    .unwrap();
    let mut k = Command::new(example("kvno"));
    k.arg("-c")
        .arg(&cache)
        .args(["-U", "alice", "host/svc.example.test"])
        .env("KRB5_CONFIG", &realm.krb5_config);
    let out = String::from_utf8(run(k, None).stdout).unwrap();
    assert_eq!(out, "host/svc.example.test@EXAMPLE.TEST: kvno = 2\n");
    let mut l = Command::new("klist");
    l.arg("-c")
        .arg(&cache)
        .env("KRB5_CONFIG", &realm.krb5_config);
    let listed = String::from_utf8(run(l, None).stdout).unwrap();
    assert!(listed.contains("for client alice@EXAMPLE.TEST"), "{listed}");
}
