//! Keytab interoperability with the MIT tools (kadmin.local ktadd, ktutil, klist -k, kinit -k)
//! and the lab of `scripts/mit-kdc.sh` (see tests/common/mod.rs for the required environment).

mod common;

use std::path::Path;

use common::{ALICE_PW, HTTP_PW, MitLab, klist_time, lab, run};
use kerberos_client::keytab::{KeyBlock, Keytab, KeytabEntry, KeytabVersion};
use kerberos_client::principal::{NT_PRINCIPAL, NT_SRV_HST, Principal};

const ALL_ETYPES: [i32; 5] = [18, 17, 20, 19, 23];

fn etype_name(e: i32) -> &'static str {
    match e {
        17 => "aes128-cts-hmac-sha1-96",
        18 => "aes256-cts-hmac-sha1-96",
        19 => "aes128-cts-hmac-sha256-128",
        20 => "aes256-cts-hmac-sha384-192",
        23 => "DEPRECATED:arcfour-hmac",
        _ => panic!("no name for enctype {e}"),
    }
}

/// One row of `klist -k -t -e -K`.
#[derive(Debug, PartialEq, Eq)]
struct Row {
    kvno: u32,
    time: String,
    principal: String,
    etype: String,
    key_hex: String,
}

fn klist_keytab(lab: &MitLab, path: &Path) -> Vec<Row> {
    let mut c = lab.cmd("klist");
    c.args(["-k", "-t", "-e", "-K"]).arg(path);
    let out = String::from_utf8(run(c, None).stdout).unwrap();
    out.lines()
        .skip(3)
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            assert_eq!(f.len(), 6, "unexpected klist line {l:?}");
            Row {
                kvno: f[0].parse().unwrap(),
                time: format!("{} {}", f[1], f[2]),
                principal: f[3].to_owned(),
                etype: f[4].trim_matches(|c| c == '(' || c == ')').to_owned(),
                key_hex: f[5]
                    .trim_matches(|c| c == '(' || c == ')')
                    .trim_start_matches("0x")
                    .to_owned(),
            }
        })
        .collect()
}

fn rows_of(kt: &Keytab) -> Vec<Row> {
    kt.entries
        .iter()
        .map(|e| Row {
            kvno: e.kvno,
            time: klist_time(e.timestamp),
            principal: e.principal.to_string(),
            etype: etype_name(e.key.etype).to_owned(),
            key_hex: hex::encode(e.key.value.as_slice()),
        })
        .collect()
}

fn p(s: &str) -> Principal {
    Principal::parse(s, None).unwrap()
}

/// The keytabs `kadmin.local ktadd` wrote for the lab: parsed as klist sees them, and written
/// back byte for byte.
#[test]
fn reads_kadmin_ktadd_keytabs() {
    let lab = lab();
    for (file, principal, n) in [
        ("alice.keytab", format!("alice@{}", lab.realm), 5),
        (
            "http.keytab",
            format!("HTTP/web.example.test@{}", lab.realm),
            5,
        ),
        (
            "svc.keytab",
            format!("host/svc.example.test@{}", lab.realm),
            5,
        ),
        (
            "svc-other.keytab",
            format!("host/svc.other.test@{}", lab.realm2),
            5,
        ),
    ] {
        let path = lab.keytab(file);
        let bytes = std::fs::read(&path).unwrap();
        let kt = Keytab::parse(&bytes).unwrap();
        assert_eq!(kt.version, KeytabVersion::V2);
        assert_eq!(kt.entries.len(), n, "{file}");
        assert_eq!(
            kt.to_bytes().unwrap(),
            bytes,
            "{file}: byte-exact round trip"
        );
        assert_eq!(rows_of(&kt), klist_keytab(&lab, &path), "{file}");
        let want = p(&principal);
        assert_eq!(kt.principals().len(), 1);
        assert!(kt.principals()[0].matches(&want));
        let mut etypes: Vec<i32> = kt.keys(&want, None).iter().map(|e| e.key.etype).collect();
        etypes.sort();
        let mut all = ALL_ETYPES.to_vec();
        all.sort();
        assert_eq!(etypes, all, "{file}");
        let aes = kt.find(&want, None, Some(18)).unwrap();
        assert_eq!(aes.key.value.len(), 32);
    }
}

