//! The sans-IO AS exchange against the real MIT KDC of `scripts/mit-kdc.sh`, driven through
//! `transport::blocking::send` (see tests/common/mod.rs for the required environment).

mod common;

use std::time::{Duration, SystemTime};

use common::{ALICE_PW, BOB_PW, lab};
use kerberos_client::asn1::{RawTicket, TicketFlags};
use kerberos_client::ccache::CredentialCache;
use kerberos_client::crypto::{EncryptionType, Key};
use kerberos_client::exchange::{
    AsExchange, AsOptions, AsRequest, AsSecret, Credential, ExchangeError, Step,
};
use kerberos_client::keytab::Keytab;
use kerberos_client::principal::Principal;
use kerberos_client::transport::{KdcEndpoint, SendOptions, blocking};

const RC4_PW: &str = "Rc4-Passw0rd";
const SHA2_PW: &str = "Sha2-Passw0rd";

fn endpoints() -> Vec<KdcEndpoint> {
    let lab = lab();
    let (host, port) = lab
        .kdc
        .rsplit_once(':')
        .unwrap_or_else(|| panic!("KC_MIT_KDC={} is not host:port", lab.kdc));
    vec![KdcEndpoint::new(
        host,
        port.parse().expect("KC_MIT_KDC port"),
    )]
}

/// The blocking driver loop with the client's clock shifted by `shift_secs`; returns the
/// credential (or the exchange's error) and the number of messages sent.
fn drive_shifted(req: AsRequest, shift_secs: i64) -> (Result<Credential, ExchangeError>, usize) {
    let realm = lab().realm;
    let eps = endpoints();
    let now = || {
        let t = SystemTime::now();
        if shift_secs >= 0 {
            t + Duration::from_secs(shift_secs.unsigned_abs())
        } else {
            t - Duration::from_secs(shift_secs.unsigned_abs())
        }
    };
    let mut sent = 0;
    let mut ex = match AsExchange::new(req, now()) {
        Ok(ex) => ex,
        Err(e) => return (Err(e), sent),
    };
    loop {
        match ex.poll() {
            Some(Step::Send(out)) => {
                assert_eq!(out.realm, realm, "the lab has no referrals");
                sent += 1;
                let opts = SendOptions {
                    tcp_only: out.tcp_only,
                    ..SendOptions::default()
                };
                let reply = blocking::send(&out.realm, &eps, &out.message, &opts)
                    .unwrap_or_else(|e| panic!("transport to the MIT KDC failed: {e}"));
                if let Err(e) = ex.receive(&reply, now()) {
                    return (Err(e), sent);
                }
            }
            Some(Step::Done(cred)) => return (Ok(cred), sent),
            None => panic!("poll() gave None before Done"),
        }
    }
}

fn drive(req: AsRequest) -> (Result<Credential, ExchangeError>, usize) {
    drive_shifted(req, 0)
}

fn principal(name: &str) -> Principal {
    Principal::parse(name, Some(&lab().realm)).expect("principal")
}

fn password_request(name: &str, pw: &str, options: AsOptions) -> AsRequest {
    AsRequest {
        client: principal(name),
        secret: AsSecret::password(pw),
        options,
    }
}

fn only(etype: i32) -> AsOptions {
    AsOptions {
        etypes: vec![etype],
        allow_weak_crypto: etype == 23,
        ..AsOptions::default()
    }
}

/// Checks shared by every TGT from the lab.
fn check_tgt(cred: &Credential, client: &str) {
    let realm = lab().realm;
    assert_eq!(cred.client.to_string(), format!("{client}@{realm}"));
    assert_eq!(cred.server.to_string(), format!("krbtgt/{realm}@{realm}"));
    let ticket = RawTicket::from_der(cred.ticket.clone())
        .expect("ticket bytes")
        .parse()
        .expect("ticket");
    assert_eq!(ticket.realm.as_str(), Some(realm.as_str()));
    assert_eq!(ticket.sname.to_string_lossy(), format!("krbtgt/{realm}"));
    let flags = TicketFlags::from_u32(cred.flags);
    assert!(flags.is_set(TicketFlags::INITIAL), "flags {:?}", flags);
    assert!(cred.end_time > cred.start_time);
    assert!(cred.start_time >= cred.auth_time);
    assert!(
        cred.kdc_offset.abs() <= 2,
        "same host, offset {}",
        cred.kdc_offset
    );
    let now = SystemTime::now();
    assert!(cred.is_valid_at(now));
    // MIT answers PA-REQ-ENC-PA-REP (RFC 6806 §11) and sets the enc-pa-rep flag.
    assert!(
        flags.is_set(TicketFlags::ENC_PA_REP),
        "MIT sets enc-pa-rep: {flags:?}"
    );
    assert!(cred.enc_padata(149).is_some());
}

