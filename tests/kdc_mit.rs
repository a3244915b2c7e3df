//! The `Client` façade against the real MIT KDC of `scripts/mit-kdc.sh` (EXAMPLE.TEST), and DNS SRV
//! discovery through `scripts/dns-srv.sh`. Needs `. DIR/env.sh` of both (see tests/common/mod.rs);
//! fails, never skips, without them.

mod common;

use std::time::Duration;

use common::{ALICE_PW, BOB_PW, Realm, dead_port, kinit_example, run_unchecked};
use kerberos_client::ccache::{CONF_PA_TYPE, CredentialCache};
use kerberos_client::config::Config;
use kerberos_client::crypto::{EncryptionType, Key};
use kerberos_client::keytab::Keytab;
use kerberos_client::principal::Principal;
use kerberos_client::{CcacheName, Client, ClientError, Credential, Secret, TgtOptions};

const RC4_PW: &str = "Rc4-Passw0rd";

fn mit() -> Realm {
    Realm::mit()
}

/// The client of the lab's own krb5.conf (allow_weak_crypto = true, all five enctypes).
fn client() -> Client {
    Client::from_file(mit().krb5_config).expect("lab krb5.conf")
}

fn client_from(text: &str) -> Client {
    Client::from_config_str(text).expect("test krb5.conf")
}

fn check_tgt(cred: &Credential, client: &str) {
    let realm = mit().realm;
    assert_eq!(cred.client.to_string(), client);
    assert_eq!(cred.server, Principal::krbtgt(realm.clone(), realm));
    assert!(cred.end_time > cred.start_time, "{cred:?}");
    assert!(!cred.ticket.is_empty());
}

#[test]
fn password_login_each_enctype() {
    let c = client();
    for etype in [17, 18, 19, 20, 23] {
        let cred = c
            .get_tgt_with(
                "alice",
                Secret::password(ALICE_PW),
                &TgtOptions::default().enctypes([etype]),
            )
            .unwrap_or_else(|e| panic!("enctype {etype}: {e}"));
        check_tgt(&cred, "alice@EXAMPLE.TEST");
        assert_eq!(cred.session_key.etype().id(), etype);
        assert_eq!(cred.pa_type(), Some(2), "encrypted timestamp");
    }
}

#[test]
fn defaults_come_from_libdefaults() {
    // The lab's krb5.conf: forwardable = true, ticket_lifetime = 24h, renew_lifetime = 7d.
    let cred = client()
        .get_tgt("alice", Secret::password(ALICE_PW))
        .unwrap();
    const FORWARDABLE: u32 = 1 << 30;
    const RENEWABLE: u32 = 1 << 23;
    assert_ne!(cred.flags & FORWARDABLE, 0, "forwardable from krb5.conf");
    assert_ne!(cred.flags & RENEWABLE, 0, "renewable from krb5.conf");
    assert!(cred.end_time - cred.start_time > 20 * 3600);
    // Options override krb5.conf.
    let cred = client()
        .get_tgt_with(
            "alice",
            Secret::password(ALICE_PW),
            &TgtOptions::default()
                .forwardable(false)
                .lifetime(Duration::from_secs(3600))
                .renew_lifetime(Duration::ZERO),
        )
        .unwrap();
    assert_eq!(cred.flags & (FORWARDABLE | RENEWABLE), 0);
    assert!((cred.end_time - cred.start_time - 3600).abs() < 10);
}

#[test]
fn without_preauth_bob() {
    let cred = client().get_tgt("bob", Secret::password(BOB_PW)).unwrap();
    check_tgt(&cred, "bob@EXAMPLE.TEST");
    assert_eq!(cred.pa_type(), None);
    assert_eq!(cred.messages().len(), 1, "AS-REP straight away");
    let e = client()
        .get_tgt("bob", Secret::password("not-bobs"))
        .unwrap_err();
    assert!(e.is_wrong_password(), "{e}");
}