/// A fresh `kadmin.local ktadd -norandkey` export, with the lab's KRB5_CONFIG/KRB5_KDC_PROFILE.
#[test]
fn reads_fresh_kadmin_export() {
    let lab = lab();
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("export.keytab");
    kadmin_local(
        &lab,
        &format!(
            "ktadd -norandkey -k {} HTTP/web.example.test alice",
            path.display()
        ),
    );
    let bytes = std::fs::read(&path).unwrap();
    let kt = Keytab::parse(&bytes).unwrap();
    assert_eq!(kt.to_bytes().unwrap(), bytes);
    assert_eq!(rows_of(&kt), klist_keytab(&lab, &path));
    assert_eq!(kt.principals().len(), 2);
    assert_eq!(kt.entries.len(), 10);
    // Same keys as the keytabs the script exported.
    let http = Keytab::read(lab.keytab("http.keytab")).unwrap();
    let web = p("HTTP/web.example.test@EXAMPLE.TEST");
    for et in [18, 23] {
        assert_eq!(
            kt.find(&web, None, Some(et)).unwrap().key,
            http.find(&web, None, Some(et)).unwrap().key
        );
    }
}

fn kadmin_local(lab: &MitLab, query: &str) {
    let mut c = lab.cmd("kadmin.local");
    c.arg("-r").arg(&lab.realm).arg("-q").arg(query);
    let out = run(c, None);
    // kadmin.local exits 0 even when the query fails; errors go to stderr.
    let err = String::from_utf8_lossy(&out.stderr);
    let bad: Vec<&str> = err
        .lines()
        .filter(|l| !l.starts_with("Authenticating as principal"))
        .collect();
    assert!(bad.is_empty(), "kadmin.local -q {query:?}: {err}");
}

/// Deleted entries (`ktremove` leaves zero-filled holes with negative lengths) and an entry
/// MIT wrote into a larger hole (record longer than the entry): parsed, listed like klist
/// does, written back byte for byte; MIT appends to the keytab we rewrite.
#[test]
fn keytab_with_holes_from_ktremove() {
    let lab = lab();
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("holes.keytab");
    let k = path.display();
    kadmin_local(&lab, &format!("ktadd -norandkey -k {k} alice"));
    kadmin_local(
        &lab,
        &format!("ktadd -norandkey -k {k} HTTP/web.example.test"),
    );
    kadmin_local(&lab, &format!("ktremove -k {k} alice all"));
    kadmin_local(&lab, &format!("ktadd -norandkey -k {k} rc4user")); // reuses a hole
    let bytes = std::fs::read(&path).unwrap();
    let kt = Keytab::parse(&bytes).unwrap();
    assert_eq!(kt.entries.len(), 6);
    assert_eq!(
        kt.to_bytes().unwrap(),
        bytes,
        "holes and padding rewritten exactly"
    );
    assert_eq!(rows_of(&kt), klist_keytab(&lab, &path));
    let rc4 = p("rc4user@EXAMPLE.TEST");
    assert_eq!(kt.keys(&rc4, None).len(), 1);
    assert_eq!(kt.find(&rc4, None, None).unwrap().key.etype, 23);
    assert!(kt.find(&p("alice@EXAMPLE.TEST"), None, None).is_none());

    // Edit with our API, then let MIT append to the result.
    let mut ours = kt.clone();
    assert_eq!(
        ours.remove(&p("HTTP/web.example.test@EXAMPLE.TEST"), Some(1)),
        5
    );
    let ours_path = d.path().join("edited.keytab");
    ours.write_atomic(&ours_path).unwrap();
    assert_eq!(rows_of(&ours), klist_keytab(&lab, &ours_path));
    kadmin_local(
        &lab,
        &format!("ktadd -norandkey -k {} bob", ours_path.display()),
    );
    let appended = Keytab::read(&ours_path).unwrap();
    assert_eq!(appended.entries.len(), 6);
    assert_eq!(rows_of(&appended), klist_keytab(&lab, &ours_path));
    assert_eq!(
        appended.to_bytes().unwrap(),
        std::fs::read(&ours_path).unwrap()
    );
}

