#![no_main]
//! Parse arbitrary bytes as a credential cache; whatever parses must serialize and re-parse
//! to an equal value.

use kerberos_client::ccache::CredentialCache;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(cache) = CredentialCache::parse(data) {
        let bytes = cache.to_bytes().expect("a parsed cache must serialize");
        let again = CredentialCache::parse(&bytes).expect("serialized cache must re-parse");
        assert_eq!(again, cache);
        assert_eq!(again.to_bytes().unwrap(), bytes, "serialization is stable");
    }
});
