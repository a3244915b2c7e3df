//! Feed arbitrary bytes as KDC replies to a TGS exchange (and as an AP-REP to the AP-REP
//! verifier): never a panic, and each reply ends in an error, `Done` or another `Send`.
//!
//! Input layout: [flags][len: 2 bytes BE][reply]... — up to 6 replies. The TGT's session
//! key, the nonce and the clock are fixed, so the fuzzer can find replies that pass the
//! checks (and exercise referrals, hops and loops).
#![no_main]

use std::time::{Duration, UNIX_EPOCH};

use kerberos_client::asn1::{EncryptedData, PrincipalName, RawTicket, Ticket};
use kerberos_client::crypto::{EncryptionType, Key};
use kerberos_client::exchange::{
    Credential, S4uSelf, Step, TgsExchange, TgsOptions, TgsRequest, verify_ap_rep,
};
use kerberos_client::principal::Principal;
use libfuzzer_sys::fuzz_target;

fn nonce() -> u32 {
    0x1234_5678
}

fuzz_target!(|data: &[u8]| {
    let (flags, mut rest) = data.split_first().unwrap_or((&0, &[]));
    let now = UNIX_EPOCH + Duration::from_secs(1_764_115_200);
    let key = Key::from_bytes(EncryptionType::Aes256CtsHmacSha196, &[0x11; 32]).expect("key");
    let _ = verify_ap_rep(rest, &key, 1_764_115_200, 0);
    let ticket = RawTicket::from_ticket(&Ticket {
        tkt_vno: 5,
        realm: "A.TEST".into(),
        sname: PrincipalName::new(2, &["krbtgt", "A.TEST"]),
        enc_part: EncryptedData::new(18, Some(1), vec![0u8; 48]),
    })
    .expect("ticket")
    .into_bytes();
    let tgt = Credential {
        client: Principal::new(1, "A.TEST", ["alice"]),
        server: Principal::krbtgt("A.TEST", "A.TEST"),
        ticket,
        session_key: key,
        flags: 0x4081_0000,
        auth_time: 1_764_115_000,
        start_time: 1_764_115_000,
        end_time: 1_764_150_000,
        renew_till: Some(1_764_200_000),
        kdc_offset: 0,
        enc_padata: Vec::new(),
    };
    let options = TgsOptions {
        etypes: vec![18, 17, 23, 20],
        allow_weak_crypto: flags & 1 != 0,
        canonicalize: flags & 2 != 0,
        use_subkey: flags & 4 != 0,
        renew: flags & 8 != 0,
        s4u2self: (flags & 16 != 0).then(|| S4uSelf {
            user: Principal::new(1, "", ["bob"]),
            use_x509_user_pa: true,
        }),
        max_hops: flags >> 5,
        ..TgsOptions::default()
    };
    let server = Principal::new(2, "A.TEST", ["host", "svc"]);
    let request = TgsRequest {
        tgt,
        server,
        options,
    };
    let Ok(mut ex) = TgsExchange::new_with_nonce_source(request, now, nonce) else {
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
            assert!(ex.poll().is_none());
            return;
        }
    }
});
