//! Client-side cost of one AS exchange with canned KDC replies, string-to-key excluded
//! (`AsSecret::Keys`): build the AS-REQ, process KDC_ERR_PREAUTH_REQUIRED (ETYPE-INFO2),
//! build the AS-REQ with PA-ENC-TIMESTAMP, process the AS-REP (decrypt, decode, every
//! check; the canned KDC does not answer RFC 6806 PA-REQ-ENC-PA-REP, see below). The replies come from the fake
//! KDC of the tests (tests/exchange_support), made once before timing; a fixed nonce
//! source lets the canned AS-REP match.
//!
//! Also the client side of one TGS exchange (build the TGS-REQ with its PA-TGS-REQ
//! AP-REQ and body checksum, then decrypt and check a canned TGS-REP made with real crypto
//! under the TGT session key) and building one AP-REQ (authenticator with subkey, sequence
//! number and a raw checksum, encrypted under the ticket session key).

use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use kerberos_client::asn1::{
    self, EncKdcRepPart, EncTgsRepPart, EncryptedData, EncryptionKey, Extensions, KdcRep,
    KerberosTime, PrincipalName, RawTicket, TgsRep, Ticket, TicketFlags, UInt32,
    constants::msg_type,
};
use kerberos_client::crypto::{EncryptionType, Key, KeyUsage};
use kerberos_client::exchange::ap::{ApReqBuilder, AuthenticatorChecksum};
use kerberos_client::exchange::{
    AsExchange, AsOptions, AsRequest, AsSecret, Credential, Step, TgsExchange, TgsRequest,
};
use kerberos_client::principal::Principal;

#[path = "../tests/exchange_support/mod.rs"]
mod support;

use support::{ClientKey, FakeKdc, Proof, T0, at};

fn fixed_nonce() -> u32 {
    0x1234_5678
}

fn request(keys: &[Key], etype: i32) -> AsRequest {
    AsRequest {
        client: Principal::parse("alice@EXAMPLE.TEST", None).expect("principal"),
        secret: AsSecret::Keys(keys.to_vec()),
        options: AsOptions {
            etypes: vec![etype],
            ..AsOptions::default()
        },
    }
}

/// One full exchange on canned replies; panics if it does not end in `Done`.
fn exchange(keys: &[Key], etype: i32, preauth_required: &[u8], as_rep: &[u8]) -> i64 {
    let mut ex =
        AsExchange::new_with_nonce_source(request(keys, etype), at(T0), fixed_nonce).expect("new");
    let Some(Step::Send(first)) = ex.poll() else {
        panic!("no first request")
    };
    black_box(&first.message);
    ex.receive(preauth_required, at(T0)).expect("pre-auth");
    let Some(Step::Send(second)) = ex.poll() else {
        panic!("no second request")
    };
    black_box(&second.message);
    ex.receive(as_rep, at(T0)).expect("AS-REP");
    match ex.poll() {
        Some(Step::Done(cred)) => cred.end_time,
        _ => panic!("not done"),
    }
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("as_exchange");
    for (etype, name) in [
        (18, "aes256-sha1"),
        (20, "aes256-sha384"),
        (17, "aes128-sha1"),
    ] {
        let ck = ClientKey::from_password(etype, "Alice-Passw0rd", "EXAMPLE.TESTalice");
        let keys = vec![ck.key.clone()];
        let mut kdc = FakeKdc::new("EXAMPLE.TEST", vec![ck]);
        // PA-ENC-TIMESTAMP has a fresh confounder each time, so the request bytes differ
        // per iteration and a canned RFC 6806 checksum over them could not match: the
        // canned KDC does not answer PA-REQ-ENC-PA-REP.
        kdc.proof = Proof::Missing;
        // Record the two canned replies by running the exchange once against the fake KDC.
        let mut ex = AsExchange::new_with_nonce_source(request(&keys, etype), at(T0), fixed_nonce)
            .expect("new");
        let Some(Step::Send(first)) = ex.poll() else {
            panic!()
        };
        let preauth_required = kdc.handle(&first);
        ex.receive(&preauth_required, at(T0)).expect("pre-auth");
        let Some(Step::Send(second)) = ex.poll() else {
            panic!()
        };
        let as_rep = kdc.handle(&second);
        ex.receive(&as_rep, at(T0)).expect("AS-REP");
        assert!(matches!(ex.poll(), Some(Step::Done(_))));

        group.bench_function(format!("preauth+as_rep/{name}"), |b| {
            b.iter(|| {
                exchange(
                    &keys,
                    etype,
                    black_box(&preauth_required),
                    black_box(&as_rep),
                )
            })
        });
        if etype != 18 {
            continue;
        }
        // The three parts on their own (aes256-sha1 only).
        let fresh = || {
            AsExchange::new_with_nonce_source(request(&keys, etype), at(T0), fixed_nonce)
                .expect("new")
        };
        group.bench_function("part/new+first_request", |b| {
            b.iter(|| {
                let mut ex = fresh();
                black_box(ex.poll())
            })
        });
        group.bench_function("part/preauth_error+second_request", |b| {
            b.iter_batched(
                || {
                    let mut ex = fresh();
                    let _ = ex.poll();
                    ex
                },
                |mut ex| {
                    ex.receive(black_box(&preauth_required), at(T0))
                        .expect("pre-auth");
                    black_box(ex.poll())
                },
                BatchSize::SmallInput,
            )
        });
        group.bench_function("part/as_rep", |b| {
            b.iter_batched(
                || {
                    let mut ex = fresh();
                    let _ = ex.poll();
                    ex.receive(&preauth_required, at(T0)).expect("pre-auth");
                    let _ = ex.poll();
                    ex
                },
                |mut ex| {
                    ex.receive(black_box(&as_rep), at(T0)).expect("AS-REP");
                    black_box(ex.poll())
                },
                BatchSize::SmallInput,
            )
        });
    }
    group.finish();
}

