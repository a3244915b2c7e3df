//! Behaviour of the Kerberos wire types: lenient decoding, strict encoding, UTF-8
//! names, integers, times, flags, raw tickets, typed PA-DATA, MS/KKDCP extensions.

use kerberos_client::asn1::{self, constants::*, *};

fn h(s: &str) -> Vec<u8> {
    hex::decode(s.replace(' ', "")).expect("hex")
}

fn enc<T: rasn::Encode>(v: &T) -> String {
    hex::encode(asn1::encode(v).expect("encode"))
}

// ---------------------------------------------------------------- integers

#[test]
fn kvno_msb_set_and_negative_round_trip() {
    // MIT encode_krb5_enc_data(MSB-set kvno) and (kvno=-1).
    let msb = "3026a003020100a1060204ff000000a21704156b726241534e2e312074657374206d657373616765";
    let neg = "3023a003020100a1030201ffa21704156b726241534e2e312074657374206d657373616765";
    let e: EncryptedData = asn1::decode(&h(msb)).unwrap();
    assert_eq!(e.kvno.unwrap().get(), 0xff00_0000);
    assert_eq!(enc(&e), msb);
    let e: EncryptedData = asn1::decode(&h(neg)).unwrap();
    assert_eq!(e.kvno.unwrap().get(), u32::MAX);
    assert_eq!(e.kvno.unwrap().as_i32(), -1);
    assert_eq!(enc(&e), neg);
}

#[test]
fn uint32_accepts_unsigned_five_bytes_and_encodes_signed() {
    let v: UInt32 = asn1::decode(&h("020500deadbeef")).unwrap();
    assert_eq!(v.get(), 0xdead_beef);
    assert_eq!(enc(&v), "0204deadbeef");
    let v: UInt32 = asn1::decode(&h("0204ff000000")).unwrap();
    assert_eq!(v.get(), 0xff00_0000);
    assert_eq!(enc(&UInt32(5)), "020105");
    assert_eq!(enc(&UInt32(0x7fff_ffff)), "02047fffffff");
    // Out of range either way.
    assert!(asn1::decode::<UInt32>(&h("02050100000000")).is_err());
    assert!(asn1::decode::<UInt32>(&h("0205ff7fffffff")).is_err());
    assert_eq!(UInt32::nonce(0xffff_ffff).get(), 0x7fff_ffff);
}

// ---------------------------------------------------------------- strings

#[test]
fn non_ascii_principals_round_trip() {
    for name in ["Łukasz", "Дмитрий", "日本", "Jürgen"] {
        let p = PrincipalName::new(name_type::NT_PRINCIPAL, &[name, "ДОМЕН.РФ"]);
        let der = asn1::encode(&p).unwrap();
        // GeneralString tag 0x1b followed by the raw UTF-8.
        let mut want = vec![0x1b, name.len() as u8];
        want.extend_from_slice(name.as_bytes());
        assert!(der.windows(want.len()).any(|w| w == want), "{name}");
        let back: PrincipalName = asn1::decode(&der).unwrap();
        assert_eq!(back, p);
        assert_eq!(back.name_string[0].as_str(), Some(name));
        assert_eq!(back.to_string_lossy(), format!("{name}/ДОМЕН.РФ"));
    }
    // Realm and salt too.
    let e = EtypeInfo2Entry {
        etype: etype::AES256_CTS_HMAC_SHA1_96,
        salt: Some("EXAMPLE.COMŁukasz".into()),
        s2kparams: None,
    };
    let back: EtypeInfo2Entry = asn1::decode(&asn1::encode(&e).unwrap()).unwrap();
    assert_eq!(back.salt.unwrap().as_str(), Some("EXAMPLE.COMŁukasz"));
}

#[test]
fn kerberos_string_invalid_utf8_is_kept() {
    let s: KerberosString = asn1::decode(&h("1b03ff8081")).unwrap();
    assert_eq!(s.as_str(), None);
    assert_eq!(s.as_bytes(), &[0xff, 0x80, 0x81]);
    assert_eq!(s.to_string_lossy(), "\u{fffd}\u{fffd}\u{fffd}");
    assert_eq!(enc(&s), "1b03ff8081");
}

// ---------------------------------------------------------------- time

