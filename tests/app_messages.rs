//! KRB-SAFE, KRB-PRIV and KRB-CRED (RFC 4120 §5.6–5.8): round trips with every enctype,
//! tampering, wrong keys, replay/order/skew checks, and compatibility with the RFC's strict
//! ASN.1 types (s-address present).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use kerberos_client::asn1::constants::addr_type;
use kerberos_client::asn1::{
    self, EncKrbPrivPart, EncTicketPart, EncryptedData, EncryptionKey, HostAddress, KerberosTime,
    KrbCred, KrbPriv, KrbSafe, PrincipalName, RawTicket, Ticket, TicketFlags, TransitedEncoding,
};
use kerberos_client::crypto::{EncryptionType, Key, KeyUsage};
use kerberos_client::exchange::{
    AppMessageError, Credential, KrbCredParams, MessageParams, MessageVerifier, build_krb_cred,
    build_krb_priv, build_krb_safe, parse_krb_cred, read_krb_priv, read_krb_safe,
};
use kerberos_client::principal::Principal;

const SKEW: Duration = Duration::from_secs(300);

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_micros(1_764_115_200_123_456)
}

fn keys() -> Vec<Key> {
    EncryptionType::ALL
        .iter()
        .map(|&e| Key::random(e))
        .collect()
}

fn ipv4(a: [u8; 4]) -> HostAddress {
    HostAddress {
        addr_type: addr_type::IPV4,
        address: a.to_vec().into(),
    }
}

#[test]
fn safe_round_trip_every_enctype() {
    for key in keys() {
        let params = MessageParams {
            timestamp: Some(now()),
            seq_number: Some(7),
            s_address: Some(ipv4([127, 0, 0, 1])),
            r_address: Some(ipv4([127, 0, 0, 2])),
        };
        let msg = build_krb_safe(&key, b"hello", &params).unwrap();
        let m = read_krb_safe(&key, &msg).unwrap();
        assert_eq!(m.user_data, b"hello");
        assert_eq!(m.timestamp, Some(1_764_115_200));
        assert_eq!(m.usec, Some(123_456));
        assert_eq!(m.seq_number, Some(7));
        assert_eq!(m.s_address, params.s_address);
        assert_eq!(m.r_address, params.r_address);
        // The RFC's strict type reads it too, with the key's mandatory checksum.
        let strict: KrbSafe = asn1::decode(&msg).unwrap();
        assert_eq!(strict.msg_type, 20);
        assert_eq!(strict.cksum.cksumtype, key.etype().checksum_type().id());
        let body = asn1::encode(&strict.safe_body).unwrap();
        key.verify_checksum_with_type(
            key.etype().checksum_type(),
            KeyUsage::KRB_SAFE_CKSUM,
            &body,
            &strict.cksum.checksum,
        )
        .unwrap();

        // Wrong key, tampered data.
        let other = Key::random(key.etype());
        assert!(matches!(
            read_krb_safe(&other, &msg),
            Err(AppMessageError::BadChecksum)
        ));
        let pos = msg.windows(5).position(|w| w == b"hello").unwrap();
        let mut bad = msg.clone();
        bad[pos] ^= 1;
        assert!(matches!(
            read_krb_safe(&key, &bad),
            Err(AppMessageError::BadChecksum)
        ));
    }
}

#[test]
fn safe_without_sender_address() {
    let key = Key::random(EncryptionType::Aes256CtsHmacSha196);
    let msg = build_krb_safe(&key, b"x", &MessageParams::with_sequence(1)).unwrap();
    let m = read_krb_safe(&key, &msg).unwrap();
    assert_eq!(m.s_address, None);
    assert_eq!(m.timestamp, None);
    assert_eq!(m.seq_number, Some(1));
}

#[test]
fn safe_checksum_type_must_be_the_keys() {
    let aes = Key::random(EncryptionType::Aes128CtsHmacSha196);
    let rc4 = Key::random(EncryptionType::Rc4Hmac);
    let msg = build_krb_safe(&rc4, b"x", &MessageParams::with_timestamp(now())).unwrap();
    assert!(matches!(
        read_krb_safe(&aes, &msg),
        Err(AppMessageError::ChecksumType {
            expected: 15,
            got: -138
        })
    ));
}

