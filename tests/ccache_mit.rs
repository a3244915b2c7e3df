//! Credential cache interoperability with the MIT tools (kinit, kvno, klist) and the MIT KDC
//! started by `scripts/mit-kdc.sh` (see tests/common/mod.rs for the required environment).

mod common;

use std::path::Path;

use common::{ALICE_PW, BOB_PW, MitLab, klist_time, lab};
use kerberos_client::ccache::{
    CONF_FAST_AVAIL, CONF_PA_TYPE, CcacheName, CcacheVersion, Credential, CredentialCache,
    KeyBlock, TicketFlags, Times,
};
use kerberos_client::principal::{NT_PRINCIPAL, Principal};

fn alice(lab: &MitLab) -> Principal {
    Principal::parse("alice", Some(&lab.realm)).unwrap()
}

fn local_tgt(lab: &MitLab) -> Principal {
    Principal::krbtgt(lab.realm.as_str(), lab.realm.as_str())
}

/// A kinit (+kvno HTTP) cache in `dir`, written by MIT in the given format.
fn mit_cache(lab: &MitLab, dir: &Path, version: CcacheVersion) -> std::path::PathBuf {
    let cc = dir.join(format!("mit-{version:?}"));
    match version {
        CcacheVersion::V4 => lab.kinit(&cc, "alice", ALICE_PW),
        v => {
            // MIT writes older formats when asked with ccache_type in [libdefaults].
            let n = v.number() & 0xff;
            let conf = dir.join(format!("ccache_type{n}.conf"));
            std::fs::write(&conf, format!("[libdefaults]\n    ccache_type = {n}\n")).unwrap();
            lab.kinit_with_conf(&cc, "alice", ALICE_PW, &conf);
        }
    }
    // kvno appends to the cache in the cache's own format.
    lab.kvno(&cc, "HTTP/web.example.test");
    cc
}

const ALL_VERSIONS: [CcacheVersion; 4] = [
    CcacheVersion::V1,
    CcacheVersion::V2,
    CcacheVersion::V3,
    CcacheVersion::V4,
];

