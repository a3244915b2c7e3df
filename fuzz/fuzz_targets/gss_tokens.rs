//! Fuzz RFC 4121 per-message token verification (Wrap with any EC/RRC, MIC) and the
//! acceptor-token step of an initiator context: never panic, never accept forged input.
#![no_main]

use std::time::SystemTime;

use kerberos_client::crypto::{EncryptionType, Key};
use kerberos_client::gss::{ContextFlags, ContextOptions, InitiatorContext};
use kerberos_client::principal::Principal;
use libfuzzer_sys::fuzz_target;

fn ctx(flags: ContextFlags) -> Option<InitiatorContext> {
    let key = Key::from_bytes(EncryptionType::Aes256CtsHmacSha196, &[9u8; 32]).ok()?;
    let client = Principal::new(1, "EXAMPLE.TEST", ["alice"]);
    let ticket = kerberos_client::asn1::RawTicket::from_ticket(&kerberos_client::asn1::Ticket {
        tkt_vno: 5,
        realm: "EXAMPLE.TEST".into(),
        sname: kerberos_client::asn1::PrincipalName::new(2, &["host", "svc.example.test"]),
        enc_part: kerberos_client::asn1::EncryptedData::new(18, Some(1), vec![0u8; 40]),
    })
    .ok()?
    .into_bytes();
    InitiatorContext::from_parts(
        &ticket,
        &key,
        &client,
        ContextOptions::with_flags(flags),
        SystemTime::UNIX_EPOCH,
    )
    .ok()
}

fuzz_target!(|data: &[u8]| {
    // Established without mutual auth: per-message tokens.
    if let Some(mut c) = ctx(ContextFlags::CONF | ContextFlags::INTEG | ContextFlags::REPLAY) {
        if c.step(None).is_ok() {
            assert!(c.unwrap(data).is_err(), "a random Wrap token must not verify");
            assert!(c.verify_mic(b"msg", data).is_err(), "a random MIC must not verify");
        }
    }
    // Mutual: the acceptor's context token.
    if let Some(mut c) = ctx(ContextFlags::default()) {
        if c.step(None).is_ok() {
            let _ = c.step(Some(data));
        }
    }
});
