//! KDC discovery through DNS SRV records against a real DNS server on loopback (dnsmasq started by
//! `scripts/dns-srv.sh`, which exports `KC_DNS_SERVER`), and a KDC reached through what it found.
#![cfg(feature = "dns")]

use kerberos_client::transport::discovery::SrvLocator;
use kerberos_client::transport::{Protocol, SendOptions, blocking};

fn locator() -> SrvLocator {
    let server = std::env::var("KC_DNS_SERVER").unwrap_or_else(|_| {
        panic!(
            "KC_DNS_SERVER is not set: run scripts/dns-srv.sh start DIR && . DIR/env.sh \
             (scripts/test.sh does this)"
        )
    });
    SrvLocator::with_nameservers(vec![server.parse().expect("KC_DNS_SERVER is host:port")])
}

#[test]
fn srv_records_give_udp_then_tcp_endpoints() {
    let kdcs = locator().kdcs("EXAMPLE.TEST").unwrap();
    let summary: Vec<String> = kdcs
        .iter()
        .map(|e| format!("{:?} {}", e.protocol.unwrap(), e))
        .collect();
    assert_eq!(summary, ["Udp 127.0.0.1:60088", "Tcp 127.0.0.1:60088"]);
}

#[test]
fn tcp_only_realm_and_priority_order() {
    let other = locator().kdcs("other.test").unwrap();
    assert_eq!(other.len(), 1);
    assert_eq!(other[0].protocol, Some(Protocol::Tcp));
    assert_eq!(other[0].port, 60089);
    let dead = locator().kdcs("DEAD.TEST").unwrap();
    let ports: Vec<u16> = dead.iter().map(|e| e.port).collect();
    assert_eq!(
        ports,
        [60999, 60088, 60999, 60088],
        "priority 0 before 10, udp before tcp"
    );
}

#[test]
fn unknown_realm_finds_nothing() {
    assert!(locator().kdcs("NOSUCH.TEST").unwrap().is_empty());
}

#[test]
fn discovered_dead_kdc_fails_over_to_live_one() {
    // An AS-REQ for a principal that does not exist: MIT's KDC answers with a KRB-ERROR.
    use kerberos_client::asn1::{self, constants::*, *};
    let body = KdcReqBody::new(
        KdcOptions::from_bits(&[]),
        "EXAMPLE.TEST",
        KerberosTime::from_unix(2_000_000_000),
        UInt32::nonce(7).get(),
        &[etype::AES256_CTS_HMAC_SHA1_96],
    )
    .with_cname(PrincipalName::new(name_type::NT_PRINCIPAL, &["nobody"]))
    .with_sname(PrincipalName::new(
        name_type::NT_SRV_INST,
        &["krbtgt", "EXAMPLE.TEST"],
    ));
    let as_req = asn1::encode(&AsReq::new(None, body)).unwrap();
    let kdcs = locator().kdcs("DEAD.TEST").unwrap();
    let tcp: Vec<_> = kdcs
        .into_iter()
        .filter(|e| e.protocol == Some(Protocol::Tcp))
        .collect();
    let opts = SendOptions {
        timeout: std::time::Duration::from_secs(2),
        ..SendOptions::default()
    };
    let reply = blocking::send("DEAD.TEST", &tcp, &as_req, &opts).unwrap();
    assert_eq!(
        reply.first(),
        Some(&0x7e),
        "a KRB-ERROR [APPLICATION 30] from the live KDC"
    );
}

#[tokio::test]
async fn async_lookup_inside_a_runtime() {
    let l = locator();
    let a = l.kdcs_async("EXAMPLE.TEST").await.unwrap();
    // the blocking form must not panic inside a runtime either
    let b = l.kdcs("EXAMPLE.TEST").unwrap();
    assert_eq!(a, b);
}
