//! The krb5 GSS-API acceptor: MIT's `gss-client` (Debian `krb5-gss-samples`) as the
//! initiator against our [`AcceptorContext`] over TCP (the gss-sample protocol), with alice's
//! ccache from `kinit` and the service keys from the MIT lab's keytab: mutual
//! authentication (gss-client verifies our AP-REP), its Wrap tokens unwrapped by us, our MIC
//! verified by gss-client ("Signature verified."), delegation, and a ticket for another
//! service refused. Plus an in-process test: our initiator against our acceptor.
//!
//! Needs the lab of `scripts/mit-kdc.sh` (KC_MIT_DIR, KRB5_CONFIG, ...) and `gss-client`
//! (`KC_GSS_CLIENT`, else `/usr/bin/gss-client`); fails when either is missing.

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::Output;
use std::time::{Duration, Instant, SystemTime};

use common::{ALICE_PW, MitLab};
use kerberos_client::asn1::{
    self, EncTicketPart, EncryptedData, EncryptionKey, KerberosString, KerberosTime, PrincipalName,
    RawTicket, Ticket, TicketFlags, TransitedEncoding,
};
use kerberos_client::crypto::{EncryptionType, Key, KeyUsage};
use kerberos_client::gss::{
    AcceptorContext, AcceptorOptions, ContextFlags, ContextOptions, GssError, InitiatorContext,
    SeqStatus, SpnegoAcceptor, SpnegoInitiator,
};
use kerberos_client::keytab::Keytab;
use kerberos_client::principal::Principal;

// The gss-sample protocol (one flags byte, a 4-byte big-endian length, the token).
const TOKEN_NOOP: u8 = 1;
const TOKEN_CONTEXT: u8 = 2;
const TOKEN_DATA: u8 = 4;
const TOKEN_MIC: u8 = 8;
const TOKEN_CONTEXT_NEXT: u8 = 16;
const TOKEN_WRAPPED: u8 = 32;
const TOKEN_ENCRYPTED: u8 = 64;
const TOKEN_SEND_MIC: u8 = 128;

fn gss_client_bin() -> PathBuf {
    let bin = std::env::var_os("KC_GSS_CLIENT")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/gss-client"));
    assert!(
        bin.is_file(),
        "{} is missing: apt-get install krb5-gss-samples",
        bin.display()
    );
    bin
}

fn send(s: &mut TcpStream, flags: u8, tok: &[u8]) -> std::io::Result<()> {
    let len = u32::try_from(tok.len()).map_err(std::io::Error::other)?;
    let mut v = vec![flags];
    v.extend_from_slice(&len.to_be_bytes());
    v.extend_from_slice(tok);
    s.write_all(&v)
}

fn recv(s: &mut TcpStream) -> std::io::Result<(u8, Vec<u8>)> {
    let mut h = [0u8; 5];
    s.read_exact(&mut h)?;
    let len = u32::from_be_bytes([h[1], h[2], h[3], h[4]]) as usize;
    let mut tok = vec![0u8; len];
    s.read_exact(&mut tok)?;
    Ok((h[0], tok))
}

/// What our side of one gss-sample connection saw.
#[derive(Debug, Default)]
struct Served {
    initiator: String,
    flags: u32,
    delegated: Option<Vec<u8>>,
    mutual_token_sent: bool,
    /// (message, wrapped, confidential, sequence status)
    messages: Vec<(Vec<u8>, bool, bool, Option<SeqStatus>)>,
}

