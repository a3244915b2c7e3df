//! Feed arbitrary bytes as KDC replies to an AS exchange: it must never panic, and it must
//! end (an error, `Done`, or another `Send`) after each reply.
//!
//! Input layout: [flags][len: 2 bytes BE][reply]... — up to 6 replies, each given to
//! `receive` in turn until the exchange fails or finishes. The secret is a fixed key (no
//! string-to-key per run), the nonce is fixed, and the clock is fixed, so the fuzzer can
//! find replies that pass the checks.
#![no_main]

use std::time::{Duration, UNIX_EPOCH};

use kerberos_client::crypto::{EncryptionType, Key};
use kerberos_client::exchange::{AsExchange, AsOptions, AsRequest, AsSecret, Step};
use kerberos_client::principal::Principal;
use libfuzzer_sys::fuzz_target;

fn nonce() -> u32 {
    0x1234_5678
}

fuzz_target!(|data: &[u8]| {
    let (flags, mut rest) = data.split_first().unwrap_or((&0, &[]));
    let now = UNIX_EPOCH + Duration::from_secs(1_764_115_200);
    let keys = vec![
        Key::from_bytes(EncryptionType::Aes256CtsHmacSha196, &[0x11; 32]).expect("key"),
        Key::from_bytes(EncryptionType::Aes128CtsHmacSha196, &[0x22; 16]).expect("key"),
        Key::from_bytes(EncryptionType::Rc4Hmac, &[0x33; 16]).expect("key"),
    ];
    let options = AsOptions {
        etypes: vec![18, 17, 23, 20],
        allow_weak_crypto: flags & 1 != 0,
        canonicalize: flags & 2 != 0,
        request_pac: (flags & 4 != 0).then_some(true),
        renew_lifetime: (flags & 8 != 0).then_some(Duration::from_secs(86_400)),
        max_referrals: flags >> 5,
        ..AsOptions::default()
    };
    let client = Principal::new(1, "EXAMPLE.TEST", ["alice"]);
    let request = AsRequest {
        client,
        secret: AsSecret::Keys(keys),
        options,
    };
    let Ok(mut ex) = AsExchange::new_with_nonce_source(request, now, nonce) else {
        return;
    };
    for _ in 0..6 {
        match ex.poll() {
            Some(Step::Send(out)) => assert!(!out.message.is_empty()),
            Some(Step::Done(_)) | None => return,
        }
        let Some((len, tail)) = rest.split_first_chunk::<2>() else {
            return;
        };
        let len = usize::from(u16::from_be_bytes(*len)).min(tail.len());
        let (reply, tail) = tail.split_at(len);
        rest = tail;
        if ex.receive(reply, now).is_err() {
            assert!(ex.poll().is_none(), "a failed exchange stays failed");
            return;
        }
    }
});
