//! The `Client` façade without any KDC: configuration to endpoints, request validation before
//! any traffic, and storing credentials in caches as `kinit` does. Needs no lab.

use std::time::Duration;

use kerberos_client::ccache::{CONF_PA_TYPE, CONF_START_REALM, CcacheName, CredentialCache};
use kerberos_client::crypto::{EncryptionType, Key};
use kerberos_client::exchange;
use kerberos_client::keytab::{KeyBlock, Keytab};
use kerberos_client::principal::{NT_PRINCIPAL, Principal};
use kerberos_client::transport::Protocol;
use kerberos_client::{Client, ClientError, Credential, Secret, TgtOptions};

fn credential(client: &str, tgt_realm: &str) -> exchange::Credential {
    let client = Principal::parse(client, None).unwrap();
    exchange::Credential {
        server: Principal::krbtgt(tgt_realm, tgt_realm),
        client,
        ticket: vec![0x61, 0x03, 0x02, 0x01, 0x05],
        session_key: Key::random(EncryptionType::Aes256CtsHmacSha196),
        flags: 0x4041_0000,
        auth_time: 1_800_000_000,
        start_time: 1_800_000_000,
        end_time: 1_800_036_000,
        renew_till: Some(1_800_604_800),
        kdc_offset: -42,
        enc_padata: Vec::new(),
    }
}

#[test]
fn kdcs_from_config_in_order_proxies_skipped() {
    let c = Client::from_config_str(
        "[libdefaults]\n dns_lookup_kdc = false\n udp_preference_limit = 1\n kdc_timeout = 3s\n\
         [realms]\n R.TEST = {\n  kdc = https://proxy.r.test/KdcProxy\n  kdc = kdc1.r.test\n  \
         kdc = tcp/10.0.0.2:8888\n  kdc = udp/[::1]:750\n }\n",
    )
    .unwrap();
    let kdcs = c.kdcs("R.TEST").unwrap();
    let shown: Vec<String> = kdcs
        .iter()
        .map(|e| format!("{:?} {e}", e.protocol))
        .collect();
    assert_eq!(
        shown,
        [
            "None kdc1.r.test:88",
            "Some(Tcp) 10.0.0.2:8888",
            "Some(Udp) [::1]:750"
        ]
    );
    assert_eq!(kdcs[1].protocol, Some(Protocol::Tcp));
    let opts = c.send_options("R.TEST").unwrap();
    assert_eq!(opts.udp_preference_limit, 1);
    assert_eq!(opts.timeout, Duration::from_secs(3));
    // Builder overrides win over krb5.conf.
    let c = Client::builder()
        .config(c.config().clone())
        .udp_preference_limit(4000)
        .kdc_timeout(Duration::from_millis(250))
        .build()
        .unwrap();
    let opts = c.send_options("R.TEST").unwrap();
    assert_eq!(
        (opts.udp_preference_limit, opts.timeout),
        (4000, Duration::from_millis(250))
    );
}

#[test]
fn no_kdc_and_no_realm_are_clear_errors() {
    let c = Client::from_config_str("[libdefaults]\n dns_lookup_kdc = false\n").unwrap();
    let e = c.get_tgt("alice", Secret::password("x")).unwrap_err();
    assert!(matches!(e, ClientError::NoDefaultRealm(_)), "{e}");
    assert!(e.to_string().contains("default_realm"), "{e}");
    let e = c
        .get_tgt("alice@NOWHERE.TEST", Secret::password("x"))
        .unwrap_err();
    assert!(matches!(e, ClientError::NoKdc { .. }), "{e}");
    assert!(e.to_string().contains("NOWHERE.TEST"), "{e}");
}

#[test]
fn keytab_and_enctype_problems_fail_before_any_traffic() {
    // The KDC address is unroutable: any traffic would time out, not give these errors.
    let conf =
        "[libdefaults]\n default_realm = R.TEST\n[realms]\n R.TEST = {\n  kdc = 192.0.2.1\n }\n";
    let c = Client::from_config_str(conf).unwrap();
    let mut kt = Keytab::new();
    kt.add_key(
        Principal::new(NT_PRINCIPAL, "R.TEST", ["svc"]),
        3,
        KeyBlock::new(18, vec![7u8; 32]),
    );
    let e = c.get_tgt("alice", Secret::Keytab(kt.clone())).unwrap_err();
    assert!(matches!(e, ClientError::NoKeytabKey { .. }), "{e}");
    assert!(e.to_string().contains("svc@R.TEST"), "{e}");
    let e = c
        .get_tgt_with(
            "svc",
            Secret::Keytab(kt),
            &TgtOptions::default().enctypes([17]),
        )
        .unwrap_err();
    assert!(matches!(e, ClientError::NoKeytabKey { .. }), "{e}");
    let e = c
        .get_tgt("alice", Secret::keytab_file("/nonexistent/krb5.keytab"))
        .unwrap_err();
    assert!(matches!(e, ClientError::Keytab { .. }), "{e}");
    assert!(e.to_string().contains("/nonexistent/krb5.keytab"), "{e}");
    let e = c
        .get_tgt_with(
            "alice",
            Secret::password("x"),
            &TgtOptions::default().enctypes([23, 1, 3]),
        )
        .unwrap_err();
    assert!(matches!(e, ClientError::NoEnctypes), "{e}");
}

