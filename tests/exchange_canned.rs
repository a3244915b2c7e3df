//! The AS exchange against scripted replies from a fake KDC with real crypto
//! (tests/exchange_support). The client's clock is always the `now` passed in.

mod exchange_support;

use std::time::Duration;

use exchange_support::{ClientKey, FakeKdc, Hints, ITER, Mutation, Proof, T0, at, drive};
use kerberos_client::asn1::constants::padata_type as pt;
use kerberos_client::asn1::{
    self, EtypeInfo2Entry, KdcOptions, KerberosString, KrbError, OctetString, PaData, TicketFlags,
};
use kerberos_client::crypto::{EncryptionType, Key};
use kerberos_client::exchange::{
    AsExchange, AsOptions, AsRequest, AsSecret, Credential, ExchangeError, Outgoing, Step,
};
use kerberos_client::principal::{NT_ENTERPRISE, Principal};

const REALM: &str = "EXAMPLE.TEST";
const PW: &str = "Alice-Passw0rd";

fn alice() -> Principal {
    Principal::parse("alice@EXAMPLE.TEST", None).unwrap()
}

fn req(options: AsOptions) -> AsRequest {
    AsRequest {
        client: alice(),
        secret: AsSecret::password(PW),
        options,
    }
}

fn run_with(
    request: AsRequest,
    kdcs: &mut [&mut FakeKdc],
) -> (Result<Credential, ExchangeError>, Vec<Outgoing>) {
    let mut ex = AsExchange::new(request, at(T0)).expect("new");
    drive(&mut ex, kdcs, at(T0))
}

fn run(kdc: &mut FakeKdc) -> (Result<Credential, ExchangeError>, Vec<Outgoing>) {
    run_with(req(AsOptions::default()), &mut [kdc])
}

fn decode_req(out: &Outgoing) -> asn1::AsReq {
    asn1::decode(&out.message).expect("AS-REQ")
}

#[test]
fn preauth_required_then_enc_timestamp_then_done() {
    let mut kdc = FakeKdc::alice(REALM, PW);
    let (cred, sent) = run(&mut kdc);
    let cred = cred.expect("credential");
    assert_eq!(sent.len(), 2);
    assert!(sent.iter().all(|o| o.realm == REALM && !o.tcp_only));
    // First request: no pre-auth; the second carries PA-ENC-TIMESTAMP with aes256.
    let first = decode_req(&sent[0]);
    assert!(first.0.find_padata(pt::PA_ENC_TIMESTAMP).is_none());
    assert!(first.0.find_padata(pt::PA_REQ_ENC_PA_REP).is_some());
    assert_eq!(first.0.req_body.etype, vec![18, 17, 20, 19]);
    assert_eq!(first.0.req_body.till.unix(), T0 + 10 * 3600);
    assert!(
        first
            .0
            .req_body
            .kdc_options
            .is_set(KdcOptions::CANONICALIZE)
    );
    assert!(!first.0.req_body.kdc_options.is_set(KdcOptions::FORWARDABLE));
    let cname = first.0.req_body.cname.as_ref().unwrap();
    assert_eq!(cname.name_type, 1);
    assert_eq!(cname.to_string_lossy(), "alice");
    assert_eq!(
        first.0.req_body.sname.as_ref().unwrap().to_string_lossy(),
        "krbtgt/EXAMPLE.TEST"
    );
    assert_eq!(kdc.enc_ts_etypes, vec![18]);
    // RFC 6113 §5.2: the PA-FX-COOKIE of the error is echoed.
    let second = decode_req(&sent[1]);
    let cookie = second
        .0
        .find_padata(pt::PA_FX_COOKIE)
        .expect("cookie echoed");
    assert_eq!(&cookie.padata_value[..], b"cookie");
    assert!(second.0.find_padata(pt::PA_REQ_ENC_PA_REP).is_some());

    assert_eq!(cred.client.to_string(), "alice@EXAMPLE.TEST");
    assert_eq!(cred.server.to_string(), "krbtgt/EXAMPLE.TEST@EXAMPLE.TEST");
    assert_eq!(cred.auth_time, T0);
    assert_eq!(cred.start_time, T0);
    assert_eq!(cred.end_time, T0 + 10 * 3600);
    assert_eq!(cred.kdc_offset, 0);
    assert_eq!(
        cred.session_key.etype(),
        EncryptionType::Aes256CtsHmacSha196
    );
    assert!(TicketFlags::from_u32(cred.flags).is_set(TicketFlags::ENC_PA_REP));
    assert!(cred.enc_padata(pt::PA_REQ_ENC_PA_REP).is_some());
    let ticket = asn1::RawTicket::from_der(cred.ticket.clone())
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(ticket.sname.to_string_lossy(), "krbtgt/EXAMPLE.TEST");
    // ccache conversion
    let cc = cred.to_ccache();
    assert_eq!(cc.times.authtime as i64, T0);
    assert_eq!(cc.key.etype, 18);
    assert_eq!(cc.ticket, cred.ticket);
}

