//! Integration tests for `kerberos_client::config`.

use std::fs;
use std::path::Path;
use std::time::Duration;

use kerberos_client::config::{
    Config, ConfigError, DnsCanonicalize, KdcLocation, LibDefaults, ParseOptions, SyntaxError,
};

fn parse(text: &str) -> Config {
    Config::parse_str_with(text, &ParseOptions::no_includes()).expect("config parses")
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    fs::write(&p, text).unwrap();
    p
}

fn any(host: &str, port: u16) -> KdcLocation {
    KdcLocation::Any {
        host: host.into(),
        port,
    }
}

// ---------------------------------------------------------------- syntax

#[test]
fn mit_documented_structure_example() {
    let cfg = parse(
        "[section1]\n\
         \ttag1 = value_a\n\
         \ttag1 = value_b\n\
         \ttag2 = value_c\n\
         \n\
         [section 2]\n\
         \ttag3 = {\n\
         \t\tsubtag1 = subtag_value_a\n\
         \t\tsubtag1 = subtag_value_b\n\
         \t\tsubtag2 = subtag_value_c\n\
         \t}\n\
         \ttag4 = {\n\
         \t\tsubtag1 = subtag_value_d\n\
         \t\tsubtag2 = subtag_value_e\n\
         \t}\n",
    );
    let p = cfg.profile();
    assert_eq!(p.values(&["section1", "tag1"]), vec!["value_a", "value_b"]);
    assert_eq!(p.value(&["section1", "tag2"]), Some("value_c"));
    assert_eq!(
        p.values(&["section 2", "tag3", "subtag1"]),
        vec!["subtag_value_a", "subtag_value_b"]
    );
    assert_eq!(
        p.value(&["section 2", "tag4", "subtag2"]),
        Some("subtag_value_e")
    );
    assert_eq!(p.subsection_names(&["section 2"]), vec!["tag3", "tag4"]);
}

#[test]
fn comments_and_whitespace() {
    let cfg = parse(
        "# leading comment\n\
         ; another\n\
         [libdefaults]\n\
         \x20\x20  # indented comment\n\
         \t; indented semicolon comment\n\
         \n\
         \tdefault_realm\t=\tEXAMPLE.COM\t \n\
         forwardable=true\n\
         ticket_lifetime = \"10h\"\n",
    );
    assert_eq!(cfg.default_realm(), Some("EXAMPLE.COM"));
    assert!(cfg.libdefaults().forwardable);
    assert_eq!(
        cfg.libdefaults().ticket_lifetime,
        Duration::from_secs(36000)
    );
}

#[test]
fn syntax_error_reports_line() {
    let err = Config::parse_str_with(
        "[libdefaults]\n a = 1\n b c\n",
        &ParseOptions::no_includes(),
    )
    .unwrap_err();
    match &err {
        ConfigError::Syntax { origin, kind } => {
            assert_eq!(origin.line, 3);
            assert_eq!(*kind, SyntaxError::RelationSyntax);
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.to_string().contains(":3:"), "{err}");
}

#[test]
fn syntax_error_in_file_names_file() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "krb5.conf", "[s]\n}\n");
    let err = Config::from_file(&f).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("krb5.conf:2"), "{msg}");
}

#[test]
fn unknown_sections_and_keys_are_kept_not_errors() {
    let cfg = parse(
        "[libdefaults]\n no_such_option = 42\n\
         [plugins]\n ccselect = {\n  module = x:y\n }\n\
         [appdefaults]\n pam = {\n  debug = false\n }\n\
         [my own section]\n k = v\n",
    );
    let p = cfg.profile();
    assert_eq!(p.value(&["libdefaults", "no_such_option"]), Some("42"));
    assert_eq!(p.value(&["plugins", "ccselect", "module"]), Some("x:y"));
    assert_eq!(p.value(&["my own section", "k"]), Some("v"));
    assert_eq!(cfg.libdefaults(), &LibDefaults::default());
}

#[test]
fn empty_config_has_defaults() {
    let cfg = parse("");
    let d = cfg.libdefaults();
    assert_eq!(d.default_realm, None);
    assert!(d.dns_lookup_kdc);
    assert!(!d.dns_lookup_realm);
    assert_eq!(d.udp_preference_limit, 1465);
    assert_eq!(d.kdc_timeout, Duration::from_secs(1));
    assert_eq!(d.ticket_lifetime, Duration::from_secs(86400));
    assert_eq!(d.renew_lifetime, Duration::ZERO);
    assert!(!d.forwardable && !d.proxiable && d.noaddresses);
    assert!(!d.allow_weak_crypto);
    assert_eq!(d.dns_canonicalize_hostname, DnsCanonicalize::No);
    assert!(!d.rdns);
    assert_eq!(d.clockskew, Duration::from_secs(300));
    assert!(!d.canonicalize);
    assert_eq!(d.permitted_enctypes, vec![18, 17, 20, 19, 26, 25]);
}