#[test]
fn store_initializes_the_cache_like_kinit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cc");
    std::fs::write(&path, b"garbage, not a ccache").unwrap();
    let cred = Credential::from(credential("alice@R.TEST", "R.TEST"));
    cred.store_in(&path).unwrap();
    let cache = CredentialCache::read(&path).unwrap();
    assert_eq!(cache.default_principal.to_string(), "alice@R.TEST");
    assert_eq!(cache.kdc_offset, Some((-42, 0)));
    assert_eq!(cache.tickets().count(), 1);
    let t = cache.tgt().unwrap();
    assert_eq!(t.times.endtime, 1_800_036_000);
    assert_eq!(t.times.renew_till, 1_800_604_800);
    assert_eq!(cache.config(CONF_START_REALM, None), None);
    assert_eq!(cache.config_entries().count(), 0, "no pre-auth: no pa_type");
    let mode =
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&path).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o600);

    // A second store replaces, never appends (another principal).
    let cred = Credential::from(credential("bob@R.TEST", "R.TEST"));
    cred.store_in(&path).unwrap();
    let cache = CredentialCache::read(&path).unwrap();
    assert_eq!(cache.default_principal.to_string(), "bob@R.TEST");
    assert_eq!(cache.credentials.len(), 1);

    // A TGT of another realm than the client's (enterprise referral): start_realm recorded.
    let cred = Credential::from(credential("alice@R.TEST", "OTHER.TEST"));
    cred.store_in(&path).unwrap();
    let cache = CredentialCache::read(&path).unwrap();
    assert_eq!(
        cache.config(CONF_START_REALM, None),
        Some(&b"OTHER.TEST"[..])
    );
    assert_eq!(
        cache.config(
            CONF_PA_TYPE,
            Some(&Principal::krbtgt("OTHER.TEST", "OTHER.TEST"))
        ),
        None
    );
}

#[test]
fn store_in_a_dir_collection() {
    let dir = tempfile::tempdir().unwrap();
    let coll = dir.path().join("collection");
    let name = CcacheName::parse(&format!("DIR:{}", coll.display())).unwrap();
    let cred = Credential::from(credential("alice@R.TEST", "R.TEST"));
    Client::from_config_str("")
        .unwrap()
        .store(&cred, &name)
        .unwrap();
    assert!(coll.join("primary").is_file());
    let cache = CredentialCache::load(&name).unwrap();
    assert_eq!(cache.default_principal.to_string(), "alice@R.TEST");
}

#[test]
fn default_ccache_name_from_krb5_conf() {
    // Only when KRB5CCNAME is not set in this process (tests may run under a lab env.sh).
    if std::env::var_os("KRB5CCNAME").is_some() {
        let c = Client::from_config_str("").unwrap();
        assert!(c.default_ccache_name().is_ok());
        return;
    }
    let c =
        Client::from_config_str("[libdefaults]\n default_ccache_name = FILE:/tmp/kc_test_%{uid}\n")
            .unwrap();
    let name = c.default_ccache_name().unwrap();
    let p = name.path().to_string_lossy().into_owned();
    assert!(p.starts_with("/tmp/kc_test_") && !p.contains('%'), "{p}");
}

#[test]
fn client_and_its_futures_are_send_and_sync() {
    fn send_sync<T: Send + Sync>(_: &T) {}
    let c = Client::from_config_str("").unwrap();
    send_sync(&c);
    #[cfg(feature = "tokio")]
    {
        fn send<T: Send>(_: &T) {}
        let f = c.get_tgt_async("alice@R.TEST", Secret::password("x"));
        send(&f);
        let opts = TgtOptions::default();
        let f = c.get_tgt_with_async("alice@R.TEST", Secret::password("x"), &opts);
        send(&f);
    }
}
