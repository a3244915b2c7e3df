//! `kinit` on kerberos-client: gets a TGT and stores it in a credential cache that MIT `klist` lists.
//!
//! ```text
//! kinit [-c CACHE] [-k [-t KEYTAB]] [-l LIFE] [-r RENEW] [-f|-F] [-p|-P] [-E] [-C] [-T ARMOR_CACHE] [-V] [PRINCIPAL]
//! ```
//!
//! The password is read from the terminal (without echo) when stdin is a terminal, else from the
//! first line of stdin. `KRB5_CONFIG` selects the configuration, `KRB5CCNAME` the cache,
//! `KRB5_KTNAME` the keytab of `-k` without `-t`. `-V` or `KRB5_TRACE=FILE` traces what happens
//! (`RUST_LOG`-style filters in `KC_TRACE_FILTER`, default `kerberos_client=debug`).
//!
//! Run it with `cargo run --example kinit -- -l 10h alice@EXAMPLE.TEST`.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use kerberos_client::config::parse_duration;
use kerberos_client::keytab::{Keytab, KeytabName};
use kerberos_client::{CcacheName, Client, Secret, TgtOptions};

const USAGE: &str = "usage: kinit [-c CACHE] [-k [-t KEYTAB]] [-l LIFETIME] [-r RENEWABLE_LIFE] \
[-f|-F] [-p|-P] [-E] [-C] [-T ARMOR_CACHE] [-V] [PRINCIPAL]
  -c CACHE   credential cache (default: KRB5CCNAME, else krb5.conf, else FILE:/tmp/krb5cc_UID)
  -k         use a keytab instead of a password;  -t KEYTAB  the keytab (default: KRB5_KTNAME)
  -l LIFE    ticket lifetime, a krb5 duration: 10h, 7d, 1h30m, 3600
  -r RENEW   renewable lifetime (same syntax)
  -f / -F    forwardable / not forwardable;  -p / -P  proxiable / not proxiable
  -E         PRINCIPAL is an enterprise name (user@domain);  -C  ask the KDC to canonicalize
  -T ARMOR   armor the request with FAST (RFC 6113), using the TGT in cache ARMOR
  -V         verbose: trace the exchange on stderr";

#[derive(Debug, Default)]
struct Args {
    cache: Option<String>,
    use_keytab: bool,
    keytab: Option<String>,
    lifetime: Option<Duration>,
    renew: Option<Duration>,
    forwardable: Option<bool>,
    proxiable: Option<bool>,
    enterprise: bool,
    canonicalize: bool,
    verbose: bool,
    armor: Option<String>,
    principal: Option<String>,
}

fn duration(flag: char, v: &str) -> Result<Duration, String> {
    parse_duration(v)
        .ok_or_else(|| format!("-{flag}: {v:?} is not a duration (examples: 10h, 7d, 1h30m, 3600)"))
}

/// getopt-style parsing: flags may be grouped (`-kt FILE`, `-fV`), a value may follow its flag
/// directly (`-l10h`) or as the next argument; `--` ends the options.
fn parse_args(argv: impl IntoIterator<Item = String>) -> Result<Args, String> {
    let mut args = Args::default();
    let mut it = argv.into_iter();
    let mut positional = Vec::new();
    while let Some(arg) = it.next() {
        if arg == "--" {
            positional.extend(it.by_ref());
            break;
        }
        if arg == "-h" || arg == "--help" {
            return Err(String::new());
        }
        let Some(flags) = arg.strip_prefix('-').filter(|f| !f.is_empty()) else {
            positional.push(arg);
            continue;
        };
        for (i, flag) in flags.char_indices() {
            let takes_value = matches!(flag, 'c' | 't' | 'l' | 'r' | 'T');
            let value = if takes_value {
                let rest = flags.get(i + flag.len_utf8()..).unwrap_or_default();
                let v = if rest.is_empty() {
                    it.next()
                        .ok_or_else(|| format!("option -{flag} needs a value"))?
                } else {
                    rest.to_owned()
                };
                Some(v)
            } else {
                None
            };
            match (flag, value) {
                ('c', Some(v)) => args.cache = Some(v),
                ('t', Some(v)) => {
                    args.keytab = Some(v);
                    args.use_keytab = true;
                }
                ('l', Some(v)) => args.lifetime = Some(duration('l', &v)?),
                ('r', Some(v)) => args.renew = Some(duration('r', &v)?),
                ('T', Some(v)) => args.armor = Some(v),
                ('k', _) => args.use_keytab = true,
                ('f', _) => args.forwardable = Some(true),
                ('F', _) => args.forwardable = Some(false),
                ('p', _) => args.proxiable = Some(true),
                ('P', _) => args.proxiable = Some(false),
                ('E', _) => args.enterprise = true,
                ('C', _) => args.canonicalize = true,
                ('V', _) => args.verbose = true,
                (other, _) => return Err(format!("unknown option -{other}")),
            }
            if takes_value {
                break;
            }
        }
    }
    match positional.len() {
        0 => {}
        1 => args.principal = positional.pop(),
        _ => return Err(format!("too many arguments: {}", positional.join(" "))),
    }
    Ok(args)
}