/// `ktutil addent -password` + `wkt`, including a kvno above 255 (32-bit kvno extension).
#[test]
fn reads_ktutil_keytab() {
    let lab = lab();
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("ktutil.keytab");
    let script = format!(
        "addent -password -p alice@EXAMPLE.TEST -k 300 -e aes256-cts-hmac-sha1-96\n{ALICE_PW}\n\
         addent -password -p alice@EXAMPLE.TEST -k 4 -e aes128-cts-hmac-sha256-128\n{ALICE_PW}\n\
         addent -password -p HTTP/web.example.test@EXAMPLE.TEST -k 1 -e arcfour-hmac\n{HTTP_PW}\n\
         wkt {}\nquit",
        path.display()
    );
    run(lab.cmd("ktutil"), Some(&script));
    let bytes = std::fs::read(&path).unwrap();
    let kt = Keytab::parse(&bytes).unwrap();
    assert_eq!(kt.to_bytes().unwrap(), bytes);
    assert_eq!(rows_of(&kt), klist_keytab(&lab, &path));
    let alice = p("alice@EXAMPLE.TEST");
    assert_eq!(kt.latest_kvno(&alice), Some(300));
    assert_eq!(bytes[0x25], 300u32 as u8, "MIT truncates the 8-bit kvno");
    // Password-derived keys equal the KDC's (default salt).
    let kadmin = Keytab::read(lab.keytab("alice.keytab")).unwrap();
    assert_eq!(
        kt.find(&alice, Some(300), Some(18)).unwrap().key,
        kadmin.find(&alice, None, Some(18)).unwrap().key
    );
    assert_eq!(
        kt.find(&alice, None, None).unwrap().key.etype,
        18,
        "latest kvno is 300"
    );
    assert!(kt.find(&alice, Some(4), Some(19)).is_some());
}

/// klist lists a keytab we write from scratch; MIT's kinit -k uses keytabs we write.
#[test]
fn mit_reads_keytabs_we_write() {
    let lab = lab();
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("ours.keytab");
    let mut kt = Keytab::new();
    kt.add(KeytabEntry::new(
        Principal::new(NT_SRV_HST, "OTHER.TEST", ["host", "a.other.test"]),
        1,
        KeyBlock::new(17, (0u8..16).collect::<Vec<_>>()),
        1_700_000_000,
    ));
    kt.add(KeytabEntry::new(
        Principal::new(NT_PRINCIPAL, "EXAMPLE.TEST", ["bob"]),
        70000,
        KeyBlock::new(20, vec![0xab; 32]),
        1_800_000_000,
    ));
    kt.add(KeytabEntry::new(
        Principal::new(NT_PRINCIPAL, "EXAMPLE.TEST", ["bob"]),
        255,
        KeyBlock::new(23, vec![0x17; 16]),
        4_000_000_000,
    ));
    kt.write_atomic(&path).unwrap();
    assert_eq!(rows_of(&kt), klist_keytab(&lab, &path));

    // Rebuild alice's and the service's keytabs from typed entries (fresh encoding) and
    // authenticate with them.
    for (file, principal) in [
        ("alice.keytab", "alice@EXAMPLE.TEST"),
        ("svc.keytab", "host/svc.example.test@EXAMPLE.TEST"),
    ] {
        let theirs = Keytab::read(lab.keytab(file)).unwrap();
        let mut ours = Keytab::new();
        for e in &theirs.entries {
            ours.add(KeytabEntry::new(
                e.principal.clone(),
                e.kvno,
                e.key.clone(),
                e.timestamp,
            ));
        }
        let path = d.path().join(format!("rebuilt-{file}"));
        ours.write_atomic(&path).unwrap();
        assert_eq!(
            std::fs::read(&path).unwrap(),
            std::fs::read(lab.keytab(file)).unwrap()
        );
        let cc = d.path().join(format!("cc-{file}"));
        let mut c = lab.cmd("kinit");
        c.env("KRB5CCNAME", format!("FILE:{}", cc.display()))
            .arg("-k")
            .arg("-t")
            .arg(&path)
            .arg(principal);
        run(c, None);
        let cache = kerberos_client::ccache::CredentialCache::read(&cc).unwrap();
        assert_eq!(cache.default_principal.to_string(), principal);
    }
}
