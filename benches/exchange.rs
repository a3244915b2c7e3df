//! Client-side cost of one AS exchange with canned KDC replies, string-to-key excluded
//! (`AsSecret::Keys`): build the AS-REQ, process KDC_ERR_PREAUTH_REQUIRED (ETYPE-INFO2),
//! build the AS-REQ with PA-ENC-TIMESTAMP, process the AS-REP (decrypt, decode, every
//! check; the canned KDC does not answer RFC 6806 PA-REQ-ENC-PA-REP, see below). The replies come from the fake
//! KDC of the tests (tests/exchange_support), made once before timing; a fixed nonce
//! source lets the canned AS-REP match.

use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use kerberos_client::crypto::Key;
use kerberos_client::exchange::{AsExchange, AsOptions, AsRequest, AsSecret, Step};
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

criterion_group!(benches, bench);
criterion_main!(benches);
