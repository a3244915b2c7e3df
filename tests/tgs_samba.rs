//! TGS interop with the Samba AD DC of `scripts/samba-dc.sh` (SAMBA.TEST) through the
//! `Client` façade: service tickets carrying a PAC, S4U2Self and S4U2Proxy (classic
//! constrained delegation), RC4-only services, and a forwarded TGT. Needs `. DIR/env.sh` of
//! that script (KC_SAMBA_*); fails, never skips, without it.

mod common;

use common::{ALICE_PW, Realm};
use kerberos_client::asn1::constants::{ad_type, error_code};
use kerberos_client::asn1::{self, AuthorizationData, EncTicketPart, RawTicket, TicketFlags};
use kerberos_client::crypto::{EncryptionType, Key, KeyUsage};
use kerberos_client::exchange::{
    KrbCredParams, S4uProxy, S4uSelf, TgsOptions, build_krb_cred, parse_krb_cred,
};
use kerberos_client::keytab::Keytab;
use kerberos_client::principal::Principal;
use kerberos_client::{Client, ClientError, Credential, Secret, TgtOptions};

const WEB: &str = "HTTP/web.samba.test";
const RC4: &str = "HTTP/rc4.samba.test";
/// PAC_INFO_BUFFER type of KERB_VALIDATION_INFO (MS-PAC §2.4).
const PAC_LOGON_INFO: u32 = 1;

fn samba() -> Realm {
    Realm::samba()
}

fn client() -> Client {
    Client::from_file(samba().krb5_config).expect("client from the lab krb5.conf")
}

fn weak_client() -> Client {
    Client::from_config_str(&samba().conf_with(
        " allow_weak_crypto = true\n default_tgs_enctypes = aes256-cts aes128-cts rc4-hmac\n",
    ))
    .expect("client with weak crypto")
}

fn principal(name: &str) -> Principal {
    Principal::parse(name, Some(&samba().realm)).expect("principal")
}

fn alice_tgt(c: &Client) -> Credential {
    c.get_tgt_with(
        "alice",
        Secret::password(ALICE_PW),
        &TgtOptions::default().forwardable(true),
    )
    .expect("alice's TGT")
}

fn svc_tgt(c: &Client) -> Credential {
    c.get_tgt_with(
        "svc",
        Secret::keytab_file(samba().keytab("svc.keytab")),
        &TgtOptions::default().forwardable(true),
    )
    .expect("svc's TGT from svc.keytab")
}