/// Tracing to stderr with -V, or to the file KRB5_TRACE names.
fn init_tracing(verbose: bool) {
    let filter =
        std::env::var("KC_TRACE_FILTER").unwrap_or_else(|_| "kerberos_client=debug".into());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_target(false);
    match std::env::var_os("KRB5_TRACE") {
        Some(path) if !path.is_empty() => {
            match std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
            {
                Ok(file) => builder
                    .with_ansi(false)
                    .with_writer(std::sync::Mutex::new(file))
                    .init(),
                Err(e) => eprintln!(
                    "kinit: cannot open KRB5_TRACE file {}: {e}",
                    PathBuf::from(path).display()
                ),
            }
        }
        _ if verbose => builder.with_writer(std::io::stderr).init(),
        _ => {}
    }
}

/// Turns terminal echo off on stdin until dropped.
struct NoEcho {
    saved: Option<rustix::termios::Termios>,
}

impl NoEcho {
    fn new() -> Self {
        let stdin = std::io::stdin();
        let saved = rustix::termios::tcgetattr(&stdin).ok();
        if let Some(t) = &saved {
            let mut quiet = t.clone();
            quiet.local_modes.remove(rustix::termios::LocalModes::ECHO);
            quiet
                .local_modes
                .insert(rustix::termios::LocalModes::ECHONL);
            let _ =
                rustix::termios::tcsetattr(&stdin, rustix::termios::OptionalActions::Now, &quiet);
        }
        NoEcho { saved }
    }
}

impl Drop for NoEcho {
    fn drop(&mut self) {
        if let Some(t) = &self.saved {
            let _ = rustix::termios::tcsetattr(
                std::io::stdin(),
                rustix::termios::OptionalActions::Now,
                t,
            );
        }
    }
}

/// The password: prompted on the terminal without echo, or the first line of stdin.
fn read_password(principal: &str) -> Result<String, String> {
    let stdin = std::io::stdin();
    let mut line = String::new();
    if stdin.is_terminal() {
        // Echo off first, so nothing typed after the prompt appears is echoed.
        let _quiet = NoEcho::new();
        eprint!("Password for {principal}: ");
        let _ = std::io::stderr().flush();
        stdin
            .lock()
            .read_line(&mut line)
            .map_err(|e| format!("cannot read the password: {e}"))?;
    } else {
        let n = stdin
            .lock()
            .read_line(&mut line)
            .map_err(|e| format!("cannot read the password from stdin: {e}"))?;
        if n == 0 {
            return Err("no password: stdin is empty (give it on the first line)".into());
        }
    }
    while line.ends_with('\n') || line.ends_with('\r') {
        line.pop();
    }
    Ok(line)
}