#[test]
fn request_options_reach_the_wire() {
    let mut kdc = FakeKdc::alice(REALM, PW);
    let opts = AsOptions {
        forwardable: true,
        proxiable: true,
        renew_lifetime: Some(Duration::from_secs(7 * 86400)),
        request_pac: Some(false),
        canonicalize: false,
        etypes: vec![23, 18, 17, 99, 18],
        lifetime: Duration::from_secs(3600),
        ..AsOptions::default()
    };
    let (cred, sent) = run_with(req(opts), &mut [&mut kdc]);
    let cred = cred.expect("credential");
    let r = decode_req(&sent[0]);
    let body = &r.0.req_body;
    // RC4 dropped (weak crypto off), 99 unknown, duplicates removed.
    assert_eq!(body.etype, vec![18, 17]);
    assert!(body.kdc_options.is_set(KdcOptions::FORWARDABLE));
    assert!(body.kdc_options.is_set(KdcOptions::PROXIABLE));
    assert!(body.kdc_options.is_set(KdcOptions::RENEWABLE));
    assert!(!body.kdc_options.is_set(KdcOptions::CANONICALIZE));
    assert_eq!(body.rtime.unwrap().unix(), T0 + 7 * 86400);
    assert_eq!(body.till.unix(), T0 + 3600);
    assert!(body.addresses.is_none());
    let pac = r.0.find_padata(pt::PA_PAC_REQUEST).expect("PA-PAC-REQUEST");
    let pac: asn1::KerbPaPacRequest = pac.decode_value().unwrap();
    assert!(!pac.include_pac);
    assert!(r.0.find_padata(pt::PA_REQ_ENC_PA_REP).is_none());
    assert_eq!(cred.renew_till, Some(T0 + 7 * 86400));
    assert_eq!(cred.end_time, T0 + 3600);
}

#[test]
fn nt_enterprise_name_goes_out_as_given() {
    let mut kdc = FakeKdc::alice(REALM, PW);
    kdc.keys = vec![ClientKey::from_password(18, PW, "EXAMPLE.TESTalice")];
    kdc.canonical_name = Some(vec!["alice".into()]);
    let client = Principal::new(NT_ENTERPRISE, REALM, ["alice@example.test"]);
    let (cred, sent) = run_with(
        AsRequest {
            client,
            secret: AsSecret::password(PW),
            options: AsOptions::default(),
        },
        &mut [&mut kdc],
    );
    let r = decode_req(&sent[0]);
    let cname = r.0.req_body.cname.unwrap();
    assert_eq!(cname.name_type, 10);
    assert_eq!(cname.to_string_lossy(), "alice@example.test");
    // The KDC canonicalized the name and proved it saw the request (PA-REQ-ENC-PA-REP).
    assert_eq!(
        cred.expect("canonicalized").client.to_string(),
        "alice@EXAMPLE.TEST"
    );
}

#[test]
fn changed_client_name_without_proof_is_refused() {
    for proof in [Proof::Missing, Proof::Bad, Proof::FlagOnly] {
        let mut kdc = FakeKdc::alice(REALM, PW);
        kdc.canonical_name = Some(vec!["Alice".into()]);
        kdc.proof = proof;
        let (res, _) = run(&mut kdc);
        let err = res.expect_err("no proof");
        match proof {
            Proof::Missing | Proof::FlagOnly => assert!(
                matches!(err, ExchangeError::ClientNameMismatch { .. }),
                "{err:?}"
            ),
            _ => assert!(
                matches!(err, ExchangeError::RequestChecksumInvalid(_)),
                "{proof:?}: {err:?}"
            ),
        }
    }
}

#[test]
fn changed_client_name_without_canonicalize_is_refused() {
    let mut kdc = FakeKdc::alice(REALM, PW);
    kdc.canonical_name = Some(vec!["Alice".into()]);
    let (res, _) = run_with(
        req(AsOptions {
            canonicalize: false,
            ..AsOptions::default()
        }),
        &mut [&mut kdc],
    );
    assert!(
        matches!(res, Err(ExchangeError::ClientNameMismatch { .. })),
        "{res:?}"
    );
}

