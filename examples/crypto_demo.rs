//! Crypto layer demo: string-to-key, encrypt/decrypt and checksums for every
//! enctype, plus which hardware backends are in use.
//!
//! Run: `cargo run --release --example crypto_demo`

use kerberos_client::crypto::{self, EncryptionType, Key, KeyUsage};

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn main() {
    println!("backends: {}", crypto::backend_report());
    let password = "correct horse battery staple";
    let salt = b"EXAMPLE.COMalice";
    let message = b"KRB-PRIV payload: the quick brown fox jumps over the lazy dog";
    let mut all_ok = true;
    for etype in EncryptionType::ALL {
        let started = std::time::Instant::now();
        let key = Key::from_password(etype, password, salt, None).expect("string-to-key");
        let s2k_time = started.elapsed();
        let iterations = etype
            .default_iterations()
            .map_or("n/a (NT hash)".to_string(), |n| n.to_string());
        println!(
            "\n{} ({}){}",
            etype.name(),
            etype.id(),
            if etype.is_weak() { " [weak]" } else { "" }
        );
        println!(
            "  key        {} (iterations {iterations}, {s2k_time:.2?})",
            hex(key.as_bytes())
        );

        let usage = KeyUsage::KRB_PRIV_ENC_PART;
        let ciphertext = key.encrypt(usage, message);
        let plaintext = key.decrypt(usage, &ciphertext).expect("decrypt");
        let ok = plaintext == message;
        println!(
            "  encrypt    {} -> {} bytes, decrypt -> {} bytes, round trip {}",
            message.len(),
            ciphertext.len(),
            plaintext.len(),
            if ok { "matched" } else { "MISMATCH" }
        );

        let session = key.for_usage(usage);
        let again = session
            .decrypt(&session.encrypt(message))
            .expect("cached decrypt");
        let cached_ok = again == message;
        println!(
            "  cached     round trip {}",
            if cached_ok { "matched" } else { "MISMATCH" }
        );

        let cusage = KeyUsage::KRB_SAFE_CKSUM;
        let checksum = key.checksum(cusage, message);
        let verified = key.verify_checksum(cusage, message, &checksum).is_ok();
        let tampered = key.verify_checksum(cusage, b"tampered", &checksum).is_err();
        println!(
            "  checksum   type {} = {} (verify {}, tampered rejected {})",
            etype.checksum_type().id(),
            hex(&checksum),
            verified,
            tampered
        );
        all_ok &= ok && cached_ok && verified && tampered;
    }
    println!(
        "\nall round trips and checksums {}",
        if all_ok { "OK" } else { "FAILED" }
    );
    if !all_ok {
        std::process::exit(1);
    }
}