fn ticket_bytes(realm: &str, sname: &[&str], etype: i32) -> Vec<u8> {
    RawTicket::from_ticket(&Ticket {
        tkt_vno: 5,
        realm: realm.into(),
        sname: PrincipalName::new(2, sname),
        enc_part: EncryptedData::new(etype, Some(1), vec![9u8; 200]),
    })
    .expect("ticket")
    .into_bytes()
}

/// A TGT; `remember`: its session key keeps derived keys, as the exchanges' credentials do.
fn tgt(etype: EncryptionType, remember: bool) -> Credential {
    let session_key = if remember {
        Key::random(etype).remember_derived_keys()
    } else {
        Key::random(etype)
    };
    Credential {
        ticket: ticket_bytes("EXAMPLE.TEST", &["krbtgt", "EXAMPLE.TEST"], 18),
        client: Principal::new(1, "EXAMPLE.TEST", ["alice"]),
        server: Principal::krbtgt("EXAMPLE.TEST", "EXAMPLE.TEST"),
        session_key,
        flags: TicketFlags::empty().with(TicketFlags::FORWARDABLE).to_u32(),
        auth_time: T0 - 60,
        start_time: T0 - 60,
        end_time: T0 + 36_000,
        renew_till: None,
        kdc_offset: 0,
        enc_padata: Vec::new(),
    }
}

