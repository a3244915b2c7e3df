#![no_main]
//! Parse arbitrary bytes as a keytab; whatever parses must serialize and re-parse to an
//! equal value.

use kerberos_client::keytab::Keytab;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(kt) = Keytab::parse(data) {
        let bytes = kt.to_bytes().expect("a parsed keytab must serialize");
        let again = Keytab::parse(&bytes).expect("serialized keytab must re-parse");
        assert_eq!(again, kt);
        assert_eq!(again.to_bytes().unwrap(), bytes, "serialization is stable");
    }
});