#[test]
fn priv_round_trip_every_enctype() {
    for key in keys() {
        let params = MessageParams {
            timestamp: Some(now()),
            seq_number: Some(u32::MAX),
            s_address: Some(ipv4([10, 0, 0, 1])),
            r_address: None,
        };
        let data = vec![0xa5; 1000];
        let msg = build_krb_priv(&key, &data, &params).unwrap();
        assert!(
            !msg.windows(16).any(|w| w == &data[..16]),
            "plaintext leaked"
        );
        let m = read_krb_priv(&key, &msg).unwrap();
        assert_eq!(m.user_data, data);
        assert_eq!(m.seq_number, Some(u32::MAX));
        assert_eq!(m.usec, Some(123_456));
        assert_eq!(m.s_address, params.s_address);
        // Strict RFC types decrypt and decode it too.
        let strict: KrbPriv = asn1::decode(&msg).unwrap();
        assert_eq!(strict.enc_part.etype, key.etype().id());
        let plain = key
            .decrypt(KeyUsage::KRB_PRIV_ENC_PART, &strict.enc_part.cipher)
            .unwrap();
        let part: EncKrbPrivPart = asn1::decode(&plain).unwrap();
        assert_eq!(part.user_data.as_ref(), &data[..]);

        let other = Key::random(key.etype());
        assert!(matches!(
            read_krb_priv(&other, &msg),
            Err(AppMessageError::DecryptFailed { usage: 13, .. })
        ));
        let mut bad = msg.clone();
        let last = bad.len() - 1;
        bad[last] ^= 0x80;
        assert!(read_krb_priv(&key, &bad).is_err());
        // A key of another enctype.
        let wrong = if key.etype() == EncryptionType::Rc4Hmac {
            Key::random(EncryptionType::Aes128CtsHmacSha196)
        } else {
            Key::random(EncryptionType::Rc4Hmac)
        };
        assert!(matches!(
            read_krb_priv(&wrong, &msg),
            Err(AppMessageError::EtypeMismatch { .. })
        ));
    }
}

#[test]
fn messages_are_not_interchangeable() {
    let key = Key::random(EncryptionType::Aes256CtsHmacSha384192);
    let p = MessageParams::with_sequence(3);
    let safe = build_krb_safe(&key, b"x", &p).unwrap();
    let prv = build_krb_priv(&key, b"x", &p).unwrap();
    assert!(read_krb_priv(&key, &safe).is_err());
    assert!(read_krb_safe(&key, &prv).is_err());
    assert!(parse_krb_cred(&safe, Some(&key)).is_err());
}

#[test]
fn sequence_numbers_replay_and_gap() {
    let key = Key::random(EncryptionType::Aes128CtsHmacSha256128);
    let mut v = MessageVerifier::new(SKEW).expect_sequence(100);
    let m100 = build_krb_priv(&key, b"a", &MessageParams::with_sequence(100)).unwrap();
    let m101 = build_krb_safe(&key, b"b", &MessageParams::with_sequence(101)).unwrap();
    let m103 = build_krb_priv(&key, b"c", &MessageParams::with_sequence(103)).unwrap();
    v.read_priv(&key, &m100, now()).unwrap();
    // The same message again: replay.
    assert!(matches!(
        v.read_priv(&key, &m100, now()),
        Err(AppMessageError::Replay(_))
    ));
    v.read_safe(&key, &m101, now()).unwrap();
    assert!(matches!(
        v.read_safe(&key, &m101, now()),
        Err(AppMessageError::Replay(_))
    ));
    assert!(matches!(
        v.read_priv(&key, &m103, now()),
        Err(AppMessageError::SequenceGap {
            expected: 102,
            got: 103
        })
    ));
    // A failed check consumes nothing.
    assert_eq!(v.next_sequence(), Some(102));
    // Without a sequence number on a sequenced connection.
    let ts = build_krb_priv(&key, b"d", &MessageParams::with_timestamp(now())).unwrap();
    assert!(matches!(
        v.read_priv(&key, &ts, now()),
        Err(AppMessageError::MissingSequence)
    ));
    // Wrap-around.
    let mut v = MessageVerifier::new(SKEW).expect_sequence(u32::MAX);
    for seq in [u32::MAX, 0, 1] {
        let m = build_krb_priv(&key, b"w", &MessageParams::with_sequence(seq)).unwrap();
        v.read_priv(&key, &m, now()).unwrap();
    }
    // The first number is learnt when not given.
    let mut v = MessageVerifier::new(SKEW);
    let m = build_krb_priv(&key, b"a", &MessageParams::with_sequence(5000)).unwrap();
    v.read_priv(&key, &m, now()).unwrap();
    assert!(matches!(
        v.read_priv(&key, &m, now()),
        Err(AppMessageError::Replay(_))
    ));
}

