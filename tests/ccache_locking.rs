//! Concurrent writers and readers of one cache file: no lost updates, no torn reads.
//! (No KDC needed.)

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use kerberos_client::ccache::{Credential, CredentialCache, KeyBlock, TicketFlags, Times};
use kerberos_client::keytab::Keytab;
use kerberos_client::principal::Principal;

const CHILD_ENV: &str = "KC_LOCK_TEST_CHILD";

fn alice() -> Principal {
    Principal::parse("alice@EXAMPLE.TEST", None).unwrap()
}

fn ticket(n: usize) -> Credential {
    Credential::new(
        alice(),
        Principal::parse(&format!("host/h{n}.example.test@EXAMPLE.TEST"), None).unwrap(),
        KeyBlock::new(18, vec![n as u8; 32]),
        Times::default(),
        TicketFlags(0),
        vec![0x61; 200 + n], // make files big enough that a torn write would show
    )
}

/// Adds `count` tickets named after `tag` with one locked read-modify-write each.
fn add_many(path: &Path, tag: usize, count: usize) {
    for i in 0..count {
        CredentialCache::update(
            path,
            || CredentialCache::new(alice()),
            |cc| cc.store(ticket(tag * 1000 + i)),
        )
        .unwrap();
    }
}

fn spawn_reader(path: PathBuf, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<usize> {
    std::thread::spawn(move || {
        let mut reads = 0;
        while !stop.load(Ordering::Relaxed) {
            match std::fs::read(&path) {
                // An empty file only exists between the first writer's create and rename.
                Ok(b) if b.is_empty() => {}
                Ok(b) => {
                    CredentialCache::parse(&b).expect("reader saw a torn cache");
                    reads += 1;
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => panic!("{e}"),
            }
        }
        reads
    })
}

#[test]
fn threads_do_not_lose_updates() {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("cc");
    let stop = Arc::new(AtomicBool::new(false));
    let reader = spawn_reader(path.clone(), stop.clone());
    let writers: Vec<_> = (0..4)
        .map(|t| {
            let path = path.clone();
            std::thread::spawn(move || add_many(&path, t, 15))
        })
        .collect();
    for w in writers {
        w.join().unwrap();
    }
    stop.store(true, Ordering::Relaxed);
    assert!(reader.join().unwrap() > 0);
    let cc = CredentialCache::read(&path).unwrap();
    assert_eq!(cc.tickets().count(), 60);
    let files: Vec<_> = std::fs::read_dir(d.path()).unwrap().collect();
    assert_eq!(files.len(), 1, "no temporary files left");
}

/// Child mode: run by `processes_do_not_lose_updates` through the test binary itself.
#[test]
fn lock_child_worker() {
    if let Ok(spec) = std::env::var(CHILD_ENV) {
        let (tag, path) = spec.split_once(':').unwrap();
        add_many(Path::new(path), tag.parse().unwrap(), 10);
        // Keytab updates too.
        for i in 0..10u32 {
            Keytab::update(format!("{path}.keytab"), |kt| {
                kt.add_key(
                    alice(),
                    tag.parse::<u32>().unwrap() * 100 + i,
                    KeyBlock::new(17, vec![1; 16]),
                )
            })
            .unwrap();
        }
    }
}

#[test]
fn processes_do_not_lose_updates() {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("cc");
    let stop = Arc::new(AtomicBool::new(false));
    let reader = spawn_reader(path.clone(), stop.clone());
    let exe = std::env::current_exe().unwrap();
    let children: Vec<_> = (0..4)
        .map(|t| {
            Command::new(&exe)
                .args(["--exact", "lock_child_worker", "--test-threads=1"])
                .env(CHILD_ENV, format!("{t}:{}", path.display()))
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
    stop.store(true, Ordering::Relaxed);
    reader.join().unwrap();
    let cc = CredentialCache::read(&path).unwrap();
    assert_eq!(cc.tickets().count(), 40);
    let kt = Keytab::read(format!("{}.keytab", path.display())).unwrap();
    assert_eq!(kt.entries.len(), 40);
}