#[test]
fn kerberos_time_whole_seconds() {
    assert_eq!(
        enc(&KerberosTime::from_unix(0)),
        "180f31393730303130313030303030305a"
    );
    let t: KerberosTime = asn1::decode(&h("180f31393934303631303036303331375a")).unwrap();
    assert_eq!(t.unix(), 771_228_197);
    assert_eq!(t.to_string(), "1994-06-10T06:03:17Z");
    // Fractions are accepted and truncated (BER fallback if DER rejects them).
    let frac = b"\x18\x1320261126010203.987Z";
    let t: KerberosTime = asn1::decode(frac).unwrap();
    assert_eq!(enc(&t), hex::encode(b"\x18\x0f20261126010203Z"));
    // AD's "never".
    let never = b"\x18\x0f99991231235959Z";
    let t: KerberosTime = asn1::decode(never).unwrap();
    assert_eq!(t, KerberosTime::NEVER);
    assert_eq!(enc(&t), hex::encode(never));
    // Leap seconds re-encode as received.
    let leap = b"\x18\x0f20161231235960Z";
    let t: KerberosTime = asn1::decode(leap).unwrap();
    assert!(t.is_leap_second());
    assert_eq!(enc(&t), hex::encode(leap));
    // SystemTime conversions truncate.
    let st = std::time::UNIX_EPOCH + std::time::Duration::from_millis(1_500);
    assert_eq!(KerberosTime::from(st).unix(), 1);
    assert_eq!(
        KerberosTime::from_unix(42).to_system_time(),
        Some(std::time::UNIX_EPOCH + std::time::Duration::from_secs(42))
    );
    // Out of range is an encode error, not a panic.
    assert!(asn1::encode(&KerberosTime::from_unix(i64::MAX)).is_err());
    assert!(asn1::encode(&KerberosTime::from_unix(-62_167_219_201)).is_err());
}

// ---------------------------------------------------------------- flags

#[test]
fn flags_use_rfc_bit_numbers_and_32_bits() {
    let o = KdcOptions::from_bits(&[
        KdcOptions::FORWARDABLE,
        KdcOptions::RENEWABLE,
        KdcOptions::CANONICALIZE,
        KdcOptions::RENEWABLE_OK,
    ]);
    // What Windows sends.
    assert_eq!(enc(&o), "03050040810010");
    assert_eq!(o.to_u32(), 0x4081_0010);
    assert_eq!(enc(&KdcOptions::empty()), "030500".to_string() + "00000000");
    // MIT's KDC_OPT_* values.
    assert_eq!(
        KdcOptions::empty().with(KdcOptions::FORWARDED).to_u32(),
        0x2000_0000
    );
    assert_eq!(
        KdcOptions::empty().with(KdcOptions::PROXIABLE).to_u32(),
        0x1000_0000
    );
    assert_eq!(
        KdcOptions::empty().with(KdcOptions::PROXY).to_u32(),
        0x0800_0000
    );
    assert_eq!(
        KdcOptions::empty()
            .with(KdcOptions::ALLOW_POSTDATE)
            .to_u32(),
        0x0400_0000
    );
    assert_eq!(
        KdcOptions::empty().with(KdcOptions::POSTDATED).to_u32(),
        0x0200_0000
    );
    assert_eq!(
        KdcOptions::empty()
            .with(KdcOptions::OPT_HARDWARE_AUTH)
            .to_u32(),
        0x0010_0000
    );
    assert_eq!(
        KdcOptions::empty()
            .with(KdcOptions::CNAME_IN_ADDL_TKT)
            .to_u32(),
        0x0002_0000
    );
    assert_eq!(
        KdcOptions::empty()
            .with(KdcOptions::REQUEST_ANONYMOUS)
            .to_u32(),
        0x0000_8000
    );
    assert_eq!(
        KdcOptions::empty()
            .with(KdcOptions::DISABLE_TRANSITED_CHECK)
            .to_u32(),
        0x20
    );
    assert_eq!(
        KdcOptions::empty()
            .with(KdcOptions::ENC_TKT_IN_SKEY)
            .to_u32(),
        0x8
    );
    assert_eq!(KdcOptions::empty().with(KdcOptions::RENEW).to_u32(), 0x2);
    assert_eq!(KdcOptions::empty().with(KdcOptions::VALIDATE).to_u32(), 0x1);
    // MIT's TKT_FLG_* values.
    let t = |b| TicketFlags::empty().with(b).to_u32();
    assert_eq!(t(TicketFlags::MAY_POSTDATE), 0x0400_0000);
    assert_eq!(t(TicketFlags::INVALID), 0x0100_0000);
    assert_eq!(t(TicketFlags::INITIAL), 0x0040_0000);
    assert_eq!(t(TicketFlags::PRE_AUTHENT), 0x0020_0000);
    assert_eq!(t(TicketFlags::HW_AUTHENT), 0x0010_0000);
    assert_eq!(t(TicketFlags::TRANSITED_POLICY_CHECKED), 0x0008_0000);
    assert_eq!(t(TicketFlags::OK_AS_DELEGATE), 0x0004_0000);
    assert_eq!(t(TicketFlags::ENC_PA_REP), 0x0001_0000);
    assert_eq!(t(TicketFlags::ANONYMOUS), 0x0000_8000);
    // AP options.
    assert_eq!(
        enc(&ApOptions::from_bits(&[ApOptions::MUTUAL_REQUIRED])),
        "03050020000000"
    );
    assert_eq!(
        enc(&ApOptions::from_bits(&[ApOptions::USE_SESSION_KEY])),
        "03050040000000"
    );
    // PAC options.
    let p = PaPacOptions {
        flags: PacOptionsFlags::from_bits(&[PacOptionsFlags::BRANCH_AWARE]),
    };
    assert_eq!(enc(&p), "3009a00703050040000000");
}

