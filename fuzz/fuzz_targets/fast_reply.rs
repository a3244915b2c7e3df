//! Feed arbitrary replies to an armored (FAST, RFC 6113) AS exchange: it must never panic,
//! and it must end (an error, `Done`, or another `Send`) after each reply.
//!
//! Input layout: [flags][kind][len: 2 bytes BE][body]... — up to 6 replies, each given to
//! `receive` in turn until the exchange fails or finishes. The armor ticket and its session
//! key, the client's keys, the nonce and the clock are fixed (the armor subkey is the
//! client's own random one). `kind` says what `body` is:
//! * 1: a KrbFastResponse plaintext, sent in an armored KRB-ERROR encrypted with the
//!   request's real armor key, so that PA-FX-ERROR, the hints and later rounds are reached;
//! * 2: [len: 2 bytes BE][KrbFastResponse plaintext][EncASRepPart plaintext], sent as an
//!   armored AS-REP (armor key; client key, strengthened when the KrbFastResponse says so);
//!   when the KrbFastResponse decodes, its KrbFastFinished ticket checksum is made valid,
//!   so that the enc-part checks are reached too;
//! * anything else: the whole reply, raw bytes.
#![no_main]

use std::time::{Duration, UNIX_EPOCH};

use kerberos_client::asn1::constants::padata_type as pt;
use kerberos_client::asn1::{
    self, ApReq, AsRep, AsReq, Authenticator, Checksum, EncryptedData, Extensions, KdcRep,
    KerberosString, KerberosTime, KrbError, KrbFastArmoredRep, KrbFastResponse, OctetString,
    PaData, PaFxFastReply, PaFxFastRequest, PrincipalName, RawTicket, Ticket,
};
use kerberos_client::crypto::{EncryptionType, Key, KeyUsage, cf2};
use kerberos_client::exchange::{AsExchange, AsOptions, AsRequest, AsSecret, FastArmor, Step};
use kerberos_client::principal::Principal;
use libfuzzer_sys::fuzz_target;

const REALM: &str = "EXAMPLE.TEST";
const T0: u64 = 1_764_115_200;

fn nonce() -> u32 {
    0x1234_5678
}

fn aes256(byte: u8) -> Key {
    Key::from_bytes(EncryptionType::Aes256CtsHmacSha196, &[byte; 32]).expect("key")
}

fn krbtgt_ticket(cipher: &[u8]) -> Ticket {
    Ticket {
        tkt_vno: 5,
        realm: KerberosString::from(REALM),
        sname: PrincipalName::new(2, &["krbtgt", REALM]),
        enc_part: EncryptedData::new(18, Some(2), cipher.to_vec()),
    }
}

/// The armor key of an armored AS-REQ, found the way a KDC does; None if the request is
/// not armored (a permitted fallback).
fn armor_key(message: &[u8], armor_session_key: &Key) -> Option<Key> {
    let req: AsReq = asn1::decode(message).ok()?;
    let pa = req.0.find_padata(pt::PA_FX_FAST)?;
    let PaFxFastRequest::ArmoredData(armored) = pa.decode_value().ok()?;
    let ap_req: ApReq = asn1::decode(&armored.armor?.armor_value).ok()?;
    let plain = armor_session_key
        .decrypt(KeyUsage::AP_REQ_AUTH, &ap_req.authenticator.cipher)
        .ok()?;
    let auth: Authenticator = asn1::decode(&plain).ok()?;
    let sk = auth.subkey?;
    let subkey = Key::from_bytes(EncryptionType::try_from(sk.keytype).ok()?, &sk.keyvalue).ok()?;
    Some(cf2(
        &subkey,
        armor_session_key,
        b"subkeyarmor",
        b"ticketarmor",
    ))
}

fn pa_fx_fast(armor_key: &Key, plain: &[u8]) -> PaData {
    let reply = PaFxFastReply::ArmoredData(KrbFastArmoredRep {
        enc_fast_rep: EncryptedData::new(
            armor_key.etype().id(),
            None,
            armor_key.encrypt(KeyUsage::KEY_USAGE_FAST_REP, plain),
        ),
        ext: Extensions::default(),
    });
    PaData::from_value(pt::PA_FX_FAST, &reply).expect("PA-FX-FAST")
}

fn armored_error(armor_key: &Key, fast_plain: &[u8]) -> Vec<u8> {
    let md = asn1::encode(&vec![pa_fx_fast(armor_key, fast_plain)]).expect("METHOD-DATA");
    let err = KrbError {
        pvno: 5,
        msg_type: 30,
        ctime: None,
        cusec: None,
        stime: KerberosTime::from_unix(T0 as i64),
        susec: 0,
        error_code: 25,
        crealm: None,
        cname: Some(PrincipalName::new(1, &["alice"])),
        realm: KerberosString::from(REALM),
        sname: PrincipalName::new(2, &["krbtgt", REALM]),
        e_text: None,
        e_data: Some(OctetString::from(md)),
    };
    asn1::encode(&err).expect("KRB-ERROR")
}

