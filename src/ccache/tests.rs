//! Unit tests of the ccache module (compiled only under #[cfg(test)], see `mod tests` in mod.rs).
use super::*;
use crate::principal::{NT_PRINCIPAL, NT_SRV_INST};

fn alice() -> Principal {
    Principal::new(NT_PRINCIPAL, "EXAMPLE.TEST", ["alice"])
}

fn tgt_name() -> Principal {
    Principal::krbtgt("EXAMPLE.TEST", "EXAMPLE.TEST")
}

fn sample(version: CcacheVersion) -> CredentialCache {
    let mut cc = CredentialCache::new(alice());
    cc.version = version;
    if version != CcacheVersion::V4 {
        cc.kdc_offset = None;
    }
    cc.set_config(CONF_FAST_AVAIL, Some(&tgt_name()), "yes");
    cc.set_config(CONF_PA_TYPE, Some(&tgt_name()), "2");
    let mut c = Credential::new(
        alice(),
        tgt_name(),
        KeyBlock::new(18, vec![7u8; 32]),
        Times {
            authtime: 1000,
            starttime: 1000,
            endtime: 2000,
            renew_till: 3000,
        },
        TicketFlags(TicketFlags::FORWARDABLE | TicketFlags::INITIAL),
        vec![0x61, 0x03, 1, 2, 3],
    );
    c.addresses.push(Address {
        addr_type: 2,
        address: vec![127, 0, 0, 1],
    });
    c.authdata.push(AuthData {
        ad_type: 1,
        data: vec![9, 9],
    });
    c.second_ticket = vec![1];
    cc.store(c);
    cc
}

#[test]
fn round_trip_all_versions() {
    for v in [
        CcacheVersion::V1,
        CcacheVersion::V2,
        CcacheVersion::V3,
        CcacheVersion::V4,
    ] {
        let cc = sample(v);
        let bytes = cc.to_bytes().unwrap();
        assert_eq!(bytes[0], 5);
        assert_eq!(bytes[1], v.number() as u8);
        let back = CredentialCache::parse(&bytes).unwrap();
        assert_eq!(back.to_bytes().unwrap(), bytes, "{v:?}");
        if v == CcacheVersion::V1 {
            assert_eq!(back.default_principal.name_type, NT_UNKNOWN);
            assert!(back.default_principal.matches(&alice()));
        } else {
            assert_eq!(back, cc, "{v:?}");
        }
        let t = back.tgt().unwrap();
        assert_eq!(t.key.value.as_slice(), &[7u8; 32]);
        assert_eq!(
            back.config(CONF_FAST_AVAIL, Some(&tgt_name())),
            Some(&b"yes"[..])
        );
        assert_eq!(back.config(CONF_FAST_AVAIL, None), None);
    }
}

#[test]
fn v3_keyblock_has_enctype_twice() {
    let mut cc = CredentialCache::new(alice());
    cc.version = CcacheVersion::V3;
    cc.kdc_offset = None;
    cc.push(Credential::new(
        alice(),
        tgt_name(),
        KeyBlock::new(0x1234, vec![0xEE]),
        Times::default(),
        TicketFlags(0),
        vec![],
    ));
    let b = cc.to_bytes().unwrap();
    let needle = [0x12, 0x34, 0x12, 0x34, 0, 0, 0, 1, 0xEE];
    assert!(b.windows(needle.len()).any(|w| w == needle));
    cc.version = CcacheVersion::V4;
    let b = cc.to_bytes().unwrap();
    let needle = [0x12, 0x34, 0, 0, 0, 1, 0xEE];
    assert!(b.windows(needle.len()).any(|w| w == needle));
}