// ---------------------------------------------------------------- final flags / multiple files

#[test]
fn final_markers_across_files() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(
        dir.path(),
        "a.conf",
        "[libdefaults]\n\
         default_realm = A.COM\n\
         forwardable* = false\n\
         [realms]\n\
         A.COM = {\n kdc = a1\n}*\n\
         B.COM = {\n kdc = b1\n}\n\
         C.COM* = {\n kdc = c1\n}\n\
         [domain_realm]*\n\
         .a.com = A.COM\n",
    );
    let b = write(
        dir.path(),
        "b.conf",
        "[libdefaults]\n\
         default_realm = B.COM\n\
         forwardable = true\n\
         proxiable = true\n\
         [realms]\n\
         A.COM = {\n kdc = a2\n}\n\
         B.COM = {\n kdc = b2\n}\n\
         C.COM = {\n kdc = c2\n}\n\
         D.COM = {\n kdc = d2\n}\n\
         [domain_realm]\n\
         .b.com = B.COM\n",
    );
    let cfg = Config::from_files(&[&a, &b]).unwrap();
    // First file's value wins for single-valued settings.
    assert_eq!(cfg.default_realm(), Some("A.COM"));
    // Final relation: the later file can't override or add.
    assert!(!cfg.libdefaults().forwardable);
    assert_eq!(
        cfg.profile().values(&["libdefaults", "forwardable"]),
        vec!["false"]
    );
    // Not mentioned in the first file: the later file supplies it.
    assert!(cfg.libdefaults().proxiable);
    // Multi-valued relations concatenate across files unless final.
    assert_eq!(cfg.kdcs("A.COM"), vec![any("a1", 88)]);
    assert_eq!(cfg.kdcs("B.COM"), vec![any("b1", 88), any("b2", 88)]);
    assert_eq!(cfg.kdcs("C.COM"), vec![any("c1", 88)]);
    assert_eq!(cfg.kdcs("D.COM"), vec![any("d2", 88)]);
    // A final section hides the later file's section entirely.
    assert_eq!(cfg.realm_for_host("x.a.com").as_deref(), Some("A.COM"));
    assert_eq!(cfg.realm_for_host("x.b.com"), None);
    assert_eq!(cfg.sources(), vec![a.as_path(), b.as_path()]);
}

#[test]
fn final_top_level_section() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "a", "[libdefaults]*\nforwardable = false\n");
    let b = write(
        dir.path(),
        "b",
        "[libdefaults]\nforwardable = true\ndefault_realm = B\n",
    );
    let cfg = Config::from_files(&[&a, &b]).unwrap();
    assert!(!cfg.libdefaults().forwardable);
    assert_eq!(cfg.default_realm(), None);
    // Reverse order: nothing final in b.
    let cfg = Config::from_files(&[&b, &a]).unwrap();
    assert!(cfg.libdefaults().forwardable);
    assert_eq!(cfg.default_realm(), Some("B"));
}

// ---------------------------------------------------------------- KRB5_CONFIG

#[test]
fn krb5_config_var_order_and_missing_files() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(
        dir.path(),
        "a.conf",
        "[libdefaults]\ndefault_realm = A.COM\n",
    );
    let b = write(
        dir.path(),
        "b.conf",
        "[libdefaults]\ndefault_realm = B.COM\nforwardable = yes\n",
    );
    let missing = dir.path().join("missing.conf");
    let var = format!("{}:{}::{}", missing.display(), a.display(), b.display());
    let cfg = Config::from_krb5_config_var(Some(&var)).unwrap();
    assert_eq!(cfg.default_realm(), Some("A.COM"));
    assert!(cfg.libdefaults().forwardable);
    assert_eq!(cfg.sources(), vec![a.as_path(), b.as_path()]);

    let var = format!("{}:{}", b.display(), a.display());
    let cfg = Config::from_krb5_config_var(Some(&var)).unwrap();
    assert_eq!(cfg.default_realm(), Some("B.COM"));
}

#[test]
fn krb5_config_var_all_missing_or_empty_gives_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let var = format!("{}/x:{}/y", dir.path().display(), dir.path().display());
    let cfg = Config::from_krb5_config_var(Some(&var)).unwrap();
    assert!(cfg.sources().is_empty());
    assert_eq!(cfg.libdefaults(), &LibDefaults::default());
    let cfg = Config::from_krb5_config_var(Some("")).unwrap();
    assert!(cfg.sources().is_empty());
}

