//! Property tests: round trips, tamper detection and API interoperability
//! for every enctype.

use kerberos_client::crypto::{CryptoError, EncryptionType, Key, KeyUsage};
use proptest::prelude::*;

fn etype() -> impl Strategy<Value = EncryptionType> {
    prop::sample::select(EncryptionType::ALL.to_vec())
}

fn key_for(e: EncryptionType, seed: u8) -> Key {
    let bytes: Vec<u8> = (0..e.key_size())
        .map(|i| (i as u8).wrapping_mul(31) ^ seed)
        .collect();
    Key::from_bytes(e, &bytes).unwrap()
}

fn plaintext() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => prop::collection::vec(any::<u8>(), 0..=48),
        1 => prop::collection::vec(any::<u8>(), 49..=5000),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    #[test]
    fn roundtrip(e in etype(), seed in any::<u8>(), usage in 0u32..100, pt in plaintext()) {
        let k = key_for(e, seed);
        let u = KeyUsage(usage);
        let c = k.encrypt(u, &pt);
        prop_assert_eq!(c.len(), e.ciphertext_len(pt.len()));
        prop_assert_eq!(k.decrypt(u, &c).unwrap(), pt.clone());
        // Cached and fresh APIs interoperate both ways.
        let uk = k.for_usage(u);
        prop_assert_eq!(uk.decrypt(&c).unwrap(), pt.clone());
        let c2 = uk.encrypt(&pt);
        prop_assert_eq!(k.decrypt(u, &c2).unwrap(), pt.clone());
        // Caller-buffer API.
        let mut buf = vec![0xAA; 7];
        uk.encrypt_into(&pt, &mut buf);
        let mut out = vec![1, 2, 3];
        k.decrypt_into(u, &buf, &mut out).unwrap();
        prop_assert_eq!(out, pt.clone());
        // Same confounder, same ciphertext on both paths.
        let conf = vec![0x5Au8; e.confounder_size()];
        prop_assert_eq!(
            k.encrypt_with_confounder(u, &conf, &pt).unwrap(),
            uk.encrypt_with_confounder(&conf, &pt).unwrap()
        );
        // A key that remembers its derived keys (and its clones) gives the same answers, on
        // first and later use, for encryption, decryption and checksums.
        let r = k.clone().remember_derived_keys();
        let r2 = r.clone();
        for _ in 0..2 {
            prop_assert_eq!(
                r.encrypt_with_confounder(u, &conf, &pt).unwrap(),
                k.encrypt_with_confounder(u, &conf, &pt).unwrap()
            );
            prop_assert_eq!(r2.decrypt(u, &c).unwrap(), pt.clone());
            prop_assert_eq!(k.decrypt(u, &r.encrypt(u, &pt)).unwrap(), pt.clone());
            prop_assert_eq!(r.checksum(u, &pt), k.checksum(u, &pt));
            prop_assert!(r2.verify_checksum(u, &pt, &k.checksum(u, &pt)).is_ok());
        }
        prop_assert!(r == k, "remembering changes nothing about the key's identity");
    }

    #[test]
    fn every_bit_flip_is_rejected(e in etype(), seed in any::<u8>(), pt in prop::collection::vec(any::<u8>(), 0..=40)) {
        let k = key_for(e, seed);
        let u = KeyUsage(11);
        let uk = k.for_usage(u);
        let c = k.encrypt(u, &pt);
        for bit in 0..c.len() * 8 {
            let mut t = c.clone();
            t[bit / 8] ^= 1 << (bit % 8);
            prop_assert_eq!(k.decrypt(u, &t), Err(CryptoError::IntegrityCheckFailed));
            prop_assert_eq!(uk.decrypt(&t), Err(CryptoError::IntegrityCheckFailed));
        }
    }

    #[test]
    fn every_truncation_is_rejected(e in etype(), seed in any::<u8>(), pt in prop::collection::vec(any::<u8>(), 0..=40)) {
        let k = key_for(e, seed);
        let u = KeyUsage(12);
        let c = k.encrypt(u, &pt);
        let min = e.ciphertext_len(0);
        for n in 0..c.len() {
            let r = k.decrypt(u, &c[..n]);
            if n < min {
                prop_assert_eq!(r, Err(CryptoError::CiphertextTooShort));
            } else {
                prop_assert_eq!(r, Err(CryptoError::IntegrityCheckFailed));
            }
        }
        // Appending is rejected too.
        let mut longer = c.clone();
        longer.push(0);
        prop_assert!(k.decrypt(u, &longer).is_err());
    }

    #[test]
    fn checksum_rejects_bit_flips(e in etype(), seed in any::<u8>(), data in prop::collection::vec(any::<u8>(), 0..=64)) {
        let k = key_for(e, seed);
        let u = KeyUsage(15);
        let ck = k.checksum(u, &data);
        prop_assert_eq!(ck.len(), e.checksum_type().size());
        prop_assert!(k.verify_checksum(u, &data, &ck).is_ok());
        prop_assert_eq!(k.for_usage(u).checksum(&data), ck.clone());
        for bit in 0..ck.len() * 8 {
            let mut t = ck.clone();
            t[bit / 8] ^= 1 << (bit % 8);
            prop_assert_eq!(k.verify_checksum(u, &data, &t), Err(CryptoError::IntegrityCheckFailed));
        }
        for bit in 0..data.len() * 8 {
            let mut d = data.clone();
            d[bit / 8] ^= 1 << (bit % 8);
            prop_assert!(k.verify_checksum(u, &d, &ck).is_err());
        }
        prop_assert!(k.verify_checksum(u, &data, &ck[..ck.len() - 1]).is_err());
    }

    #[test]
    fn garbage_never_panics(e in etype(), seed in any::<u8>(), c in prop::collection::vec(any::<u8>(), 0..=100)) {
        let k = key_for(e, seed);
        let _ = k.decrypt(KeyUsage(1), &c);
        let _ = k.for_usage(KeyUsage(1)).decrypt(&c);
    }
}

#[test]
fn large_messages_roundtrip() {
    for e in EncryptionType::ALL {
        let k = Key::random(e);
        let uk = k.for_usage(KeyUsage(13));
        for n in [4095usize, 4096, 4097, 8191, 65_536 + 7, 1 << 20] {
            let pt: Vec<u8> = (0..n).map(|i| (i * 7 + 3) as u8).collect();
            let c = uk.encrypt(&pt);
            assert_eq!(k.decrypt(KeyUsage(13), &c).unwrap(), pt, "{e:?} {n}");
        }
    }
}

#[test]
fn bad_key_lengths() {
    for e in EncryptionType::ALL {
        assert_eq!(
            Key::from_bytes(e, &[0u8; 15]),
            Err(CryptoError::BadKeyLength)
        );
        assert_eq!(
            Key::from_bytes(e, &[0u8; 33]),
            Err(CryptoError::BadKeyLength)
        );
        assert!(Key::from_bytes(e, &vec![0u8; e.key_size()]).is_ok());
        let k = Key::random(e);
        assert_eq!(
            k.encrypt_with_confounder(KeyUsage(1), &[0u8; 3], b"x"),
            Err(CryptoError::BadConfounderLength(e.confounder_size()))
        );
    }
}

#[test]
fn debug_does_not_leak_key_bytes() {
    for e in EncryptionType::ALL {
        let k = Key::from_bytes(e, &vec![0x42u8; e.key_size()]).unwrap();
        let s = format!("{k:?} {:?}", k.for_usage(KeyUsage(1)));
        assert!(!s.contains("42") && !s.contains("66"), "{s}");
    }
}