#[test]
fn keytab_logins() {
    let m = mit();
    let c = client();
    // A keytab file, as `kinit -k -t`.
    let cred = c
        .get_tgt("alice", Secret::keytab_file(m.keytab("alice.keytab")))
        .unwrap();
    check_tgt(&cred, "alice@EXAMPLE.TEST");
    // A service's random keys.
    let cred = c
        .get_tgt(
            "host/svc.example.test",
            Secret::keytab_file(m.keytab("svc.keytab")),
        )
        .unwrap();
    check_tgt(&cred, "host/svc.example.test@EXAMPLE.TEST");
    // A loaded keytab, and one raw key from it.
    let kt = Keytab::read(m.keytab("http.keytab")).unwrap();
    let http = Principal::parse("HTTP/web.example.test@EXAMPLE.TEST", None).unwrap();
    let entry = kt.find(&http, None, Some(18)).expect("aes256 key").clone();
    let cred = c.get_tgt(&http, Secret::Keytab(kt)).unwrap();
    check_tgt(&cred, "HTTP/web.example.test@EXAMPLE.TEST");
    let key = Key::from_bytes(EncryptionType::Aes256CtsHmacSha196, &entry.key.value).unwrap();
    let cred = c.get_tgt(&http, Secret::Key(key)).unwrap();
    assert_eq!(cred.session_key.etype().id(), 18);
    // A keytab without the principal: a clear error before any network traffic.
    let e = c
        .get_tgt("alice", Secret::keytab_file(m.keytab("svc.keytab")))
        .unwrap_err();
    assert!(matches!(e, ClientError::NoKeytabKey { .. }), "{e}");
    assert!(e.to_string().contains("host/svc.example.test"), "{e}");
}

#[test]
fn wrong_password_is_typed() {
    let e = client()
        .get_tgt("alice", Secret::password("Wrong-Passw0rd"))
        .unwrap_err();
    assert!(e.is_wrong_password(), "{e}");
    assert_eq!(e.kdc_error_code(), Some(24), "KDC_ERR_PREAUTH_FAILED: {e}");
}

#[test]
fn unknown_principal_is_typed() {
    let e = client()
        .get_tgt("nobody", Secret::password("x"))
        .unwrap_err();
    assert!(e.is_unknown_principal(), "{e}");
    assert!(e.to_string().contains("nobody@EXAMPLE.TEST"), "{e}");
}

#[test]
fn rc4_only_with_weak_crypto() {
    let m = mit();
    // The lab allows weak crypto: rc4user (RC4 key only) logs in with RC4 (the session key is
    // the KDC's choice among the requested enctypes).
    let cred = client()
        .get_tgt("rc4user", Secret::password(RC4_PW))
        .unwrap();
    check_tgt(&cred, "rc4user@EXAMPLE.TEST");
    let cred = client()
        .get_tgt_with(
            "rc4user",
            Secret::password(RC4_PW),
            &TgtOptions::default().enctypes([23]),
        )
        .unwrap();
    assert_eq!(cred.session_key.etype(), EncryptionType::Rc4Hmac);
    // Without allow_weak_crypto, RC4 is never requested: no common enctype.
    let strict = client_from(&m.conf_with(" allow_weak_crypto = false\n"));
    let e = strict
        .get_tgt("rc4user", Secret::password(RC4_PW))
        .unwrap_err();
    assert!(
        matches!(&e, ClientError::Exchange(x) if x.is_no_common_etype()),
        "{e}"
    );
    // Asking for RC4 explicitly does not get around it either.
    let e = strict
        .get_tgt_with(
            "rc4user",
            Secret::password(RC4_PW),
            &TgtOptions::default().enctypes([23]),
        )
        .unwrap_err();
    assert!(matches!(e, ClientError::NoEnctypes), "{e}");
    // Nor does the per-request option turn it on when krb5.conf filtered RC4 out of the lists.
    let e = client()
        .get_tgt_with(
            "rc4user",
            Secret::password(RC4_PW),
            &TgtOptions::default().allow_weak_crypto(false),
        )
        .unwrap_err();
    assert!(
        matches!(&e, ClientError::Exchange(x) if x.is_no_common_etype()),
        "{e}"
    );
}

