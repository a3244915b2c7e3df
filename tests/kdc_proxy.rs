//! The façade routing a realm through an MS-KKDCP proxy (`kdc = https://…` in krb5.conf): kdcproxy
//! under gunicorn (`scripts/kdcproxy.sh`) in front of the MIT KDC (`scripts/mit-kdc.sh`).

mod common;

use common::{ALICE_PW, need_env};
use kerberos_client::{Client, ClientError, Config, Secret};

fn config(url: &str) -> Config {
    Config::parse_str(&format!(
        "[libdefaults]\n default_realm = EXAMPLE.TEST\n dns_lookup_kdc = false\n\
         [realms]\n EXAMPLE.TEST = {{\n  kdc = {url}\n }}\n"
    ))
    .unwrap()
}

fn https_client() -> Client {
    let url = need_env("KC_KDCPROXY_HTTPS_URL", "kdcproxy.sh");
    let ca = std::fs::read(need_env("KC_KDCPROXY_CA", "kdcproxy.sh")).unwrap();
    Client::builder()
        .config(config(&url))
        .kdc_proxy_ca_pem(ca)
        .build()
        .unwrap()
}

#[test]
fn tgt_through_https_proxy() {
    let cred = https_client()
        .get_tgt("alice", Secret::password(ALICE_PW))
        .unwrap();
    assert_eq!(cred.client.to_string(), "alice@EXAMPLE.TEST");
    assert_eq!(cred.server.to_string(), "krbtgt/EXAMPLE.TEST@EXAMPLE.TEST");
    assert!(
        cred.messages().len() >= 2,
        "pre-auth round trip through the proxy"
    );
}

#[test]
fn wrong_password_through_proxy_is_the_kdc_error() {
    let e = https_client()
        .get_tgt("alice", Secret::password("nope"))
        .unwrap_err();
    assert!(e.is_wrong_password(), "{e}");
}

#[cfg(feature = "tokio")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tgt_through_https_proxy_async() {
    let cred = https_client()
        .get_tgt_async("alice", Secret::password(ALICE_PW))
        .await
        .unwrap();
    assert_eq!(cred.client.to_string(), "alice@EXAMPLE.TEST");
}

#[test]
fn plain_http_proxy_needs_consent() {
    let url = need_env("KC_KDCPROXY_HTTP_URL", "kdcproxy.sh");
    let refused = Client::builder().config(config(&url)).build().unwrap();
    match refused.get_tgt("alice", Secret::password(ALICE_PW)) {
        Err(ClientError::Proxy { failures, .. }) => {
            assert!(
                failures[0].to_string().contains("plain http"),
                "{}",
                failures[0]
            )
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    let allowed = Client::builder()
        .config(config(&url))
        .allow_plain_http_proxy(true)
        .build()
        .unwrap();
    allowed
        .get_tgt("alice", Secret::password(ALICE_PW))
        .unwrap();
}

#[test]
fn untrusted_proxy_certificate_fails_with_every_proxy_listed() {
    let url = need_env("KC_KDCPROXY_HTTPS_URL", "kdcproxy.sh");
    let cfg = Config::parse_str(&format!(
        "[libdefaults]\n default_realm = EXAMPLE.TEST\n\
         [realms]\n EXAMPLE.TEST = {{\n  kdc = {url}\n  kdc = kkdcp://127.0.0.1:1/KdcProxy\n }}\n"
    ))
    .unwrap();
    // The system's roots do not include the lab's test CA.
    let client = Client::builder().config(cfg).build().unwrap();
    match client.get_tgt("alice", Secret::password(ALICE_PW)) {
        Err(ClientError::Proxy { failures, .. }) => assert_eq!(failures.len(), 2, "{failures:?}"),
        other => panic!("expected proxy failures, got {other:?}"),
    }
}

/// A KRB-ERROR that comes back through a proxy keeps its e-text (Entra puts AADSTS codes there)
/// and gains the proxy's `x-ms-request-id` (a fake proxy on loopback plays Entra here).
#[test]
fn krb_error_through_proxy_carries_e_text_and_request_id() {
    use kerberos_client::asn1::{self, KdcProxyMessage, KerberosTime, KrbError, PrincipalName};
    use std::io::{Read, Write};

    let err = KrbError {
        pvno: 5,
        msg_type: 30,
        ctime: None,
        cusec: None,
        stime: KerberosTime::now(),
        susec: 0,
        error_code: 7,
        crealm: None,
        cname: None,
        realm: "KERBEROS.MICROSOFTONLINE.COM".into(),
        sname: PrincipalName::new(2, &["CIFS", "acct.file.core.windows.net"]),
        e_text: Some(
            "AADSTS700016: Application with identifier 'CIFS' was not found in the directory"
                .into(),
        ),
        e_data: None,
    };
    let body =
        asn1::encode(&KdcProxyMessage::wrap(&asn1::encode(&err).unwrap(), None).unwrap()).unwrap();
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for s in l.incoming().take(4) {
            let mut s = s.unwrap();
            let mut buf = vec![0u8; 65536];
            let _ = s.read(&mut buf);
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/kerberos\r\n\
                 x-ms-request-id: 5e1c0f9a-request\r\nContent-Length: {}\r\n\r\n",
                body.len()
            );
            let _ = s.write_all(head.as_bytes());
            let _ = s.write_all(&body);
        }
    });
    let cfg = Config::parse_str(&format!(
        "[libdefaults]\n default_realm = KERBEROS.MICROSOFTONLINE.COM\n\
         [realms]\n KERBEROS.MICROSOFTONLINE.COM = {{\n  kdc = http://127.0.0.1:{port}/tenant/kerberos\n }}\n"
    ))
    .unwrap();
    let client = Client::builder()
        .config(cfg)
        .allow_plain_http_proxy(true)
        .build()
        .unwrap();
    let e = client
        .get_tgt("someone", Secret::password("x"))
        .unwrap_err();
    assert_eq!(e.kdc_error_code(), Some(7), "{e}");
    let text = e.to_string();
    assert!(text.contains("AADSTS700016"), "{text}");
    assert!(text.contains("5e1c0f9a-request"), "{text}");
}