#[test]
fn kdc_without_enc_pa_rep_support_is_fine_when_nothing_changes() {
    let mut kdc = FakeKdc::alice(REALM, PW);
    kdc.proof = Proof::Missing;
    let (cred, _) = run(&mut kdc);
    let cred = cred.expect("no RFC 6806 support is fine");
    assert!(cred.enc_padata.is_empty());
    // Bit 15 set without the checksum (MS-KILE's name-canonicalize): fine too.
    let mut kdc = FakeKdc::alice(REALM, PW);
    kdc.proof = Proof::FlagOnly;
    let cred = run(&mut kdc).0.expect("flag only");
    assert!(TicketFlags::from_u32(cred.flags).is_set(TicketFlags::ENC_PA_REP));
}

#[test]
fn wrong_password_is_a_typed_error() {
    let mut kdc = FakeKdc::alice(REALM, "the-real-password");
    let (res, sent) = run(&mut kdc);
    let err = res.expect_err("wrong password");
    // Both ETYPE-INFO2 entries have the same salt: another etype cannot help a wrong
    // password, so there is no retry (each failure counts towards account lockout).
    assert_eq!(kdc.enc_ts_etypes, vec![18]);
    assert_eq!(sent.len(), 2);
    assert_eq!(err.kdc_code(), Some(24));
    assert!(err.is_wrong_password());
    let kerr = err.kdc_error().unwrap();
    assert_eq!(kerr.name, "KDC_ERR_PREAUTH_FAILED");
    assert_eq!(kerr.realm, REALM);
    let msg = err.to_string();
    assert!(msg.starts_with("wrong password"), "{msg}");
    assert!(msg.contains("KDC_ERR_PREAUTH_FAILED"), "{msg}");
}

#[test]
fn preauth_failed_retries_once_with_another_etype_info2_entry() {
    // The aes256 entry's salt does not match how its key was made; the aes128 entry
    // (another salt) is right: one retry with it.
    let stale = || {
        let mut k = ClientKey::from_password(18, PW, "NEWSALT");
        k.salt = Some("EXAMPLE.TESTalice".into());
        k
    };
    let mut kdc = FakeKdc::new(
        REALM,
        vec![stale(), ClientKey::from_password(17, PW, "NEWSALT")],
    );
    let (cred, sent) = run(&mut kdc);
    let cred = cred.expect("retry with aes128");
    assert_eq!(kdc.enc_ts_etypes, vec![18, 17]);
    assert_eq!(sent.len(), 3);
    assert_eq!(
        cred.session_key.etype().id(),
        18,
        "session key: first requested"
    );

    // Without etype info in PREAUTH_FAILED, the earlier list is used.
    let mut kdc = FakeKdc::new(
        REALM,
        vec![stale(), ClientKey::from_password(17, PW, "NEWSALT")],
    );
    kdc.hints_in_preauth_failed = false;
    assert!(run(&mut kdc).0.is_ok());

    // With keys, another key is another chance: a stale aes256 key, a good aes128 one.
    let good17 = ClientKey::from_password(17, PW, "EXAMPLE.TESTalice");
    let mut kdc = FakeKdc::new(
        REALM,
        vec![
            ClientKey::from_password(18, PW, "EXAMPLE.TESTalice"),
            good17.clone(),
        ],
    );
    let stale18 = ClientKey::from_password(18, "old", "EXAMPLE.TESTalice");
    let request = AsRequest {
        client: alice(),
        secret: AsSecret::Keys(vec![stale18.key, good17.key]),
        options: AsOptions::default(),
    };
    let (cred, _) = run_with(request, &mut [&mut kdc]);
    cred.expect("retry with the aes128 key");
    assert_eq!(kdc.enc_ts_etypes, vec![18, 17]);
}

#[test]
fn preauth_failed_without_another_entry_is_final() {
    let mut kdc = FakeKdc::new(
        REALM,
        vec![ClientKey::from_password(18, "other", "EXAMPLE.TESTalice")],
    );
    let (res, sent) = run(&mut kdc);
    assert_eq!(res.unwrap_err().kdc_code(), Some(24));
    assert_eq!(sent.len(), 2);
}

