//! HTTP Negotiate (RFC 4559) against Apache httpd with mod_auth_gssapi
//! (`scripts/apache-gssapi.sh`, on top of the MIT lab of `scripts/mit-kdc.sh`): 401 without
//! credentials, 200 with our SPNEGO/krb5 token and REMOTE_USER = alice@EXAMPLE.TEST, the
//! server's mutual-authentication token verified, tampered or foreign tokens rejected, and
//! `examples/negotiate_http` end to end.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::Duration;

use common::{ALICE_PW, Realm, example, need_env, run};
use kerberos_client::gss::negotiate::{base64_decode, base64_encode};
use kerberos_client::gss::{NegotiateClient, NegotiateError};
use kerberos_client::{Client, Config, Credential, Secret};

const SCRIPT: &str = "apache-gssapi.sh";

struct Resp {
    status: u16,
    www_authenticate: Option<String>,
    body: String,
}

/// `http://127.0.0.1:port/path` → (addr, path).
fn split_url(url: &str) -> (String, String) {
    let rest = url
        .strip_prefix("http://")
        .expect("KC_APACHE_URL is http://");
    let i = rest.find('/').unwrap_or(rest.len());
    (rest[..i].to_string(), rest[i..].to_string())
}

fn get(authorization: Option<&str>) -> Resp {
    let url = need_env("KC_APACHE_URL", SCRIPT);
    let (addr, path) = split_url(&url);
    let mut s = TcpStream::connect(&addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let auth = authorization
        .map(|a| format!("Authorization: {a}\r\n"))
        .unwrap_or_default();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut r = httparse::Response::new(&mut headers);
    let n = match r.parse(&raw).unwrap() {
        httparse::Status::Complete(n) => n,
        httparse::Status::Partial => panic!("truncated response"),
    };
    Resp {
        status: r.code.unwrap(),
        www_authenticate: r
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case("www-authenticate"))
            .map(|h| String::from_utf8_lossy(h.value).into_owned()),
        body: String::from_utf8_lossy(&raw[n..]).into_owned(),
    }
}

fn client_and_tgt() -> (Client, Credential) {
    let realm = Realm::mit();
    let c = Client::builder()
        .config(Config::from_file(&realm.krb5_config).unwrap())
        .build()
        .unwrap();
    let tgt = c.get_tgt("alice", Secret::password(ALICE_PW)).unwrap();
    (c, tgt)
}

fn spn() -> String {
    need_env("KC_APACHE_SPN", SCRIPT)
}

#[test]
fn unauthenticated_request_gets_401_negotiate() {
    let r = get(None);
    assert_eq!(r.status, 401, "{}", r.body);
    assert_eq!(r.www_authenticate.as_deref(), Some("Negotiate"));
}

#[test]
fn negotiate_200_with_mutual_auth_verified() {
    let (c, tgt) = client_and_tgt();
    let mut nego = NegotiateClient::new(&c, &tgt, &spn()).unwrap();
    assert!(nego.header_value().starts_with("Negotiate YII"));
    let r = get(Some(nego.header_value()));
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.body.contains("REMOTE_USER=alice@EXAMPLE.TEST"),
        "{}",
        r.body
    );
    assert!(r.body.contains("AUTH_TYPE=Negotiate"), "{}", r.body);
    let token = r.www_authenticate.expect("the server's mutual-auth token");
    nego.verify_response(&token).unwrap();
    // Established: per-message tokens work with the negotiated keys.
    assert!(nego.context().is_established());
    nego.context().wrap(b"after http", true).unwrap();
}

#[test]
fn tampered_and_foreign_server_tokens_are_rejected() {
    let (c, tgt) = client_and_tgt();
    let mut a = NegotiateClient::new(&c, &tgt, &spn()).unwrap();
    let ra = get(Some(a.header_value()));
    assert_eq!(ra.status, 200, "{}", ra.body);
    let token_a = ra.www_authenticate.unwrap();

    // Flip one bit in the last byte (the AP-REP's HMAC or the mechListMIC).
    let b64 = token_a.trim_start_matches("Negotiate ").trim();
    let mut raw = base64_decode(b64).unwrap();
    *raw.last_mut().unwrap() ^= 0x01;
    let tampered = format!("Negotiate {}", base64_encode(&raw));
    assert!(matches!(
        a.verify_response(&tampered),
        Err(NegotiateError::Gss(_))
    ));

    // Another context's (genuine) token does not verify either.
    let mut b = NegotiateClient::new(&c, &tgt, &spn()).unwrap();
    let rb = get(Some(b.header_value()));
    assert_eq!(rb.status, 200, "{}", rb.body);
    let mut other = NegotiateClient::new(&c, &tgt, &spn()).unwrap();
    assert!(
        other
            .verify_response(&rb.www_authenticate.clone().unwrap())
            .is_err()
    );
    b.verify_response(&rb.www_authenticate.unwrap()).unwrap();

    // Garbage headers.
    let mut d = NegotiateClient::new(&c, &tgt, &spn()).unwrap();
    assert!(matches!(
        d.verify_response("Basic abc"),
        Err(NegotiateError::Header(_))
    ));
    assert!(matches!(
        d.verify_response("Negotiate !!!"),
        Err(NegotiateError::Header(_))
    ));
}

#[test]
fn replayed_authorization_is_refused() {
    let (c, tgt) = client_and_tgt();
    let nego = NegotiateClient::new(&c, &tgt, &spn()).unwrap();
    assert_eq!(get(Some(nego.header_value())).status, 200);
    let again = get(Some(nego.header_value()));
    assert_ne!(
        again.status, 200,
        "the replay cache refuses the same authenticator"
    );
}

#[test]
fn example_negotiate_http_end_to_end() {
    let realm = Realm::mit();
    let (_, tgt) = client_and_tgt();
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cc");
    tgt.store_in(&cache).unwrap();
    let mut cmd = Command::new(example("negotiate_http"));
    cmd.args(["--spn", &spn(), &need_env("KC_APACHE_URL", SCRIPT)])
        .env("KRB5_CONFIG", &realm.krb5_config)
        .env("KRB5CCNAME", format!("FILE:{}", cache.display()));
    let out = String::from_utf8(run(cmd, None).stdout).unwrap();
    assert!(out.contains("HTTP 200"), "{out}");
    assert!(out.contains("mutual authentication: verified"), "{out}");
    assert!(out.contains("REMOTE_USER=alice@EXAMPLE.TEST"), "{out}");
}