#[test]
fn flags_decode_any_length() {
    // 16 bits (seen from Windows), 8 bits, 0 bits, 40 bits.
    let o: KdcOptions = asn1::decode(&h("0303004081")).unwrap();
    assert_eq!(o.to_u32(), 0x4081_0000);
    assert!(o.is_set(KdcOptions::FORWARDABLE) && o.is_set(KdcOptions::RENEWABLE));
    let o: KdcOptions = asn1::decode(&h("03020140")).unwrap();
    assert_eq!(o.to_u32(), 0x4000_0000);
    let o: KdcOptions = asn1::decode(&h("030100")).unwrap();
    assert_eq!(o, KdcOptions::empty());
    let o: KdcOptions = asn1::decode(&h("0306004081001001")).unwrap();
    assert_eq!(o.to_u32(), 0x4081_0010);
    assert_eq!(enc(&o), "03050040810010");
    assert!(format!("{o:?}").contains("FORWARDABLE"));
}

// ---------------------------------------------------------------- messages

fn sample_ticket() -> Ticket {
    Ticket {
        tkt_vno: 5,
        realm: "EXAMPLE.COM".into(),
        sname: PrincipalName::new(name_type::NT_SRV_INST, &["krbtgt", "EXAMPLE.COM"]),
        enc_part: EncryptedData::new(
            etype::AES256_CTS_HMAC_SHA1_96,
            Some(0xff00_0002),
            vec![0xab; 40],
        ),
    }
}

fn sample_enc_part() -> EncKdcRepPart {
    EncKdcRepPart {
        key: EncryptionKey::new(18, vec![7; 32]),
        last_req: vec![LastReqEntry {
            lr_type: 0,
            lr_value: KerberosTime::from_unix(1_700_000_000),
        }],
        nonce: UInt32(0x1234_5678),
        key_expiration: None,
        flags: TicketFlags::from_bits(&[TicketFlags::INITIAL, TicketFlags::PRE_AUTHENT]),
        authtime: KerberosTime::from_unix(1_700_000_000),
        starttime: None,
        endtime: KerberosTime::from_unix(1_700_036_000),
        renew_till: None,
        srealm: "EXAMPLE.COM".into(),
        sname: PrincipalName::new(2, &["krbtgt", "EXAMPLE.COM"]),
        caddr: Some(vec![]),
        encrypted_pa_data: Some(vec![
            PaData::from_value(
                padata_type::PA_REQ_ENC_PA_REP,
                &Checksum::new(cksumtype::HMAC_SHA1_96_AES256, vec![1; 12]),
            )
            .unwrap(),
        ]),
        ext: Extensions::default(),
    }
}