#[test]
fn timestamps_skew_and_replay() {
    let key = Key::random(EncryptionType::Aes256CtsHmacSha196);
    let mut v = MessageVerifier::new(SKEW);
    let m = build_krb_safe(&key, b"a", &MessageParams::with_timestamp(now())).unwrap();
    v.read_safe(&key, &m, now()).unwrap();
    assert!(matches!(
        v.read_safe(&key, &m, now() + Duration::from_secs(1)),
        Err(AppMessageError::Replay(_))
    ));
    // Another microsecond: not a replay.
    let m2 = build_krb_safe(
        &key,
        b"a",
        &MessageParams::with_timestamp(now() + Duration::from_micros(1)),
    )
    .unwrap();
    v.read_safe(&key, &m2, now()).unwrap();
    // Too old / too new.
    let old = build_krb_safe(
        &key,
        b"a",
        &MessageParams::with_timestamp(now() - Duration::from_secs(301)),
    )
    .unwrap();
    assert!(matches!(
        v.read_safe(&key, &old, now()),
        Err(AppMessageError::ClockSkew { skew: 300, .. })
    ));
    let new = build_krb_priv(
        &key,
        b"a",
        &MessageParams::with_timestamp(now() + Duration::from_secs(400)),
    )
    .unwrap();
    assert!(matches!(
        v.read_priv(&key, &new, now()),
        Err(AppMessageError::ClockSkew { .. })
    ));
    // Neither timestamp nor sequence number.
    let bare = build_krb_safe(&key, b"a", &MessageParams::default()).unwrap();
    assert!(matches!(
        v.read_safe(&key, &bare, now()),
        Err(AppMessageError::NoTimestampOrSequence)
    ));
}

#[test]
fn addresses_are_checked_when_configured() {
    let key = Key::random(EncryptionType::Aes256CtsHmacSha196);
    let params = MessageParams {
        s_address: Some(ipv4([10, 0, 0, 1])),
        r_address: Some(ipv4([10, 0, 0, 2])),
        ..MessageParams::with_sequence(1)
    };
    let m = build_krb_priv(&key, b"a", &params).unwrap();
    let mut v = MessageVerifier::new(SKEW).remote_address(ipv4([10, 0, 0, 9]));
    assert!(matches!(
        v.read_priv(&key, &m, now()),
        Err(AppMessageError::AddressMismatch("sender"))
    ));
    let mut v = MessageVerifier::new(SKEW).local_address(ipv4([10, 0, 0, 9]));
    assert!(matches!(
        v.read_priv(&key, &m, now()),
        Err(AppMessageError::AddressMismatch("recipient"))
    ));
    let mut v = MessageVerifier::new(SKEW)
        .remote_address(ipv4([10, 0, 0, 1]))
        .local_address(ipv4([10, 0, 0, 2]));
    v.read_priv(&key, &m, now()).unwrap();
}

/// A ticket for `server` encrypted in `service_key`, and the credential holding it.
fn credential(server: &str, service_key: &Key, session: &Key, flags: u32) -> Credential {
    let client = Principal::parse("alice@EXAMPLE.TEST", None).unwrap();
    let server = Principal::parse(server, None).unwrap();
    let pname = |p: &Principal| PrincipalName {
        name_type: p.name_type,
        name_string: p
            .components
            .iter()
            .map(|c| c.clone().into())
            .collect::<Vec<_>>(),
    };
    let part = EncTicketPart {
        flags: TicketFlags::from_u32(flags),
        key: EncryptionKey::new(session.etype().id(), session.as_bytes().to_vec()),
        crealm: "EXAMPLE.TEST".into(),
        cname: pname(&client),
        transited: TransitedEncoding {
            tr_type: 1,
            contents: Vec::new().into(),
        },
        authtime: KerberosTime::from_unix(1_764_115_000),
        starttime: None,
        endtime: KerberosTime::from_unix(1_764_150_000),
        renew_till: None,
        caddr: None,
        authorization_data: None,
    };
    let cipher = service_key.encrypt(KeyUsage::KDC_REP_TICKET, &asn1::encode(&part).unwrap());
    let ticket = RawTicket::from_ticket(&Ticket {
        tkt_vno: 5,
        realm: "EXAMPLE.TEST".into(),
        sname: pname(&server),
        enc_part: EncryptedData::new(service_key.etype().id(), Some(2), cipher),
    })
    .unwrap();
    Credential {
        client,
        server,
        ticket: ticket.as_bytes().to_vec(),
        session_key: session.clone(),
        flags,
        auth_time: 1_764_115_000,
        start_time: 1_764_115_100,
        end_time: 1_764_150_000,
        renew_till: Some(1_764_700_000),
        kdc_offset: 0,
        enc_padata: Vec::new(),
    }
}

