//! The krb5 GSS-API initiator (raw krb5 and SPNEGO) against MIT's `gss-server`
//! (Debian `krb5-gss-samples`) as the acceptor, with the MIT lab's service keytabs:
//! context establishment with mutual authentication, Wrap (sealed and integrity-only) and
//! MIC to the server, and the server's MIC of each message verified.
//!
//! Needs the lab of `scripts/mit-kdc.sh` (KC_MIT_DIR, KRB5_CONFIG) and `gss-server`
//! (`KC_GSS_SERVER`, else `/usr/bin/gss-server`; `scripts/apache-gssapi.sh install` installs it).

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use common::{ALICE_PW, Realm};
use kerberos_client::gss::{
    ContextFlags, ContextOptions, GssError, InitiatorContext, SeqStatus, SpnegoInitiator,
};
use kerberos_client::{Client, Config, Secret};

// The gss-sample protocol (MIT src/appl/gss-sample/gss-misc.c): one flags byte, a 4-byte
// big-endian length, the token.
const TOKEN_NOOP: u8 = 1;
const TOKEN_CONTEXT: u8 = 2;
const TOKEN_DATA: u8 = 4;
const TOKEN_MIC: u8 = 8;
const TOKEN_CONTEXT_NEXT: u8 = 16;
const TOKEN_WRAPPED: u8 = 32;
const TOKEN_ENCRYPTED: u8 = 64;
const TOKEN_SEND_MIC: u8 = 128;

fn gss_server_bin() -> PathBuf {
    std::env::var_os("KC_GSS_SERVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/gss-server"))
}

