//! Fuzz the RFC 2743 InitialContextToken framing and the krb5 TOK_ID split: never panic; what
//! parses must re-frame to the same bytes (DER lengths are canonical in what we emit).
#![no_main]

use kerberos_client::gss::framing;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok((oid, inner)) = framing::parse_initial_token(data) {
        let again = framing::frame_initial_token(oid, inner);
        let (oid2, inner2) = framing::parse_initial_token(&again).expect("re-framed token parses");
        assert_eq!((oid, inner), (oid2, inner2));
    }
    let _ = framing::parse_krb5(data);
});