fn same(a: &Credential, b: &Credential) {
    assert_eq!(a.client, b.client);
    assert_eq!(a.server, b.server);
    assert_eq!(a.ticket, b.ticket);
    assert_eq!(a.session_key, b.session_key);
    assert_eq!(a.flags, b.flags);
    assert_eq!(a.auth_time, b.auth_time);
    assert_eq!(a.start_time, b.start_time);
    assert_eq!(a.end_time, b.end_time);
    assert_eq!(a.renew_till, b.renew_till);
}

#[test]
fn krb_cred_round_trip_encrypted_every_enctype() {
    let svc = Key::random(EncryptionType::Aes256CtsHmacSha196);
    for key in keys() {
        let tgt = credential(
            "krbtgt/EXAMPLE.TEST@EXAMPLE.TEST",
            &svc,
            &Key::random(key.etype()),
            0x6000_0000,
        );
        let http = credential("HTTP/web.example.test@EXAMPLE.TEST", &svc, &key, 0);
        let params = KrbCredParams {
            nonce: Some(42),
            timestamp: Some(now()),
            s_address: None,
            r_address: None,
        };
        let msg = build_krb_cred(&[tgt.clone(), http.clone()], Some(&key), &params).unwrap();
        let got = parse_krb_cred(&msg, Some(&key)).unwrap();
        assert!(got.encrypted);
        assert_eq!(got.nonce, Some(42));
        assert_eq!(got.timestamp, Some(1_764_115_200));
        assert_eq!(got.usec, Some(123_456));
        assert_eq!(got.credentials.len(), 2);
        same(&got.credentials[0], &tgt);
        same(&got.credentials[1], &http);
        let strict: KrbCred = asn1::decode(&msg).unwrap();
        assert_eq!(strict.enc_part.etype, key.etype().id());

        assert!(matches!(
            parse_krb_cred(&msg, None),
            Err(AppMessageError::KeyRequired(_))
        ));
        assert!(matches!(
            parse_krb_cred(&msg, Some(&Key::random(key.etype()))),
            Err(AppMessageError::DecryptFailed { usage: 14, .. })
        ));
    }
}

#[test]
fn krb_cred_unencrypted() {
    let svc = Key::random(EncryptionType::Aes128CtsHmacSha196);
    let tgt = credential(
        "krbtgt/EXAMPLE.TEST@EXAMPLE.TEST",
        &svc,
        &Key::random(EncryptionType::Aes256CtsHmacSha384192),
        0x5000_0000,
    );
    let msg = build_krb_cred(std::slice::from_ref(&tgt), None, &KrbCredParams::default()).unwrap();
    let strict: KrbCred = asn1::decode(&msg).unwrap();
    assert_eq!(strict.enc_part.etype, 0);
    for key in [None, Some(&svc)] {
        let got = parse_krb_cred(&msg, key).unwrap();
        assert!(!got.encrypted);
        assert_eq!(got.nonce, None);
        assert_eq!(got.timestamp, None);
        same(&got.credentials[0], &tgt);
    }
    // No credentials at all is a valid (if useless) message.
    let empty = build_krb_cred(&[], None, &KrbCredParams::default()).unwrap();
    assert!(parse_krb_cred(&empty, None).unwrap().credentials.is_empty());
}

#[test]
fn garbage_is_an_error() {
    let key = Key::random(EncryptionType::Aes256CtsHmacSha196);
    for bytes in [&b""[..], b"\x76\x00", b"\x74\x03\x30\x01\x00", &[0xff; 40]] {
        assert!(read_krb_safe(&key, bytes).is_err());
        assert!(read_krb_priv(&key, bytes).is_err());
        assert!(parse_krb_cred(bytes, Some(&key)).is_err());
    }
}
