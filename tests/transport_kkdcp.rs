//! MS-KKDCP transport against a real KDC proxy (kdcproxy under gunicorn, started by
//! `scripts/kdcproxy.sh`, in front of the MIT KDC of `scripts/mit-kdc.sh`), over HTTPS with the
//! test CA and over plain http; plus a misbehaving HTTP server on loopback for the error cases.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

use kerberos_client::asn1::{self, KdcReply, constants::*, *};
use kerberos_client::transport::kkdcp::{self, KkdcpError, ProxyOptions, ProxyUrl, TrustRoots};

fn env(var: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| {
        panic!("{var} is not set: run scripts/kdcproxy.sh start DIR && . DIR/env.sh (scripts/test.sh does this)")
    })
}

fn as_req(realm: &str, user: &str) -> Vec<u8> {
    let body = KdcReqBody::new(
        KdcOptions::from_bits(&[]),
        realm,
        KerberosTime::from_unix(4_000_000_000),
        UInt32::nonce(99).get(),
        &[etype::AES256_CTS_HMAC_SHA1_96],
    )
    .with_cname(PrincipalName::new(name_type::NT_PRINCIPAL, &[user]))
    .with_sname(PrincipalName::new(
        name_type::NT_SRV_INST,
        &["krbtgt", realm],
    ));
    asn1::encode(&AsReq::new(None, body)).unwrap()
}

fn https_opts() -> ProxyOptions {
    ProxyOptions {
        roots: TrustRoots::CaPem(std::fs::read(env("KC_KDCPROXY_CA")).unwrap()),
        ..ProxyOptions::default()
    }
}

fn error_code(reply: &[u8]) -> i32 {
    match asn1::decode_kdc_reply(reply).unwrap() {
        KdcReply::Error(e) => e.error_code,
        other => panic!("expected a KRB-ERROR, got {other:?}"),
    }
}

#[test]
fn https_with_test_ca_reaches_the_kdc() {
    let url = ProxyUrl::parse(&env("KC_KDCPROXY_HTTPS_URL")).unwrap();
    let reply = kkdcp::send(
        &url,
        "EXAMPLE.TEST",
        &as_req("EXAMPLE.TEST", "alice"),
        &https_opts(),
    )
    .unwrap();
    assert_eq!(
        error_code(&reply.message),
        25,
        "KDC_ERR_PREAUTH_REQUIRED through the proxy"
    );
}

#[test]
fn entra_style_tenant_path() {
    let base = ProxyUrl::parse(&env("KC_KDCPROXY_HTTPS_URL")).unwrap();
    let url = ProxyUrl {
        path: "/00000000-1111-2222-3333-444444444444/kerberos".into(),
        ..base
    };
    let reply = kkdcp::send(
        &url,
        "EXAMPLE.TEST",
        &as_req("EXAMPLE.TEST", "nobody"),
        &https_opts(),
    )
    .unwrap();
    assert_eq!(error_code(&reply.message), 6, "KDC_ERR_C_PRINCIPAL_UNKNOWN");
}

#[test]
fn plain_http_only_when_allowed() {
    let url = ProxyUrl::parse(&env("KC_KDCPROXY_HTTP_URL")).unwrap();
    let msg = as_req("EXAMPLE.TEST", "alice");
    assert!(matches!(
        kkdcp::send(&url, "EXAMPLE.TEST", &msg, &ProxyOptions::default()),
        Err(KkdcpError::PlainHttpRefused(_))
    ));
    let opts = ProxyOptions {
        allow_plain_http: true,
        ..ProxyOptions::default()
    };
    let reply = kkdcp::send(&url, "EXAMPLE.TEST", &msg, &opts).unwrap();
    assert_eq!(error_code(&reply.message), 25);
}

#[test]
fn untrusted_certificate_is_refused() {
    let url = ProxyUrl::parse(&env("KC_KDCPROXY_HTTPS_URL")).unwrap();
    let other_ca = ProxyOptions {
        roots: TrustRoots::System,
        ..ProxyOptions::default()
    };
    match kkdcp::send(
        &url,
        "EXAMPLE.TEST",
        &as_req("EXAMPLE.TEST", "alice"),
        &other_ca,
    ) {
        Err(KkdcpError::Connection { error, .. }) => {
            assert!(
                error.to_string().to_lowercase().contains("certificate"),
                "{error}"
            )
        }
        Err(KkdcpError::TlsSetup(_)) => {} // a machine without any system CA
        other => panic!("expected a TLS failure, got {other:?}"),
    }
}

#[test]
fn realm_the_proxy_does_not_serve_is_an_http_error() {
    let url = ProxyUrl::parse(&env("KC_KDCPROXY_HTTPS_URL")).unwrap();
    let e = kkdcp::send(&url, "NOPE.TEST", &as_req("NOPE.TEST", "x"), &https_opts()).unwrap_err();
    assert!(
        matches!(e, KkdcpError::HttpStatus { status: 503, .. }),
        "{e}"
    );
}

/// One connection served with a canned response, after reading the request.
fn fake_proxy(response: &'static [u8], trickle: bool) -> ProxyUrl {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let (mut s, _) = l.accept().unwrap();
        let mut buf = [0u8; 4096];
        let _ = s.read(&mut buf);
        if trickle {
            for b in response {
                if s.write_all(&[*b]).is_err() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        } else {
            let _ = s.write_all(response);
        }
    });
    ProxyUrl::parse(&format!("http://127.0.0.1:{port}/tenant/kerberos")).unwrap()
}

fn plain(timeout: Duration) -> ProxyOptions {
    ProxyOptions {
        allow_plain_http: true,
        timeout,
        ..ProxyOptions::default()
    }
}

#[test]
fn html_page_is_not_a_proxy_message() {
    let url = fake_proxy(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nx-ms-request-id: 1234-abcd\r\nContent-Length: 27\r\n\r\n<html>Sign in first</html>\n",
        false,
    );
    let e = kkdcp::send(&url, "R", b"\x6a\x00", &plain(Duration::from_secs(5))).unwrap_err();
    assert!(matches!(e, KkdcpError::NotProxyMessage { .. }), "{e}");
    let text = e.to_string();
    assert!(
        text.contains("text/html") && text.contains("1234-abcd") && text.contains("Sign in"),
        "{text}"
    );
}

#[test]
fn server_error_carries_status_and_request_id() {
    let url = fake_proxy(
        b"HTTP/1.1 500 Internal Server Error\r\nx-ms-request-id: 77\r\nContent-Length: 5\r\n\r\noops!",
        false,
    );
    let e = kkdcp::send(&url, "R", b"\x6a\x00", &plain(Duration::from_secs(5))).unwrap_err();
    assert!(
        matches!(e, KkdcpError::HttpStatus { status: 500, ref request_id, .. } if request_id.as_deref() == Some("77")),
        "{e}"
    );
}

#[test]
fn trickling_proxy_is_bounded_by_the_timeout() {
    let url = fake_proxy(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", true);
    let start = Instant::now();
    let e = kkdcp::send(&url, "R", b"\x6a\x00", &plain(Duration::from_millis(700))).unwrap_err();
    assert!(matches!(e, KkdcpError::Connection { .. }), "{e}");
    assert!(start.elapsed() < Duration::from_secs(3));
}