#[test]
fn v4_header() {
    let mut cc = CredentialCache::new(alice());
    cc.kdc_offset = Some((-5, 250));
    cc.other_header_fields.push(HeaderField {
        tag: 0x77,
        value: vec![1, 2, 3],
    });
    let b = cc.to_bytes().unwrap();
    assert_eq!(
        &b[..21],
        &[
            5, 4, 0, 19, 0, 1, 0, 8, 0xff, 0xff, 0xff, 0xfb, 0, 0, 0, 250, 0, 0x77, 0, 3, 1
        ]
    );
    let back = CredentialCache::parse(&b).unwrap();
    assert_eq!(back.kdc_offset, Some((-5, 250)));
    assert_eq!(back.other_header_fields.len(), 1);
    // Header without the offset.
    cc.kdc_offset = None;
    cc.other_header_fields.clear();
    let b = cc.to_bytes().unwrap();
    assert_eq!(&b[..4], &[5, 4, 0, 0]);
}

#[test]
fn config_entry_layout() {
    let cc = sample(CcacheVersion::V4);
    let e = cc.credentials.iter().find(|c| c.is_config()).unwrap();
    assert_eq!(
        e.server.to_string(),
        "krb5_ccache_conf_data/fast_avail/krbtgt\\/EXAMPLE.TEST\\@EXAMPLE.TEST@X-CACHECONF:"
    );
    assert_eq!(e.client, alice());
    assert_eq!(e.times, Times::default());
    assert_eq!(e.key.etype, 0);
    let keys: Vec<_> = cc.config_entries().map(|(k, _, _)| k.to_vec()).collect();
    assert_eq!(keys, vec![b"fast_avail".to_vec(), b"pa_type".to_vec()]);
    let mut cc = cc;
    cc.set_config(CONF_FAST_AVAIL, Some(&tgt_name()), "no");
    assert_eq!(cc.config_entries().count(), 2);
    assert_eq!(
        cc.config(CONF_FAST_AVAIL, Some(&tgt_name())),
        Some(&b"no"[..])
    );
    assert!(cc.remove_config(CONF_PA_TYPE, Some(&tgt_name())));
    assert!(!cc.remove_config(CONF_PA_TYPE, Some(&tgt_name())));
    cc.set_config(CONF_START_REALM, None, "EXAMPLE.TEST");
    assert_eq!(
        cc.config(CONF_START_REALM, None),
        Some(&b"EXAMPLE.TEST"[..])
    );
}

#[test]
fn store_find_remove() {
    let mut cc = sample(CcacheVersion::V4);
    let svc = Principal::new(2, "EXAMPLE.TEST", ["HTTP", "web.example.test"]);
    let mk = |k: u8| {
        Credential::new(
            alice(),
            svc.clone(),
            KeyBlock::new(17, vec![k; 16]),
            Times::default(),
            TicketFlags(0),
            vec![k],
        )
    };
    cc.store(mk(1));
    cc.store(mk(2));
    assert_eq!(cc.tickets().count(), 2);
    let lookup = Principal::parse("HTTP/web.example.test@EXAMPLE.TEST", None).unwrap();
    assert_eq!(cc.find(&lookup).unwrap().ticket, vec![2]);
    cc.push(mk(3));
    assert_eq!(cc.find(&lookup).unwrap().ticket, vec![3]);
    assert_eq!(cc.remove(&lookup), 2);
    assert!(cc.find(&lookup).is_none());
    assert_eq!(cc.tgt().unwrap().server.name_type, NT_SRV_INST);
}

