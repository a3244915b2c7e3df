//! TGS interop with the Heimdal KDC of `scripts/heimdal-kdc.sh` (HEIMDAL.TEST) through the
//! `Client` façade: service tickets per session-key enctype (RC4 only with weak crypto),
//! decrypted with the service's keytab, renewing a renewable TGT, and a forwarded TGT.
//! Needs `. DIR/env.sh` of that script (KC_HEIMDAL_*); fails, never skips, without it.

mod common;

use std::time::Duration;

use common::{ALICE_PW, Realm};
use kerberos_client::asn1::{self, EncTicketPart, RawTicket, TicketFlags};
use kerberos_client::crypto::{EncryptionType, Key, KeyUsage};
use kerberos_client::exchange::TgsOptions;
use kerberos_client::keytab::Keytab;
use kerberos_client::principal::Principal;
use kerberos_client::{Client, Credential, Secret, TgtOptions};

const WEB: &str = "HTTP/web.heimdal.test";

fn heimdal() -> Realm {
    Realm::heimdal()
}

/// The lab's own krb5.conf (no weak crypto).
fn client() -> Client {
    Client::from_file(heimdal().krb5_config).expect("client from the lab krb5.conf")
}

fn weak_client() -> Client {
    Client::from_config_str(&heimdal().conf_with(" allow_weak_crypto = true\n"))
        .expect("client with weak crypto")
}

fn principal(name: &str) -> Principal {
    Principal::parse(name, Some(&heimdal().realm)).expect("principal")
}

fn alice_tgt(c: &Client, opts: &TgtOptions) -> Credential {
    c.get_tgt_with("alice", Secret::password(ALICE_PW), opts)
        .expect("alice's TGT")
}

fn http_keys() -> Vec<Key> {
    let kt = Keytab::read(heimdal().keytab("http.keytab")).expect("http.keytab");
    let web = principal(WEB);
    let keys: Vec<Key> = kt
        .entries
        .iter()
        .filter(|e| e.principal.matches(&web))
        .filter_map(|e| {
            let etype = EncryptionType::try_from(e.key.etype).ok()?;
            Key::from_bytes(etype, &e.key.value).ok()
        })
        .collect();
    assert!(!keys.is_empty(), "http.keytab has no keys for {WEB}");
    keys
}

fn decrypt_ticket(ticket: &[u8], keys: &[Key]) -> EncTicketPart {
    let t = RawTicket::from_der(ticket.to_vec())
        .and_then(|r| r.parse())
        .expect("ticket");
    for k in keys.iter().filter(|k| k.etype().id() == t.enc_part.etype) {
        if let Ok(plain) = k.decrypt(KeyUsage::KDC_REP_TICKET, &t.enc_part.cipher) {
            return asn1::decode(&plain).expect("EncTicketPart");
        }
    }
    panic!(
        "the ticket (enctype {}) decrypts with none of the {} keys",
        t.enc_part.etype,
        keys.len()
    )
}

#[test]
fn service_ticket_per_enctype_decrypts_with_the_keytab() {
    let keys = http_keys();
    for etype in [17, 18, 19, 20, 23] {
        let c = if etype == 23 { weak_client() } else { client() };
        let tgt = alice_tgt(&c, &TgtOptions::default());
        let st = c
            .get_service_ticket_with(
                &tgt,
                principal(WEB),
                TgsOptions {
                    etypes: vec![etype],
                    ..c.tgs_options("HEIMDAL.TEST").expect("options")
                },
            )
            .unwrap_or_else(|e| panic!("HTTP ticket with session enctype {etype}: {e}"))
            .credential;
        assert_eq!(st.session_key.etype().id(), etype);
        assert_eq!(st.client.to_string(), "alice@HEIMDAL.TEST");
        assert_eq!(st.server.to_string(), format!("{WEB}@HEIMDAL.TEST"));
        let part = decrypt_ticket(&st.ticket, &keys);
        assert_eq!(part.key.keytype, etype);
        assert_eq!(part.key.keyvalue.as_ref(), st.session_key.as_bytes());
        assert_eq!(part.cname.to_string_lossy(), "alice");
        assert_eq!(part.endtime.unix(), st.end_time);
    }
}

