//! KRB-PRIV interop with a real server: the Heimdal kpasswd service of
//! `scripts/heimdal-kdc.sh` (change-password protocol, RFC 3244 version 1). The request's
//! KRB-PRIV is built by `build_krb_priv`, the server's reply KRB-PRIV is read and checked by a
//! `MessageVerifier`. Bob's password is "changed" to the same value (Heimdal refuses the reuse with a soft
//! error, which it can only give after reading the KRB-PRIV), so nothing else notices.
//! Needs `. DIR/env.sh` of that script (KC_HEIMDAL_*); fails, never skips, without it.

mod common;

use std::net::UdpSocket;
use std::time::{Duration, SystemTime};

use common::{BOB_PW, Realm, need_env};
use kerberos_client::exchange::{
    ApReqBuilder, MessageParams, MessageVerifier, build_krb_priv, read_krb_priv,
};
use kerberos_client::principal::Principal;
use kerberos_client::{Client, Secret, TgtOptions};

fn u16_at(b: &[u8], off: usize) -> usize {
    usize::from(u16::from_be_bytes([b[off], b[off + 1]]))
}

#[test]
fn heimdal_kpasswd_reads_our_krb_priv_and_we_read_its_reply() {
    change_to_same_password(
        &Realm::heimdal(),
        &need_env("KC_HEIMDAL_KPASSWD", "heimdal-kdc.sh"),
    );
}

#[test]
fn samba_kpasswd_reads_our_krb_priv_and_we_read_its_reply() {
    change_to_same_password(
        &Realm::samba(),
        &need_env("KC_SAMBA_KPASSWD", "samba-dc.sh"),
    );
}

fn change_to_same_password(h: &Realm, kpasswd: &str) {
    let c = Client::from_file(&h.krb5_config).expect("client");
    let changepw = Principal::new(2, h.realm.clone(), ["kadmin", "changepw"]);
    let cred = c
        .get_tgt_with(
            "bob",
            Secret::password(BOB_PW),
            &TgtOptions::default().server(changepw),
        )
        .expect("kadmin/changepw ticket");
    assert_eq!(cred.server.components[0], b"kadmin");

    let ap = ApReqBuilder::new(
        &cred.ticket,
        &cred.session_key,
        &cred.client,
        SystemTime::now(),
    )
    .random_subkey()
    .random_seq_number()
    .mutual_required(true)
    .build()
    .expect("AP-REQ");
    let subkey = ap.subkey.clone().expect("subkey");
    let params = MessageParams {
        timestamp: Some(SystemTime::now()),
        seq_number: ap.seq_number,
        s_address: None,
        r_address: None,
    };
    let krb_priv = build_krb_priv(&subkey, BOB_PW.as_bytes(), &params).expect("KRB-PRIV");

    let mut req = Vec::new();
    let total = 6 + ap.message.len() + krb_priv.len();
    req.extend_from_slice(&u16::try_from(total).unwrap().to_be_bytes());
    req.extend_from_slice(&1u16.to_be_bytes());
    req.extend_from_slice(&u16::try_from(ap.message.len()).unwrap().to_be_bytes());
    req.extend_from_slice(&ap.message);
    req.extend_from_slice(&krb_priv);

    let sock = UdpSocket::bind("127.0.0.1:0").expect("bind");
    sock.set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    sock.send_to(&req, kpasswd).expect("send to kpasswd");
    let mut buf = vec![0u8; 65536];
    let n = sock.recv(&mut buf).expect("kpasswd reply");
    let reply = &buf[..n];
    assert!(n >= 6, "short reply: {reply:02x?}");
    assert_eq!(u16_at(reply, 0), n, "reply length");
    let ap_rep_len = u16_at(reply, 4);
    assert!(
        ap_rep_len > 0,
        "kpasswd answered with a KRB-ERROR: {:02x?}",
        &reply[6..]
    );
    let ap_rep = &reply[6..6 + ap_rep_len];
    let rep = ap.verify_ap_rep(ap_rep).expect("AP-REP");
    let priv_bytes = &reply[6 + ap_rep_len..];
    // The reply is protected with the server's subkey if it sent one, else with ours.
    let key = rep.subkey.clone().unwrap_or(subkey);
    let mut verifier = MessageVerifier::new(Duration::from_secs(300));
    if let Some(seq) = rep.seq_number {
        verifier = verifier.expect_sequence(seq);
    }
    let m = verifier
        .read_priv(&key, priv_bytes, SystemTime::now())
        .expect("the server's KRB-PRIV");
    assert!(m.user_data.len() >= 2, "{:02x?}", m.user_data);
    let code = u16_at(&m.user_data, 0);
    let text = String::from_utf8_lossy(&m.user_data[2..]);
    eprintln!("kpasswd of {}: result {code} {text:?}", h.realm);
    // 0: changed; 4 (KRB5_KPASSWD_SOFTERROR): Heimdal's "Password reuse forbidden", which it
    // can only say after decrypting our KRB-PRIV and reading the password. 1 (malformed),
    // 2 (hard error) or 3 (authentication error) would mean it could not read it.
    assert!(code == 0 || code == 4, "kpasswd result {code}: {text}");
    // The same reply again is a replay.
    assert!(
        verifier
            .read_priv(&key, priv_bytes, SystemTime::now())
            .is_err()
    );
    // And it decrypts with nothing else.
    assert!(read_krb_priv(&cred.session_key, priv_bytes).is_err());

    // Bob still logs in with the same password.
    c.get_tgt("bob", Secret::password(BOB_PW))
        .expect("bob's TGT after the change");
}