#[test]
fn enc_kdc_rep_part_under_25_or_26() {
    let part = sample_enc_part();
    let as_der = asn1::encode(&EncAsRepPart(part.clone())).unwrap();
    let tgs_der = asn1::encode(&EncTgsRepPart(part.clone())).unwrap();
    assert_eq!(as_der[0], 0x79);
    assert_eq!(tgs_der[0], 0x7a);
    let (p, kind) = asn1::decode_enc_kdc_rep_part(&as_der).unwrap();
    assert_eq!((p, kind), (part.clone(), EncKdcRepPartKind::AsRep));
    let (p, kind) = asn1::decode_enc_kdc_rep_part(&tgs_der).unwrap();
    assert_eq!((p.clone(), kind), (part.clone(), EncKdcRepPartKind::TgsRep));
    assert!(asn1::decode_enc_kdc_rep_part(&[]).is_err());
    assert!(asn1::decode_enc_kdc_rep_part(&asn1::encode(&sample_ticket()).unwrap()).is_err());
    // encrypted-pa-data [12] and an empty caddr survive.
    assert_eq!(p.caddr, Some(vec![]));
    let pa = &p.encrypted_pa_data.as_ref().unwrap()[0];
    assert!(matches!(
        pa.typed(PaDirection::Reply).unwrap(),
        TypedPaData::ReqEncPaRep(_)
    ));
}

#[test]
fn unknown_trailing_fields_of_extensible_types_are_kept() {
    let part = sample_enc_part();
    let mut der = asn1::encode(&part).unwrap();
    // Append an unknown [13] INTEGER 7 to the SEQUENCE contents and fix the length.
    let extra = h("ad03020107");
    let (hdr, body) = split_seq(&der);
    let mut body = body.to_vec();
    body.extend_from_slice(&extra);
    der = seq(hdr, &body);
    let p: EncKdcRepPart = asn1::decode(&der).unwrap();
    assert_eq!(p.ext.0.len(), 1);
    assert_eq!(p.ext.0[0].as_bytes(), &extra[..]);
    assert_eq!(asn1::encode(&p).unwrap(), der, "unknown fields re-emitted");

    // FAST: KrbFastResponse with two unknown components.
    let resp = KrbFastResponse {
        padata: vec![PaData::new(padata_type::PA_FX_COOKIE, b"cookie".to_vec())],
        strengthen_key: None,
        finished: None,
        nonce: UInt32(42),
        ext: Extensions::default(),
    };
    let der = asn1::encode(&resp).unwrap();
    let (hdr, body) = split_seq(&der);
    let mut body = body.to_vec();
    body.extend_from_slice(&h("a4020500a5030101ff"));
    let der = seq(hdr, &body);
    let r: KrbFastResponse = asn1::decode(&der).unwrap();
    assert_eq!(r.ext.0.len(), 2);
    assert_eq!(asn1::encode(&r).unwrap(), der);
    // A non-extensible type still rejects extra components.
    let pn = asn1::encode(&PrincipalName::new(1, &["a"])).unwrap();
    let (hdr, body) = split_seq(&pn);
    let mut body = body.to_vec();
    body.extend_from_slice(&h("a203020107"));
    assert!(asn1::decode::<PrincipalName>(&seq(hdr, &body)).is_err());
}

/// Split a short-or-long-form SEQUENCE into (identifier, contents).
fn split_seq(der: &[u8]) -> (u8, &[u8]) {
    let id = der[0];
    let (len, off) = if der[1] < 0x80 {
        (der[1] as usize, 2)
    } else {
        let n = (der[1] & 0x7f) as usize;
        (
            der[2..2 + n]
                .iter()
                .fold(0usize, |a, b| a << 8 | *b as usize),
            2 + n,
        )
    };
    (id, &der[off..off + len])
}

fn seq(id: u8, body: &[u8]) -> Vec<u8> {
    let mut v = vec![id];
    if body.len() < 0x80 {
        v.push(body.len() as u8);
    } else if body.len() < 0x100 {
        v.extend_from_slice(&[0x81, body.len() as u8]);
    } else {
        v.extend_from_slice(&[0x82, (body.len() >> 8) as u8, body.len() as u8]);
    }
    v.extend_from_slice(body);
    v
}