#[test]
fn krb5_config_var_unset_reads_etc_krb5_conf() {
    // Whatever /etc/krb5.conf holds on this machine, reading it must agree
    // with reading the default path explicitly.
    let unset = Config::from_krb5_config_var(None);
    let explicit = Config::from_krb5_config_var(Some("/etc/krb5.conf"));
    match (unset, explicit) {
        (Ok(u), Ok(e)) => {
            assert_eq!(u.sources(), e.sources());
            assert_eq!(u.libdefaults(), e.libdefaults());
        }
        (Err(u), Err(e)) => assert_eq!(u.to_string(), e.to_string()),
        (u, e) => panic!("mismatch: {u:?} vs {e:?}"),
    }
}

#[test]
fn krb5_config_var_directory_entry() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("conf.d");
    fs::create_dir(&d).unwrap();
    write(&d, "10-realm", "[libdefaults]\ndefault_realm = DIR.COM\n");
    write(&d, "20-ignored.bak", "[libdefaults]\nforwardable = true\n");
    let cfg = Config::from_krb5_config_var(Some(d.to_str().unwrap())).unwrap();
    assert_eq!(cfg.default_realm(), Some("DIR.COM"));
    assert!(!cfg.libdefaults().forwardable);
}

#[test]
fn from_file_missing_is_error() {
    let dir = tempfile::tempdir().unwrap();
    let err = Config::from_file(dir.path().join("nope")).unwrap_err();
    assert!(matches!(err, ConfigError::Io { .. }), "{err:?}");
}

#[test]
fn too_large_file_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("[s]\n");
    while text.len() as u64 <= kerberos_client::config::MAX_FILE_SIZE {
        text.push_str("key = some value that pads the file out\n");
    }
    let f = write(dir.path(), "big", &text);
    let err = Config::from_file(&f).unwrap_err();
    assert!(matches!(err, ConfigError::TooLarge { .. }), "{err:?}");
}

// ---------------------------------------------------------------- include / includedir

#[test]
fn include_and_includedir() {
    let dir = tempfile::tempdir().unwrap();
    let inc = dir.path().join("krb5.conf.d");
    fs::create_dir(&inc).unwrap();
    // Eligible: alnum/-/_ names and *.conf; read in lexicographic order.
    write(&inc, "b_realm", "[realms]\nR.COM = {\n kdc = from-b\n}\n");
    write(&inc, "a-realm", "[realms]\nR.COM = {\n kdc = from-a\n}\n");
    write(&inc, "c.conf", "[realms]\nR.COM = {\n kdc = from-c\n}\n");
    // Ineligible names are skipped.
    write(&inc, "d.rpmnew", "[realms]\nR.COM = {\n kdc = from-d\n}\n");
    write(&inc, "e~", "[realms]\nR.COM = {\n kdc = from-e\n}\n");
    write(
        &inc,
        ".hidden",
        "[realms]\nR.COM = {\n kdc = from-hidden\n}\n",
    );
    fs::create_dir(inc.join("subdir")).unwrap();
    let extra = write(
        dir.path(),
        "extra.conf",
        "this line precedes any section and is ignored\n\
         [libdefaults]\nforwardable = true\n",
    );
    let main = write(
        dir.path(),
        "krb5.conf",
        &format!(
            "[libdefaults]\n\
             default_realm = R.COM\n\
             include {}\n\
             includedir {}\n\
             \x20ticket_lifetime = 1h\n",
            extra.display(),
            inc.display()
        ),
    );
    let cfg = Config::from_file(&main).unwrap();
    assert_eq!(cfg.default_realm(), Some("R.COM"));
    assert!(cfg.libdefaults().forwardable);
    // The including file's current section continues after the include.
    assert_eq!(cfg.libdefaults().ticket_lifetime, Duration::from_secs(3600));
    assert_eq!(
        cfg.kdcs("R.COM"),
        vec![any("from-a", 88), any("from-b", 88), any("from-c", 88)]
    );
}

#[test]
fn relative_include_is_resolved_against_including_file() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "child.conf",
        "[libdefaults]\ndefault_realm = CHILD\n",
    );
    let main = write(dir.path(), "main.conf", "include child.conf\n");
    let cfg = Config::from_file(&main).unwrap();
    assert_eq!(cfg.default_realm(), Some("CHILD"));
    // parse_str with a base directory.
    let opts = ParseOptions {
        includes: true,
        base_dir: Some(dir.path().to_path_buf()),
    };
    let cfg = Config::parse_str_with("include child.conf\n", &opts).unwrap();
    assert_eq!(cfg.default_realm(), Some("CHILD"));
}

#[test]
fn include_must_start_in_column_zero() {
    // An indented include is an ordinary (malformed) relation line.
    let err = Config::parse_str("[s]\n  include /nonexistent\n").unwrap_err();
    assert!(matches!(err, ConfigError::Syntax { .. }), "{err:?}");
}