#[test]
fn etype_info2_with_several_entries_picks_the_strongest_permitted() {
    let keys = || {
        vec![
            ClientKey::from_password(23, PW, ""),
            ClientKey::from_password(17, PW, "EXAMPLE.TESTalice"),
            ClientKey::from_password(20, PW, "random-salt-20"),
            ClientKey::from_password(18, PW, "EXAMPLE.TESTalice"),
        ]
    };
    // Client preference [18, 17, 20, 19]: aes256-sha1 first.
    let mut kdc = FakeKdc::new(REALM, keys());
    assert!(run(&mut kdc).0.is_ok());
    assert_eq!(kdc.enc_ts_etypes, vec![18]);

    // Preference [20, 19, 18, 17]: aes256-sha384, with its own (Heimdal-style random) salt.
    let mut kdc = FakeKdc::new(REALM, keys());
    let opts = AsOptions {
        etypes: vec![20, 19, 18, 17],
        ..AsOptions::default()
    };
    let (cred, _) = run_with(req(opts), &mut [&mut kdc]);
    assert_eq!(cred.expect("sha384").session_key.etype().id(), 20);
    assert_eq!(kdc.enc_ts_etypes, vec![20]);

    // RC4 listed first by the client but weak crypto is off: never chosen.
    let mut kdc = FakeKdc::new(REALM, keys());
    kdc.keys.retain(|k| k.etype == 23 || k.etype == 17);
    let opts = AsOptions {
        etypes: vec![23, 17],
        ..AsOptions::default()
    };
    assert!(run_with(req(opts), &mut [&mut kdc]).0.is_ok());
    assert_eq!(kdc.enc_ts_etypes, vec![17]);

    // With weak crypto allowed and preferred, RC4 is used.
    let mut kdc = FakeKdc::new(REALM, keys());
    let opts = AsOptions {
        etypes: vec![23, 17],
        allow_weak_crypto: true,
        ..AsOptions::default()
    };
    assert!(run_with(req(opts), &mut [&mut kdc]).0.is_ok());
    assert_eq!(kdc.enc_ts_etypes, vec![23]);
}

#[test]
fn etype_info2_without_a_usable_entry_is_no_common_etype() {
    let mut kdc = FakeKdc::new(REALM, vec![ClientKey::from_password(23, PW, "")]);
    let (res, sent) = run(&mut kdc);
    let err = res.expect_err("only RC4 offered");
    assert_eq!(sent.len(), 1);
    match &err {
        ExchangeError::NoCommonEtype { kdc, usable, .. } => {
            assert_eq!(kdc, &vec![23]);
            assert_eq!(usable, &vec![18, 17, 20, 19]);
        }
        other => panic!("{other:?}"),
    }
    assert!(err.is_no_common_etype());
    assert!(err.to_string().contains("arcfour-hmac"), "{err}");
}

#[test]
fn old_kdc_etype_info_and_pw_salt_and_default_salt() {
    // ETYPE-INFO (no s2kparams): the default iteration count is used by the client, so
    // the KDC's keys must use it too.
    let k = |etype: i32, salt: &str| {
        let t = EncryptionType::try_from(etype).unwrap();
        ClientKey {
            etype,
            salt: Some(salt.to_owned()),
            s2kparams: None,
            key: Key::from_password(t, PW, salt.as_bytes(), None).unwrap(),
        }
    };
    let mut kdc = FakeKdc::new(REALM, vec![k(17, "custom-salt")]);
    kdc.hints = Hints::Info1;
    assert!(run(&mut kdc).0.is_ok(), "ETYPE-INFO");
    assert_eq!(kdc.enc_ts_etypes, vec![17]);

    let mut kdc = FakeKdc::new(REALM, vec![k(18, "pw-salt-only")]);
    kdc.hints = Hints::PwSaltOnly;
    assert!(run(&mut kdc).0.is_ok(), "PW-SALT");

    let mut kdc = FakeKdc::new(REALM, vec![k(18, "EXAMPLE.TESTalice")]);
    kdc.hints = Hints::Nothing;
    assert!(run(&mut kdc).0.is_ok(), "default salt");
}

#[test]
fn keys_secret_uses_the_key_the_kdc_lists() {
    let k17 = ClientKey::from_password(17, PW, "salt17");
    let k18 = ClientKey::from_password(18, "x", "salt18");
    let mut kdc = FakeKdc::new(REALM, vec![k17.clone()]);
    let request = AsRequest {
        client: alice(),
        secret: AsSecret::Keys(vec![k18.key.clone(), k17.key.clone()]),
        options: AsOptions::default(),
    };
    let (cred, sent) = run_with(request, &mut [&mut kdc]);
    cred.expect("keys");
    assert_eq!(kdc.enc_ts_etypes, vec![17]);
    // The etype list is restricted to the keys' etypes, in the configured order.
    assert_eq!(decode_req(&sent[0]).0.req_body.etype, vec![18, 17]);
}

