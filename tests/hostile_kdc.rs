//! A scripted misbehaving KDC on loopback (a test double: real KDCs do not misbehave on demand),
//! driven through the real `Client` over TCP: every reply-check violation, replays, a reply for
//! another request, truncated and oversized frames, a KDC that never answers or trickles bytes,
//! and KRB-ERRORs with garbage e-data. Each case must end in a typed error, bounded in time, and
//! never in a panic.

mod exchange_support;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use exchange_support::{FakeKdc, ITER, Mutation, T0, at};
use kerberos_client::asn1::{self, KrbError, OctetString};
use kerberos_client::exchange::{ExchangeError, Outgoing};
use kerberos_client::transport::{AttemptError, TransportError};
use kerberos_client::{Client, ClientError, Clock, Config, Secret};

const REALM: &str = "HOSTILE.TEST";
const PW: &str = "Hostile-Passw0rd";

#[derive(Debug)]
struct Fixed;
impl Clock for Fixed {
    fn now(&self) -> SystemTime {
        at(T0)
    }
}

/// What the server does with one request.
enum Action {
    /// Send these bytes framed (4-byte length prefix).
    Reply(Vec<u8>),
    /// Send these raw bytes, then close.
    Raw(Vec<u8>),
    /// Say nothing; keep the connection open for a while.
    Silence,
    /// Announce `len` bytes, then send one byte every 100 ms.
    Trickle(u32),
}

/// A TCP KDC on loopback whose behaviour is a closure over each request; returns its port.
fn serve(mut behave: impl FnMut(&[u8]) -> Action + Send + 'static) -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for conn in l.incoming() {
            let Ok(mut s) = conn else { return };
            let Some(req) = read_frame(&mut s) else {
                continue;
            };
            match behave(&req) {
                Action::Reply(b) => {
                    let mut f = (b.len() as u32).to_be_bytes().to_vec();
                    f.extend_from_slice(&b);
                    let _ = s.write_all(&f);
                }
                Action::Raw(b) => {
                    let _ = s.write_all(&b);
                }
                Action::Silence => {
                    std::thread::spawn(move || {
                        std::thread::sleep(Duration::from_secs(5));
                        drop(s);
                    });
                }
                Action::Trickle(len) => {
                    let _ = s.write_all(&len.to_be_bytes());
                    std::thread::spawn(move || {
                        for _ in 0..100 {
                            if s.write_all(&[0x30]).is_err() {
                                break;
                            }
                            std::thread::sleep(Duration::from_millis(100));
                        }
                    });
                }
            }
        }
    });
    port
}

fn read_frame(s: &mut TcpStream) -> Option<Vec<u8>> {
    let mut p = [0u8; 4];
    s.read_exact(&mut p).ok()?;
    let mut m = vec![0u8; u32::from_be_bytes(p) as usize];
    s.read_exact(&mut m).ok()?;
    Some(m)
}

fn client(port: u16) -> Client {
    let conf = format!(
        "[libdefaults]\n default_realm = {REALM}\n dns_lookup_kdc = false\n kdc_timeout = 1s\n\
         [realms]\n {REALM} = {{\n  kdc = tcp/127.0.0.1:{port}\n }}\n"
    );
    Client::builder()
        .config(Config::parse_str(&conf).unwrap())
        .clock(Fixed)
        .kdc_passes(1)
        .build()
        .unwrap()
}

fn secret() -> Secret {
    Secret::password(PW)
}

fn fake() -> FakeKdc {
    // The fake KDC's keys use a low iteration count (announced in ETYPE-INFO2) for speed.
    let k = FakeKdc::alice(REALM, PW);
    assert!(
        k.keys
            .iter()
            .all(|key| key.s2kparams.as_deref() == Some(&ITER.to_be_bytes()[..]))
    );
    k
}

/// A KDC answering with the fake KDC, mutated.
fn fake_kdc(mutation: Mutation) -> u16 {
    let kdc = Arc::new(Mutex::new(fake()));
    kdc.lock().unwrap().mutation = mutation;
    serve(move |req| {
        let out = Outgoing {
            realm: REALM.into(),
            message: req.to_vec(),
            tcp_only: true,
        };
        Action::Reply(kdc.lock().unwrap().handle(&out))
    })
}

fn exchange_error(e: &ClientError) -> &ExchangeError {
    e.exchange_error()
        .unwrap_or_else(|| panic!("expected an exchange error, got {e}"))
}

/// Whether an error is the one a case expects.
type Expected = fn(&ExchangeError) -> bool;