#[test]
fn include_loop_is_detected() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.conf");
    let b = dir.path().join("b.conf");
    fs::write(&a, format!("[s]\nx = 1\ninclude {}\n", b.display())).unwrap();
    fs::write(&b, format!("[s]\ny = 1\ninclude {}\n", a.display())).unwrap();
    let err = Config::from_file(&a).unwrap_err();
    fn root(e: &ConfigError) -> &ConfigError {
        match e {
            ConfigError::Include { source, .. } => root(source),
            e => e,
        }
    }
    assert!(
        matches!(root(&err), ConfigError::IncludeLoop { .. }),
        "{err:?}"
    );
    // A self-including directory loops as well.
    let d = dir.path().join("d");
    fs::create_dir(&d).unwrap();
    write(&d, "x.conf", &format!("[s]\nincludedir {}\n", d.display()));
    let err = Config::from_file(d.join("x.conf")).unwrap_err();
    assert!(
        matches!(root(&err), ConfigError::IncludeLoop { .. }),
        "{err:?}"
    );
}

#[test]
fn include_depth_is_limited() {
    let dir = tempfile::tempdir().unwrap();
    let n = kerberos_client::config::MAX_INCLUDE_DEPTH + 3;
    for i in 0..n {
        let next = dir.path().join(format!("f{}", i + 1));
        let body = if i + 1 < n {
            format!("[s]\ninclude {}\n", next.display())
        } else {
            "[s]\n".to_owned()
        };
        write(dir.path(), &format!("f{i}"), &body);
    }
    let err = Config::from_file(dir.path().join("f0")).unwrap_err();
    assert!(err.to_string().contains("nested deeper"), "{err}");
}

