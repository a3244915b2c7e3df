//! Memory: the blocking `get_tgt` path keeps no more than a few KB of heap beyond the messages
//! themselves (peak live bytes, counted with a counting global allocator, against the real MIT
//! KDC); the total of all allocations is bounded as well.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use kerberos_client::{Client, Keytab, Secret};

struct Counting;

static COUNTING: AtomicBool = AtomicBool::new(false);
static BYTES: AtomicUsize = AtomicUsize::new(0);
static CALLS: AtomicUsize = AtomicUsize::new(0);
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static BIG: [AtomicUsize; 8] = [const { AtomicUsize::new(0) }; 8];

fn note(size: usize) {
    BYTES.fetch_add(size, Ordering::Relaxed);
    CALLS.fetch_add(1, Ordering::Relaxed);
    let live = LIVE.fetch_add(size, Ordering::Relaxed) + size;
    PEAK.fetch_max(live, Ordering::Relaxed);
    if size >= 512 {
        for slot in &BIG {
            if slot
                .compare_exchange(0, size, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
            {
                break;
            }
        }
    }
}

// SAFETY: forwards every call to the system allocator unchanged; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            note(layout.size());
        }
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if COUNTING.load(Ordering::Relaxed) {
            let _ = LIVE.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |l| {
                Some(l.saturating_sub(layout.size()))
            });
        }
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            note(new_size);
            let _ = LIVE.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |l| {
                Some(l.saturating_sub(layout.size()))
            });
        }
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn get_tgt_allocates_little_beyond_the_messages() {
    let realm = common::Realm::mit();
    let client = Client::builder()
        .config(kerberos_client::Config::from_file(&realm.krb5_config).unwrap())
        .build()
        .unwrap();
    let keytab = Keytab::read(realm.dir.join("keytabs/alice.keytab")).unwrap();
    // Warm up: first use initialises lazily built state (RNG, n-fold tables, tracing callsites).
    client
        .get_tgt("alice", Secret::Keytab(keytab.clone()))
        .unwrap();

    BYTES.store(0, Ordering::SeqCst);
    CALLS.store(0, Ordering::SeqCst);
    COUNTING.store(true, Ordering::SeqCst);
    let cred = client.get_tgt("alice", Secret::Keytab(keytab)).unwrap();
    COUNTING.store(false, Ordering::SeqCst);

    let total = BYTES.load(Ordering::SeqCst);
    let calls = CALLS.load(Ordering::SeqCst);
    let messages: usize = cred
        .messages()
        .iter()
        .map(|m| m.request_len + m.reply_len)
        .sum();
    let beyond = total.saturating_sub(messages);
    let peak = PEAK.load(Ordering::SeqCst);
    let big: Vec<usize> = BIG
        .iter()
        .map(|b| b.load(Ordering::SeqCst))
        .filter(|&b| b > 0)
        .collect();
    println!(
        "get_tgt: {total} bytes in {calls} allocations (peak live {peak}); messages {messages} bytes; \
         beyond: {beyond} bytes; allocations of 512 B or more: {big:?}"
    );
    // The heap in use at its highest point, beyond the messages themselves, stays at a few KB;
    // the total churn (every short-lived buffer added up) is bounded too, as a regression guard.
    let peak_beyond = peak.saturating_sub(messages);
    assert!(
        peak_beyond <= 8 * 1024,
        "peak heap {peak} bytes is {peak_beyond} bytes beyond {messages} bytes of messages"
    );
    assert!(
        beyond <= 24 * 1024,
        "{beyond} bytes allocated in all beyond {messages} bytes of messages"
    );
}
