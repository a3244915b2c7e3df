#![no_main]
//! Fuzz the krb5.conf parser: arbitrary bytes (lossy UTF-8), includes
//! disabled, then every typed lookup on whatever parsed.

use kerberos_client::config::{Config, ParseOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(cfg) = Config::parse_str_with(&text, &ParseOptions::no_includes()) {
        let _ = cfg.libdefaults();
        for realm in cfg.realm_names() {
            let _ = cfg.realm(realm);
            let _ = cfg.libdefaults_for_realm(realm);
            let _ = cfg.capath(realm, "EXAMPLE.COM");
        }
        let _ = cfg.realm_for_host("host.sub.example.com");
        let _ = cfg.capath("A.EXAMPLE.COM", "B.EXAMPLE.ORG");
    }
});