#[test]
fn raw_ticket_bytes_are_forwarded_unchanged() {
    // A ticket with a non-minimal (long-form) length and an unsigned 5-byte kvno: both
    // would be normalised if re-encoded, but RawTicket keeps them.
    let t = asn1::encode(&sample_ticket()).unwrap();
    let (_, body) = split_seq(&t);
    let mut odd = vec![0x61, 0x81, body.len() as u8];
    odd.extend_from_slice(body);
    let raw = RawTicket::from_der(odd.clone()).unwrap();
    assert_eq!(raw.parse().unwrap(), sample_ticket());
    let rep = AsRep(KdcRep {
        pvno: 5,
        msg_type: msg_type::AS_REP,
        padata: Some(vec![PaData::new(655, vec![1, 2, 3])]),
        crealm: "EXAMPLE.COM".into(),
        cname: PrincipalName::new(1, &["alice"]),
        ticket: raw.clone(),
        enc_part: EncryptedData::new(18, None, vec![0; 16]),
    });
    let der = asn1::encode(&rep).unwrap();
    assert!(
        der.windows(odd.len()).any(|w| w == odd),
        "ticket bytes kept"
    );
    let back: AsRep = asn1::decode(&der).unwrap();
    assert_eq!(back.0.ticket.as_bytes(), &odd[..]);
    assert_eq!(asn1::encode(&back).unwrap(), der);
    // Unknown PA-DATA (Samba/Heimdal PA-GSS 655) stays raw.
    let pa = &back.0.padata.as_ref().unwrap()[0];
    assert_eq!(
        pa.typed(PaDirection::Reply).unwrap(),
        TypedPaData::Unknown {
            padata_type: 655,
            value: vec![1, 2, 3]
        }
    );
    // Not a ticket.
    assert!(RawTicket::from_der(vec![0x30, 0x00]).is_err());
    assert!(
        asn1::decode::<KrbCred>(&h("7616 3014 a003020105 a103020116 a2043002 3000 a3023000"))
            .is_err()
    );
}

#[test]
fn entra_style_ticket_etype_minus_one_without_kvno() {
    let t = Ticket {
        enc_part: EncryptedData::new(-1, None, vec![0x55; 8]),
        ..sample_ticket()
    };
    let der = asn1::encode(&t).unwrap();
    let back: Ticket = asn1::decode(&der).unwrap();
    assert_eq!(back.enc_part.etype, -1);
    assert_eq!(back.enc_part.kvno, None);
    assert!(hex::encode(&der).contains("a0030201ff"));
}

#[test]
fn as_req_construction() {
    let now = KerberosTime::from_unix(1_764_115_200);
    let body = KdcReqBody::new(
        KdcOptions::from_bits(&[1, 8, 15, 27]),
        "EXAMPLE.COM",
        now.add_secs(36_000),
        UInt32::nonce(0xdead_beef).get(),
        &[
            etype::AES256_CTS_HMAC_SHA1_96,
            etype::AES128_CTS_HMAC_SHA1_96,
            etype::RC4_HMAC,
        ],
    )
    .with_cname(PrincipalName::new(name_type::NT_PRINCIPAL, &["alice"]))
    .with_sname(PrincipalName::new(
        name_type::NT_SRV_INST,
        &["krbtgt", "EXAMPLE.COM"],
    ))
    .with_rtime(now.add_secs(7 * 86_400));
    let pac = PaData::from_value(
        padata_type::PA_PAC_REQUEST,
        &KerbPaPacRequest { include_pac: true },
    )
    .unwrap();
    assert_eq!(hex::encode(&pac.padata_value), "3005a0030101ff");
    let req = AsReq::new(Some(vec![pac]), body.clone());
    let der = asn1::encode(&req).unwrap();
    assert_eq!(der[0], 0x6a);
    let back: AsReq = asn1::decode(&der).unwrap();
    assert_eq!(back, req);
    // The body bytes for checksums are a sub-slice of the request.
    let body_der = req.0.req_body_der().unwrap();
    assert!(der.windows(body_der.len()).any(|w| w == body_der));
    assert!(
        hex::encode(&der).contains("a70602045eadbeef"),
        "nonce masked to 31 bits, signed"
    );
    // TGS-REQ with an additional ticket.
    let tkt = RawTicket::from_ticket(&sample_ticket()).unwrap();
    let tgs = TgsReq::new(None, body.with_additional_ticket(tkt.clone()));
    let back: TgsReq = asn1::decode(&asn1::encode(&tgs).unwrap()).unwrap();
    assert_eq!(back.0.req_body.additional_tickets, Some(vec![tkt]));
}

