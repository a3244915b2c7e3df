//! Crypto benchmarks against a "ceiling" built from the same RustCrypto
//! primitives with no Kerberos overhead (keys set up, two passes, no copy).
//!
//! Bench ids: `<op>/<etype>/<variant>/<size>` where variant is `fresh`
//! (Key::encrypt, derives per call), `cached` (UsageKey) or `ceiling`.
//! Quick run: `cargo bench --bench crypto -- --warm-up-time 0.3 --measurement-time 1`.
//! Ratios: compare `target/criterion/<id>/new/estimates.json` medians of
//! ours against the ceiling with the same op/etype/size.

use std::hint::black_box;

use aes::cipher::{BlockModeDecrypt, BlockModeEncrypt, InnerIvInit, KeyInit, array::Array};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hmac::{Hmac, Mac};
use kerberos_client::crypto::{EncryptionType, Key, KeyUsage};
use sha1::Sha1;
use sha2::{Sha256, Sha384};

const SIZES: [usize; 4] = [32, 1024, 16 * 1024, 1024 * 1024];
const ETYPES: [EncryptionType; 4] = [
    EncryptionType::Aes128CtsHmacSha196,
    EncryptionType::Aes256CtsHmacSha196,
    EncryptionType::Aes128CtsHmacSha256128,
    EncryptionType::Aes256CtsHmacSha384192,
];

fn blocks(buf: &mut [u8]) -> &mut [Array<u8, aes::cipher::consts::U16>] {
    Array::slice_as_chunks_mut(buf).0
}

type Op = Box<dyn Fn(&mut [u8]) -> u8>;

/// Ceiling: CBC over L = 16 + n bytes (rounded up to blocks) in place, and
/// HMAC over the same bytes (+16 for RFC 8009's IV), keys set up once.
/// Returns (encrypt, decrypt).
fn ceiling(e: EncryptionType) -> (Op, Op) {
    let key = [7u8; 32];
    macro_rules! build {
        ($aes:ty, $d:ty, $klen:expr, $etm:expr) => {{
            let cipher = <$aes>::new_from_slice(&key[..$klen]).unwrap();
            let mac = <Hmac<$d> as KeyInit>::new_from_slice(&key[..$klen]).unwrap();
            let c2 = cipher.clone();
            let m2 = mac.clone();
            let enc: Op = Box::new(move |buf: &mut [u8]| {
                let mut enc = cbc::Encryptor::<&$aes>::inner_iv_init(&cipher, &Array([0u8; 16]));
                enc.encrypt_blocks(blocks(buf));
                let mut m = mac.clone();
                if $etm {
                    m.update(&[0u8; 16]);
                }
                m.update(buf);
                m.finalize().into_bytes()[0]
            });
            let dec: Op = Box::new(move |buf: &mut [u8]| {
                let mut m = m2.clone();
                if $etm {
                    m.update(&[0u8; 16]);
                    m.update(buf);
                }
                let mut dec = cbc::Decryptor::<&$aes>::inner_iv_init(&c2, &Array([0u8; 16]));
                dec.decrypt_blocks(blocks(buf));
                if !$etm {
                    m.update(buf);
                }
                m.finalize().into_bytes()[0]
            });
            (enc, dec)
        }};
    }
    match e {
        EncryptionType::Aes128CtsHmacSha196 => build!(aes::Aes128, Sha1, 16, false),
        EncryptionType::Aes256CtsHmacSha196 => build!(aes::Aes256, Sha1, 32, false),
        EncryptionType::Aes128CtsHmacSha256128 => build!(aes::Aes128, Sha256, 16, true),
        _ => build!(aes::Aes256, Sha384, 32, true),
    }
}

