//! `kvno [-c CACHE] [-U USER] [-P] SPN...` — get service tickets with the TGT in a credential
//! cache and print their key version numbers, as MIT `kvno` does.
//!
//! * `-c CACHE`  the cache (default: `KRB5CCNAME`, else MIT's default); the tickets are added to it.
//! * `-U USER`   S4U2Self: a ticket on behalf of USER (to the cache's own principal with `-P`,
//!   else to each SPN, which must then be the cache's principal).
//! * `-P`        S4U2Proxy: each SPN is a delegation target, with the `-U` ticket as evidence.
//!
//! Honours `KRB5_CONFIG` (krb5.conf) and `KRB5_TRACE=FILE` / `-V` (trace to stderr).

use std::process::ExitCode;

use kerberos_client::asn1::RawTicket;
use kerberos_client::ccache::{CcacheName, CredentialCache};
use kerberos_client::exchange;
use kerberos_client::exchange::tgs_exchange::{S4uProxy, S4uSelf};
use kerberos_client::{Client, Credential, Principal};

struct Args {
    cache: Option<String>,
    user: Option<String>,
    proxy: bool,
    verbose: bool,
    spns: Vec<String>,
}

fn usage() -> ExitCode {
    eprintln!("usage: kvno [-c CACHE] [-U USER] [-P] [-V] SPN...");
    ExitCode::from(2)
}

fn parse_args() -> Option<Args> {
    let mut a = Args {
        cache: None,
        user: None,
        proxy: false,
        verbose: false,
        spns: Vec::new(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "-c" => a.cache = Some(it.next()?),
            "-U" => a.user = Some(it.next()?),
            "-P" => a.proxy = true,
            "-V" => a.verbose = true,
            "--" => a.spns.extend(it.by_ref()),
            s if s.starts_with('-') && s.len() > 1 => return None,
            s => a.spns.push(s.to_owned()),
        }
    }
    (!a.spns.is_empty() && (!a.proxy || a.user.is_some())).then_some(a)
}

fn kvno_of(ticket: &[u8]) -> String {
    RawTicket::from_der(ticket)
        .ok()
        .and_then(|t| t.parse().ok())
        .and_then(|t| t.enc_part.kvno)
        .map(|k| k.get().to_string())
        .unwrap_or_else(|| "(none)".into())
}

fn main() -> ExitCode {
    let Some(args) = parse_args() else {
        return usage();
    };
    if args.verbose {
        tracing_to_stderr();
    }
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("kvno: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<(), String> {
    let name = match &args.cache {
        Some(c) => CcacheName::resolve(Some(c)),
        None => CcacheName::from_env(),
    }
    .map_err(|e| e.to_string())?;
    let path = name.path().to_path_buf();
    let cache =
        CredentialCache::read(&path).map_err(|e| format!("{e} (cache {})", path.display()))?;
    let entry = cache.tgt().ok_or_else(|| {
        format!(
            "no TGT for {} in {}",
            cache.default_principal,
            path.display()
        )
    })?;
    let offset = cache.kdc_offset.map(|(s, _)| i64::from(s)).unwrap_or(0);
    let tgt: Credential = exchange::Credential::from_ccache(entry, offset)
        .map_err(|e| format!("the TGT in {} is unusable: {e}", path.display()))?
        .into();
    let client = Client::from_env().map_err(|e| e.to_string())?;
    let realm = tgt.client.realm_str();
    let mut failed = false;

    let evidence = match (&args.user, args.proxy) {
        (Some(user), true) => {
            let ticket = s4u2self(&client, &tgt, user, cache.default_principal.clone())?;
            println!("{}: kvno = {}", ticket.server, kvno_of(&ticket.ticket));
            store(&[(*ticket).clone()], &path)?;
            Some(ticket)
        }
        _ => None,
    };

    for spn in &args.spns {
        let result = (|| -> Result<Vec<exchange::Credential>, String> {
            let server = client
                .service_principal(spn, &realm)
                .map_err(|e| e.to_string())?;
            match (&args.user, &evidence) {
                (_, Some(ev)) => {
                    let mut options = client.tgs_options(&realm).map_err(|e| e.to_string())?;
                    options.s4u2proxy = Some(S4uProxy {
                        evidence: (**ev).clone(),
                        resource_based: false,
                    });
                    let t = client
                        .get_service_ticket_with(&tgt, server, options)
                        .map_err(|e| e.to_string())?;
                    let mut all = vec![(*t.credential).clone()];
                    all.extend(t.intermediate_tgts);
                    Ok(all)
                }
                (Some(user), None) => Ok(vec![(*s4u2self(&client, &tgt, user, server)?).clone()]),
                (None, None) => {
                    let t = client
                        .get_service_ticket(&tgt, spn)
                        .map_err(|e| e.to_string())?;
                    Ok(vec![(*t).clone()])
                }
            }
        })();
        match result {
            Ok(tickets) => {
                if let Some(t) = tickets.first() {
                    println!("{}: kvno = {}", t.server, kvno_of(&t.ticket));
                }
                store(&tickets, &path)?;
            }
            Err(e) => {
                eprintln!("kvno: {e} while getting credentials for {spn}");
                failed = true;
            }
        }
    }
    if failed {
        Err("some tickets could not be obtained".into())
    } else {
        Ok(())
    }
}

fn s4u2self(
    client: &Client,
    tgt: &Credential,
    user: &str,
    server: Principal,
) -> Result<Credential, String> {
    let realm = tgt.client.realm_str();
    // MIT's kvno -U names the user as an enterprise principal when it has no realm.
    let user = Principal::parse(user, Some(&realm)).map_err(|e| e.to_string())?;
    let mut options = client.tgs_options(&realm).map_err(|e| e.to_string())?;
    options.forwardable = true;
    options.s4u2self = Some(S4uSelf {
        user,
        use_x509_user_pa: false,
    });
    Ok(client
        .get_service_ticket_with(tgt, server, options)
        .map_err(|e| e.to_string())?
        .credential)
}

fn store(tickets: &[exchange::Credential], path: &std::path::Path) -> Result<(), String> {
    Credential::add_all_to(tickets, path)
        .map_err(|e| format!("cannot store in {}: {e}", path.display()))
}

fn tracing_to_stderr() {
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(tracing::Level::DEBUG)
        .try_init();
}