#[test]
fn alice_password_each_enctype() {
    for etype in [17, 18, 19, 20, 23] {
        let (cred, sent) = drive(password_request("alice", ALICE_PW, only(etype)));
        let cred = cred.unwrap_or_else(|e| panic!("alice with etype {etype}: {e}"));
        check_tgt(&cred, "alice");
        assert_eq!(
            sent, 2,
            "AS-REQ, PREAUTH_REQUIRED, AS-REQ with PA-ENC-TIMESTAMP"
        );
        assert_eq!(cred.session_key.etype().id(), etype);
        let flags = TicketFlags::from_u32(cred.flags);
        assert!(flags.is_set(TicketFlags::PRE_AUTHENT), "etype {etype}");
    }
}

#[test]
fn alice_default_options_forwardable_renewable() {
    let opts = AsOptions {
        forwardable: true,
        proxiable: true,
        renew_lifetime: Some(Duration::from_secs(2 * 86400)),
        lifetime: Duration::from_secs(3600),
        request_pac: Some(true),
        ..AsOptions::default()
    };
    let (cred, _) = drive(password_request("alice", ALICE_PW, opts));
    let cred = cred.expect("alice");
    check_tgt(&cred, "alice");
    assert_eq!(
        cred.session_key.etype(),
        EncryptionType::Aes256CtsHmacSha196
    );
    let flags = TicketFlags::from_u32(cred.flags);
    assert!(flags.is_set(TicketFlags::FORWARDABLE), "{flags:?}");
    assert!(flags.is_set(TicketFlags::PROXIABLE), "{flags:?}");
    assert!(flags.is_set(TicketFlags::RENEWABLE), "{flags:?}");
    assert!(cred.renew_till.is_some());
    assert!(cred.end_time - cred.start_time <= 3600 + 5);
}

#[test]
fn bob_without_preauth() {
    let (cred, sent) = drive(password_request("bob", BOB_PW, AsOptions::default()));
    let cred = cred.expect("bob");
    check_tgt(&cred, "bob");
    assert_eq!(sent, 1, "bob needs no pre-authentication");
    assert!(!TicketFlags::from_u32(cred.flags).is_set(TicketFlags::PRE_AUTHENT));
}

#[test]
fn bob_wrong_password_reply_does_not_decrypt() {
    let (res, _) = drive(password_request("bob", "not-bobs", AsOptions::default()));
    let err = res.expect_err("wrong password must fail");
    assert!(
        matches!(err, ExchangeError::ReplyDecryptFailed { .. }),
        "{err:?}"
    );
    assert!(err.is_wrong_password());
}

fn alice_keytab_keys() -> Vec<Key> {
    let kt = Keytab::read(lab().keytab("alice.keytab")).expect("alice.keytab");
    let alice = principal("alice");
    let keys: Vec<Key> = kt
        .entries
        .iter()
        .filter(|e| e.principal.matches(&alice))
        .filter_map(|e| {
            let etype = EncryptionType::try_from(e.key.etype).ok()?;
            Key::from_bytes(etype, &e.key.value).ok()
        })
        .collect();
    assert!(
        keys.len() >= 4,
        "alice.keytab has {} usable keys",
        keys.len()
    );
    keys
}

#[test]
fn alice_with_keytab_keys() {
    let (cred, _) = drive(AsRequest {
        client: principal("alice"),
        secret: AsSecret::Keys(alice_keytab_keys()),
        options: AsOptions::default(),
    });
    let cred = cred.expect("alice with keytab keys");
    check_tgt(&cred, "alice");
    // Each enctype alone, too.
    for etype in [17, 18, 19, 20] {
        let keys: Vec<Key> = alice_keytab_keys()
            .into_iter()
            .filter(|k| k.etype().id() == etype)
            .collect();
        let (cred, _) = drive(AsRequest {
            client: principal("alice"),
            secret: AsSecret::Keys(keys),
            options: AsOptions::default(),
        });
        let cred = cred.unwrap_or_else(|e| panic!("alice keytab etype {etype}: {e}"));
        assert_eq!(cred.session_key.etype().id(), etype);
    }
}

#[test]
fn keys_of_an_unrequested_enctype_only_is_no_common_enctype() {
    let keys: Vec<Key> = alice_keytab_keys()
        .into_iter()
        .filter(|k| k.etype().id() == 23)
        .collect();
    let (res, sent) = drive(AsRequest {
        client: principal("alice"),
        secret: AsSecret::Keys(keys),
        options: AsOptions::default(),
    });
    assert_eq!(sent, 0);
    assert!(
        matches!(res, Err(ExchangeError::NoCommonEtype { .. })),
        "{res:?}"
    );
}