/// klist output without the "Ticket cache:" line (which names the file).
fn klist_body(lab: &MitLab, cc: &Path, args: &[&str]) -> String {
    lab.klist(cc, args)
        .lines()
        .filter(|l| !l.starts_with("Ticket cache:"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn check_kinit_cache(lab: &MitLab, cc: &Path, version: CcacheVersion) {
    let bytes = std::fs::read(cc).unwrap();
    let cache = CredentialCache::parse(&bytes).unwrap();
    assert_eq!(cache.version, version);
    if version == CcacheVersion::V4 {
        assert_eq!(cache.kdc_offset, Some((0, 0)), "kinit writes a zero offset");
    }
    assert_eq!(
        cache.default_principal.to_string(),
        format!("alice@{}", lab.realm)
    );
    if version != CcacheVersion::V1 {
        assert_eq!(cache.default_principal.name_type, NT_PRINCIPAL);
    }

    // Byte-exact re-encoding of what MIT wrote.
    assert_eq!(cache.to_bytes().unwrap(), bytes, "re-encoding differs");

    let tgt = cache.tgt().expect("TGT in kinit cache");
    assert!(
        tgt.flags
            .contains(TicketFlags::INITIAL | TicketFlags::PRE_AUTHENT)
    );
    assert!(
        tgt.flags
            .contains(TicketFlags::FORWARDABLE | TicketFlags::RENEWABLE)
    );
    assert_eq!(tgt.key.etype, 18, "aes256-sha1 session key");
    assert_eq!(tgt.key.value.len(), 32);
    assert!(tgt.times.endtime > tgt.times.authtime);
    assert!(tgt.times.renew_till >= tgt.times.endtime);
    assert_eq!(tgt.ticket[0], 0x61, "DER Ticket is [APPLICATION 1]");

    let http = Principal::parse("HTTP/web.example.test", Some(&lab.realm)).unwrap();
    let svc = cache.find(&http).expect("service ticket from kvno");
    assert!(!svc.flags.contains(TicketFlags::INITIAL));
    assert_eq!(svc.client, cache.default_principal);

    // Configuration entries written by kinit.
    let fast = cache.config(CONF_FAST_AVAIL, Some(&local_tgt(lab)));
    assert_eq!(fast, Some(&b"yes"[..]), "fast_avail from kinit");
    let pa = cache
        .config(CONF_PA_TYPE, Some(&local_tgt(lab)))
        .expect("pa_type");
    assert_eq!(pa, b"2", "encrypted timestamp preauth");
    assert_eq!(cache.tickets().count(), 2);
}

#[test]
fn reads_and_reencodes_kinit_v4_cache() {
    let lab = lab();
    let d = tempfile::tempdir().unwrap();
    let cc = mit_cache(&lab, d.path(), CcacheVersion::V4);
    check_kinit_cache(&lab, &cc, CcacheVersion::V4);
}

/// Formats 1 to 3 as written by kinit with `ccache_type = N` (1 and 2 in host byte order).
#[test]
fn reads_and_reencodes_kinit_v1_v2_v3_caches() {
    let lab = lab();
    let d = tempfile::tempdir().unwrap();
    for version in [CcacheVersion::V1, CcacheVersion::V2, CcacheVersion::V3] {
        let cc = mit_cache(&lab, d.path(), version);
        assert_eq!(
            &std::fs::read(&cc).unwrap()[..2],
            &version.number().to_be_bytes()
        );
        check_kinit_cache(&lab, &cc, version);
    }
}

#[test]
fn no_preauth_cache_has_no_pa_type() {
    let lab = lab();
    let d = tempfile::tempdir().unwrap();
    let cc = d.path().join("bob");
    lab.kinit(&cc, "bob", BOB_PW);
    let bytes = std::fs::read(&cc).unwrap();
    let cache = CredentialCache::parse(&bytes).unwrap();
    assert_eq!(cache.to_bytes().unwrap(), bytes);
    let tgt = cache.tgt().unwrap();
    assert!(!tgt.flags.contains(TicketFlags::PRE_AUTHENT));
    assert_eq!(cache.config(CONF_PA_TYPE, Some(&local_tgt(&lab))), None);
}

/// Credentials taken from kinit caches (formats 1 to 4), written by us in every format:
/// klist shows the same thing, and the same format gives the same bytes.
#[test]
fn klist_lists_caches_we_write() {
    let lab = lab();
    let d = tempfile::tempdir().unwrap();
    for src_version in ALL_VERSIONS {
        let src = mit_cache(&lab, d.path(), src_version);
        let theirs = CredentialCache::read(&src).unwrap();
        let want = klist_body(&lab, &src, &["-e", "-f"]);
        assert!(want.contains("HTTP/web.example.test@"), "{want}");
        for version in ALL_VERSIONS {
            // Rebuild from the typed model, not from the raw file.
            let mut ours = CredentialCache::with_version(theirs.default_principal.clone(), version);
            for c in &theirs.credentials {
                ours.push(c.clone());
            }
            let path = d.path().join(format!("ours-{src_version:?}-{version:?}"));
            ours.write_atomic(&path).unwrap();
            assert_eq!(klist_body(&lab, &path, &["-e", "-f"]), want, "{version:?}");
            assert_eq!(klist_body(&lab, &path, &[]), klist_body(&lab, &src, &[]));
            if version == src_version {
                assert_eq!(std::fs::read(&path).unwrap(), std::fs::read(&src).unwrap());
            }
        }
    }
}

// Minimal DER, enough to build a Ticket that klist can decode.
fn der(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = content.len();
    if n < 0x80 {
        out.push(n as u8);
    } else if n < 0x100 {
        out.extend_from_slice(&[0x81, n as u8]);
    } else {
        out.extend_from_slice(&[0x82, (n >> 8) as u8, n as u8]);
    }
    out.extend_from_slice(content);
    out
}

fn der_int(v: u8) -> Vec<u8> {
    der(0x02, &[v])
}

fn fake_ticket(realm: &str, sname: &[&str], etype: u8) -> Vec<u8> {
    let names: Vec<u8> = sname.iter().flat_map(|s| der(0x1b, s.as_bytes())).collect();
    let principal = der(
        0x30,
        &[der(0xa0, &der_int(2)), der(0xa1, &der(0x30, &names))].concat(),
    );
    let enc = der(
        0x30,
        &[
            der(0xa0, &der_int(etype)),
            der(0xa1, &der_int(3)),
            der(0xa2, &der(0x04, &[0x5a; 40])),
        ]
        .concat(),
    );
    der(
        0x61,
        &der(
            0x30,
            &[
                der(0xa0, &der_int(5)),
                der(0xa1, &der(0x1b, realm.as_bytes())),
                der(0xa2, &principal),
                der(0xa3, &enc),
            ]
            .concat(),
        ),
    )
}

/// A cache built from scratch: klist shows client, server, times, flags and enctypes, and
/// hides the configuration entry.
#[test]
fn klist_lists_synthetic_cache() {
    let lab = lab();
    let d = tempfile::tempdir().unwrap();
    let client = Principal::parse("carol", Some(&lab.realm2)).unwrap();
    let server = Principal::parse("host/svc.other.test", Some(&lab.realm2)).unwrap();
    let tgt = Principal::krbtgt(lab.realm2.as_str(), lab.realm2.as_str());
    let times = Times {
        authtime: 1_800_000_000,
        starttime: 1_800_000_100,
        endtime: 4_000_000_000, // after 2038: times are unsigned
        renew_till: 4_000_086_400,
    };
    for version in [CcacheVersion::V3, CcacheVersion::V4] {
        let mut cache = CredentialCache::with_version(client.clone(), version);
        cache.set_config(CONF_FAST_AVAIL, Some(&tgt), "yes");
        cache.push(Credential::new(
            client.clone(),
            tgt.clone(),
            KeyBlock::new(20, vec![1; 32]),
            times,
            TicketFlags(
                TicketFlags::FORWARDABLE
                    | TicketFlags::RENEWABLE
                    | TicketFlags::INITIAL
                    | TicketFlags::PRE_AUTHENT,
            ),
            fake_ticket(&lab.realm2, &["krbtgt", &lab.realm2], 20),
        ));
        cache.push(Credential::new(
            client.clone(),
            server.clone(),
            KeyBlock::new(23, vec![2; 16]),
            Times {
                renew_till: 0,
                ..times
            },
            TicketFlags(TicketFlags::FORWARDABLE | TicketFlags::OK_AS_DELEGATE),
            fake_ticket(&lab.realm2, &["host", "svc.other.test"], 17),
        ));
        let path = d.path().join(format!("synthetic-{version:?}"));
        cache.write_atomic(&path).unwrap();
        let out = lab.klist(&path, &["-e", "-f"]);
        let lines: Vec<&str> = out.lines().collect();
        assert!(out.contains("Default principal: carol@OTHER.TEST"), "{out}");
        assert!(
            !out.contains("X-CACHECONF"),
            "config entries are hidden:\n{out}"
        );
        let row = |svc: &str| {
            let i = lines
                .iter()
                .position(|l| l.ends_with(svc))
                .unwrap_or_else(|| panic!("{svc} not listed:\n{out}"));
            (lines[i], lines[i + 1..].join("\n"))
        };
        let (l, rest) = row("krbtgt/OTHER.TEST@OTHER.TEST");
        assert!(
            l.starts_with(&format!(
                "{}  {}",
                klist_time(times.starttime),
                klist_time(times.endtime)
            )),
            "{l}"
        );
        let rest: Vec<&str> = rest.lines().take(2).collect();
        assert_eq!(
            rest[0].trim(),
            format!("renew until {}, Flags: FRIA", klist_time(times.renew_till))
        );
        assert_eq!(
            rest[1].trim(),
            "Etype (skey, tkt): aes256-cts-hmac-sha384-192, aes256-cts-hmac-sha384-192"
        );
        let (_, rest) = row("host/svc.other.test@OTHER.TEST");
        // No renew_till: klist puts flags and enctypes on one line.
        assert_eq!(
            rest.lines().next().unwrap().trim(),
            "Flags: FO, Etype (skey, tkt): DEPRECATED:arcfour-hmac, aes128-cts-hmac-sha1-96"
        );
        // MIT's reader accepts it and our reader gets back what we wrote.
        assert_eq!(CredentialCache::read(&path).unwrap(), cache);
    }
}

/// kvno with a cache we wrote (only the TGT) gets a service ticket, which MIT appends to our
/// file; we read the result back byte-exactly.
#[test]
fn kvno_uses_cache_we_wrote() {
    let lab = lab();
    let d = tempfile::tempdir().unwrap();
    let src = d.path().join("src");
    lab.kinit(&src, "alice", ALICE_PW);
    let theirs = CredentialCache::read(&src).unwrap();
    let tgt = theirs.tgt().unwrap().clone();
    for version in ALL_VERSIONS {
        let mut ours = CredentialCache::with_version(alice(&lab), version);
        ours.store(tgt.clone());
        let path = d.path().join(format!("ours-{version:?}"));
        ours.write_atomic(&path).unwrap();
        let out = lab.kvno(&path, "HTTP/web.example.test");
        assert!(String::from_utf8_lossy(&out.stdout).contains("kvno = 1"));
        lab.kvno(&path, &format!("host/svc.other.test@{}", lab.realm2)); // cross-realm
        let bytes = std::fs::read(&path).unwrap();
        let after = CredentialCache::parse(&bytes).unwrap();
        assert_eq!(after.version, version);
        assert_eq!(after.to_bytes().unwrap(), bytes);
        let http = Principal::parse("HTTP/web.example.test", Some(&lab.realm)).unwrap();
        assert!(after.find(&http).is_some());
        let cross = Principal::krbtgt(lab.realm.as_str(), lab.realm2.as_str());
        assert!(after.find(&cross).is_some(), "cross-realm TGT stored");

        // kinit -R renews the TGT it finds in our cache and re-initializes the file.
        let mut c = lab.cmd("kinit");
        c.env("KRB5CCNAME", format!("FILE:{}", path.display()))
            .arg("-R");
        common::run(c, None);
        let renewed = CredentialCache::read(&path).unwrap();
        let t = renewed.tgt().expect("renewed TGT");
        assert_eq!(t.times.authtime, tgt.times.authtime);
        assert_ne!(t.ticket, tgt.ticket);
    }
}

/// kinit into a DIR: collection; we resolve the primary cache and read it, and MIT reads a
/// cache we add to the collection.
#[test]
fn dir_collection_interop() {
    let lab = lab();
    let d = tempfile::tempdir().unwrap();
    let coll = d.path().join("coll");
    std::fs::create_dir(&coll).unwrap();
    let name = format!("DIR:{}", coll.display());
    let mut c = lab.cmd("kinit");
    c.env("KRB5CCNAME", &name).arg("alice");
    common::run(c, Some(ALICE_PW));
    let resolved = CcacheName::parse(&name).unwrap();
    let primary = std::fs::read_to_string(coll.join("primary")).unwrap();
    assert_eq!(resolved.path(), coll.join(primary.trim()));
    let cache = CredentialCache::read(resolved.path()).unwrap();
    assert_eq!(cache.default_principal, alice(&lab));

    // A second cache in the collection, written by us; MIT lists the collection with klist -l.
    let mut bob = CredentialCache::new(Principal::parse("bob", Some(&lab.realm)).unwrap());
    bob.store(cache.tgt().unwrap().clone()); // content irrelevant for the listing
    let other = CcacheName::parse(&format!("DIR::{}/tktours", coll.display())).unwrap();
    other.prepare().unwrap();
    bob.write_atomic(other.path()).unwrap();
    let mut c = lab.cmd("klist");
    c.env("KRB5CCNAME", &name).arg("-l");
    let out = String::from_utf8(common::run(c, None).stdout).unwrap();
    assert!(out.contains("alice@EXAMPLE.TEST"), "{out}");
    assert!(out.contains("bob@EXAMPLE.TEST"), "{out}");
    assert!(out.contains("tktours"), "{out}");
}