#[test]
fn keys_of_several_kvnos_are_all_tried_on_the_reply() {
    let old = ClientKey::from_password(18, "old", "EXAMPLE.TESTalice");
    let new = ClientKey::from_password(18, PW, "EXAMPLE.TESTalice");
    let mut kdc = FakeKdc::new(REALM, vec![new.clone()]);
    kdc.require_preauth = false;
    let request = AsRequest {
        client: alice(),
        secret: AsSecret::Keys(vec![old.key.clone(), new.key.clone()]),
        options: AsOptions::default(),
    };
    let (cred, sent) = run_with(request, &mut [&mut kdc]);
    cred.expect("the second key of etype 18 decrypts the reply");
    assert_eq!(sent.len(), 1);
    // Only wrong keys: the typed wrong-password error.
    let mut kdc = FakeKdc::new(REALM, vec![new]);
    kdc.require_preauth = false;
    let request = AsRequest {
        client: alice(),
        secret: AsSecret::Keys(vec![old.key.clone()]),
        options: AsOptions::default(),
    };
    let err = run_with(request, &mut [&mut kdc]).0.unwrap_err();
    assert!(
        matches!(err, ExchangeError::ReplyDecryptFailed { etype: 18 }),
        "{err:?}"
    );
}

#[test]
fn clock_skew_is_learned_and_retried_once() {
    let mut kdc = FakeKdc::alice(REALM, PW);
    kdc.offset = 3600;
    let (cred, sent) = run(&mut kdc);
    let cred = cred.expect("skew retry");
    assert_eq!(sent.len(), 3);
    assert!((cred.kdc_offset - 3600).abs() <= 1, "{}", cred.kdc_offset);
    assert_eq!(cred.auth_time, T0 + 3600);
    // The retried request's till is in KDC time.
    assert_eq!(
        decode_req(&sent[2]).0.req_body.till.unix(),
        T0 + 3600 + 10 * 3600
    );
    assert!(cred.is_valid_at(at(T0)));
    // endtime is T0 + 11 h in KDC time, i.e. T0 + 10 h on the client's clock.
    assert_eq!(cred.end_time, T0 + 11 * 3600);
    assert!(!cred.is_expired(at(T0 + 10 * 3600 - 1)));
    assert!(cred.is_expired(at(T0 + 10 * 3600)));
    assert_eq!(cred.remaining_secs(at(T0)), 10 * 3600);
}

#[test]
fn second_skew_error_is_final_with_the_offset_in_the_message() {
    // The KDC claims in every error that it is 1 h ahead, yet never accepts a timestamp.
    let mut ex = AsExchange::new(req(AsOptions::default()), at(T0)).unwrap();
    let Some(Step::Send(out)) = ex.poll() else {
        panic!()
    };
    let kdc = FakeKdc::alice(REALM, PW);
    let r = decode_req(&out);
    let skew = kdc.error_at(&r, 37, None, T0 + 3600, 500_000);
    ex.receive(&skew, at(T0)).expect("first skew: retry");
    assert_eq!(ex.kdc_offset(), 3600);
    let Some(Step::Send(out2)) = ex.poll() else {
        panic!()
    };
    assert_eq!(
        decode_req(&out2).0.req_body.till.unix(),
        T0 + 3600 + 10 * 3600
    );
    let err = ex.receive(&skew, at(T0)).expect_err("second skew");
    assert_eq!(err.kdc_code(), Some(37));
    let msg = err.to_string();
    assert!(msg.contains("3600 s (1h00m) ahead of"), "{msg}");
    assert!(ex.poll().is_none(), "failed exchanges stay failed");
}

#[test]
fn wrong_realm_referral_then_success() {
    let mut a = FakeKdc::alice("A.TEST", PW);
    a.refer_to = Some(REALM.into());
    let mut b = FakeKdc::alice(REALM, PW);
    let client = Principal::new(NT_ENTERPRISE, "A.TEST", ["alice@example.test"]);
    let (cred, sent) = run_with(
        AsRequest {
            client,
            secret: AsSecret::password(PW),
            options: AsOptions::default(),
        },
        &mut [&mut a, &mut b],
    );
    let cred = cred.expect("after referral");
    let realms: Vec<&str> = sent.iter().map(|o| o.realm.as_str()).collect();
    assert_eq!(realms, ["A.TEST", REALM, REALM]);
    assert_eq!(cred.client.realm_str(), REALM);
    assert_eq!(cred.server.to_string(), "krbtgt/EXAMPLE.TEST@EXAMPLE.TEST");
    let r = decode_req(&sent[1]);
    assert_eq!(r.0.req_body.realm.as_str(), Some(REALM));
    assert_eq!(
        r.0.req_body.sname.unwrap().to_string_lossy(),
        "krbtgt/EXAMPLE.TEST"
    );
}