/// Every key of a keytab (any principal: the lab keytabs hold one account each).
fn keytab_keys(file: &str) -> Vec<Key> {
    let kt = Keytab::read(samba().keytab(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
    let keys: Vec<Key> = kt
        .entries
        .iter()
        .filter_map(|e| {
            let etype = EncryptionType::try_from(e.key.etype).ok()?;
            Key::from_bytes(etype, &e.key.value).ok()
        })
        .collect();
    assert!(!keys.is_empty(), "{file} has no usable keys");
    keys
}

/// Decrypts a ticket with one of `keys` (key usage 2).
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

fn cname(part: &EncTicketPart) -> String {
    format!(
        "{}@{}",
        part.cname.to_string_lossy(),
        part.crealm.to_string_lossy()
    )
}

/// The PAC of a ticket: AD-IF-RELEVANT containing AD-WIN2K-PAC. Returns the PAC buffer
/// types from its header (cBuffers, then 16-byte PAC_INFO_BUFFERs).
fn pac_buffer_types(part: &EncTicketPart) -> Vec<u32> {
    let ad = part
        .authorization_data
        .as_ref()
        .expect("the ticket has no authorization-data (no PAC)");
    let mut pacs = Vec::new();
    for e in ad.iter().filter(|e| e.ad_type == ad_type::AD_IF_RELEVANT) {
        let inner: AuthorizationData = asn1::decode(&e.ad_data).expect("AD-IF-RELEVANT");
        pacs.extend(
            inner
                .into_iter()
                .filter(|i| i.ad_type == ad_type::AD_WIN2K_PAC)
                .map(|i| i.ad_data.to_vec()),
        );
    }
    assert_eq!(
        pacs.len(),
        1,
        "expected one AD-WIN2K-PAC inside AD-IF-RELEVANT: {ad:?}"
    );
    let pac = &pacs[0];
    let u32_at = |off: usize| u32::from_le_bytes(pac[off..off + 4].try_into().unwrap());
    let count = u32_at(0) as usize;
    assert_eq!(u32_at(4), 0, "PAC version");
    assert!(count > 0 && pac.len() >= 8 + 16 * count, "PAC header");
    let mut types = Vec::new();
    for i in 0..count {
        let base = 8 + 16 * i;
        let size = u32_at(base + 4) as usize;
        let offset = u64::from_le_bytes(pac[base + 8..base + 16].try_into().unwrap()) as usize;
        assert!(offset + size <= pac.len(), "PAC buffer {i} out of range");
        types.push(u32_at(base));
    }
    types
}

fn kdc_code(e: &ClientError) -> i32 {
    e.kdc_error_code()
        .unwrap_or_else(|| panic!("expected a KDC error, got: {e}"))
}

#[test]
fn service_ticket_carries_a_pac_with_logon_info() {
    let c = client();
    let tgt = alice_tgt(&c);
    let st = c.get_service_ticket(&tgt, WEB).expect("HTTP ticket");
    assert_eq!(st.client.to_string(), "alice@SAMBA.TEST");
    assert_eq!(st.server.components, principal(WEB).components);
    let part = decrypt_ticket(&st.ticket, &keytab_keys("web.keytab"));
    assert_eq!(cname(&part), "alice@SAMBA.TEST");
    assert_eq!(part.key.keyvalue.as_ref(), st.session_key.as_bytes());
    let types = pac_buffer_types(&part);
    assert!(
        types.contains(&PAC_LOGON_INFO),
        "no LOGON_INFO in the PAC: {types:?}"
    );
    // Server and KDC signatures (6, 7) are there too.
    assert!(types.contains(&6) && types.contains(&7), "{types:?}");
}

#[test]
fn service_ticket_per_aes_enctype() {
    let c = client();
    let tgt = alice_tgt(&c);
    let keys = keytab_keys("web.keytab");
    for etype in [18, 17] {
        let st = c
            .get_service_ticket_with(
                &tgt,
                principal(WEB),
                TgsOptions {
                    etypes: vec![etype],
                    ..c.tgs_options("SAMBA.TEST").expect("options")
                },
            )
            .unwrap_or_else(|e| panic!("enctype {etype}: {e}"));
        assert_eq!(st.credential.session_key.etype().id(), etype);
        let part = decrypt_ticket(&st.credential.ticket, &keys);
        assert_eq!(cname(&part), "alice@SAMBA.TEST");
    }
}

#[test]
fn s4u2self_then_s4u2proxy_to_an_allowed_service() {
    let c = client();
    let tgt = svc_tgt(&c);
    assert_eq!(tgt.client.to_string(), "svc@SAMBA.TEST");
    let base = c.tgs_options("SAMBA.TEST").expect("options");

    // S4U2Self: svc's own ticket, on behalf of alice.
    let evidence = c
        .get_service_ticket_with(
            &tgt,
            principal("svc"),
            TgsOptions {
                forwardable: true,
                s4u2self: Some(S4uSelf {
                    user: principal("alice"),
                    use_x509_user_pa: false,
                }),
                ..base.clone()
            },
        )
        .expect("S4U2Self")
        .credential
        .into_inner();
    assert_eq!(evidence.client.to_string(), "alice@SAMBA.TEST");
    assert!(
        TicketFlags::from_u32(evidence.flags).is_set(TicketFlags::FORWARDABLE),
        "S4U2Self ticket not forwardable (svc is TRUSTED_TO_AUTH_FOR_DELEGATION): {:#x}",
        evidence.flags
    );
    let part = decrypt_ticket(&evidence.ticket, &keytab_keys("svc.keytab"));
    assert_eq!(cname(&part), "alice@SAMBA.TEST");
    assert!(pac_buffer_types(&part).contains(&PAC_LOGON_INFO));

    // The same with PA-S4U-X509-USER as well.
    let x509 = c
        .get_service_ticket_with(
            &tgt,
            principal("svc"),
            TgsOptions {
                forwardable: true,
                s4u2self: Some(S4uSelf {
                    user: principal("alice"),
                    use_x509_user_pa: true,
                }),
                ..base.clone()
            },
        )
        .expect("S4U2Self with PA-S4U-X509-USER")
        .credential;
    assert_eq!(x509.client.to_string(), "alice@SAMBA.TEST");

    // S4U2Proxy to HTTP/web.samba.test (in svc's msDS-AllowedToDelegateTo).
    let proxied = c
        .get_service_ticket_with(
            &tgt,
            principal(WEB),
            TgsOptions {
                forwardable: true,
                s4u2proxy: Some(S4uProxy {
                    evidence: evidence.clone(),
                    resource_based: false,
                }),
                ..base.clone()
            },
        )
        .expect("S4U2Proxy to an allowed service")
        .credential;
    assert_eq!(proxied.client.to_string(), "alice@SAMBA.TEST");
    assert_eq!(proxied.server.components, principal(WEB).components);
    let part = decrypt_ticket(&proxied.ticket, &keytab_keys("web.keytab"));
    assert_eq!(cname(&part), "alice@SAMBA.TEST");
    assert!(pac_buffer_types(&part).contains(&PAC_LOGON_INFO));

    // S4U2Proxy to a service not in the list: refused by the KDC.
    let e = c
        .get_service_ticket_with(
            &tgt,
            principal(RC4),
            TgsOptions {
                s4u2proxy: Some(S4uProxy {
                    evidence,
                    resource_based: false,
                }),
                allow_weak_crypto: true,
                etypes: vec![18, 17, 23],
                ..base
            },
        )
        .expect_err("S4U2Proxy to a service outside msDS-AllowedToDelegateTo");
    let code = kdc_code(&e);
    assert!(
        code == error_code::KDC_ERR_BADOPTION || code == error_code::KDC_ERR_POLICY,
        "unexpected KDC error {code}: {e}"
    );
}

#[test]
fn rc4_service_needs_weak_crypto() {
    // Without weak crypto the request offers AES only: the RC4-only account has no key for it.
    let c = client();
    let tgt = alice_tgt(&c);
    let e = c
        .get_service_ticket(&tgt, RC4)
        .expect_err("RC4-only service without weak crypto");
    let code = kdc_code(&e);
    assert_eq!(code, error_code::KDC_ERR_ETYPE_NOSUPP, "{e}");

    // Asking for RC4 with weak crypto off is refused before anything is sent.
    let e = c
        .get_service_ticket_with(
            &tgt,
            principal(RC4),
            TgsOptions {
                etypes: vec![23],
                allow_weak_crypto: false,
                ..TgsOptions::default()
            },
        )
        .expect_err("RC4 without allow_weak_crypto");
    assert!(e.kdc_error().is_none(), "{e}");

    // With weak crypto it works; the ticket decrypts with the RC4 key.
    let w = weak_client();
    let tgt = alice_tgt(&w);
    let st = w.get_service_ticket(&tgt, RC4).expect("RC4 service ticket");
    assert_eq!(st.client.to_string(), "alice@SAMBA.TEST");
    let t = RawTicket::from_der(st.ticket.clone())
        .and_then(|r| r.parse())
        .expect("ticket");
    assert_eq!(t.enc_part.etype, 23);
    let part = decrypt_ticket(&st.ticket, &keytab_keys("rc4svc.keytab"));
    assert_eq!(cname(&part), "alice@SAMBA.TEST");
    assert!(pac_buffer_types(&part).contains(&PAC_LOGON_INFO));
}

#[test]
fn forwarded_tgt_has_the_forwarded_flag() {
    let c = client();
    let tgt = alice_tgt(&c);
    assert!(TicketFlags::from_u32(tgt.flags).is_set(TicketFlags::FORWARDABLE));
    let realm = samba().realm;
    let fwd = c
        .get_service_ticket_with(
            &tgt,
            Principal::krbtgt(realm.clone(), realm),
            TgsOptions {
                forwarded: true,
                forwardable: true,
                ..c.tgs_options("SAMBA.TEST").expect("options")
            },
        )
        .expect("forwarded TGT")
        .credential;
    let f = TicketFlags::from_u32(fwd.flags);
    assert!(f.is_set(TicketFlags::FORWARDED), "flags {:#x}", fwd.flags);
    assert!(fwd.server.is_krbtgt());
    assert_eq!(fwd.client.to_string(), "alice@SAMBA.TEST");
    // It works as a TGT.
    let st = c
        .get_service_ticket(&fwd, WEB)
        .expect("ticket with the forwarded TGT");
    let part = decrypt_ticket(&st.ticket, &keytab_keys("web.keytab"));
    assert!(part.flags.is_set(TicketFlags::FORWARDED));
}

/// Delegation as a client does it: a forwarded TGT in a KRB-CRED encrypted with the service
/// ticket's session key (key usage 14); the service reads it and uses the TGT.
#[test]
fn forwarded_tgt_in_a_krb_cred_is_usable_by_the_service() {
    let c = client();
    let tgt = alice_tgt(&c);
    let st = c.get_service_ticket(&tgt, WEB).expect("HTTP ticket");
    let realm = samba().realm;
    let fwd = c
        .get_service_ticket_with(
            &tgt,
            Principal::krbtgt(realm.clone(), realm),
            TgsOptions {
                forwarded: true,
                forwardable: true,
                ..c.tgs_options("SAMBA.TEST").expect("options")
            },
        )
        .expect("forwarded TGT")
        .credential
        .into_inner();
    let params = KrbCredParams {
        nonce: Some(7),
        timestamp: Some(std::time::SystemTime::now()),
        ..KrbCredParams::default()
    };
    let msg = build_krb_cred(std::slice::from_ref(&fwd), Some(&st.session_key), &params)
        .expect("KRB-CRED");

    // The service side: the session key from the decrypted service ticket.
    let part = decrypt_ticket(&st.ticket, &keytab_keys("web.keytab"));
    let etype = EncryptionType::try_from(part.key.keytype).expect("etype");
    let key = Key::from_bytes(etype, part.key.keyvalue.as_ref()).expect("key");
    let got = parse_krb_cred(&msg, Some(&key)).expect("parse KRB-CRED");
    assert!(got.encrypted);
    assert_eq!(got.nonce, Some(7));
    let [delegated] = got.credentials.as_slice() else {
        panic!("one credential expected, got {}", got.credentials.len())
    };
    assert_eq!(delegated.ticket, fwd.ticket);
    assert_eq!(delegated.client.to_string(), "alice@SAMBA.TEST");
    assert!(TicketFlags::from_u32(delegated.flags).is_set(TicketFlags::FORWARDED));
    let t = c
        .get_service_ticket_with(
            &Credential::from(delegated.clone()),
            principal(RC4),
            TgsOptions {
                allow_weak_crypto: true,
                etypes: vec![18, 17, 23],
                ..TgsOptions::default()
            },
        )
        .expect("a ticket with the delegated TGT")
        .credential;
    assert_eq!(t.client.to_string(), "alice@SAMBA.TEST");

    // Unencrypted (etype 0) as well.
    let plain = build_krb_cred(std::slice::from_ref(&fwd), None, &KrbCredParams::default())
        .expect("KRB-CRED etype 0");
    let got = parse_krb_cred(&plain, Some(&key)).expect("parse etype 0");
    assert!(!got.encrypted);
    assert_eq!(got.credentials[0].ticket, fwd.ticket);
}