#[test]
fn wrong_password_is_typed() {
    let (res, _) = drive(password_request(
        "alice",
        "Not-Alices-Password",
        AsOptions::default(),
    ));
    let err = res.expect_err("wrong password");
    assert_eq!(err.kdc_code(), Some(24), "{err:?}");
    assert!(err.is_wrong_password());
    let msg = err.to_string();
    assert!(msg.contains("wrong password"), "{msg}");
    assert!(msg.contains("KDC_ERR_PREAUTH_FAILED"), "{msg}");
}

#[test]
fn unknown_principal_is_typed() {
    let (res, sent) = drive(password_request("nobody", "x", AsOptions::default()));
    let err = res.expect_err("unknown principal");
    assert_eq!(sent, 1);
    assert_eq!(err.kdc_code(), Some(6), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("not found in the Kerberos database"), "{msg}");
    assert!(msg.contains("nobody@"), "{msg}");
}

#[test]
fn rc4user_without_weak_crypto_is_no_common_enctype() {
    let (res, _) = drive(password_request("rc4user", RC4_PW, AsOptions::default()));
    let err = res.expect_err("rc4user without RC4");
    // MIT answers PREAUTH_REQUIRED with neither ETYPE-INFO2 nor PA-ENC-TIMESTAMP when the
    // client has no key in the requested enctypes.
    assert!(
        matches!(err, ExchangeError::NoCommonEtype { .. }),
        "{err:?}"
    );
    assert!(err.is_no_common_etype());
    let msg = err.to_string();
    assert!(msg.contains("no common enctype"), "{msg}");
    assert!(msg.contains("aes256-cts-hmac-sha1-96"), "{msg}");
}

#[test]
fn rc4user_with_weak_crypto() {
    let opts = AsOptions {
        etypes: vec![18, 17, 23],
        allow_weak_crypto: true,
        ..AsOptions::default()
    };
    let (cred, _) = drive(password_request("rc4user", RC4_PW, opts));
    let cred = cred.expect("rc4user with RC4 allowed");
    check_tgt(&cred, "rc4user");
}

#[test]
fn sha2user_default_options() {
    let (cred, _) = drive(password_request("sha2user", SHA2_PW, AsOptions::default()));
    let cred = cred.expect("sha2user");
    check_tgt(&cred, "sha2user");
    // The reply key is an RFC 8009 key; the session key is the first requested enctype the
    // KDC allows (krbtgt has all).
    assert_eq!(cred.session_key.etype().id(), 18);
}

#[test]
fn clock_one_hour_ahead_is_corrected() {
    let (cred, sent) = drive_shifted(
        password_request("alice", ALICE_PW, AsOptions::default()),
        3600,
    );
    let cred = cred.expect("skew retry");
    assert_eq!(
        sent, 3,
        "AS-REQ, PREAUTH_REQUIRED, enc-ts (skew), enc-ts corrected"
    );
    assert!(
        (cred.kdc_offset + 3600).abs() <= 2,
        "kdc_offset {}",
        cred.kdc_offset
    );
    assert!(cred.is_valid_at(SystemTime::now() + Duration::from_secs(3600)));
}

#[test]
fn clock_one_hour_behind_is_corrected() {
    let (cred, _) = drive_shifted(
        password_request("alice", ALICE_PW, AsOptions::default()),
        -3600,
    );
    let cred = cred.expect("skew retry");
    assert!(
        (cred.kdc_offset - 3600).abs() <= 2,
        "kdc_offset {}",
        cred.kdc_offset
    );
}

#[test]
fn tgt_works_with_mit_tools() {
    let lab = lab();
    let (cred, _) = drive(password_request("alice", ALICE_PW, AsOptions::default()));
    let cred = cred.expect("alice");
    let dir = tempfile::tempdir().expect("tempdir");
    let cc = dir.path().join("cc");
    let mut cache = CredentialCache::new(cred.client.clone());
    cache.push(cred.to_ccache());
    cache.write_atomic(&cc).expect("write ccache");
    let out = lab.klist(&cc, &["-e"]);
    assert!(out.contains(&format!("krbtgt/{0}@{0}", lab.realm)), "{out}");
    assert!(out.contains("aes256-cts-hmac-sha1-96"), "{out}");
    // The TGT buys a service ticket from the KDC (MIT's kvno).
    let kvno = lab.kvno(&cc, &format!("host/svc.example.test@{}", lab.realm));
    assert!(kvno.status.success());
}
