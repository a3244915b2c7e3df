//! GSS per-message token cost: Wrap (sealed and integrity-only) and MIC of an established
//! krb5 initiator context, next to a raw `UsageKey` encryption of the same size (the floor:
//! a sealed Wrap should cost about one encryption of the message plus its 16-byte header).
//! Quick run: `cargo bench --bench gss -- --warm-up-time 0.3 --measurement-time 1`.

use std::hint::black_box;
use std::time::SystemTime;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use kerberos_client::asn1::{EncryptedData, PrincipalName, RawTicket, Ticket};
use kerberos_client::crypto::{EncryptionType, Key, KeyUsage};
use kerberos_client::gss::{ContextFlags, ContextOptions, InitiatorContext};
use kerberos_client::principal::Principal;

fn context(key: &Key) -> InitiatorContext {
    let ticket = RawTicket::from_ticket(&Ticket {
        tkt_vno: 5,
        realm: "EXAMPLE.TEST".into(),
        sname: PrincipalName::new(2, &["host", "svc.example.test"]),
        enc_part: EncryptedData::new(18, Some(1), vec![0u8; 64]),
    })
    .unwrap()
    .into_bytes();
    let client = Principal::new(1, "EXAMPLE.TEST", ["alice"]);
    let flags = ContextFlags::CONF | ContextFlags::INTEG | ContextFlags::SEQUENCE;
    let mut ctx = InitiatorContext::from_parts(
        &ticket,
        key,
        &client,
        ContextOptions::with_flags(flags),
        SystemTime::now(),
    )
    .unwrap();
    assert!(ctx.step(None).unwrap().complete);
    ctx
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("gss");
    for etype in [
        EncryptionType::Aes256CtsHmacSha196,
        EncryptionType::Aes128CtsHmacSha256128,
    ] {
        let key = Key::random(etype);
        let mut ctx = context(&key);
        let raw = key.for_usage(KeyUsage::GSS_INITIATOR_SEAL);
        for size in [1024usize, 16 * 1024] {
            let msg = vec![0x5au8; size];
            g.throughput(Throughput::Bytes(size as u64));
            let id = |op: &str| BenchmarkId::new(format!("{op}/{}", etype.name()), size);
            g.bench_function(id("wrap_sealed"), |b| {
                b.iter(|| black_box(ctx.wrap(black_box(&msg), true).unwrap()))
            });
            g.bench_function(id("wrap_integ"), |b| {
                b.iter(|| black_box(ctx.wrap(black_box(&msg), false).unwrap()))
            });
            g.bench_function(id("get_mic"), |b| {
                b.iter(|| black_box(ctx.get_mic(black_box(&msg)).unwrap()))
            });
            let mut out = Vec::new();
            g.bench_function(id("raw_encrypt_floor"), |b| {
                b.iter(|| {
                    raw.encrypt_into(black_box(&msg), &mut out);
                    black_box(out.len())
                })
            });
        }
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
