//! Host-based service names with MIT's `dns_canonicalize_hostname` / `rdns` / `qualify_shortname`
//! semantics, against the dnsmasq of `scripts/dns-srv.sh` (CNAME, A and PTR records for
//! `*.example.test`) and the MIT KDC of `scripts/mit-kdc.sh` (which has `host/svc.example.test`).
#![cfg(feature = "dns")]

mod common;

use common::{ALICE_PW, Realm, dns_server};
use kerberos_client::asn1::constants::error_code::KDC_ERR_S_PRINCIPAL_UNKNOWN;
use kerberos_client::transport::discovery::SrvLocator;
use kerberos_client::{Client, Config, Credential, Secret};

fn locator() -> SrvLocator {
    SrvLocator::with_nameservers(vec![dns_server()])
}

/// A client of the MIT realm whose DNS is the test server, with these `[libdefaults]` lines
/// (`rdns` is false unless they set it).
fn client(realm: &Realm, libdefaults: &str) -> Client {
    let mut text = realm.conf_with(libdefaults);
    if libdefaults.contains("rdns") {
        text = text.replace(" rdns = false\n", "");
    }
    Client::builder()
        .config(Config::parse_str(&text).unwrap())
        .srv_locator(locator())
        .build()
        .unwrap()
}

fn tgt(c: &Client) -> Credential {
    c.get_tgt("alice", Secret::password(ALICE_PW)).unwrap()
}

/// The server of the ticket `c` gets for `spn`.
fn ticket_server(c: &Client, tgt: &Credential, spn: &str) -> String {
    c.get_service_ticket(tgt, spn).unwrap().server.to_string()
}

/// The KDC error code of asking `c` for `spn`.
fn refusal(c: &Client, tgt: &Credential, spn: &str) -> Option<i32> {
    c.get_service_ticket(tgt, spn)
        .expect_err("the KDC must refuse")
        .kdc_error_code()
}

/// The principal `c` asks for first for `spn`.
fn first_name(c: &Client, spn: &str) -> String {
    c.service_principal(spn, "EXAMPLE.TEST")
        .unwrap()
        .to_string()
}

const SVC: &str = "host/svc.example.test@EXAMPLE.TEST";

#[test]
fn canonical_host_follows_cnames_and_ptrs() {
    let l = locator();
    let canon = |h: &str, rdns: bool| l.canonical_host(h, rdns).unwrap();
    assert_eq!(
        canon("alias.example.test", false).as_deref(),
        Some("svc.example.test")
    );
    assert_eq!(
        canon("ALIAS.Example.Test.", false).as_deref(),
        Some("svc.example.test"),
        "case and trailing dot do not matter"
    );
    assert_eq!(
        canon("front.example.test", false).as_deref(),
        Some("front.example.test")
    );
    assert_eq!(
        canon("front.example.test", true).as_deref(),
        Some("svc.example.test"),
        "rdns: the PTR name of the first address"
    );
    assert_eq!(
        canon("lonely.example.test", true).as_deref(),
        Some("lonely.example.test"),
        "no PTR: the forward name stays"
    );
    assert_eq!(
        canon("192.0.2.22", true).as_deref(),
        Some("svc.example.test"),
        "an address literal is named by its PTR"
    );
    assert_eq!(canon("192.0.2.23", true).as_deref(), Some("192.0.2.23"));
    assert_eq!(canon("nosuch.example.test", true), None);
    // A short name needs a search domain.
    assert_eq!(canon("alias", false), None);
    let searching = locator().search_domains(vec!["example.test".into()]);
    assert_eq!(
        searching.canonical_host("alias", false).unwrap().as_deref(),
        Some("svc.example.test")
    );
}

#[tokio::test]
async fn canonical_host_async_matches_blocking() {
    let l = locator();
    let a = l.canonical_host_async("alias.example.test", true).await;
    assert_eq!(a.unwrap().as_deref(), Some("svc.example.test"));
}