#[test]
fn rc4_session_key_needs_weak_crypto() {
    let c = client();
    let tgt = alice_tgt(&c, &TgtOptions::default());
    let e = c
        .get_service_ticket_with(
            &tgt,
            principal(WEB),
            TgsOptions {
                etypes: vec![23],
                ..c.tgs_options("HEIMDAL.TEST").expect("options")
            },
        )
        .expect_err("RC4 without allow_weak_crypto");
    assert!(e.kdc_error().is_none(), "refused locally: {e}");
}

#[test]
fn service_ticket_through_the_cache() {
    let c = client();
    let tgt = alice_tgt(&c, &TgtOptions::default());
    let a = c.get_service_ticket(&tgt, WEB).expect("HTTP ticket");
    let b = c.get_service_ticket(&tgt, WEB).expect("cached HTTP ticket");
    assert_eq!(a.ticket, b.ticket);
    decrypt_ticket(&a.ticket, &http_keys());
}

#[test]
fn renew_a_renewable_tgt() {
    let c = client();
    let tgt = alice_tgt(
        &c,
        &TgtOptions::default()
            .lifetime(Duration::from_secs(600))
            .renew_lifetime(Duration::from_secs(3600)),
    );
    assert!(tgt.is_renewable(), "{:?}", *tgt);
    std::thread::sleep(Duration::from_millis(1100));
    let renewed = c.renew(&tgt).expect("renew");
    assert!(renewed.server.is_krbtgt());
    assert_eq!(renewed.client, tgt.client);
    assert_eq!(renewed.auth_time, tgt.auth_time);
    assert!(renewed.start_time >= tgt.start_time);
    assert!(renewed.end_time >= tgt.end_time);
    assert!(renewed.renew_till <= tgt.renew_till);
    assert_ne!(renewed.session_key.as_bytes(), tgt.session_key.as_bytes());
    // The renewed TGT works.
    let st = c
        .get_service_ticket(&renewed, WEB)
        .expect("ticket with the renewed TGT");
    decrypt_ticket(&st.ticket, &http_keys());

    // A TGT that is not renewable: refused before anything is sent.
    let plain = alice_tgt(&c, &TgtOptions::default().renew_lifetime(Duration::ZERO));
    if !plain.is_renewable() {
        let e = c.renew(&plain).expect_err("renew of a non-renewable TGT");
        assert!(e.kdc_error().is_none(), "{e}");
    }
}

#[test]
fn forwarded_tgt_has_the_forwarded_flag() {
    let c = client();
    let tgt = alice_tgt(&c, &TgtOptions::default().forwardable(true));
    assert!(TicketFlags::from_u32(tgt.flags).is_set(TicketFlags::FORWARDABLE));
    let realm = heimdal().realm;
    let fwd = c
        .get_service_ticket_with(
            &tgt,
            Principal::krbtgt(realm.clone(), realm),
            TgsOptions {
                forwarded: true,
                forwardable: true,
                ..c.tgs_options("HEIMDAL.TEST").expect("options")
            },
        )
        .expect("forwarded TGT")
        .credential;
    assert!(
        TicketFlags::from_u32(fwd.flags).is_set(TicketFlags::FORWARDED),
        "{:#x}",
        fwd.flags
    );
    let st = c.get_service_ticket(&fwd, WEB).expect("ticket with it");
    let part = decrypt_ticket(&st.ticket, &http_keys());
    assert!(part.flags.is_set(TicketFlags::FORWARDED));
}

#[test]
fn forwarded_needs_a_forwardable_tgt() {
    let c = client();
    let tgt = alice_tgt(&c, &TgtOptions::default().forwardable(false));
    assert!(!TicketFlags::from_u32(tgt.flags).is_set(TicketFlags::FORWARDABLE));
    let realm = heimdal().realm;
    let e = c
        .get_service_ticket_with(
            &tgt,
            Principal::krbtgt(realm.clone(), realm),
            TgsOptions {
                forwarded: true,
                ..c.tgs_options("HEIMDAL.TEST").expect("options")
            },
        )
        .expect_err("forwarded with a TGT that is not forwardable");
    assert!(e.kdc_error().is_none(), "refused locally: {e}");
    assert!(e.to_string().contains("forwardable"), "{e}");
}
