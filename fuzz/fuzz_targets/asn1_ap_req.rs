//! Fuzz `ApReq`: decoding must not panic; whatever decodes must re-encode, and the
//! re-encoding must decode to the same value.
#![no_main]

use kerberos_client::asn1::{self, ApReq};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(v) = asn1::decode::<ApReq>(data) {
        let out = asn1::encode(&v).expect("decoded value must re-encode");
        let again = asn1::decode::<ApReq>(&out).expect("re-encoding must decode");
        assert_eq!(again, v);
    }
});
