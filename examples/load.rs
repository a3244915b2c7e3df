//! `load [-n TOTAL] [-j CONCURRENCY] [-k KEYTAB] PRINCIPAL SPN` — many AS+TGS exchanges at once
//! with the tokio driver, against the KDCs of `KRB5_CONFIG`.
//!
//! Each task gets a TGT for PRINCIPAL from KEYTAB (no string-to-key) and a service ticket for SPN,
//! checking that every reply belongs to its own request (client and server names, and the service
//! ticket's session key differs from every other's). Prints exchanges per second and the process
//! CPU time per exchange (user + system, from /proc/self/stat). Exit status 1 if any exchange
//! failed or any reply was mismatched.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Instant;

use kerberos_client::{Client, Keytab, Secret};

struct Args {
    total: usize,
    concurrency: usize,
    keytab: String,
    principal: String,
    spn: String,
}

fn parse() -> Option<Args> {
    let mut a = Args {
        total: 1000,
        concurrency: 1000,
        keytab: String::new(),
        principal: String::new(),
        spn: String::new(),
    };
    let mut rest = Vec::new();
    let mut it = std::env::args().skip(1);
    while let Some(x) = it.next() {
        match x.as_str() {
            "-n" => a.total = it.next()?.parse().ok()?,
            "-j" => a.concurrency = it.next()?.parse().ok()?,
            "-k" => a.keytab = it.next()?,
            _ => rest.push(x),
        }
    }
    let [p, s] = <[String; 2]>::try_from(rest).ok()?;
    a.principal = p;
    a.spn = s;
    (!a.keytab.is_empty() && a.total > 0 && a.concurrency > 0).then_some(a)
}

/// User + system CPU seconds of this process so far.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses and may hold spaces).
    let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 of stat(5): indexes 11 and 12 here; 100 ticks/s.
    (ticks(11) + ticks(12)) / 100.0
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> std::process::ExitCode {
    let Some(args) = parse() else {
        eprintln!("usage: load [-n TOTAL] [-j CONCURRENCY] -k KEYTAB PRINCIPAL SPN");
        return std::process::ExitCode::from(2);
    };
    let client = match Client::from_env() {
        Ok(c) => Arc::new(c),
        Err(e) => {
            eprintln!("load: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let keytab = match Keytab::read(&args.keytab) {
        Ok(k) => Arc::new(k),
        Err(e) => {
            eprintln!("load: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let permits = Arc::new(tokio::sync::Semaphore::new(args.concurrency));
    let cpu0 = cpu_seconds();
    let t0 = Instant::now();
    let mut tasks = Vec::with_capacity(args.total);
    for _ in 0..args.total {
        let (client, keytab, permits) = (client.clone(), keytab.clone(), permits.clone());
        let (principal, spn) = (args.principal.clone(), args.spn.clone());
        tasks.push(tokio::spawn(async move {
            let _permit = permits.acquire().await.map_err(|e| e.to_string())?;
            let tgt = client
                .get_tgt_async(principal.as_str(), Secret::Keytab((*keytab).clone()))
                .await
                .map_err(|e| format!("AS: {e}"))?;
            // Every task asks the KDC itself: the in-memory cache is per client, and shared here,
            // so look at the ticket that came back rather than trusting a cache hit.
            let svc = client
                .get_service_ticket_with_async(
                    &tgt,
                    kerberos_client::exchange::service_name::parse_service_name(
                        &spn,
                        &tgt.client.realm_str(),
                        Some(client.config()),
                    )
                    .map_err(|e| e.to_string())?,
                    client
                        .tgs_options(&tgt.client.realm_str())
                        .map_err(|e| e.to_string())?,
                )
                .await
                .map_err(|e| format!("TGS: {e}"))?;
            if svc.credential.client != tgt.client
                || !svc.credential.server.to_string().starts_with(&spn)
            {
                return Err(format!(
                    "mismatched reply: {} for {}",
                    svc.credential.server, spn
                ));
            }
            Ok::<Vec<u8>, String>(svc.credential.session_key.as_bytes().to_vec())
        }));
    }
    let mut keys = HashSet::new();
    let mut failures = Vec::new();
    for t in tasks {
        match t.await {
            Ok(Ok(k)) => {
                if !keys.insert(k) {
                    failures.push("two exchanges returned the same session key".to_owned());
                }
            }
            Ok(Err(e)) => failures.push(e),
            Err(e) => failures.push(format!("task: {e}")),
        }
    }
    let wall = t0.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu0;
    let ok = keys.len();
    println!(
        "kerberos-client load: {ok}/{} AS+TGS exchanges ok, concurrency {}, {:.2} s, {:.0} exchanges/s, {:.0} µs CPU per exchange",
        args.total,
        args.concurrency,
        wall,
        ok as f64 / wall,
        cpu * 1e6 / ok.max(1) as f64
    );
    for f in failures.iter().take(5) {
        eprintln!("load: {f}");
    }
    if failures.is_empty() {
        std::process::ExitCode::SUCCESS
    } else {
        eprintln!("load: {} failures", failures.len());
        std::process::ExitCode::FAILURE
    }
}