#[test]
fn missing_include_is_error_with_line() {
    let dir = tempfile::tempdir().unwrap();
    let main = write(
        dir.path(),
        "main.conf",
        &format!("[s]\n\ninclude {}/nope\n", dir.path().display()),
    );
    let err = Config::from_file(&main).unwrap_err();
    match &err {
        ConfigError::Include { origin, source } => {
            assert_eq!(origin.line, 3);
            assert!(matches!(**source, ConfigError::Io { .. }));
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn includes_can_be_disabled() {
    let err = Config::parse_str_with("include /etc/krb5.conf\n", &ParseOptions::no_includes())
        .unwrap_err();
    assert!(
        matches!(err, ConfigError::IncludeDisabled { .. }),
        "{err:?}"
    );
}

// ---------------------------------------------------------------- realms / kdc forms

#[test]
fn kdc_value_forms() {
    let cfg = parse(
        "[realms]\n\
         EXAMPLE.COM = {\n\
         \tkdc = kdc1.example.com\n\
         \tkdc = kdc2.example.com:750\n\
         \tkdc = [2001:db8::5]\n\
         \tkdc = [2001:db8::6]:8888\n\
         \tkdc = 192.0.2.1:88\n\
         \tkdc = tcp/kdc3.example.com\n\
         \tkdc = udp/[::1]:1088\n\
         \tkdc = https://proxy.example.com/KdcProxy\n\
         \tkdc = kkdcp://proxy2.example.com:8443/kdc\n\
         \tkdc = bad:port:value:notv6\n\
         \tmaster_kdc = kdc1.example.com\n\
         \tadmin_server = kadmin.example.com\n\
         \tdefault_domain = example.com\n\
         }\n",
    );
    let r = cfg.realm("EXAMPLE.COM");
    assert_eq!(
        r.kdc,
        vec![
            any("kdc1.example.com", 88),
            any("kdc2.example.com", 750),
            any("2001:db8::5", 88),
            any("2001:db8::6", 8888),
            any("192.0.2.1", 88),
            KdcLocation::Tcp {
                host: "kdc3.example.com".into(),
                port: 88
            },
            KdcLocation::Udp {
                host: "::1".into(),
                port: 1088
            },
            KdcLocation::Https {
                host: "proxy.example.com".into(),
                port: 443,
                path: "/KdcProxy".into()
            },
            KdcLocation::Kkdcp {
                host: "proxy2.example.com".into(),
                port: 8443,
                path: "/kdc".into()
            },
        ]
    );
    assert_eq!(r.primary_kdc, vec![any("kdc1.example.com", 88)]);
    assert_eq!(r.admin_server, vec![any("kadmin.example.com", 749)]);
    // No kpasswd_server: admin_server hosts on the kpasswd port.
    assert_eq!(r.kpasswd_server, vec![any("kadmin.example.com", 464)]);
    assert_eq!(r.default_domain.as_deref(), Some("example.com"));
    assert_eq!(
        r.kdc[7].https_url().as_deref(),
        Some("https://proxy.example.com/KdcProxy")
    );
    assert!(cfg.realm("OTHER.COM").kdc.is_empty());
    assert_eq!(cfg.realm_names(), vec!["EXAMPLE.COM"]);
}

#[test]
fn primary_kdc_and_kpasswd_server() {
    let cfg = parse(
        "[realms]\nR = {\n master_kdc = old\n primary_kdc = new:1\n \
         admin_server = adm:7490\n kpasswd_server = pw\n}\n",
    );
    let r = cfg.realm("R");
    assert_eq!(r.primary_kdc, vec![any("new", 1)]);
    assert_eq!(r.admin_server, vec![any("adm", 7490)]);
    assert_eq!(r.kpasswd_server, vec![any("pw", 464)]);
}

// ---------------------------------------------------------------- domain_realm / capaths

#[test]
fn domain_realm_longest_match() {
    let cfg = parse(
        "[domain_realm]\n\
         .example.com = EXAMPLE.COM\n\
         example.com = EXAMPLE.COM\n\
         .eng.example.com = ENG.EXAMPLE.COM\n\
         special.eng.example.com = SPECIAL.COM\n\
         .Mixed.Case.ORG = MIXED.ORG\n",
    );
    let m = |h: &str| cfg.realm_for_host(h);
    assert_eq!(m("www.example.com").as_deref(), Some("EXAMPLE.COM"));
    assert_eq!(m("example.com").as_deref(), Some("EXAMPLE.COM"));
    assert_eq!(
        m("host.eng.example.com").as_deref(),
        Some("ENG.EXAMPLE.COM")
    );
    assert_eq!(m("a.b.eng.example.com").as_deref(), Some("ENG.EXAMPLE.COM"));
    assert_eq!(m("special.eng.example.com").as_deref(), Some("SPECIAL.COM"));
    assert_eq!(
        m("SPECIAL.ENG.Example.COM.").as_deref(),
        Some("SPECIAL.COM")
    );
    assert_eq!(m("x.mixed.case.org").as_deref(), Some("MIXED.ORG"));
    assert_eq!(m("example.org"), None);
    assert_eq!(m("com"), None);
    assert_eq!(m(""), None);
    assert_eq!(m("192.0.2.1"), None);
    assert_eq!(m("::1"), None);
}

#[test]
fn domain_realm_exact_host_only() {
    let cfg = parse("[domain_realm]\nhost.example.com = H.COM\n");
    assert_eq!(
        cfg.realm_for_host("host.example.com").as_deref(),
        Some("H.COM")
    );
    assert_eq!(cfg.realm_for_host("other.example.com"), None);
}

#[test]
fn capaths() {
    let cfg = parse(
        "[capaths]\n\
         ANL.GOV = {\n\
         \tTEST.ANL.GOV = .\n\
         \tPNL.GOV = ES.NET\n\
         \tNIH.GOV = ES.NET\n\
         \tNIH.GOV = NIH.ES.NET\n\
         \tES.NET = .\n\
         }\n",
    );
    assert_eq!(cfg.capath("ANL.GOV", "TEST.ANL.GOV"), Vec::<String>::new());
    assert_eq!(cfg.capath("ANL.GOV", "PNL.GOV"), vec!["ES.NET"]);
    assert_eq!(
        cfg.capath("ANL.GOV", "NIH.GOV"),
        vec!["ES.NET", "NIH.ES.NET"]
    );
    assert_eq!(cfg.capath("ANL.GOV", "ES.NET"), Vec::<String>::new());
    assert_eq!(cfg.capath("ANL.GOV", "ANL.GOV"), Vec::<String>::new());
    // No entry: hierarchical path.
    assert_eq!(
        cfg.capath("A.EXAMPLE.COM", "B.EXAMPLE.COM"),
        vec!["EXAMPLE.COM"]
    );
    assert_eq!(cfg.capath("FOO", "BAR"), Vec::<String>::new());
}

// ---------------------------------------------------------------- libdefaults values

#[test]
fn durations_in_libdefaults() {
    for (text, secs) in [
        ("5s", 5),
        ("1m", 60),
        ("1h30m", 5400),
        ("10d", 864_000),
        ("36000", 36000),
        ("1:30:00", 5400),
        ("2:00", 7200),
    ] {
        let cfg = parse(&format!("[libdefaults]\nticket_lifetime = {text}\n"));
        assert_eq!(cfg.libdefaults().ticket_lifetime.as_secs(), secs, "{text}");
    }
    let cfg = parse(
        "[libdefaults]\nrenew_lifetime = 7d\nclockskew = 2m\nkdc_timeout = 3s\nrequest_timeout = 30s\n",
    );
    let d = cfg.libdefaults();
    assert_eq!(d.renew_lifetime, Duration::from_secs(7 * 86400));
    assert_eq!(d.clockskew, Duration::from_secs(120));
    assert_eq!(d.kdc_timeout, Duration::from_secs(3));
    assert_eq!(d.request_timeout, Some(Duration::from_secs(30)));
}

#[test]
fn invalid_values_are_errors_with_location() {
    for (text, key) in [
        ("ticket_lifetime = forever", "ticket_lifetime"),
        ("forwardable = maybe", "forwardable"),
        ("udp_preference_limit = lots", "udp_preference_limit"),
        (
            "dns_canonicalize_hostname = sometimes",
            "dns_canonicalize_hostname",
        ),
    ] {
        let err = Config::parse_str_with(
            &format!("[libdefaults]\n\n{text}\n"),
            &ParseOptions::no_includes(),
        )
        .unwrap_err();
        match &err {
            ConfigError::InvalidValue { origin, key: k, .. } => {
                assert_eq!(origin.line, 3, "{text}");
                assert_eq!(k, key);
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(err.to_string().contains(":3:"), "{err}");
    }
}

#[test]
fn booleans_in_libdefaults() {
    for (v, expected) in [
        ("y", true),
        ("Yes", true),
        ("TRUE", true),
        ("t", true),
        ("1", true),
        ("on", true),
        ("n", false),
        ("NO", false),
        ("false", false),
        ("nil", false),
        ("0", false),
        ("Off", false),
    ] {
        let cfg = parse(&format!(
            "[libdefaults]\nforwardable = {v}\nnoaddresses = {v}\ndns_lookup_kdc = {v}\n"
        ));
        let d = cfg.libdefaults();
        assert_eq!(d.forwardable, expected, "{v}");
        assert_eq!(d.noaddresses, expected, "{v}");
        assert_eq!(d.dns_lookup_kdc, expected, "{v}");
    }
}

#[test]
fn misc_libdefaults() {
    let cfg = parse(
        "[libdefaults]\n\
         udp_preference_limit = 1\n\
         dns_canonicalize_hostname = fallback\n\
         rdns = true\n\
         dns_lookup_realm = true\n\
         canonicalize = on\n\
         proxiable = yes\n\
         default_ccache_name = FILE:/tmp/krb5cc_%{uid}\n\
         default_keytab_name = FILE:/etc/krb5.keytab\n\
         default_client_keytab_name = FILE:/var/kerberos/client.keytab\n",
    );
    let d = cfg.libdefaults();
    assert_eq!(d.udp_preference_limit, 1);
    assert_eq!(d.dns_canonicalize_hostname, DnsCanonicalize::Fallback);
    assert!(d.rdns && d.dns_lookup_realm && d.canonicalize && d.proxiable);
    assert_eq!(
        d.default_ccache_name.as_deref(),
        Some("FILE:/tmp/krb5cc_%{uid}")
    );
    assert_eq!(
        d.default_keytab_name.as_deref(),
        Some("FILE:/etc/krb5.keytab")
    );
    assert_eq!(
        d.default_client_keytab_name.as_deref(),
        Some("FILE:/var/kerberos/client.keytab")
    );
    let cfg = parse("[libdefaults]\nudp_preference_limit = 100000\n");
    assert_eq!(cfg.libdefaults().udp_preference_limit, 32700);
}

#[test]
fn enctype_lists_and_weak_filtering() {
    let cfg = parse(
        "[libdefaults]\n\
         default_tkt_enctypes = aes256-cts-hmac-sha1-96 rc4-hmac aes128-cts\n\
         default_tgs_enctypes = DEFAULT -aes-sha2 -camellia\n\
         permitted_enctypes = aes, camellia +des3 bogus-enctype 20\n",
    );
    let d = cfg.libdefaults();
    assert_eq!(d.default_tkt_enctypes, vec![18, 17]);
    assert_eq!(d.default_tgs_enctypes, vec![18, 17]);
    assert_eq!(d.permitted_enctypes, vec![18, 17, 20, 19, 26, 25]);

    let cfg = parse(
        "[libdefaults]\n\
         allow_weak_crypto = true\n\
         default_tkt_enctypes = aes256-cts-hmac-sha1-96 rc4-hmac aes128-cts\n\
         default_tgs_enctypes = DEFAULT -aes-sha2 -camellia\n\
         permitted_enctypes = rc4 des3 -rc4 23\n",
    );
    let d = cfg.libdefaults();
    assert_eq!(d.default_tkt_enctypes, vec![18, 23, 17]);
    assert_eq!(d.default_tgs_enctypes, vec![18, 17, 16, 23]);
    assert_eq!(d.permitted_enctypes, vec![16, 23]);

    // Only weak enctypes listed without allow_weak_crypto: empty list.
    let cfg = parse("[libdefaults]\ndefault_tkt_enctypes = arcfour-hmac-md5\n");
    assert!(cfg.libdefaults().default_tkt_enctypes.is_empty());
}

#[test]
fn per_realm_libdefaults_override() {
    let cfg = parse(
        "[libdefaults]\n\
         forwardable = false\n\
         ticket_lifetime = 10h\n\
         OTHER.COM = {\n\
         \tforwardable = true\n\
         \tticket_lifetime = 1h\n\
         }\n",
    );
    assert!(!cfg.libdefaults().forwardable);
    let o = cfg.libdefaults_for_realm("OTHER.COM").unwrap();
    assert!(o.forwardable);
    assert_eq!(o.ticket_lifetime, Duration::from_secs(3600));
    let n = cfg.libdefaults_for_realm("NONE.COM").unwrap();
    assert_eq!(&n, cfg.libdefaults());
}

// ---------------------------------------------------------------- realistic file

/// The shape of file MIT's k5test lab writes, with a second realm.
const LAB_CONF: &str = r#"[libdefaults]
	default_realm = KRBTEST.COM
	dns_lookup_kdc = false
	dns_lookup_realm = false
	dns_canonicalize_hostname = false
	qualify_shortname = ""
	plugin_base_dir = /usr/lib/krb5/plugins
	allow_weak_crypto = true
	default_ccache_name = FILE:/tmp/lab/ccache
	default_keytab_name = FILE:/tmp/lab/keytab
	default_client_keytab_name = FILE:/tmp/lab/client_keytab
	udp_preference_limit = 1

[realms]
	KRBTEST.COM = {
		kdc = 127.0.0.1:60088
		admin_server = 127.0.0.1:60089
		kpasswd_server = 127.0.0.1:60090
		database_module = db
	}
	KRBTEST2.COM = {
		kdc = 127.0.0.1:60098
		admin_server = 127.0.0.1:60099
	}

[domain_realm]
	localhost = KRBTEST.COM
	.krbtest2.com = KRBTEST2.COM

[capaths]
	KRBTEST.COM = {
		KRBTEST2.COM = .
	}

[dbmodules]
	db_module_dir = /usr/lib/krb5/plugins/kdb
	db = {
		db_library = db2
		database_name = /tmp/lab/principal
	}

[logging]
	kdc = FILE:/tmp/lab/kdc.log
"#;

#[test]
fn realistic_lab_config() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "krb5.conf", LAB_CONF);
    let cfg = Config::from_file(&f).unwrap();
    let d = cfg.libdefaults();
    assert_eq!(cfg.default_realm(), Some("KRBTEST.COM"));
    assert!(!d.dns_lookup_kdc && !d.dns_lookup_realm && d.allow_weak_crypto);
    assert_eq!(d.udp_preference_limit, 1);
    assert_eq!(d.default_tkt_enctypes, vec![18, 17, 20, 19, 16, 23, 26, 25]);
    assert_eq!(
        d.default_ccache_name.as_deref(),
        Some("FILE:/tmp/lab/ccache")
    );
    assert_eq!(
        cfg.profile().value(&["libdefaults", "qualify_shortname"]),
        Some("")
    );
    assert_eq!(cfg.realm_names(), vec!["KRBTEST.COM", "KRBTEST2.COM"]);
    let r = cfg.realm("KRBTEST.COM");
    assert_eq!(r.kdc, vec![any("127.0.0.1", 60088)]);
    assert_eq!(r.admin_server, vec![any("127.0.0.1", 60089)]);
    assert_eq!(r.kpasswd_server, vec![any("127.0.0.1", 60090)]);
    let r2 = cfg.realm("KRBTEST2.COM");
    assert_eq!(r2.kdc, vec![any("127.0.0.1", 60098)]);
    assert_eq!(r2.kpasswd_server, vec![any("127.0.0.1", 464)]);
    assert_eq!(
        cfg.realm_for_host("localhost").as_deref(),
        Some("KRBTEST.COM")
    );
    assert_eq!(
        cfg.realm_for_host("h.krbtest2.com").as_deref(),
        Some("KRBTEST2.COM")
    );
    assert!(cfg.capath("KRBTEST.COM", "KRBTEST2.COM").is_empty());
    assert_eq!(
        cfg.profile().value(&["dbmodules", "db", "database_name"]),
        Some("/tmp/lab/principal")
    );
}

// ---------------------------------------------------------------- builder

#[test]
fn builder_matches_parsed_file() {
    let built = Config::builder()
        .default_realm("KRBTEST.COM")
        .kdc("KRBTEST.COM", "127.0.0.1:60088")
        .admin_server("KRBTEST.COM", "127.0.0.1:60089")
        .kpasswd_server("KRBTEST.COM", "127.0.0.1:60090")
        .default_domain("KRBTEST.COM", "krbtest.com")
        .domain_realm(".krbtest.com", "KRBTEST.COM")
        .capath("A.COM", "C.COM", &["B.COM"])
        .capath("A.COM", "D.COM", &[])
        .dns_lookup_kdc(false)
        .dns_lookup_realm(false)
        .udp_preference_limit(1)
        .kdc_timeout(Duration::from_secs(2))
        .request_timeout(Duration::from_secs(20))
        .ticket_lifetime(Duration::from_secs(3600))
        .renew_lifetime(Duration::from_secs(7200))
        .clockskew(Duration::from_secs(60))
        .forwardable(true)
        .proxiable(true)
        .noaddresses(false)
        .canonicalize(true)
        .rdns(true)
        .allow_weak_crypto(false)
        .dns_canonicalize_hostname(DnsCanonicalize::Yes)
        .default_tkt_enctypes(&[18, 23, 17])
        .default_tgs_enctypes(&[17])
        .permitted_enctypes(&[20, 19])
        .default_ccache_name("MEMORY:x")
        .default_keytab_name("FILE:/k")
        .default_client_keytab_name("FILE:/ck")
        .libdefault("custom", "value")
        .build()
        .unwrap();
    let d = built.libdefaults();
    assert_eq!(built.default_realm(), Some("KRBTEST.COM"));
    assert!(!d.dns_lookup_kdc && !d.dns_lookup_realm);
    assert_eq!(d.udp_preference_limit, 1);
    assert_eq!(d.kdc_timeout, Duration::from_secs(2));
    assert_eq!(d.request_timeout, Some(Duration::from_secs(20)));
    assert_eq!(d.ticket_lifetime, Duration::from_secs(3600));
    assert_eq!(d.renew_lifetime, Duration::from_secs(7200));
    assert_eq!(d.clockskew, Duration::from_secs(60));
    assert!(d.forwardable && d.proxiable && !d.noaddresses && d.canonicalize && d.rdns);
    assert_eq!(d.dns_canonicalize_hostname, DnsCanonicalize::Yes);
    assert_eq!(d.default_tkt_enctypes, vec![18, 17]);
    assert_eq!(d.default_tgs_enctypes, vec![17]);
    assert_eq!(d.permitted_enctypes, vec![20, 19]);
    assert_eq!(d.default_ccache_name.as_deref(), Some("MEMORY:x"));
    assert_eq!(d.default_keytab_name.as_deref(), Some("FILE:/k"));
    assert_eq!(d.default_client_keytab_name.as_deref(), Some("FILE:/ck"));
    assert_eq!(
        built.profile().value(&["libdefaults", "custom"]),
        Some("value")
    );
    let r = built.realm("KRBTEST.COM");
    assert_eq!(r.kdc, vec![any("127.0.0.1", 60088)]);
    assert_eq!(r.admin_server, vec![any("127.0.0.1", 60089)]);
    assert_eq!(r.kpasswd_server, vec![any("127.0.0.1", 60090)]);
    assert_eq!(r.default_domain.as_deref(), Some("krbtest.com"));
    assert_eq!(
        built.realm_for_host("a.krbtest.com").as_deref(),
        Some("KRBTEST.COM")
    );
    assert_eq!(built.capath("A.COM", "C.COM"), vec!["B.COM"]);
    assert!(built.capath("A.COM", "D.COM").is_empty());
    assert!(built.sources().is_empty());
}

#[test]
fn builder_validates() {
    assert!(Config::builder().kdc("R", "host:notaport").build().is_err());
    assert!(
        Config::builder()
            .libdefault("forwardable", "perhaps")
            .build()
            .is_err()
    );
    let ok = Config::builder().build().unwrap();
    assert_eq!(ok.libdefaults(), &LibDefaults::default());
}

// ---------------------------------------------------------------- robustness

#[test]
fn many_sections_parse_in_linear_time() {
    let mut text = String::from("[realms]\n");
    for i in 0..30_000 {
        text.push_str(&format!("R{i} = {{\n kdc = k{i}\n}}\n"));
    }
    for i in 0..20_000 {
        text.push_str(&format!("[s{i}]\n"));
    }
    let start = std::time::Instant::now();
    let cfg = parse(&text);
    assert_eq!(cfg.realm_names().len(), 30_000);
    assert_eq!(cfg.kdcs("R29999"), vec![any("k29999", 88)]);
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn config_is_send_sync_and_errors_display() {
    fn assert_send_sync<T: Send + Sync + 'static>() {}
    assert_send_sync::<Config>();
    assert_send_sync::<ConfigError>();
    let err = Config::parse_str_with("[a]\n[b\n", &ParseOptions::no_includes()).unwrap_err();
    assert_eq!(err.to_string(), "<string>:2: malformed section header");
}