#[test]
fn referral_to_a_kdc_with_another_clock() {
    let mut a = FakeKdc::alice("A.TEST", PW);
    a.refer_to = Some(REALM.into());
    let mut b = FakeKdc::alice(REALM, PW);
    b.offset = -3600;
    let client = Principal::new(1, "A.TEST", ["alice"]);
    let (cred, sent) = run_with(
        AsRequest {
            client,
            secret: AsSecret::password(PW),
            options: AsOptions::default(),
        },
        &mut [&mut a, &mut b],
    );
    // Referral, PREAUTH_REQUIRED, skew, success.
    assert_eq!(sent.len(), 4);
    let cred = cred.expect("skew retry after the referral");
    assert!((cred.kdc_offset + 3600).abs() <= 1, "{}", cred.kdc_offset);
    assert_eq!(cred.client.to_string(), "alice@EXAMPLE.TEST");
}

#[test]
fn referral_hop_limit_and_loops() {
    // A → B → C → D with max_referrals 2.
    let mut a = FakeKdc::alice("A.TEST", PW);
    a.refer_to = Some("B.TEST".into());
    let mut b = FakeKdc::alice("B.TEST", PW);
    b.refer_to = Some("C.TEST".into());
    let mut c = FakeKdc::alice("C.TEST", PW);
    c.refer_to = Some("D.TEST".into());
    let client = Principal::new(1, "A.TEST", ["alice"]);
    let opts = AsOptions {
        max_referrals: 2,
        ..AsOptions::default()
    };
    let (res, sent) = run_with(
        AsRequest {
            client: client.clone(),
            secret: AsSecret::password(PW),
            options: opts,
        },
        &mut [&mut a, &mut b, &mut c],
    );
    assert_eq!(sent.len(), 3);
    match res {
        Err(ExchangeError::TooManyReferrals { realms }) => {
            assert_eq!(realms, ["A.TEST", "B.TEST", "C.TEST", "D.TEST"])
        }
        other => panic!("{other:?}"),
    }
    // A → B → A: a loop.
    let mut a = FakeKdc::alice("A.TEST", PW);
    a.refer_to = Some("B.TEST".into());
    let mut b = FakeKdc::alice("B.TEST", PW);
    b.refer_to = Some("A.TEST".into());
    let (res, _) = run_with(
        AsRequest {
            client,
            secret: AsSecret::password(PW),
            options: AsOptions::default(),
        },
        &mut [&mut a, &mut b],
    );
    let err = res.expect_err("loop");
    assert!(
        err.to_string().contains("A.TEST -> B.TEST -> A.TEST"),
        "{err}"
    );
}

#[test]
fn response_too_big_resends_over_tcp() {
    let mut kdc = FakeKdc::alice(REALM, PW);
    kdc.too_big_on_udp = true;
    let (cred, sent) = run(&mut kdc);
    cred.expect("over TCP");
    assert_eq!(sent.len(), 3);
    assert!(!sent[0].tcp_only);
    assert!(sent[1].tcp_only);
    assert_eq!(sent[1].message, sent[0].message, "the same request, resent");
    assert!(sent[2].tcp_only, "TCP stays on");
}

fn mutated(m: Mutation) -> ExchangeError {
    let mut kdc = FakeKdc::alice(REALM, PW);
    kdc.mutation = m;
    if m == Mutation::Crealm || m == Mutation::Cname {
        kdc.proof = Proof::Missing;
    }
    if m == Mutation::Rc4EncPart {
        kdc.keys.push(ClientKey::from_password(23, PW, ""));
    }
    run(&mut kdc)
        .0
        .expect_err(&format!("{m:?} must be refused"))
}

#[test]
fn each_reply_violation_has_its_typed_error() {
    assert!(matches!(
        mutated(Mutation::Nonce),
        ExchangeError::NonceMismatch { .. }
    ));
    assert!(matches!(
        mutated(Mutation::Sname),
        ExchangeError::ServerNameMismatch { .. }
    ));
    assert!(matches!(
        mutated(Mutation::TicketSname),
        ExchangeError::ServerNameMismatch { .. }
    ));
    assert!(matches!(
        mutated(Mutation::Srealm),
        ExchangeError::ServerRealmMismatch { .. }
    ));
    assert!(matches!(
        mutated(Mutation::Crealm),
        ExchangeError::ClientRealmMismatch { .. }
    ));
    assert!(matches!(
        mutated(Mutation::Cname),
        ExchangeError::ClientNameMismatch { .. }
    ));
    assert!(matches!(
        mutated(Mutation::Tag(27)),
        ExchangeError::BadEncPartTag { found: 0x7b }
    ));
    assert!(matches!(
        mutated(Mutation::Rc4EncPart),
        ExchangeError::WeakCryptoRefused(23)
    ));
    assert!(matches!(
        mutated(Mutation::Rc4SessionKey),
        ExchangeError::WeakCryptoRefused(23)
    ));
    assert!(matches!(
        mutated(Mutation::EndtimeFar),
        ExchangeError::TimesInsane(_)
    ));
    assert!(matches!(
        mutated(Mutation::EndBeforeStart),
        ExchangeError::TimesInsane(_)
    ));
    let e = mutated(Mutation::WrongKey);
    assert!(
        matches!(e, ExchangeError::ReplyDecryptFailed { etype: 18 }),
        "{e:?}"
    );
    assert!(e.is_wrong_password());
    assert!(matches!(
        mutated(Mutation::MsgType),
        ExchangeError::UnexpectedMessage(_)
    ));
}