/// Serve one connection like MIT's `gss-server`: accept the context, unwrap each message,
/// answer a MIC when asked.
fn serve_one(s: &mut TcpStream, ctx: AcceptorContext, spnego: bool) -> Result<Served, String> {
    let mut out = Served::default();
    let (f, _) = recv(s).map_err(|e| e.to_string())?;
    if f != TOKEN_NOOP | TOKEN_CONTEXT_NEXT {
        return Err(format!("unexpected first flags {f}"));
    }
    let (f, tok) = recv(s).map_err(|e| e.to_string())?;
    if f != TOKEN_CONTEXT {
        return Err(format!("unexpected context flags {f}"));
    }
    let mut sp = SpnegoAcceptor::new(ctx);
    let step = if spnego {
        sp.step(&tok, SystemTime::now())
    } else {
        sp.context().step(&tok, SystemTime::now())
    };
    let step = match step {
        Ok(step) => step,
        Err(e) => {
            // Send the refusal the initiator waits for (KRB-ERROR, or SPNEGO reject).
            let error_token = if spnego {
                sp.error_token().map(<[u8]>::to_vec)
            } else {
                sp.context().error_token().map(<[u8]>::to_vec)
            };
            if let Some(t) = error_token {
                send(s, TOKEN_CONTEXT, &t).map_err(|e| e.to_string())?;
                // MIT's SPNEGO initiator answers a reject with a token of its own: read
                // until the client closes, so it does not die of SIGPIPE.
                let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
                while recv(s).is_ok() {}
            }
            return Err(e.to_string());
        }
    };
    let ctx = sp.context();
    out.initiator = step.initiator.to_string();
    out.flags = step.flags.0;
    out.delegated = step.delegated;
    if let Some(rep) = step.output {
        out.mutual_token_sent = true;
        send(s, TOKEN_CONTEXT, &rep).map_err(|e| e.to_string())?;
    }
    loop {
        let (f, tok) = match recv(s) {
            Ok(x) => x,
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            Err(e) => return Err(e.to_string()),
        };
        if f & TOKEN_NOOP != 0 {
            break;
        }
        if f & TOKEN_DATA == 0 {
            return Err(format!("unexpected flags {f}"));
        }
        let (msg, wrapped, conf, status) = if f & TOKEN_WRAPPED != 0 {
            let u = ctx.unwrap(&tok).map_err(|e| e.to_string())?;
            (u.data, true, u.confidential, Some(u.status))
        } else {
            (tok, false, false, None)
        };
        if wrapped && conf != (f & TOKEN_ENCRYPTED != 0) {
            return Err("confidentiality differs from the TOKEN_ENCRYPTED flag".into());
        }
        if f & TOKEN_SEND_MIC != 0 {
            let mic = ctx.get_mic(&msg).map_err(|e| e.to_string())?;
            send(s, TOKEN_MIC, &mic).map_err(|e| e.to_string())?;
        }
        out.messages.push((msg, wrapped, conf, status));
    }
    Ok(out)
}

fn svc_acceptor(lab: &MitLab, keytab: &str, principal: &str) -> AcceptorContext {
    let kt = Keytab::read(lab.keytab(keytab)).unwrap();
    let svc = Principal::parse(principal, None).unwrap();
    AcceptorContext::from_keytab(&kt, &svc, AcceptorOptions::default()).unwrap()
}