#[test]
fn errors_not_panics() {
    assert!(matches!(
        CredentialCache::parse(&[]),
        Err(CcacheError::Empty)
    ));
    assert!(matches!(
        CredentialCache::parse(&[6, 4]),
        Err(CcacheError::BadMagic(6))
    ));
    assert!(matches!(
        CredentialCache::parse(&[5, 5]),
        Err(CcacheError::UnsupportedVersion(0x0505))
    ));
    assert!(matches!(
        CredentialCache::parse(&[5]),
        Err(CcacheError::Truncated { .. })
    ));
    let b = sample(CcacheVersion::V4).to_bytes().unwrap();
    for cut in 1..b.len() {
        // Every strict prefix that is not at an entry boundary fails cleanly.
        let _ = CredentialCache::parse(&b[..cut]);
    }
    // Absurd counts and lengths are rejected without allocating.
    let mut bad = vec![5, 4, 0, 0, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff];
    assert!(matches!(
        CredentialCache::parse(&bad),
        Err(CcacheError::Truncated { .. })
    ));
    bad = vec![5, 4, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xf0];
    assert!(matches!(
        CredentialCache::parse(&bad),
        Err(CcacheError::Truncated { .. })
    ));
    // Header field overrunning the header.
    bad = vec![5, 4, 0, 4, 0, 1, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0];
    assert!(matches!(
        CredentialCache::parse(&bad),
        Err(CcacheError::Malformed { .. })
    ));
    // Format 1 principal with a zero count.
    bad = vec![5, 1, 0, 0, 0, 0];
    assert!(matches!(
        CredentialCache::parse(&bad),
        Err(CcacheError::Malformed { .. })
    ));
    // Unencodable enctype.
    let mut cc = sample(CcacheVersion::V4);
    cc.credentials[2].key.etype = 70000;
    assert!(matches!(cc.to_bytes(), Err(CcacheError::Unencodable(_))));
}

#[test]
fn negative_enctype_round_trips() {
    let mut cc = sample(CcacheVersion::V4);
    cc.credentials[2].key.etype = -128;
    let back = CredentialCache::parse(&cc.to_bytes().unwrap()).unwrap();
    assert_eq!(back.credentials[2].key.etype, -128);
}

#[test]
fn debug_hides_keys() {
    let cc = sample(CcacheVersion::V4);
    let s = format!("{cc:?}");
    assert!(!s.contains("7, 7, 7"), "{s}");
    assert!(s.contains("etype: 18"));
}

#[test]
fn flags_letters() {
    let f = TicketFlags(
        TicketFlags::FORWARDABLE
            | TicketFlags::RENEWABLE
            | TicketFlags::INITIAL
            | TicketFlags::PRE_AUTHENT,
    );
    assert_eq!(f.klist_letters(), "FRIA");
    assert_eq!(f.0, 0x40e0_0000);
}

#[test]
fn write_atomic_mode_and_update() {
    use std::os::unix::fs::PermissionsExt;
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("cc");
    sample(CcacheVersion::V4).write_atomic(&p).unwrap();
    assert_eq!(
        std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let n = CredentialCache::update(
        &p,
        || unreachable!(),
        |cc| {
            cc.set_config("x", None, "1");
            cc.credentials.len()
        },
    )
    .unwrap();
    assert_eq!(n, 4);
    // Fresh path: init() supplies the cache.
    let q = d.path().join("fresh");
    CredentialCache::update(&q, || CredentialCache::new(alice()), |_| ()).unwrap();
    assert_eq!(
        CredentialCache::read(&q).unwrap().default_principal,
        alice()
    );
    // Only the two caches, no temporary or lock files left behind.
    let names: Vec<_> = std::fs::read_dir(d.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    // Bad existing content: error, file untouched.
    std::fs::write(&p, b"junk").unwrap();
    assert!(CredentialCache::update(&p, || unreachable!(), |_| ()).is_err());
    assert_eq!(std::fs::read(&p).unwrap(), b"junk");
}

#[test]
fn one_component_conf_principal_is_config_without_key() {
    let mut c = Credential::config_entry(&alice(), "k", None, "v");
    c.server.components.truncate(1);
    assert!(c.is_config());
    assert_eq!(c.config_key(), None);
    let mut cc = CredentialCache::new(alice());
    cc.push(c);
    assert_eq!(cc.config("k", None), None);
    assert_eq!(cc.tickets().count(), 0);
}

#[test]
fn missing_file_is_not_found() {
    let d = tempfile::tempdir().unwrap();
    let e = CredentialCache::read(d.path().join("nope")).unwrap_err();
    assert!(e.is_not_found(), "{e}");
    assert!(e.to_string().contains("nope"), "{e}");
    let e = crate::keytab::Keytab::read(d.path().join("nope")).unwrap_err();
    assert!(e.is_not_found(), "{e}");
    assert!(!CcacheError::Empty.is_not_found());
}