fn bench_messages(c: &mut Criterion) {
    eprintln!("backends: {}", kerberos_client::crypto::backend_report());
    let usage = KeyUsage(11);
    for e in ETYPES {
        let key = Key::from_bytes(e, &vec![0x3c; e.key_size()]).unwrap();
        let uk = key.for_usage(usage);
        let (ceil_enc, ceil_dec) = ceiling(e);
        for op in ["encrypt", "decrypt"] {
            let mut g = c.benchmark_group(format!("{op}/{}", e.id()));
            for n in SIZES {
                if n >= 1 << 20 {
                    g.sample_size(20);
                } else {
                    g.sample_size(50);
                }
                g.throughput(Throughput::Bytes(n as u64));
                let pt = vec![0xA5u8; n];
                let ct = uk.encrypt(&pt);
                let mut out = Vec::with_capacity(n + 64);
                let mut raw = vec![0u8; (16 + n).div_ceil(16) * 16];
                if op == "encrypt" {
                    g.bench_function(BenchmarkId::new("fresh", n), |b| {
                        b.iter(|| key.encrypt(usage, black_box(&pt)))
                    });
                    g.bench_function(BenchmarkId::new("cached", n), |b| {
                        b.iter(|| uk.encrypt(black_box(&pt)))
                    });
                    g.bench_function(BenchmarkId::new("cached_into", n), |b| {
                        b.iter(|| uk.encrypt_into(black_box(&pt), &mut out))
                    });
                    g.bench_function(BenchmarkId::new("ceiling", n), |b| {
                        b.iter(|| ceil_enc(black_box(&mut raw)))
                    });
                } else {
                    g.bench_function(BenchmarkId::new("fresh", n), |b| {
                        b.iter(|| key.decrypt(usage, black_box(&ct)).unwrap())
                    });
                    g.bench_function(BenchmarkId::new("cached", n), |b| {
                        b.iter(|| uk.decrypt(black_box(&ct)).unwrap())
                    });
                    g.bench_function(BenchmarkId::new("cached_into", n), |b| {
                        b.iter(|| uk.decrypt_into(black_box(&ct), &mut out).unwrap())
                    });
                    g.bench_function(BenchmarkId::new("ceiling", n), |b| {
                        b.iter(|| ceil_dec(black_box(&mut raw)))
                    });
                }
            }
            g.finish();
        }
    }
}

fn bench_checksum(c: &mut Criterion) {
    let usage = KeyUsage(6);
    let data = vec![0x11u8; 1024];
    for e in ETYPES {
        let key = Key::from_bytes(e, &vec![0x3c; e.key_size()]).unwrap();
        let uk = key.for_usage(usage);
        let mut g = c.benchmark_group(format!("checksum/{}", e.id()));
        g.throughput(Throughput::Bytes(1024));
        g.bench_function(BenchmarkId::new("fresh", 1024), |b| {
            b.iter(|| key.checksum(usage, black_box(&data)))
        });
        g.bench_function(BenchmarkId::new("cached", 1024), |b| {
            b.iter(|| uk.checksum(black_box(&data)))
        });
        macro_rules! ceil {
            ($d:ty, $klen:expr) => {{
                let mac = <Hmac<$d> as KeyInit>::new_from_slice(&[9u8; 32][..$klen]).unwrap();
                g.bench_function(BenchmarkId::new("ceiling", 1024), |b| {
                    b.iter(|| {
                        let mut m = mac.clone();
                        m.update(black_box(&data));
                        m.finalize().into_bytes()[0]
                    })
                });
            }};
        }
        match e {
            EncryptionType::Aes128CtsHmacSha196 => ceil!(Sha1, 16),
            EncryptionType::Aes256CtsHmacSha196 => ceil!(Sha1, 32),
            EncryptionType::Aes128CtsHmacSha256128 => ceil!(Sha256, 16),
            _ => ceil!(Sha384, 24),
        }
        g.finish();
    }
}

fn bench_s2k(c: &mut Criterion) {
    let salt = b"EXAMPLE.COMuser";
    for e in ETYPES {
        let mut g = c.benchmark_group(format!("s2k/{}", e.id()));
        g.sample_size(10);
        let iters = e.default_iterations().unwrap();
        g.bench_function(BenchmarkId::new("ours", iters), |b| {
            b.iter(|| Key::from_password(e, black_box("correct horse"), salt, None).unwrap())
        });
        let n = e.key_size();
        g.bench_function(BenchmarkId::new("ceiling", iters), |b| {
            b.iter(|| {
                let mut out = [0u8; 32];
                match e {
                    EncryptionType::Aes128CtsHmacSha196 | EncryptionType::Aes256CtsHmacSha196 => {
                        pbkdf2::pbkdf2_hmac::<Sha1>(b"correct horse", salt, iters, &mut out[..n])
                    }
                    EncryptionType::Aes128CtsHmacSha256128 => {
                        pbkdf2::pbkdf2_hmac::<Sha256>(b"correct horse", salt, iters, &mut out[..n])
                    }
                    _ => {
                        pbkdf2::pbkdf2_hmac::<Sha384>(b"correct horse", salt, iters, &mut out[..n])
                    }
                }
                out
            })
        });
        g.finish();
    }
}

criterion_group!(benches, bench_messages, bench_checksum, bench_s2k);
criterion_main!(benches);
