//! Fuzz the SPNEGO parsers and the initiator's handling of an arbitrary acceptor reply:
//! never panic.
#![no_main]

use std::time::SystemTime;

use kerberos_client::crypto::{EncryptionType, Key};
use kerberos_client::gss::{ContextOptions, InitiatorContext, SpnegoInitiator, spnego};
use kerberos_client::principal::Principal;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = spnego::parse_neg_token_resp(data);
    let _ = spnego::parse_initial(data);
    let key = Key::from_bytes(EncryptionType::Aes128CtsHmacSha196, &[7u8; 16]).expect("key");
    let client = Principal::new(1, "EXAMPLE.TEST", ["alice"]);
    // A DER Ticket is checked only for its outer shape by the AP-REQ builder.
    let ticket = kerberos_client::asn1::RawTicket::from_ticket(&kerberos_client::asn1::Ticket {
        tkt_vno: 5,
        realm: "EXAMPLE.TEST".into(),
        sname: kerberos_client::asn1::PrincipalName::new(2, &["HTTP", "web.example.test"]),
        enc_part: kerberos_client::asn1::EncryptedData::new(17, Some(1), vec![0u8; 40]),
    })
    .expect("ticket")
    .into_bytes();
    let Ok(ctx) = InitiatorContext::from_parts(
        &ticket,
        &key,
        &client,
        ContextOptions::default(),
        SystemTime::UNIX_EPOCH,
    ) else {
        return;
    };
    let Ok(mut sp) = SpnegoInitiator::new(ctx) else {
        return;
    };
    if sp.step(None).is_ok() {
        let _ = sp.step(Some(data));
    }
});