struct Server {
    child: Child,
    port: u16,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Server {
    /// `gss-server -once` for `service` (host-based, e.g. `host@svc.example.test`).
    fn start(realm: &Realm, keytab: &str, service: &str) -> Server {
        let bin = gss_server_bin();
        assert!(
            bin.is_file(),
            "{} is missing: install krb5-gss-samples (scripts/apache-gssapi.sh install DIR)",
            bin.display()
        );
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("gss-server.log");
        let child = Command::new(bin)
            .args(["-port", &port.to_string(), "-once", "-keytab"])
            .arg(realm.keytab(keytab))
            .args(["-logfile"])
            .arg(&log)
            .arg(service)
            .env("KRB5_CONFIG", &realm.krb5_config)
            .env("KRB5CCNAME", "MEMORY:gss-server")
            .stdout(Stdio::from(
                std::fs::File::create(dir.path().join("stdout")).unwrap(),
            ))
            .stderr(Stdio::from(
                std::fs::File::create(dir.path().join("stderr")).unwrap(),
            ))
            .spawn()
            .unwrap();
        Server {
            child,
            port,
            log,
            _dir: dir,
        }
    }

    fn connect(&self) -> TcpStream {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match TcpStream::connect(("127.0.0.1", self.port)) {
                Ok(s) => {
                    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
                    return s;
                }
                Err(e) if Instant::now() < deadline => {
                    let _ = e;
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(e) => panic!("gss-server does not listen on {}: {e}", self.port),
            }
        }
    }

    /// The log file and stdout, long lines cut.
    fn log(&self) -> String {
        let mut text = std::fs::read_to_string(&self.log).unwrap_or_default();
        for f in ["stdout", "stderr"] {
            text += &std::fs::read_to_string(self.log.with_file_name(f)).unwrap_or_default();
        }
        text.lines()
            .map(|l| l.chars().take(200).collect::<String>() + "\n")
            .collect()
    }

    /// Wait for `-once` to exit and return the log.
    fn finish(mut self) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.log()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn send(s: &mut TcpStream, flags: u8, tok: &[u8]) {
    let mut v = vec![flags];
    v.extend_from_slice(&u32::try_from(tok.len()).unwrap().to_be_bytes());
    v.extend_from_slice(tok);
    s.write_all(&v).unwrap();
}

fn recv(s: &mut TcpStream) -> (u8, Vec<u8>) {
    let mut h = [0u8; 5];
    s.read_exact(&mut h).unwrap();
    let len = u32::from_be_bytes([h[1], h[2], h[3], h[4]]) as usize;
    let mut tok = vec![0u8; len];
    s.read_exact(&mut tok).unwrap();
    (h[0], tok)
}

fn service_ticket(realm: &Realm, spn: &str) -> kerberos_client::Credential {
    let c = Client::builder()
        .config(Config::from_file(&realm.krb5_config).unwrap())
        .build()
        .unwrap();
    let tgt = c.get_tgt("alice", Secret::password(ALICE_PW)).unwrap();
    c.get_service_ticket(&tgt, spn).unwrap()
}

/// Messages to the server: sealed Wrap, integrity-only Wrap, plain data; each with a MIC
/// back from the server that we verify.
fn exchange_messages(s: &mut TcpStream, mic_ctx: &mut InitiatorContext) {
    let big = vec![b'x'; 16 * 1024];
    let cases: [(&[u8], Option<bool>); 3] = [
        (b"sealed hello", Some(true)),
        (&big, Some(false)),
        (b"plain hello", None),
    ];
    for (msg, wrap) in cases {
        let (flags, tok) = match wrap {
            Some(conf) => (
                TOKEN_DATA
                    | TOKEN_WRAPPED
                    | TOKEN_SEND_MIC
                    | if conf { TOKEN_ENCRYPTED } else { 0 },
                mic_ctx.wrap(msg, conf).unwrap(),
            ),
            None => (TOKEN_DATA | TOKEN_SEND_MIC, msg.to_vec()),
        };
        send(s, flags, &tok);
        let (f, mic) = recv(s);
        assert_eq!(f, TOKEN_MIC, "the server answers with a MIC token");
        let status = mic_ctx.verify_mic(msg, &mic).unwrap();
        assert_eq!(status, SeqStatus::InOrder);
        let mut bad = mic.clone();
        let last = bad.len() - 1;
        bad[last] ^= 0x01;
        assert!(matches!(
            mic_ctx.verify_mic(msg, &bad),
            Err(GssError::BadSignature)
        ));
        assert!(matches!(
            mic_ctx.verify_mic(msg, &mic),
            Err(GssError::Duplicate(_))
        ));
    }
    send(s, TOKEN_NOOP, &[]);
}

#[test]
fn krb5_mutual_wrap_and_mic_with_gss_server() {
    let realm = Realm::mit();
    let server = Server::start(&realm, "svc.keytab", "host@svc.example.test");
    let ticket = service_ticket(&realm, "host/svc.example.test");
    let mut ctx =
        InitiatorContext::new(&ticket, ContextOptions::default(), SystemTime::now()).unwrap();
    let mut s = server.connect();
    send(&mut s, TOKEN_NOOP | TOKEN_CONTEXT_NEXT, &[]);
    let first = ctx.step(None).unwrap();
    assert!(!first.complete);
    send(&mut s, TOKEN_CONTEXT, &first.output.unwrap());
    let (f, reply) = recv(&mut s);
    assert_eq!(f, TOKEN_CONTEXT);
    let done = ctx.step(Some(&reply)).unwrap();
    assert!(done.complete && done.output.is_none());
    exchange_messages(&mut s, &mut ctx);
    let log = server.finish();
    assert!(
        log.contains("Accepted connection: \"alice@EXAMPLE.TEST\""),
        "{log}"
    );
    assert!(log.contains("context flag: GSS_C_MUTUAL_FLAG"), "{log}");
    assert!(log.contains("Received message: \"sealed hello\""), "{log}");
    assert!(log.contains("Received message: \"plain hello\""), "{log}");
}

#[test]
fn krb5_without_mutual_auth() {
    let realm = Realm::mit();
    let server = Server::start(&realm, "svc.keytab", "host@svc.example.test");
    let ticket = service_ticket(&realm, "host/svc.example.test");
    let opts = ContextOptions::with_flags(
        ContextFlags::CONF | ContextFlags::INTEG | ContextFlags::REPLAY | ContextFlags::SEQUENCE,
    );
    let mut ctx = InitiatorContext::new(&ticket, opts, SystemTime::now()).unwrap();
    let mut s = server.connect();
    send(&mut s, TOKEN_NOOP | TOKEN_CONTEXT_NEXT, &[]);
    let first = ctx.step(None).unwrap();
    assert!(first.complete, "no mutual authentication: one token");
    send(&mut s, TOKEN_CONTEXT, &first.output.unwrap());
    exchange_messages(&mut s, &mut ctx);
    let log = server.finish();
    assert!(
        log.contains("Accepted connection: \"alice@EXAMPLE.TEST\""),
        "{log}"
    );
    assert!(!log.contains("GSS_C_MUTUAL_FLAG"), "{log}");
}

#[test]
fn spnego_with_gss_server_http_keytab() {
    let realm = Realm::mit();
    let server = Server::start(&realm, "http.keytab", "HTTP@web.example.test");
    let ticket = service_ticket(&realm, "HTTP/web.example.test");
    let ctx = InitiatorContext::new(&ticket, ContextOptions::default(), SystemTime::now()).unwrap();
    let mut sp = SpnegoInitiator::new(ctx).unwrap();
    let mut s = server.connect();
    send(&mut s, TOKEN_NOOP | TOKEN_CONTEXT_NEXT, &[]);
    let first = sp.step(None).unwrap();
    send(&mut s, TOKEN_CONTEXT, &first.output.unwrap());
    let (f, reply) = recv(&mut s);
    assert_eq!(f, TOKEN_CONTEXT);
    let done = sp.step(Some(&reply)).unwrap();
    assert!(done.complete, "accept-completed");
    assert!(done.output.is_none());
    exchange_messages(&mut s, sp.context());
    let log = server.finish();
    assert!(
        log.contains("Accepted connection: \"alice@EXAMPLE.TEST\""),
        "{log}"
    );
    assert!(log.contains("Received message: \"sealed hello\""), "{log}");
}

#[test]
fn tampered_wrap_is_refused_by_gss_server() {
    let realm = Realm::mit();
    let server = Server::start(&realm, "svc.keytab", "host@svc.example.test");
    let ticket = service_ticket(&realm, "host/svc.example.test");
    let mut ctx =
        InitiatorContext::new(&ticket, ContextOptions::default(), SystemTime::now()).unwrap();
    let mut s = server.connect();
    send(&mut s, TOKEN_NOOP | TOKEN_CONTEXT_NEXT, &[]);
    send(
        &mut s,
        TOKEN_CONTEXT,
        &ctx.step(None).unwrap().output.unwrap(),
    );
    let (_, reply) = recv(&mut s);
    ctx.step(Some(&reply)).unwrap();
    let mut tok = ctx.wrap(b"will be tampered", true).unwrap();
    let last = tok.len() - 1;
    tok[last] ^= 0x80;
    send(
        &mut s,
        TOKEN_DATA | TOKEN_WRAPPED | TOKEN_ENCRYPTED | TOKEN_SEND_MIC,
        &tok,
    );
    let mut buf = [0u8; 5];
    let n = s.read(&mut buf).unwrap_or(0);
    assert_eq!(
        n, 0,
        "the server closes the connection instead of answering"
    );
    let log = server.finish();
    assert!(!log.contains("will be tampered"), "{log}");
}
