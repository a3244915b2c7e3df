//! Decrypt / verify arbitrary bytes with every enctype: must never panic.
//!
//! Input layout: [etype selector][usage: 4 bytes][key material: key_size]
//! [rest: ciphertext]. Short inputs are zero-padded so every run exercises
//! every path. A valid ciphertext is also made from the rest and checked to
//! round-trip, so the fuzzer explores both the reject and accept sides.
#![no_main]

use kerberos_client::crypto::{self, ChecksumType, EncryptionType, Key, KeyUsage};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (sel, rest) = data.split_first().unwrap_or((&0, &[]));
    let etype = EncryptionType::ALL[usize::from(*sel) % EncryptionType::ALL.len()];
    let mut usage = [0u8; 4];
    for (d, s) in usage.iter_mut().zip(rest.iter()) {
        *d = *s;
    }
    let rest = rest.get(4..).unwrap_or(&[]);
    let n = etype.key_size();
    let mut key_bytes = vec![0u8; n];
    for (d, s) in key_bytes.iter_mut().zip(rest.iter()) {
        *d = *s;
    }
    let ciphertext = rest.get(n..).unwrap_or(&[]);
    let key = Key::from_bytes(etype, &key_bytes).expect("exact key length");
    let usage = KeyUsage(u32::from_be_bytes(usage) % 1024);

    // Arbitrary ciphertext: an error or (astronomically unlikely) plaintext.
    let fresh = key.decrypt(usage, ciphertext);
    let cached = key.for_usage(usage).decrypt(ciphertext);
    assert_eq!(fresh, cached);

    // Checksums of arbitrary data and arbitrary claimed checksums.
    let _ = key.verify_checksum(usage, ciphertext, ciphertext.get(..etype.checksum_type().size()).unwrap_or(&[]));
    let _ = key.verify_checksum_with_type(ChecksumType::HmacMd5, usage, ciphertext, &[]);

    // Round trip of the same bytes as plaintext.
    let c = key.encrypt(usage, ciphertext);
    assert_eq!(key.decrypt(usage, &c).as_deref(), Ok(ciphertext));

    // Raw CTS on arbitrary lengths.
    let _ = crypto::aes_cts_decrypt(&key_bytes[..16], &[0u8; 16], ciphertext);
    let _ = crypto::nfold(ciphertext.get(..64).unwrap_or(ciphertext), 1 + (n % 31));
});
