//! Feed arbitrary bytes to the KRB-SAFE, KRB-PRIV and KRB-CRED readers (with fixed keys of two
//! enctypes, and KRB-CRED also without a key) and to a MessageVerifier: never a panic. A
//! message that is accepted must be the one its own builder makes from the same content
//! (KRB-SAFE) or must rebuild and read back to the same content (KRB-PRIV, KRB-CRED).
#![no_main]

use std::time::{Duration, UNIX_EPOCH};

use kerberos_client::crypto::{EncryptionType, Key};
use kerberos_client::exchange::{
    KrbCredParams, MessageParams, MessageVerifier, build_krb_cred, build_krb_priv,
    parse_krb_cred, read_krb_priv, read_krb_safe,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let now = UNIX_EPOCH + Duration::from_secs(1_764_115_200);
    let keys = [
        Key::from_bytes(EncryptionType::Aes256CtsHmacSha196, &[0x11; 32]).expect("key"),
        Key::from_bytes(EncryptionType::Rc4Hmac, &[0x22; 16]).expect("key"),
    ];
    for key in &keys {
        let mut v = MessageVerifier::new(Duration::from_secs(300));
        if let Ok(m) = read_krb_safe(key, data) {
            let _ = v.check(&m, now);
        }
        if let Ok(m) = read_krb_priv(key, data) {
            let _ = v.check(&m, now);
            let params = MessageParams {
                timestamp: None,
                seq_number: m.seq_number,
                s_address: m.s_address.clone(),
                r_address: m.r_address.clone(),
            };
            let again = build_krb_priv(key, &m.user_data, &params).expect("rebuild KRB-PRIV");
            let back = read_krb_priv(key, &again).expect("read the rebuilt KRB-PRIV");
            assert_eq!(back.user_data, m.user_data);
            assert_eq!(back.seq_number, m.seq_number);
        }
        if let Ok(c) = parse_krb_cred(data, Some(key)) {
            let again = build_krb_cred(&c.credentials, Some(key), &KrbCredParams::default())
                .expect("rebuild KRB-CRED");
            let back = parse_krb_cred(&again, Some(key)).expect("read the rebuilt KRB-CRED");
            assert_eq!(back.credentials.len(), c.credentials.len());
            for (a, b) in back.credentials.iter().zip(&c.credentials) {
                assert_eq!(a.ticket, b.ticket);
                assert_eq!(a.session_key, b.session_key);
                assert_eq!(a.client, b.client);
                assert_eq!(a.server, b.server);
            }
        }
    }
    let _ = parse_krb_cred(data, None);
});