#[test]
fn kdc_reply_dispatch_and_errors() {
    let err = KrbError {
        pvno: 5,
        msg_type: msg_type::KRB_ERROR,
        ctime: None,
        cusec: None,
        stime: KerberosTime::from_unix(1_700_000_000),
        susec: 0,
        error_code: error_code::KDC_ERR_PREAUTH_REQUIRED,
        crealm: None,
        cname: None,
        realm: "EXAMPLE.COM".into(),
        sname: PrincipalName::new(2, &["krbtgt", "EXAMPLE.COM"]),
        e_text: None,
        e_data: Some(
            asn1::encode(&vec![
                PaData::new(padata_type::PA_ENC_TIMESTAMP, vec![]),
                PaData::from_value(
                    padata_type::PA_ETYPE_INFO2,
                    &vec![EtypeInfo2Entry {
                        etype: 18,
                        salt: Some("EXAMPLE.COMalice".into()),
                        s2kparams: None,
                    }],
                )
                .unwrap(),
            ])
            .unwrap()
            .into(),
        ),
    };
    let der = asn1::encode(&err).unwrap();
    let KdcReply::Error(e) = asn1::decode_kdc_reply(&der).unwrap() else {
        panic!("not an error")
    };
    assert_eq!(e.error_name(), "KDC_ERR_PREAUTH_REQUIRED");
    let md = e.method_data().unwrap().unwrap();
    assert_eq!(
        md[0].typed(PaDirection::Reply).unwrap(),
        TypedPaData::Empty(2)
    );
    let TypedPaData::EtypeInfo2(info) = md[1].typed(PaDirection::Reply).unwrap() else {
        panic!("etype-info2")
    };
    assert_eq!(info[0].salt.as_ref().unwrap(), "EXAMPLE.COMalice");
    assert_eq!(error_name(24), "KDC_ERR_PREAUTH_FAILED");
    assert_eq!(error_name(37), "KRB_AP_ERR_SKEW");
    assert_eq!(error_name(68), "KDC_ERR_WRONG_REALM");
    assert_eq!(error_name(12345), "UNKNOWN_ERROR");
    assert_eq!(
        error_description(6),
        "Client not found in Kerberos database"
    );
    assert_eq!(padata_type::name(655), Some("PA_GSS"));
    assert_eq!(padata_type::name(149), Some("PA_REQ_ENC_PA_REP"));
    assert_eq!(msg_type::name(30), Some("KRB_ERROR"));
    assert!(asn1::decode_kdc_reply(&[0x30, 0]).is_err());
    assert!(asn1::decode_kdc_reply(&[]).is_err());
}

#[test]
fn decode_rejects_trailing_bytes_and_accepts_ber() {
    let der = asn1::encode(&PrincipalName::new(1, &["a"])).unwrap();
    let mut extra = der.clone();
    extra.push(0);
    assert!(asn1::decode::<PrincipalName>(&extra).is_err());
    // Indefinite-length BER.
    let ber = h("3080 a0030201 01 a1 80 3080 1b0161 0000 0000 0000");
    let p: PrincipalName = asn1::decode(&ber).unwrap();
    assert_eq!(p, PrincipalName::new(1, &["a"]));
    assert!(asn1::decode_der::<PrincipalName>(&ber).is_err());
}

// ---------------------------------------------------------------- typed PA-DATA