/// Run `gss-client` with alice's ccache against a listener served by `ctx`.
fn run_gss_client(
    lab: &MitLab,
    ctx: AcceptorContext,
    service: &str,
    args: &[&str],
    msg: &str,
) -> (Output, Result<Served, String>) {
    let dir = tempfile::tempdir().unwrap();
    let cc = dir.path().join("cc");
    lab.kinit(&cc, "alice", ALICE_PW);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    listener.set_nonblocking(true).unwrap();
    let args_owned: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let server = std::thread::spawn(move || {
        let args: Vec<&str> = args_owned.iter().map(String::as_str).collect();
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut s = loop {
            match listener.accept() {
                Ok((s, _)) => break s,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    if Instant::now() > deadline {
                        return Err("gss-client never connected".to_string());
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(e) => return Err(e.to_string()),
            }
        };
        s.set_nonblocking(false).map_err(|e| e.to_string())?;
        s.set_read_timeout(Some(Duration::from_secs(15)))
            .map_err(|e| e.to_string())?;
        serve_one(&mut s, ctx, args.contains(&"-spnego"))
        // The socket closes here: on an error gss-client sees EOF.
    });
    let mut c = lab.cmd(gss_client_bin().to_str().unwrap());
    c.env("KRB5CCNAME", format!("FILE:{}", cc.display()))
        .args(["-port", &port.to_string()])
        .args(args)
        .args(["127.0.0.1", service, msg]);
    let out = c.output().unwrap();
    let served = server.join().unwrap();
    (out, served)
}

fn text(o: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn signatures_verified(o: &Output) -> usize {
    String::from_utf8_lossy(&o.stdout)
        .matches("Signature verified")
        .count()
}

#[test]
fn gss_client_mutual_sealed_wrap_and_mic() {
    let lab = common::lab();
    let ctx = svc_acceptor(&lab, "svc.keytab", "host/svc.example.test@EXAMPLE.TEST");
    let (out, served) = run_gss_client(
        &lab,
        ctx,
        "host@svc.example.test",
        &["-mcount", "3"],
        "hello from MIT",
    );
    let served = served.unwrap_or_else(|e| panic!("acceptor: {e}\n{}", text(&out)));
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(signatures_verified(&out), 3, "{}", text(&out));
    assert_eq!(served.initiator, "alice@EXAMPLE.TEST");
    assert!(served.mutual_token_sent, "gss-client asks for mutual auth");
    let flags = ContextFlags(served.flags);
    assert!(flags.contains(ContextFlags::MUTUAL | ContextFlags::REPLAY));
    assert!(served.delegated.is_none());
    assert_eq!(served.messages.len(), 3);
    for (msg, wrapped, conf, status) in &served.messages {
        assert_eq!(msg, b"hello from MIT");
        assert!(*wrapped && *conf);
        assert_eq!(*status, Some(SeqStatus::InOrder));
    }
}

#[test]
fn gss_client_integrity_only_plain_and_no_mutual() {
    let lab = common::lab();
    // Integrity-only Wrap.
    let ctx = svc_acceptor(&lab, "svc.keytab", "host/svc.example.test@EXAMPLE.TEST");
    let (out, served) = run_gss_client(&lab, ctx, "host@svc.example.test", &["-nx"], "signed");
    let served = served.unwrap_or_else(|e| panic!("acceptor: {e}\n{}", text(&out)));
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(signatures_verified(&out), 1, "{}", text(&out));
    assert_eq!(
        served.messages[0],
        (b"signed".to_vec(), true, false, Some(SeqStatus::InOrder))
    );

    // No Wrap: the message in clear, our MIC over it.
    let ctx = svc_acceptor(&lab, "svc.keytab", "host/svc.example.test@EXAMPLE.TEST");
    let (out, served) = run_gss_client(&lab, ctx, "host@svc.example.test", &["-nw"], "clear");
    let served = served.unwrap_or_else(|e| panic!("acceptor: {e}\n{}", text(&out)));
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(signatures_verified(&out), 1, "{}", text(&out));
    assert_eq!(served.messages[0].0, b"clear");

    // Without mutual authentication: no AP-REP, both sides on the initiator's sequence.
    let ctx = svc_acceptor(&lab, "svc.keytab", "host/svc.example.test@EXAMPLE.TEST");
    let (out, served) = run_gss_client(
        &lab,
        ctx,
        "host@svc.example.test",
        &["-nomutual", "-mcount", "2"],
        "no mutual",
    );
    let served = served.unwrap_or_else(|e| panic!("acceptor: {e}\n{}", text(&out)));
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(signatures_verified(&out), 2, "{}", text(&out));
    assert!(!served.mutual_token_sent);
    assert!(!ContextFlags(served.flags).contains(ContextFlags::MUTUAL));
    assert_eq!(served.messages.len(), 2);
}

#[test]
fn gss_client_http_service_and_delegation() {
    let lab = common::lab();
    let ctx = svc_acceptor(&lab, "http.keytab", "HTTP/web.example.test@EXAMPLE.TEST");
    let (out, served) = run_gss_client(&lab, ctx, "HTTP@web.example.test", &["-d"], "deleg");
    let served = served.unwrap_or_else(|e| panic!("acceptor: {e}\n{}", text(&out)));
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(signatures_verified(&out), 1, "{}", text(&out));
    assert!(ContextFlags(served.flags).contains(ContextFlags::DELEG));
    let cred = served.delegated.expect("a delegated KRB-CRED");
    assert_eq!(cred.first(), Some(&0x76), "KRB-CRED is [APPLICATION 22]");
}

#[test]
fn gss_client_spnego() {
    let lab = common::lab();
    let ctx = svc_acceptor(&lab, "http.keytab", "HTTP/web.example.test@EXAMPLE.TEST");
    let (out, served) = run_gss_client(
        &lab,
        ctx,
        "HTTP@web.example.test",
        &["-spnego", "-mcount", "2"],
        "via spnego",
    );
    let served = served.unwrap_or_else(|e| panic!("acceptor: {e}\n{}", text(&out)));
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(signatures_verified(&out), 2, "{}", text(&out));
    assert_eq!(served.initiator, "alice@EXAMPLE.TEST");
    assert_eq!(served.messages.len(), 2);
    assert_eq!(served.messages[0].0, b"via spnego");
}

#[test]
fn ticket_for_another_service_is_refused() {
    let lab = common::lab();
    // gss-client gets a ticket for HTTP/web.example.test; we only hold host/svc's keys.
    let ctx = svc_acceptor(&lab, "svc.keytab", "host/svc.example.test@EXAMPLE.TEST");
    let (out, served) = run_gss_client(&lab, ctx, "HTTP@web.example.test", &[], "nope");
    let err = served.expect_err("the acceptor must refuse the ticket");
    assert!(err.contains("does not decrypt"), "{err}");
    assert!(!out.status.success(), "{}", text(&out));
    assert_eq!(signatures_verified(&out), 0);
    // gss-client read our KRB-ERROR token: MIT's text for KRB_AP_ERR_BAD_INTEGRITY (31).
    assert!(
        text(&out).contains("Decrypt integrity check failed"),
        "{}",
        text(&out)
    );
}

#[test]
fn refusal_reaches_an_spnego_initiator() {
    let lab = common::lab();
    let ctx = svc_acceptor(&lab, "svc.keytab", "host/svc.example.test@EXAMPLE.TEST");
    let (out, served) = run_gss_client(&lab, ctx, "HTTP@web.example.test", &["-spnego"], "x");
    assert!(served.is_err(), "{served:?}");
    assert!(!out.status.success(), "{}", text(&out));
    // MIT's SPNEGO initiator got the reject NegTokenResp with the krb5 KRB-ERROR inside.
    assert!(
        text(&out).contains("Decrypt integrity check failed"),
        "{}",
        text(&out)
    );
}

// ---- in-process: our initiator against our acceptor (no lab) ----

fn forge_ticket(service_key: &Key, session_key: &Key, client: &str, now: i64) -> Vec<u8> {
    let part = EncTicketPart {
        flags: TicketFlags::empty(),
        key: EncryptionKey::new(session_key.etype().id(), session_key.as_bytes().to_vec()),
        crealm: KerberosString::from_bytes("EXAMPLE.TEST"),
        cname: PrincipalName::new(1, &[client]),
        transited: TransitedEncoding {
            tr_type: 1,
            contents: Vec::new().into(),
        },
        authtime: KerberosTime::from_unix(now - 10),
        starttime: None,
        endtime: KerberosTime::from_unix(now + 3600),
        renew_till: None,
        caddr: None,
        authorization_data: None,
    };
    let cipher = service_key.encrypt(KeyUsage::KDC_REP_TICKET, &asn1::encode(&part).unwrap());
    RawTicket::from_ticket(&Ticket {
        tkt_vno: 5,
        realm: "EXAMPLE.TEST".into(),
        sname: PrincipalName::new(3, &["host", "svc.example.test"]),
        enc_part: EncryptedData::new(service_key.etype().id(), Some(2), cipher),
    })
    .unwrap()
    .into_bytes()
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[test]
fn our_initiator_with_our_acceptor() {
    for etype in [
        EncryptionType::Aes256CtsHmacSha196,
        EncryptionType::Aes128CtsHmacSha196,
        EncryptionType::Aes256CtsHmacSha384192,
    ] {
        let svc = Key::random(etype);
        let sess = Key::random(etype);
        let alice = Principal::new(1, "EXAMPLE.TEST", ["alice"]);
        let ticket = forge_ticket(&svc, &sess, "alice", unix_now());
        let cb = b"tls-server-end-point:xyz".to_vec();
        let opts = ContextOptions {
            channel_bindings: Some(cb.clone()),
            delegated_cred: Some(vec![0x76, 0x00]),
            flags: ContextFlags::default() | ContextFlags::DELEG,
        };
        let now = SystemTime::now();
        let mut init = InitiatorContext::from_parts(&ticket, &sess, &alice, opts, now).unwrap();
        let other = Key::random(etype);
        let mut acc = AcceptorContext::new(
            vec![other, svc.clone()],
            AcceptorOptions {
                channel_bindings: Some(cb.clone()),
                ..Default::default()
            },
        );
        let t1 = init.step(None).unwrap().output.unwrap();
        let a = acc.step(&t1, now).unwrap();
        assert!(a.complete && acc.is_established());
        assert_eq!(a.initiator, alice);
        assert_eq!(a.delegated.as_deref(), Some(&[0x76, 0x00][..]));
        assert!(acc.step(&t1, now).is_err(), "already established");
        let done = init.step(Some(&a.output.unwrap())).unwrap();
        assert!(done.complete);

        // Initiator -> acceptor.
        let w = init.wrap(b"ping", true).unwrap();
        let u = acc.unwrap(&w).unwrap();
        assert_eq!((u.data.as_slice(), u.confidential), (&b"ping"[..], true));
        assert!(matches!(acc.unwrap(&w), Err(GssError::Duplicate(_))));
        let m = init.get_mic(b"mic1").unwrap();
        assert_eq!(acc.verify_mic(b"mic1", &m).unwrap(), SeqStatus::InOrder);
        assert!(matches!(
            acc.verify_mic(b"other", &init.get_mic(b"mic2").unwrap()),
            Err(GssError::BadSignature)
        ));
        // Acceptor -> initiator, with the AcceptorSubkey and SentByAcceptor flags.
        let w = acc.wrap(b"pong", true).unwrap();
        assert_eq!(w[2] & 0x05, 0x05, "SentByAcceptor | AcceptorSubkey");
        assert_eq!(init.unwrap(&w).unwrap().data, b"pong");
        let w = acc.wrap(b"integ", false).unwrap();
        let u = init.unwrap(&w).unwrap();
        assert_eq!((u.data.as_slice(), u.confidential), (&b"integ"[..], false));
        let m = acc.get_mic(b"acc-mic").unwrap();
        assert_eq!(init.verify_mic(b"acc-mic", &m).unwrap(), SeqStatus::InOrder);
        // Our own tokens reflected back are refused.
        let own = acc.wrap(b"x", true).unwrap();
        assert!(matches!(acc.unwrap(&own), Err(GssError::Reflected)));
    }
}

#[test]
fn acceptor_refusals() {
    let etype = EncryptionType::Aes256CtsHmacSha196;
    let svc = Key::random(etype);
    let sess = Key::random(etype);
    let alice = Principal::new(1, "EXAMPLE.TEST", ["alice"]);
    let now = SystemTime::now();
    let token = |client: &Principal, at: SystemTime, opts: ContextOptions| {
        let ticket = forge_ticket(&svc, &sess, "alice", unix_now());
        let mut i = InitiatorContext::from_parts(&ticket, &sess, client, opts, at).unwrap();
        i.step(None).unwrap().output.unwrap()
    };
    let acc = || AcceptorContext::new(vec![svc.clone()], AcceptorOptions::default());
    // Another service's key.
    let t = token(&alice, now, ContextOptions::default());
    let mut other = AcceptorContext::new(vec![Key::random(etype)], AcceptorOptions::default());
    assert!(matches!(other.step(&t, now), Err(GssError::Accept(_))));
    assert!(
        other.step(&t, now).is_err(),
        "a failed context stays failed"
    );
    // Clock skew.
    let late = now + Duration::from_secs(600);
    assert!(matches!(acc().step(&t, late), Err(GssError::Accept(_))));
    // Authenticator for another client than the ticket's.
    let mallory = Principal::new(1, "EXAMPLE.TEST", ["mallory"]);
    let t = token(&mallory, now, ContextOptions::default());
    assert!(matches!(acc().step(&t, now), Err(GssError::Accept(_))));
    // Channel bindings expected but different.
    let opts = ContextOptions {
        channel_bindings: Some(b"a".to_vec()),
        ..Default::default()
    };
    let t = token(&alice, now, opts);
    let mut cb = AcceptorContext::new(
        vec![svc.clone()],
        AcceptorOptions {
            channel_bindings: Some(b"b".to_vec()),
            ..Default::default()
        },
    );
    assert!(matches!(cb.step(&t, now), Err(GssError::Accept(_))));
    // Garbage and truncated tokens.
    let mut a = acc();
    assert!(a.step(b"", now).is_err());
    let t = token(&alice, now, ContextOptions::default());
    for cut in [1, 10, t.len() / 2, t.len() - 1] {
        assert!(acc().step(&t[..cut], now).is_err());
    }
    // Per-message calls before establishment.
    assert!(matches!(acc().wrap(b"x", true), Err(GssError::State(_))));
}

/// A refused AP-REQ that asked for mutual authentication gets a KRB-ERROR token, which our
/// initiator reports as the acceptor's typed error.
#[test]
fn acceptor_error_tokens_reach_the_initiator() {
    let etype = EncryptionType::Aes256CtsHmacSha384192;
    let svc = Key::random(etype);
    let sess = Key::random(etype);
    let alice = Principal::new(1, "EXAMPLE.TEST", ["alice"]);
    let now = SystemTime::now();
    let ticket = forge_ticket(&svc, &sess, "alice", unix_now());
    let refused = |keys: Vec<Key>, at: SystemTime, flags: ContextFlags| {
        let opts = ContextOptions {
            flags,
            ..Default::default()
        };
        let mut init = InitiatorContext::from_parts(&ticket, &sess, &alice, opts, now).unwrap();
        let t = init.step(None).unwrap().output.unwrap();
        let mut acc = AcceptorContext::new(keys, AcceptorOptions::default());
        assert!(acc.step(&t, at).is_err());
        let token = acc.error_token().map(<[u8]>::to_vec);
        (init, token)
    };
    for (keys, at, code) in [
        (vec![svc.clone()], now + Duration::from_secs(900), 37), // KRB_AP_ERR_SKEW
        (vec![Key::random(etype)], now, 31),                     // KRB_AP_ERR_BAD_INTEGRITY
        (
            vec![Key::random(EncryptionType::Aes128CtsHmacSha196)],
            now,
            45, // KRB_AP_ERR_NOKEY
        ),
    ] {
        let (mut init, token) = refused(keys, at, ContextFlags::default());
        let token = token.expect("mutual was asked: an error token");
        assert_eq!(&token[..2], &[0x60, token[1]], "an InitialContextToken");
        match init.step(Some(&token)) {
            Err(GssError::Rejected(e)) => {
                assert_eq!(e.code, code, "{e}");
                assert_eq!(e.realm, "EXAMPLE.TEST");
            }
            other => panic!("expected the acceptor's KRB-ERROR {code}, got {other:?}"),
        }
    }
    // Without mutual authentication the initiator waits for nothing: no token.
    let no_mutual = ContextFlags(ContextFlags::default().0 & !ContextFlags::MUTUAL.0);
    let (_, token) = refused(vec![svc.clone()], now + Duration::from_secs(900), no_mutual);
    assert!(token.is_none());
    // Not an AP-REQ at all: nothing to answer.
    let mut acc = AcceptorContext::new(vec![svc.clone()], AcceptorOptions::default());
    assert!(acc.step(b"\x60\x03\x06\x01\x00", now).is_err());
    assert!(acc.error_token().is_none());
}

#[test]
fn our_spnego_initiator_with_our_spnego_acceptor() {
    let etype = EncryptionType::Aes128CtsHmacSha256128;
    let (svc, sess) = (Key::random(etype), Key::random(etype));
    let alice = Principal::new(1, "EXAMPLE.TEST", ["alice"]);
    let ticket = forge_ticket(&svc, &sess, "alice", unix_now());
    let now = SystemTime::now();
    let init = InitiatorContext::from_parts(&ticket, &sess, &alice, ContextOptions::default(), now)
        .unwrap();
    let mut sp = SpnegoInitiator::new(init).unwrap();
    let mut acc = SpnegoAcceptor::new(AcceptorContext::new(vec![svc], AcceptorOptions::default()));
    let t1 = sp.step(None).unwrap().output.unwrap();
    let a = acc.step(&t1, now).unwrap();
    assert_eq!(a.initiator, alice);
    let done = sp.step(Some(&a.output.unwrap())).unwrap();
    assert!(done.complete && done.output.is_none());
    let w = sp.context().wrap(b"spnego ping", true).unwrap();
    assert_eq!(acc.context().unwrap(&w).unwrap().data, b"spnego ping");
    let m = acc.context().get_mic(b"spnego pong").unwrap();
    assert_eq!(
        sp.context().verify_mic(b"spnego pong", &m).unwrap(),
        SeqStatus::InOrder
    );
    // A raw krb5 token is not a NegTokenInit.
    let mut raw = SpnegoAcceptor::new(AcceptorContext::new(
        vec![Key::random(etype)],
        AcceptorOptions::default(),
    ));
    assert!(raw.step(&w, now).is_err());
}