fn armored_as_rep(armor_key: &Key, client_key: &Key, body: &[u8]) -> Vec<u8> {
    let (len, rest) = body.split_first_chunk::<2>().unwrap_or((&[0, 0], &[]));
    let len = usize::from(u16::from_be_bytes(*len)).min(rest.len());
    let (fast_plain, enc_plain) = rest.split_at(len);
    let ticket = RawTicket::from_ticket(&krbtgt_ticket(b"issued ticket")).expect("ticket");
    let mut reply_key = client_key.clone();
    let fast_plain = match asn1::decode::<KrbFastResponse>(fast_plain) {
        Ok(mut resp) => {
            if let Some(fin) = resp.finished.as_mut() {
                fin.ticket_checksum = Checksum::new(
                    armor_key.etype().checksum_type().id(),
                    armor_key.checksum(KeyUsage::KEY_USAGE_FAST_FINISHED, ticket.as_bytes()),
                );
            }
            let strengthen = resp.strengthen_key.as_ref().and_then(|sk| {
                let etype = EncryptionType::try_from(sk.keytype).ok()?;
                Key::from_bytes(etype, &sk.keyvalue).ok()
            });
            if let Some(sk) = strengthen {
                reply_key = cf2(&sk, client_key, b"strengthenkey", b"replykey");
            }
            match asn1::encode(&resp) {
                Ok(b) => b,
                Err(_) => fast_plain.to_vec(),
            }
        }
        Err(_) => fast_plain.to_vec(),
    };
    let rep = AsRep(KdcRep {
        pvno: 5,
        msg_type: 11,
        padata: Some(vec![pa_fx_fast(armor_key, &fast_plain)]),
        crealm: KerberosString::from(REALM),
        cname: PrincipalName::new(1, &["alice"]),
        ticket,
        enc_part: EncryptedData::new(
            client_key.etype().id(),
            Some(1),
            reply_key.encrypt(KeyUsage::AS_REP_ENC_PART, enc_plain),
        ),
    });
    asn1::encode(&rep).expect("AS-REP")
}

fuzz_target!(|data: &[u8]| {
    let (flags, mut rest) = data.split_first().unwrap_or((&0, &[]));
    let now = UNIX_EPOCH + Duration::from_secs(T0);
    let client_key = aes256(0x11);
    let armor_session_key = aes256(0x42);
    let keys = vec![
        client_key.clone(),
        Key::from_bytes(EncryptionType::Aes128CtsHmacSha196, &[0x22; 16]).expect("key"),
    ];
    let armor = FastArmor::new(
        asn1::encode(&krbtgt_ticket(b"armor ticket")).expect("armor ticket"),
        armor_session_key.clone(),
        Principal::new(3, REALM, ["host", "client.example.test"]),
    )
    .required(flags & 1 == 0);
    let options = AsOptions {
        etypes: vec![18, 17],
        canonicalize: flags & 2 != 0,
        request_pac: (flags & 4 != 0).then_some(true),
        renew_lifetime: (flags & 8 != 0).then_some(Duration::from_secs(86_400)),
        armor: Some(armor),
        ..AsOptions::default()
    };
    let request = AsRequest {
        client: Principal::new(1, REALM, ["alice"]),
        secret: AsSecret::Keys(keys),
        options,
    };
    let Ok(mut ex) = AsExchange::new_with_nonce_source(request, now, nonce) else {
        return;
    };
    for _ in 0..6 {
        let message = match ex.poll() {
            Some(Step::Send(out)) => out.message,
            Some(Step::Done(_)) | None => return,
        };
        assert!(!message.is_empty());
        let Some((&kind, tail)) = rest.split_first() else {
            return;
        };
        let Some((len, tail)) = tail.split_first_chunk::<2>() else {
            return;
        };
        let len = usize::from(u16::from_be_bytes(*len)).min(tail.len());
        let (body, tail) = tail.split_at(len);
        rest = tail;
        let reply = match (kind, armor_key(&message, &armor_session_key)) {
            (1, Some(ak)) => armored_error(&ak, body),
            (2, Some(ak)) => armored_as_rep(&ak, &client_key, body),
            _ => body.to_vec(),
        };
        if ex.receive(&reply, now).is_err() {
            assert!(ex.poll().is_none(), "a failed exchange stays failed");
            return;
        }
    }
});