#[test]
fn typed_padata_round_trips() {
    let ck = Checksum::new(cksumtype::HMAC_MD5, vec![9; 16]);
    let values = vec![
        (
            PaDirection::Request,
            TypedPaData::EncTimestamp(EncryptedData::new(18, None, vec![1; 20])),
        ),
        (
            PaDirection::Reply,
            TypedPaData::PwSalt(b"salt\xff".to_vec()),
        ),
        (
            PaDirection::Reply,
            TypedPaData::EtypeInfo(vec![EtypeInfoEntry {
                etype: 23,
                salt: None,
            }]),
        ),
        (
            PaDirection::Request,
            TypedPaData::PacRequest(KerbPaPacRequest { include_pac: false }),
        ),
        (
            PaDirection::Request,
            TypedPaData::ForUser(Box::new(PaForUser {
                user_name: PrincipalName::new(name_type::NT_ENTERPRISE, &["łukasz@example.com"]),
                user_realm: "EXAMPLE.COM".into(),
                cksum: ck.clone(),
                auth_package: "Kerberos".into(),
            })),
        ),
        (
            PaDirection::Request,
            TypedPaData::S4uX509User(Box::new(PaS4uX509User {
                user_id: S4uUserId {
                    nonce: UInt32(0x8000_0001),
                    cname: Some(PrincipalName::new(1, &["bob"])),
                    crealm: "EXAMPLE.COM".into(),
                    subject_certificate: None,
                    options: Some(S4uOptions::from_bits(&[S4uOptions::SIGNED_WITH_KUN_27])),
                    ext: Extensions::default(),
                },
                checksum: ck.clone(),
                ext: Extensions::default(),
            })),
        ),
        (
            PaDirection::Reply,
            TypedPaData::FxCookie(b"opaque".to_vec()),
        ),
        (
            PaDirection::Request,
            TypedPaData::AuthenticationSet(vec![PaAuthenticationSetElem {
                pa_type: 138,
                pa_hint: None,
                pa_value: Some(vec![1].into()),
                ext: Extensions::default(),
            }]),
        ),
        (
            PaDirection::Request,
            TypedPaData::FxFastRequest(Box::new(PaFxFastRequest::ArmoredData(KrbFastArmoredReq {
                armor: Some(KrbFastArmor {
                    armor_type: armor_type::FX_FAST_ARMOR_AP_REQUEST,
                    armor_value: vec![0x6e, 0].into(),
                    ext: Extensions::default(),
                }),
                req_checksum: ck.clone(),
                enc_fast_req: EncryptedData::new(18, None, vec![2; 30]),
                ext: Extensions::default(),
            }))),
        ),
        (
            PaDirection::Reply,
            TypedPaData::FxFastReply(Box::new(PaFxFastReply::ArmoredData(KrbFastArmoredRep {
                enc_fast_rep: EncryptedData::new(18, None, vec![3; 30]),
                ext: Extensions::default(),
            }))),
        ),
        (
            PaDirection::Request,
            TypedPaData::EncryptedChallenge(EncryptedData::new(18, None, vec![4; 30])),
        ),
        (PaDirection::Reply, TypedPaData::ReqEncPaRep(ck.clone())),
        (PaDirection::Request, TypedPaData::KeyListReq(vec![23, 18])),
        (
            PaDirection::Reply,
            TypedPaData::KeyListRep(vec![EncryptionKey::new(23, vec![5; 16])]),
        ),
        (PaDirection::Reply, TypedPaData::SupportedEnctypes(0x1f)),
        (
            PaDirection::Request,
            TypedPaData::PacOptions(PaPacOptions {
                flags: PacOptionsFlags::from_bits(&[
                    PacOptionsFlags::CLAIMS,
                    PacOptionsFlags::RESOURCE_BASED_CONSTRAINED_DELEGATION,
                ]),
            }),
        ),
        (
            PaDirection::Request,
            TypedPaData::Empty(padata_type::PA_REQ_ENC_PA_REP),
        ),
        (
            PaDirection::Reply,
            TypedPaData::Unknown {
                padata_type: 150,
                value: vec![0x42],
            },
        ),
    ];
    for (dir, v) in values {
        let pa = v.to_padata().unwrap();
        assert_eq!(pa.padata_type, v.padata_type());
        let back = pa.typed(dir).unwrap();
        assert_eq!(back, v, "{}", pa.padata_type);
        let der = asn1::encode(&pa).unwrap();
        assert_eq!(asn1::decode::<PaData>(&der).unwrap(), pa);
    }
    assert_eq!(supported_enctypes::encode(0x1c), [0x1c, 0, 0, 0]);
    assert_eq!(
        supported_enctypes::decode(&[0x1c, 0, 1, 0]).unwrap(),
        0x1_001c
    );
    assert!(supported_enctypes::decode(&[1, 2, 3]).is_err());
    assert!(PaData::new(165, vec![1]).typed(PaDirection::Reply).is_err());
}