#[test]
fn each_reply_violation_is_its_own_typed_error() {
    let cases: Vec<(Mutation, Expected)> = vec![
        (Mutation::Nonce, |e| {
            matches!(e, ExchangeError::NonceMismatch { .. })
        }),
        (Mutation::Sname, |e| {
            matches!(e, ExchangeError::ServerNameMismatch { .. })
        }),
        (Mutation::Srealm, |e| {
            matches!(e, ExchangeError::ServerRealmMismatch { .. })
        }),
        (Mutation::Crealm, |e| {
            matches!(e, ExchangeError::ClientRealmMismatch { .. })
        }),
        (Mutation::Cname, |e| {
            matches!(e, ExchangeError::ClientNameMismatch { .. })
        }),
        (Mutation::Tag(27), |e| {
            matches!(e, ExchangeError::BadEncPartTag { .. })
        }),
        (Mutation::Rc4SessionKey, |e| {
            matches!(e, ExchangeError::WeakCryptoRefused(23))
        }),
        (Mutation::EndBeforeStart, |e| {
            matches!(e, ExchangeError::TimesInsane { .. })
        }),
        (Mutation::WrongKey, |e| {
            matches!(e, ExchangeError::ReplyDecryptFailed { .. })
        }),
    ];
    for (mutation, expected) in cases {
        let port = fake_kdc(mutation);
        let e = client(port).get_tgt("alice", secret()).unwrap_err();
        let ex = exchange_error(&e);
        assert!(expected(ex), "{mutation:?}: got {ex:?}");
        assert!(!e.to_string().is_empty());
    }
}

#[test]
fn honest_fake_kdc_works_end_to_end() {
    let cred = client(fake_kdc(Mutation::None))
        .get_tgt("alice", secret())
        .unwrap();
    assert_eq!(cred.client.to_string(), format!("alice@{REALM}"));
}

#[test]
fn replayed_reply_and_reply_for_another_request() {
    // Record an honest AS-REP, then answer a later exchange with it.
    let kdc = Arc::new(Mutex::new(fake()));
    let recorded: Arc<Mutex<Option<Vec<u8>>>> = Arc::default();
    let (k, r) = (kdc.clone(), recorded.clone());
    let port = serve(move |req| {
        let out = Outgoing {
            realm: REALM.into(),
            message: req.to_vec(),
            tcp_only: true,
        };
        let reply = k.lock().unwrap().handle(&out);
        let mut rec = r.lock().unwrap();
        match (&*rec, reply.first()) {
            (Some(old), Some(0x6b)) => Action::Reply(old.clone()),
            (None, Some(0x6b)) => {
                *rec = Some(reply.clone());
                Action::Reply(reply)
            }
            _ => Action::Reply(reply),
        }
    });
    let c = client(port);
    c.get_tgt("alice", secret()).unwrap();
    let e = c.get_tgt("alice", secret()).unwrap_err();
    assert!(
        matches!(exchange_error(&e), ExchangeError::NonceMismatch { .. }),
        "{e}"
    );
}

fn transport_error(e: &ClientError) -> &AttemptError {
    match e {
        ClientError::Transport(TransportError::AllFailed { attempts, .. }) => &attempts[0].error,
        other => panic!("expected a transport failure, got {other}"),
    }
}

#[test]
fn truncated_oversized_and_reserved_bit_frames() {
    let port = serve(|_| Action::Raw(vec![0, 0, 0, 100, 0x7e, 0x03]));
    let e = client(port).get_tgt("alice", secret()).unwrap_err();
    assert!(
        matches!(transport_error(&e), AttemptError::Truncated { .. }),
        "{e}"
    );

    let port = serve(|_| Action::Raw(vec![0x7f, 0xff, 0xff, 0xff]));
    let e = client(port).get_tgt("alice", secret()).unwrap_err();
    assert!(
        matches!(transport_error(&e), AttemptError::TooLarge { .. }),
        "{e}"
    );

    let port = serve(|_| Action::Raw(vec![0x80, 0, 0, 0]));
    let e = client(port).get_tgt("alice", secret()).unwrap_err();
    assert!(
        matches!(transport_error(&e), AttemptError::ReservedBit),
        "{e}"
    );

    let port = serve(|_| Action::Reply(vec![0xde, 0xad, 0xbe, 0xef]));
    let e = client(port).get_tgt("alice", secret()).unwrap_err();
    assert!(e.exchange_error().is_some(), "garbage reply: {e}");
}

#[test]
fn silent_and_trickling_kdcs_are_bounded_by_the_timeout() {
    for action in [0, 1] {
        let port = serve(move |_| {
            if action == 0 {
                Action::Silence
            } else {
                Action::Trickle(4000)
            }
        });
        let start = Instant::now();
        let e = client(port).get_tgt("alice", secret()).unwrap_err();
        assert!(
            matches!(transport_error(&e), AttemptError::Timeout(_)),
            "{e}"
        );
        assert!(
            start.elapsed() < Duration::from_secs(3),
            "{:?}",
            start.elapsed()
        );
    }
}

#[test]
fn krb_error_with_garbage_e_data_is_a_typed_kdc_error() {
    let kdc = Arc::new(Mutex::new(fake()));
    let port = serve(move |req| {
        let k = kdc.lock().unwrap();
        let as_req = asn1::decode(req).unwrap();
        let mut err: KrbError = asn1::decode(&k.error(&as_req, 18, None)).unwrap();
        err.e_data = Some(OctetString::from(vec![0xff; 300]));
        err.e_text = Some("revoked \u{0}\u{7f} ☃".into());
        Action::Reply(asn1::encode(&err).unwrap())
    });
    let e = client(port).get_tgt("alice", secret()).unwrap_err();
    assert_eq!(e.kdc_error_code(), Some(18), "{e}");
    let kdc_error = e.kdc_error().unwrap();
    assert_eq!(kdc_error.e_data.as_deref().map(<[u8]>::len), Some(300));
}