#[test]
fn dead_first_kdc_then_live_one() {
    let m = mit();
    let dead = format!("127.0.0.1:{}", dead_port());
    let c = Client::builder()
        .config(Config::parse_str(&m.conf_text(&[dead.clone(), m.kdc.clone()], "")).unwrap())
        .kdc_timeout(Duration::from_millis(700))
        .build()
        .unwrap();
    let cred = c.get_tgt("alice", Secret::password(ALICE_PW)).unwrap();
    check_tgt(&cred, "alice@EXAMPLE.TEST");
    // Only dead KDCs: every KDC and protocol tried is reported.
    let dead2 = format!("tcp/127.0.0.1:{}", dead_port());
    let c = Client::builder()
        .config(Config::parse_str(&m.conf_text(&[dead.clone(), dead2.clone()], "")).unwrap())
        .kdc_timeout(Duration::from_millis(700))
        .build()
        .unwrap();
    let e = c.get_tgt("alice", Secret::password(ALICE_PW)).unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, ClientError::Transport(_)), "{msg}");
    assert!(msg.contains(&format!("udp {dead}")), "{msg}");
    assert!(msg.contains(&format!("tcp {dead}")), "{msg}");
    assert!(
        msg.contains(&format!("tcp {}", dead2.trim_start_matches("tcp/"))),
        "{msg}"
    );
}

#[test]
fn client_clock_one_hour_off() {
    for offset in [3600_i64, -3600] {
        let c = Client::builder()
            .config(Config::from_file(mit().krb5_config).unwrap())
            .clock_offset(offset)
            .build()
            .unwrap();
        let cred = c
            .get_tgt("alice", Secret::password(ALICE_PW))
            .unwrap_or_else(|e| panic!("clock {offset:+} s: {e}"));
        check_tgt(&cred, "alice@EXAMPLE.TEST");
        assert!(
            (cred.kdc_offset + offset).abs() <= 5,
            "learned offset {} for a clock {offset:+} s off",
            cred.kdc_offset
        );
        // The offset goes into the cache header, as MIT's kinit writes it.
        let dir = tempfile::tempdir().unwrap();
        let cc = dir.path().join("cc");
        cred.store_in(&cc).unwrap();
        let cache = CredentialCache::read(&cc).unwrap();
        let (secs, _) = cache.kdc_offset.unwrap();
        assert!(
            (i64::from(secs) + offset).abs() <= 5,
            "header offset {secs}"
        );
    }
}

#[test]
fn blocking_and_tokio_drivers() {
    let cred = client()
        .get_tgt("alice", Secret::password(ALICE_PW))
        .unwrap();
    check_tgt(&cred, "alice@EXAMPLE.TEST");
    #[cfg(feature = "tokio")]
    {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .worker_threads(1)
            .build()
            .unwrap();
        let c = client();
        let cred = rt
            .block_on(async move { c.get_tgt_async("alice", Secret::password(ALICE_PW)).await })
            .unwrap();
        check_tgt(&cred, "alice@EXAMPLE.TEST");
        let c = client();
        let e = rt
            .block_on(async move { c.get_tgt_async("alice", Secret::password("nope")).await })
            .unwrap_err();
        assert!(e.is_wrong_password(), "{e}");
    }
}

#[test]
fn stored_cache_is_listed_by_klist_and_used_by_kvno() {
    let m = mit();
    let lab = common::lab();
    let dir = tempfile::tempdir().unwrap();
    let cc = dir.path().join("cc");
    // Something else there first: kinit replaces the cache.
    std::fs::write(&cc, b"not a cache").unwrap();
    let cred = client()
        .get_tgt_with(
            "alice",
            Secret::password(ALICE_PW),
            &TgtOptions::default().forwardable(true),
        )
        .unwrap();
    client()
        .store(
            &cred,
            &CcacheName::parse(&format!("FILE:{}", cc.display())).unwrap(),
        )
        .unwrap();
    let cache = CredentialCache::read(&cc).unwrap();
    assert_eq!(cache.default_principal.to_string(), "alice@EXAMPLE.TEST");
    assert_eq!(cache.tickets().count(), 1);
    let tgt = Principal::krbtgt(m.realm.clone(), m.realm.clone());
    assert_eq!(cache.config(CONF_PA_TYPE, Some(&tgt)), Some(&b"2"[..]));

    let out = lab.klist(&cc, &["-e", "-f"]);
    assert!(
        out.contains("Default principal: alice@EXAMPLE.TEST"),
        "{out}"
    );
    assert!(out.contains("krbtgt/EXAMPLE.TEST@EXAMPLE.TEST"), "{out}");
    assert!(
        out.contains("Flags: FI") || out.contains("Flags: FRI"),
        "{out}"
    );
    assert!(out.contains("aes256-cts-hmac-sha1-96"), "{out}");
    let out = lab.klist(&cc, &["-C"]);
    assert!(
        out.contains("config: pa_type(krbtgt/EXAMPLE.TEST@EXAMPLE.TEST) = 2"),
        "{out}"
    );
    lab.kvno(&cc, "HTTP/web.example.test");
    let out = lab.klist(&cc, &[]);
    assert!(out.contains("HTTP/web.example.test@EXAMPLE.TEST"), "{out}");

    // A DIR: collection is created as MIT does.
    let coll = dir.path().join("coll");
    cred.store(&CcacheName::parse(&format!("DIR:{}", coll.display())).unwrap())
        .unwrap();
    let mut c = lab.cmd("klist");
    c.env("KRB5CCNAME", format!("DIR:{}", coll.display()));
    let out = String::from_utf8(common::run(c, None).stdout).unwrap();
    assert!(
        out.contains("Default principal: alice@EXAMPLE.TEST"),
        "{out}"
    );
}