#[test]
fn ms_kile_types() {
    let e = KerbErrorData {
        data_type: kerb_error_data_type::KERB_ERR_TYPE_EXTENDED,
        data_value: Some(
            KerbExtError {
                status: 0xc000_006e,
                reserved: 0,
                flags: 1,
            }
            .to_bytes()
            .to_vec()
            .into(),
        ),
    };
    let der = asn1::encode(&e).unwrap();
    assert_eq!(
        hex::encode(&der),
        "3015a103020103a20e040c6e0000c00000000001000000"
    );
    let back: KerbErrorData = asn1::decode(&der).unwrap();
    let ext = KerbExtError::from_bytes(back.data_value.as_deref().unwrap()).unwrap();
    assert_eq!(ext.status, 0xc000_006e);
    assert!(KerbExtError::from_bytes(&[0; 11]).is_err());

    let r = vec![KerbAdRestrictionEntry {
        restriction_type: 0,
        restriction: vec![0; 40].into(),
    }];
    let back: KerbAdRestrictionEntries = asn1::decode(&asn1::encode(&r).unwrap()).unwrap();
    assert_eq!(back, r);

    let f = PaForUser {
        user_name: PrincipalName::new(10, &["u"]),
        user_realm: "R".into(),
        cksum: Checksum::new(-138, vec![]),
        auth_package: "Kerberos".into(),
    };
    assert_eq!(f.checksum_input(), b"\x0a\x00\x00\x00uRKerberos");
}

#[test]
fn kkdcp_wrap_unwrap() {
    let inner = asn1::encode(&AsReq::new(
        None,
        KdcReqBody::new(
            KdcOptions::empty(),
            "R",
            KerberosTime::from_unix(0),
            1,
            &[18],
        ),
    ))
    .unwrap();
    let m = KdcProxyMessage::wrap(&inner, Some("EXAMPLE.COM".into())).unwrap();
    let der = asn1::encode(&m).unwrap();
    let back: KdcProxyMessage = asn1::decode(&der).unwrap();
    assert_eq!(back.unwrap_message().unwrap(), &inner[..]);
    assert_eq!(back.target_domain.as_ref().unwrap(), "EXAMPLE.COM");
    // MS-KKDCP: length prefix is 4-byte big-endian.
    assert_eq!(&back.kerb_message[..4], &(inner.len() as u32).to_be_bytes());
    let bad = KdcProxyMessage {
        kerb_message: vec![0, 0, 0, 9, 1].into(),
        target_domain: None,
        dclocator_hint: Some(0),
    };
    assert!(bad.unwrap_message().is_err());
    let short = KdcProxyMessage {
        kerb_message: vec![0, 0].into(),
        target_domain: None,
        dclocator_hint: None,
    };
    assert!(short.unwrap_message().is_err());
}

#[test]
fn ber_boolean_true_01_is_accepted() {
    // DER requires 0xff for TRUE; a sloppy peer's 0x01 decodes through the BER fallback.
    let p: KerbPaPacRequest = asn1::decode(&h("3005a003010101")).unwrap();
    assert!(p.include_pac);
    assert!(asn1::decode_der::<KerbPaPacRequest>(&h("3005a003010101")).is_err());
    assert_eq!(enc(&p), "3005a0030101ff");
}

#[test]
fn authenticator_and_timestamp_constructors() {
    let mut a = Authenticator::new(
        "EXAMPLE.COM",
        PrincipalName::new(1, &["alice"]),
        KerberosTime::from_unix(1_700_000_000),
        123_456,
    );
    a.seq_number = Some(UInt32(0x8000_0000));
    a.subkey = Some(EncryptionKey::new(18, vec![1; 32]));
    let der = asn1::encode(&a).unwrap();
    assert_eq!(der[0], 0x62);
    let back: Authenticator = asn1::decode(&der).unwrap();
    assert_eq!(back, a);
    assert!(
        !format!("{back:?}").contains("1, 1, 1"),
        "key bytes are redacted"
    );
    let ts = PaEncTsEnc::new(KerberosTime::from_unix(0), Some(5));
    assert_eq!(
        enc(&ts),
        "3018a011180f31393730303130313030303030305aa103020105"
    );
}
