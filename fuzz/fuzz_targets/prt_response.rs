//! Fuzz the cloud-TGT ingestion: arbitrary bytes as a PRT token response and, when it parses,
//! the import of every ticket in it with a fixed PRT session key (and without one). The same
//! bytes also go to the compact-JWE decryptor and, as DER, to the AS-REP import with a fixed key.
//! Nothing may panic.
#![no_main]

use kerberos_client::cloud::{self, PrtResponse, PrtSessionKey};
use kerberos_client::crypto::{EncryptionType, Key};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let session_key = PrtSessionKey::from_bytes(&[7u8; 32]).expect("32 bytes");
    let reply_key = Key::from_bytes(EncryptionType::Aes256CtsHmacSha196, &[9u8; 32]).expect("32 bytes");
    let _ = cloud::import_as_rep(data, &reply_key);
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = cloud::decrypt_dir(text, &session_key);
    let _ = PrtResponse::parse_encrypted(text, &session_key);
    if let Ok(response) = PrtResponse::parse(text) {
        let _ = response.top_level_names();
        let _ = response.domain_realm();
        let _ = response.realm_for_host("acct.file.core.windows.net");
        let _ = format!("{response:?}");
        for blob in [response.tgt_cloud.as_ref(), response.tgt_ad.as_ref()].into_iter().flatten() {
            let _ = blob.import(Some(&session_key));
            let _ = blob.import(None);
        }
    }
});