#[test]
fn reply_in_an_unrequested_etype_is_refused() {
    // The KDC answers in aes128 although the client only asked for aes256.
    let mut kdc = FakeKdc::new(
        REALM,
        vec![ClientKey::from_password(17, PW, "EXAMPLE.TESTalice")],
    );
    kdc.require_preauth = false;
    let opts = AsOptions {
        etypes: vec![18],
        ..AsOptions::default()
    };
    // The fake KDC then has no key in the requested etypes: ETYPE_NOSUPP, with the list.
    let (res, _) = run_with(req(opts), &mut [&mut kdc]);
    let err = res.unwrap_err();
    assert_eq!(err.kdc_code(), Some(14));
    assert!(err.to_string().contains("no common enctype"), "{err}");
    assert!(
        err.to_string().contains("aes256-cts-hmac-sha1-96 (18)"),
        "{err}"
    );
}

#[test]
fn enc_part_under_tag_26_is_accepted() {
    let mut kdc = FakeKdc::alice(REALM, PW);
    kdc.mutation = Mutation::Tag(26);
    run(&mut kdc).0.expect("MIT's [APPLICATION 26]");
}

#[test]
fn missing_starttime_defaults_to_authtime() {
    let mut kdc = FakeKdc::alice(REALM, PW);
    kdc.mutation = Mutation::NoStarttime;
    let cred = run(&mut kdc).0.expect("Heimdal/Samba without starttime");
    assert_eq!(cred.start_time, cred.auth_time);
    assert_eq!(cred.to_ccache().times.starttime as i64, cred.auth_time);
}

#[test]
fn no_preauth_reply_salt_comes_from_the_reply_padata() {
    // bob-style account without pre-auth, with a non-default salt announced in the AS-REP
    // (Heimdal sends PA-PW-SALT / ETYPE-INFO2 there).
    let mut kdc = FakeKdc::new(
        REALM,
        vec![ClientKey::from_password(18, PW, "heimdal-random-salt")],
    );
    kdc.require_preauth = false;
    let info = vec![EtypeInfo2Entry {
        etype: 18,
        salt: Some(KerberosString::from("heimdal-random-salt")),
        s2kparams: Some(OctetString::from(ITER.to_be_bytes().to_vec())),
    }];
    kdc.reply_padata = vec![PaData::from_value(pt::PA_ETYPE_INFO2, &info).unwrap()];
    let (cred, sent) = run(&mut kdc);
    cred.expect("salt from the reply");
    assert_eq!(sent.len(), 1);

    // Without it, the client derives with the default salt: the reply does not decrypt.
    let mut kdc = FakeKdc::new(
        REALM,
        vec![ClientKey::from_password(18, PW, "heimdal-random-salt")],
    );
    kdc.require_preauth = false;
    let err = run(&mut kdc).0.unwrap_err();
    assert!(
        matches!(err, ExchangeError::ReplyDecryptFailed { .. }),
        "{err:?}"
    );
}

#[test]
fn other_kdc_errors_are_final_and_explained() {
    for (code, words) in [
        (6, "not found in the Kerberos database"),
        (18, "revoked"),
        (23, "password has expired"),
        (12, "policy"),
        (60, "generic"),
        (999, "KDC error"),
    ] {
        let mut kdc = FakeKdc::alice(REALM, PW);
        kdc.fail_with = Some(code);
        let err = run(&mut kdc).0.unwrap_err();
        assert_eq!(err.kdc_code(), Some(code));
        let msg = err.to_string();
        assert!(msg.contains(words), "{code}: {msg}");
        assert!(msg.contains(&format!("[{code} ")), "{msg}");
    }
}

#[test]
fn preauth_required_without_enc_timestamp() {
    let mut ex = AsExchange::new(req(AsOptions::default()), at(T0)).unwrap();
    let Some(Step::Send(out)) = ex.poll() else {
        panic!()
    };
    let kdc = FakeKdc::alice(REALM, PW);
    // PKINIT only, with ETYPE-INFO2: not supported.
    let info = vec![EtypeInfo2Entry {
        etype: 18,
        salt: None,
        s2kparams: None,
    }];
    let md = vec![
        PaData::new(16, Vec::new()),
        PaData::from_value(pt::PA_ETYPE_INFO2, &info).unwrap(),
    ];
    let e = kdc.error(&decode_req(&out), 25, Some(asn1::encode(&md).unwrap()));
    let err = ex.receive(&e, at(T0)).unwrap_err();
    assert!(
        matches!(&err, ExchangeError::NoSupportedPreauth { offered } if offered == &vec![16, 19]),
        "{err:?}"
    );
}