#[test]
fn kinit_example_with_password_on_stdin() {
    let m = mit();
    let lab = common::lab();
    let exe = kinit_example();
    let dir = tempfile::tempdir().unwrap();
    let cc = dir.path().join("cc");
    let kinit = |args: &[&str], stdin: &str| {
        let mut c = lab.cmd(exe.to_str().unwrap());
        c.env("KRB5CCNAME", format!("FILE:{}", cc.display()))
            .args(args);
        run_unchecked(c, stdin)
    };
    let out = kinit(
        &["-l", "1h30m", "-r", "2d", "-f", "alice@EXAMPLE.TEST"],
        "Alice-Passw0rd\n",
    );
    assert!(
        out.status.success(),
        "kinit failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let list = lab.klist(&cc, &["-f"]);
    assert!(
        list.contains("Default principal: alice@EXAMPLE.TEST"),
        "{list}"
    );
    assert!(list.contains("krbtgt/EXAMPLE.TEST@EXAMPLE.TEST"), "{list}");
    assert!(
        list.contains("Flags: FRI"),
        "forwardable, renewable, initial: {list}"
    );
    let cache = CredentialCache::read(&cc).unwrap();
    let t = cache.tickets().next().unwrap().times;
    assert!((i64::from(t.endtime) - i64::from(t.starttime) - 5400).abs() < 10);
    assert!((i64::from(t.renew_till) - i64::from(t.starttime) - 2 * 86400).abs() < 10);

    // Keytab, default cache from KRB5CCNAME.
    let kt = m.keytab("svc.keytab");
    let out = kinit(
        &["-k", "-t", kt.to_str().unwrap(), "host/svc.example.test"],
        "",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let list = lab.klist(&cc, &[]);
    assert!(
        list.contains("Default principal: host/svc.example.test@EXAMPLE.TEST"),
        "{list}"
    );

    // -c, and a wrong password: non-zero exit and a clear message.
    let cc2 = dir.path().join("cc2");
    let out = kinit(&["-c", cc2.to_str().unwrap(), "alice"], "wrong\n");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("kinit:") && err.contains("password"), "{err}");
    assert!(!cc2.exists() || std::fs::metadata(&cc2).unwrap().len() == 0);
    let out = kinit(&["-c", cc2.to_str().unwrap(), "alice"], "Alice-Passw0rd\n");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(lab.klist(&cc2, &[]).contains("alice@EXAMPLE.TEST"));

    // Bad usage.
    let out = kinit(&["-l", "soon", "alice"], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a duration"));
}

#[cfg(feature = "dns")]
#[test]
fn kdc_discovery_through_dns_srv() {
    use kerberos_client::transport::discovery::SrvLocator;
    let m = mit();
    let conf = format!(
        "[libdefaults]\n default_realm = {r}\n dns_lookup_kdc = true\n[realms]\n {r} = {{\n }}\n",
        r = m.realm
    );
    let c = Client::builder()
        .config(Config::parse_str(&conf).unwrap())
        .srv_locator(SrvLocator::with_nameservers(vec![common::dns_server()]))
        .kdc_timeout(Duration::from_millis(700))
        .build()
        .unwrap();
    let kdcs = c.kdcs(&m.realm).unwrap();
    assert!(
        kdcs.iter().any(|e| e.port == m.kdc_port()),
        "SRV records of {} name the lab KDC {}: {kdcs:?}",
        m.realm,
        m.kdc
    );
    let cred = c.get_tgt("alice", Secret::password(ALICE_PW)).unwrap();
    check_tgt(&cred, "alice@EXAMPLE.TEST");
    // The same lookup from the tokio driver.
    #[cfg(feature = "tokio")]
    {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let cred = rt
            .block_on(c.get_tgt_async("alice", Secret::password(ALICE_PW)))
            .unwrap();
        check_tgt(&cred, "alice@EXAMPLE.TEST");
    }
    // A realm without SRV records.
    let e = c
        .get_tgt("alice@NOSUCH.TEST", Secret::password("x"))
        .unwrap_err();
    assert!(matches!(e, ClientError::NoKdc { .. }), "{e}");
    assert!(e.to_string().contains("SRV"), "{e}");
    // dns_lookup_kdc = false: no lookup, a clear error.
    let off =
        Client::from_config_str(&conf.replace("dns_lookup_kdc = true", "dns_lookup_kdc = false"))
            .unwrap();
    let e = off
        .get_tgt("alice", Secret::password(ALICE_PW))
        .unwrap_err();
    assert!(e.to_string().contains("dns_lookup_kdc is false"), "{e}");
}

#[test]
fn pac_request_false_gives_a_tgt_without_pac() {
    // MIT 1.20 puts a PAC in every ticket unless PA-PAC-REQUEST says no. (Samba keeps the PAC in
    // TGTs whatever the request says and records the request in PAC_ATTRIBUTES_INFO instead.)
    let with = client()
        .get_tgt_with(
            "alice",
            Secret::password(ALICE_PW),
            &TgtOptions::default().request_pac(true),
        )
        .unwrap();
    let without = client()
        .get_tgt_with(
            "alice",
            Secret::password(ALICE_PW),
            &TgtOptions::default().request_pac(false),
        )
        .unwrap();
    check_tgt(&without, "alice@EXAMPLE.TEST");
    assert!(
        without.ticket.len() + 100 < with.ticket.len(),
        "a TGT without PAC ({} bytes) is smaller than one with a (minimal) PAC ({} bytes)",
        without.ticket.len(),
        with.ticket.len()
    );
}

#[test]
fn kinit_example_prompts_on_a_terminal_without_echo() {
    use rustix::pty::{OpenptFlags, grantpt, openpt, ptsname, unlockpt};
    use std::io::{Read, Write};
    let lab = common::lab();
    let exe = kinit_example();
    let dir = tempfile::tempdir().unwrap();
    let cc = dir.path().join("cc");
    // A pseudo-terminal as the child's stdin, stdout and stderr.
    let master = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY).unwrap();
    grantpt(&master).unwrap();
    unlockpt(&master).unwrap();
    let slave_name = ptsname(&master, Vec::new()).unwrap();
    let slave = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(slave_name.to_str().unwrap())
        .unwrap();
    let mut c = lab.cmd(exe.to_str().unwrap());
    c.env("KRB5CCNAME", format!("FILE:{}", cc.display()))
        .arg("alice")
        .stdin(slave.try_clone().unwrap())
        .stdout(slave.try_clone().unwrap())
        .stderr(slave);
    let mut child = c.spawn().unwrap();
    drop(c);
    let mut master = std::fs::File::from(master);
    let mut reader = master.try_clone().unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<Vec<u8>>();
    std::thread::spawn(move || {
        let mut buf = [0u8; 512];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !String::from_utf8_lossy(&seen).contains("Password for alice@EXAMPLE.TEST: ") {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match rx.recv_timeout(left) {
            Ok(chunk) => seen.extend(chunk),
            Err(_) => panic!(
                "no prompt on the terminal: {:?}",
                String::from_utf8_lossy(&seen)
            ),
        }
    }
    master.write_all(b"Alice-Passw0rd\n").unwrap();
    let status = child.wait().unwrap();
    while let Ok(chunk) = rx.recv_timeout(Duration::from_millis(300)) {
        seen.extend(chunk);
    }
    let shown = String::from_utf8_lossy(&seen).into_owned();
    assert!(status.success(), "kinit failed: {shown:?}");
    assert!(
        !shown.contains("Alice-Passw0rd"),
        "password echoed: {shown:?}"
    );
    assert!(
        lab.klist(&cc, &[])
            .contains("Default principal: alice@EXAMPLE.TEST")
    );
}