/// A TGS-REP for host/svc.example.test, its enc-part encrypted under the TGT session key
/// (key usage 8) with the fixed nonce.
fn canned_tgs_rep(tgt: &Credential) -> Vec<u8> {
    let sname = PrincipalName::new(2, &["host", "svc.example.test"]);
    let session = Key::random(tgt.session_key.etype());
    let enc = EncKdcRepPart {
        key: EncryptionKey::new(session.etype().id(), session.as_bytes().to_vec()),
        last_req: Vec::new(),
        nonce: UInt32(fixed_nonce()),
        key_expiration: None,
        flags: TicketFlags::empty().with(TicketFlags::FORWARDABLE),
        authtime: KerberosTime::from_unix(T0 - 60),
        starttime: Some(KerberosTime::from_unix(T0)),
        endtime: KerberosTime::from_unix(T0 + 3600),
        renew_till: None,
        srealm: "EXAMPLE.TEST".into(),
        sname: sname.clone(),
        caddr: None,
        encrypted_pa_data: None,
        ext: Extensions::default(),
    };
    let plain = asn1::encode(&EncTgsRepPart(enc)).expect("enc part");
    let cipher = tgt
        .session_key
        .encrypt(KeyUsage::TGS_REP_ENC_PART_SESSION_KEY, &plain);
    let rep = KdcRep {
        pvno: 5,
        msg_type: msg_type::TGS_REP,
        padata: None,
        crealm: "EXAMPLE.TEST".into(),
        cname: PrincipalName::new(1, &["alice"]),
        ticket: RawTicket::from_ticket(&Ticket {
            tkt_vno: 5,
            realm: "EXAMPLE.TEST".into(),
            sname,
            enc_part: EncryptedData::new(18, Some(3), vec![1u8; 200]),
        })
        .expect("ticket"),
        enc_part: EncryptedData::new(tgt.session_key.etype().id(), None, cipher),
    };
    asn1::encode(&TgsRep(rep)).expect("TGS-REP")
}

fn tgs_exchange(tgt: &Credential, server: &Principal, rep: &[u8]) -> i64 {
    let req = TgsRequest::new(tgt.clone(), server.clone());
    let mut ex = TgsExchange::new_with_nonce_source(req, at(T0), fixed_nonce).expect("new");
    let Some(Step::Send(out)) = ex.poll() else {
        panic!("no TGS-REQ")
    };
    black_box(&out.message);
    ex.receive(rep, at(T0)).expect("TGS-REP");
    match ex.poll() {
        Some(Step::Done(cred)) => cred.end_time,
        other => panic!("not done: {other:?}"),
    }
}

fn bench_tgs_and_ap(c: &mut Criterion) {
    let mut group = c.benchmark_group("tgs_exchange");
    let server = Principal::new(2, "EXAMPLE.TEST", ["host", "svc.example.test"]);
    for (etype, name) in [
        (EncryptionType::Aes256CtsHmacSha196, "aes256-sha1"),
        (EncryptionType::Aes256CtsHmacSha384192, "aes256-sha384"),
    ] {
        // A TGT from an exchange (derived keys kept after the first TGS-REQ), and one whose
        // session key derives every key afresh (the first TGS-REQ with a new TGT).
        for (remember, label) in [(true, "request+canned_reply"), (false, "cold_key")] {
            let tgt = tgt(etype, remember);
            let rep = canned_tgs_rep(&tgt);
            tgs_exchange(&tgt, &server, &rep);
            group.bench_function(format!("{label}/{name}"), |b| {
                b.iter(|| tgs_exchange(&tgt, &server, black_box(&rep)))
            });
        }
    }
    group.finish();

    let mut group = c.benchmark_group("ap_req");
    for (etype, name) in [
        (EncryptionType::Aes256CtsHmacSha196, "aes256-sha1"),
        (EncryptionType::Aes256CtsHmacSha384192, "aes256-sha384"),
    ] {
        let ticket = ticket_bytes("EXAMPLE.TEST", &["host", "svc.example.test"], 18);
        let client = Principal::new(1, "EXAMPLE.TEST", ["alice"]);
        let cksum = asn1::Checksum::new(0x8003, vec![0u8; 24]);
        // A service ticket's session key from an exchange (derived keys kept), and a fresh one.
        for (key, label) in [
            (Key::random(etype).remember_derived_keys(), "build"),
            (Key::random(etype), "build_cold_key"),
        ] {
            group.bench_function(format!("{label}/{name}"), |b| {
                b.iter(|| {
                    ApReqBuilder::new(black_box(&ticket), &key, &client, at(T0))
                        .mutual_required(true)
                        .random_subkey()
                        .random_seq_number()
                        .checksum(AuthenticatorChecksum::Raw(cksum.clone()))
                        .build()
                        .expect("AP-REQ")
                        .message
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench, bench_tgs_and_ap);
criterion_main!(benches);