#[test]
fn poll_and_receive_follow_the_contract() {
    let mut kdc = FakeKdc::alice(REALM, PW);
    let mut ex = AsExchange::new(req(AsOptions::default()), at(T0)).unwrap();
    // receive before poll
    assert!(matches!(
        ex.receive(b"", at(T0)),
        Err(ExchangeError::NotExpectingReply(_))
    ));
    // poll twice: the same message again (a retransmission)
    let Some(Step::Send(a)) = ex.poll() else {
        panic!()
    };
    let Some(Step::Send(b)) = ex.poll() else {
        panic!()
    };
    assert_eq!(a, b);
    let reply = kdc.handle(&a);
    ex.receive(&reply, at(T0)).unwrap();
    let Some(Step::Send(c)) = ex.poll() else {
        panic!()
    };
    let reply = kdc.handle(&c);
    ex.receive(&reply, at(T0)).unwrap();
    assert!(matches!(ex.poll(), Some(Step::Done(_))));
    assert!(ex.poll().is_none());
    assert!(ex.poll().is_none());
    assert!(matches!(
        ex.receive(&reply, at(T0)),
        Err(ExchangeError::NotExpectingReply(_))
    ));
}

#[test]
fn invalid_requests_are_refused_up_front() {
    let bad = |client: Principal, secret: AsSecret, options: AsOptions| {
        AsExchange::new(
            AsRequest {
                client,
                secret,
                options,
            },
            at(T0),
        )
        .unwrap_err()
    };
    assert!(matches!(
        bad(
            Principal::new(1, REALM, Vec::<Vec<u8>>::new()),
            AsSecret::password(PW),
            AsOptions::default()
        ),
        ExchangeError::InvalidRequest(_)
    ));
    assert!(matches!(
        bad(alice(), AsSecret::Keys(vec![]), AsOptions::default()),
        ExchangeError::InvalidRequest(_)
    ));
    let e = bad(
        alice(),
        AsSecret::password(PW),
        AsOptions {
            etypes: vec![23],
            ..AsOptions::default()
        },
    );
    assert!(matches!(e, ExchangeError::NoCommonEtype { .. }), "{e:?}");
    assert!(e.to_string().contains("allow_weak_crypto"), "{e}");
}

#[test]
fn garbage_and_truncated_replies_are_errors_not_panics() {
    // Keys, not a password: no string-to-key per attempt.
    let mut kdc = FakeKdc::alice(REALM, PW);
    let keys: Vec<Key> = kdc.keys.iter().map(|k| k.key.clone()).collect();
    let req = |_: AsOptions| AsRequest {
        client: alice(),
        secret: AsSecret::Keys(keys.clone()),
        options: AsOptions::default(),
    };
    let mut ex = AsExchange::new(req(AsOptions::default()), at(T0)).unwrap();
    let Some(Step::Send(out)) = ex.poll() else {
        panic!()
    };
    let err_reply = kdc.handle(&out);
    ex.receive(&err_reply, at(T0)).unwrap();
    let Some(Step::Send(out2)) = ex.poll() else {
        panic!()
    };
    let rep = kdc.handle(&out2);
    for replies in [&err_reply, &rep] {
        for cut in 0..replies.len() {
            let mut ex = AsExchange::new(req(AsOptions::default()), at(T0)).unwrap();
            let _ = ex.poll();
            assert!(ex.receive(&replies[..cut], at(T0)).is_err());
        }
        for i in 0..replies.len() {
            let mut flipped = replies.to_vec();
            flipped[i] ^= 0x5a;
            let mut ex = AsExchange::new(req(AsOptions::default()), at(T0)).unwrap();
            let _ = ex.poll();
            let _ = ex.receive(&flipped, at(T0));
        }
    }
    // A KRB-ERROR with an odd pvno is refused.
    let mut e: KrbError = asn1::decode(&err_reply).unwrap();
    e.pvno = 4;
    let mut ex = AsExchange::new(req(AsOptions::default()), at(T0)).unwrap();
    let _ = ex.poll();
    assert!(matches!(
        ex.receive(&asn1::encode(&e).unwrap(), at(T0)),
        Err(ExchangeError::UnexpectedMessage(_))
    ));
}