fn default_user() -> Option<String> {
    ["USER", "LOGNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
}

fn run(args: Args) -> Result<(), String> {
    let client = Client::from_env().map_err(|e| e.to_string())?;
    let cache = match &args.cache {
        Some(c) => CcacheName::parse(c).map_err(|e| format!("-c {c}: {e}"))?,
        None => client.default_ccache_name().map_err(|e| e.to_string())?,
    };
    let mut opts = TgtOptions::default().enterprise(args.enterprise);
    if let Some(d) = args.lifetime {
        opts = opts.lifetime(d);
    }
    if let Some(d) = args.renew {
        opts = opts.renew_lifetime(d);
    }
    if let Some(v) = args.forwardable {
        opts = opts.forwardable(v);
    }
    if let Some(v) = args.proxiable {
        opts = opts.proxiable(v);
    }
    if args.canonicalize {
        opts = opts.canonicalize(true);
    }
    if let Some(a) = &args.armor {
        let path = a.strip_prefix("FILE:").unwrap_or(a);
        let armor = client
            .armor_from_ccache(path)
            .map_err(|e| format!("-T {a}: {e}"))?;
        opts = opts.armor(armor);
    }

    let (principal, secret) = if args.use_keytab {
        let path = match &args.keytab {
            Some(t) => {
                KeytabName::parse(t)
                    .map_err(|e| format!("-t {t}: {e}"))?
                    .path
            }
            None => match &client.config().libdefaults().default_keytab_name {
                Some(n) if std::env::var_os("KRB5_KTNAME").is_none() => {
                    KeytabName::parse(n).map_err(|e| e.to_string())?.path
                }
                _ => KeytabName::from_env().map_err(|e| e.to_string())?.path,
            },
        };
        let keytab = Keytab::read(&path)
            .map_err(|e| format!("cannot read keytab {}: {e}", path.display()))?;
        let principal = match &args.principal {
            Some(p) => p.clone(),
            None => keytab
                .principals()
                .first()
                .map(|p| p.to_string())
                .ok_or_else(|| format!("keytab {} is empty", path.display()))?,
        };
        (principal, Secret::Keytab(keytab))
    } else {
        let principal = args
            .principal
            .clone()
            .or_else(default_user)
            .ok_or("no principal given and USER is not set")?;
        let shown = if principal.contains('@') || args.enterprise {
            principal.clone()
        } else {
            match client.config().default_realm() {
                Some(r) => format!("{principal}@{r}"),
                None => principal.clone(),
            }
        };
        let password = read_password(&shown)?;
        (principal, Secret::password(password))
    };

    let cred = client
        .get_tgt_with(principal.as_str(), secret, &opts)
        .map_err(|e| format!("cannot get a ticket for {principal}: {e}"))?;
    cred.store(&cache)
        .map_err(|e| format!("cannot store the ticket in {}: {e}", cache.path().display()))?;
    if args.verbose {
        println!("Authenticated to Kerberos v5 as {}", cred.client);
        println!("Stored in cache FILE:{}", cache.path().display());
    }
    Ok(())
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(msg) => {
            if !msg.is_empty() {
                eprintln!("kinit: {msg}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    init_tracing(args.verbose);
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("kinit: {msg}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(list: &[&str]) -> Result<Args, String> {
        parse_args(list.iter().map(|s| s.to_string()))
    }

    #[test]
    fn options() {
        let a = p(&[
            "-c",
            "/tmp/cc",
            "-l",
            "10h",
            "-r7d",
            "-f",
            "alice@EXAMPLE.TEST",
        ])
        .unwrap();
        assert_eq!(a.cache.as_deref(), Some("/tmp/cc"));
        assert_eq!(a.lifetime, Some(Duration::from_secs(36_000)));
        assert_eq!(a.renew, Some(Duration::from_secs(7 * 86_400)));
        assert_eq!(a.forwardable, Some(true));
        assert_eq!(a.principal.as_deref(), Some("alice@EXAMPLE.TEST"));
        let a = p(&["-kt", "/k.keytab", "-l", "1h30m", "svc"]).unwrap();
        assert!(a.use_keytab);
        assert_eq!(a.keytab.as_deref(), Some("/k.keytab"));
        assert_eq!(a.lifetime, Some(Duration::from_secs(5400)));
        let a = p(&["-k", "-E", "-V", "-F", "--", "-odd"]).unwrap();
        assert!(a.use_keytab && a.enterprise && a.verbose);
        assert_eq!(a.forwardable, Some(false));
        assert_eq!(a.principal.as_deref(), Some("-odd"));
        assert!(p(&["-l", "soon"]).unwrap_err().contains("not a duration"));
        assert!(p(&["-x"]).unwrap_err().contains("-x"));
        assert!(p(&["-c"]).unwrap_err().contains("needs a value"));
        assert!(p(&["a", "b"]).is_err());
    }
}