#[test]
fn off_by_default_sends_the_name_as_written() {
    let realm = Realm::mit();
    let c = client(&realm, "");
    assert_eq!(
        first_name(&c, "host@Alias.Example.Test"),
        "host/alias.example.test@EXAMPLE.TEST"
    );
    let t = tgt(&c);
    assert_eq!(
        refusal(&c, &t, "host@alias.example.test"),
        Some(KDC_ERR_S_PRINCIPAL_UNKNOWN)
    );
    // The real name works, however it is cased.
    let ok = c.get_service_ticket(&t, "host@SVC.example.test").unwrap();
    assert_eq!(ok.server.to_string(), "host/svc.example.test@EXAMPLE.TEST");
}

#[test]
fn canonicalize_true_uses_the_cname_target() {
    let realm = Realm::mit();
    let c = client(&realm, " dns_canonicalize_hostname = true\n");
    let t = tgt(&c);
    assert_eq!(ticket_server(&c, &t, "host@alias.example.test"), SVC);
    // Without rdns the PTR record is not asked: front.example.test is not in the realm.
    assert_eq!(
        refusal(&c, &t, "host@front.example.test"),
        Some(KDC_ERR_S_PRINCIPAL_UNKNOWN)
    );
    // A name DNS does not know is used as written (MIT does the same).
    assert_eq!(
        first_name(&c, "host@nosuch.example.test"),
        "host/nosuch.example.test@EXAMPLE.TEST"
    );
    // service/host names never go through DNS.
    assert_eq!(
        first_name(&c, "host/alias.example.test"),
        "host/alias.example.test@EXAMPLE.TEST"
    );
}

#[test]
fn rdns_uses_the_reverse_name() {
    let realm = Realm::mit();
    let c = client(&realm, " dns_canonicalize_hostname = true\n rdns = true\n");
    let t = tgt(&c);
    assert_eq!(ticket_server(&c, &t, "host@front.example.test"), SVC);
    assert_eq!(
        first_name(&c, "host@lonely.example.test"),
        "host/lonely.example.test@EXAMPLE.TEST"
    );
}

#[test]
fn fallback_tries_the_name_as_written_first() {
    let realm = Realm::mit();
    let c = client(&realm, " dns_canonicalize_hostname = fallback\n");
    // The first name asked for is the one written (no DNS).
    assert_eq!(
        first_name(&c, "host@alias.example.test"),
        "host/alias.example.test@EXAMPLE.TEST"
    );
    let t = tgt(&c);
    // Unknown to the KDC, so the DNS name is tried next.
    assert_eq!(ticket_server(&c, &t, "host@alias.example.test"), SVC);
    // Unknown either way: the KDC's error comes back.
    assert_eq!(
        refusal(&c, &t, "host@lonely.example.test"),
        Some(KDC_ERR_S_PRINCIPAL_UNKNOWN)
    );
}

#[tokio::test]
async fn fallback_async() {
    let realm = Realm::mit();
    let c = client(&realm, " dns_canonicalize_hostname = fallback\n");
    let t = c
        .get_tgt_async("alice", Secret::password(ALICE_PW))
        .await
        .unwrap();
    let ticket = c
        .get_service_ticket_async(&t, "host@alias.example.test")
        .await
        .unwrap();
    assert_eq!(
        ticket.server.to_string(),
        "host/svc.example.test@EXAMPLE.TEST"
    );
    let c = client(&realm, " dns_canonicalize_hostname = true\n rdns = true\n");
    let p = c
        .service_principal_async("host@front.example.test", &realm.realm)
        .await
        .unwrap();
    assert_eq!(p.to_string(), "host/svc.example.test@EXAMPLE.TEST");
}

#[test]
fn short_names_are_qualified() {
    let realm = Realm::mit();
    let c = client(&realm, " qualify_shortname = example.test\n");
    let t = tgt(&c);
    assert_eq!(ticket_server(&c, &t, "host@svc"), SVC);
    // Qualification off: the short name goes as it is.
    let c = client(&realm, " qualify_shortname = \"\"\n");
    assert_eq!(first_name(&c, "host@svc"), "host/svc@EXAMPLE.TEST");
}
