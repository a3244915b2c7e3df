//! Property tests: the krb5.conf parser and value parsers never panic.

use kerberos_client::config::{
    Config, KdcLocation, ParseOptions, parse_bool, parse_duration, parse_enctype_list,
};
use proptest::prelude::*;

/// Exercises every lookup on a parsed configuration.
fn exercise(cfg: &Config) {
    let _ = cfg.libdefaults();
    for realm in cfg.realm_names() {
        let _ = cfg.realm(realm);
        let _ = cfg.libdefaults_for_realm(realm);
        let _ = cfg.capath(realm, "OTHER.REALM");
    }
    let _ = cfg.realm_for_host("a.b.example.com");
    let _ = cfg.capath("A.B.C", "D.B.C");
}

fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\[[a-z_ ]{0,12}\\]\\*?[ ]?",
        "[ \t]*[a-z_*\"]{1,12}[ ]?=[ ]?[a-zA-Z0-9.:/\\[\\]\" *{#;-]{0,30}",
        "[ \t]*\\}\\*?",
        "[ \t]*\\{",
        "[#;].{0,20}",
        "(include|includedir) [a-z/]{0,10}",
        ".{0,40}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        if let Ok(cfg) = Config::parse_str_with(&text, &ParseOptions::no_includes()) {
            exercise(&cfg);
        }
    }

    #[test]
    fn krb5ish_lines_never_panic(lines in prop::collection::vec(line(), 0..40)) {
        let text = lines.join("\n");
        if let Ok(cfg) = Config::parse_str_with(&text, &ParseOptions::no_includes()) {
            exercise(&cfg);
        }
    }

    #[test]
    fn values_never_panic(s in any::<String>()) {
        let _ = parse_bool(&s);
        let _ = parse_duration(&s);
        let _ = parse_enctype_list(&s, &[18, 17]);
        if let Ok(loc) = KdcLocation::parse(&s, 88) {
            // What parses prints back to something that parses the same.
            prop_assert_eq!(KdcLocation::parse(&loc.to_string(), 1), Ok(loc.clone()));
            let _ = loc.https_url();
        }
    }

    #[test]
    fn realm_for_arbitrary_hosts(host in any::<String>()) {
        let cfg = Config::builder()
            .domain_realm(".example.com", "EXAMPLE.COM")
            .domain_realm("example.com", "EXAMPLE.COM")
            .build()
            .unwrap();
        let _ = cfg.realm_for_host(&host);
        let _ = cfg.capath(&host, "EXAMPLE.COM");
    }

    #[test]
    fn durations_roundtrip(secs in 0u64..=i32::MAX as u64) {
        prop_assert_eq!(parse_duration(&secs.to_string()).map(|d| d.as_secs()), Some(secs));
        let (d, h, m, s) = (secs / 86400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
        let text = format!("{d}d{h}h{m}m{s}s");
        prop_assert_eq!(parse_duration(&text).map(|d| d.as_secs()), Some(secs));
    }
}
