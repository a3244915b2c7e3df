//! Every decoder returns an error, never panics, on truncated or corrupted input; and
//! whatever decodes re-encodes without error.

use kerberos_client::asn1::{self, *};
use proptest::prelude::*;

/// Decode as `T`; if that works, encoding must work too.
fn check<T: rasn::Decode + rasn::Encode>(data: &[u8]) {
    if let Ok(v) = asn1::decode::<T>(data) {
        asn1::encode(&v).expect("decoded value must re-encode");
    }
}

fn check_all(data: &[u8]) {
    check::<AsReq>(data);
    check::<TgsReq>(data);
    check::<KdcReqBody>(data);
    check::<AsRep>(data);
    check::<TgsRep>(data);
    check::<KrbError>(data);
    check::<ApReq>(data);
    check::<ApRep>(data);
    check::<KrbCred>(data);
    check::<KrbSafe>(data);
    check::<KrbPriv>(data);
    check::<Ticket>(data);
    check::<EncTicketPart>(data);
    check::<EncAsRepPart>(data);
    check::<EncTgsRepPart>(data);
    check::<Authenticator>(data);
    check::<EncApRepPart>(data);
    check::<EncKrbPrivPart>(data);
    check::<EncKrbCredPart>(data);
    check::<MethodData>(data);
    check::<TypedData>(data);
    check::<EtypeInfo2>(data);
    check::<EtypeInfo>(data);
    check::<PaEncTsEnc>(data);
    check::<PaFxFastRequest>(data);
    check::<PaFxFastReply>(data);
    check::<KrbFastReq>(data);
    check::<KrbFastResponse>(data);
    check::<PaForUser>(data);
    check::<PaS4uX509User>(data);
    check::<KdcProxyMessage>(data);
    check::<KerbErrorData>(data);
    check::<AdCammac>(data);
    check::<KerberosTime>(data);
    check::<KdcOptions>(data);
    check::<UInt32>(data);
    check::<KerberosString>(data);
    let _ = asn1::decode_enc_kdc_rep_part(data);
    let _ = asn1::decode_kdc_reply(data);
    if let Ok(t) = RawTicket::from_der(data.to_vec()) {
        let _ = t.parse();
    }
    for t in [
        1, 2, 3, 11, 19, 128, 129, 130, 133, 134, 136, 138, 149, 161, 162, 165, 167, 655,
    ] {
        for dir in [PaDirection::Request, PaDirection::Reply] {
            if let Ok(v) = PaData::new(t, data.to_vec()).typed(dir) {
                v.to_padata().expect("typed PA-DATA must re-encode");
            }
        }
    }
}

/// Seeds: MIT krb5 reference encodings (public test vectors).
const SEEDS: &[&str] = &[
    // encode_krb5_as_rep
    "6b81ea3081e7a003020105a10302010ba22630243010a10302010da209040770612d646174613010a10302010da209040770612d64617461a3101b0e415448454e412e4d49542e454455a41a3018a003020101a111300f1b066866747361691b056578747261a55e615c305aa003020105a1101b0e415448454e412e4d49542e454455a21a3018a003020101a111300f1b066866747361691b056578747261a3253023a003020100a103020105a21704156b726241534e2e312074657374206d657373616765a6253023a003020100a103020105a21704156b726241534e2e312074657374206d657373616765",
    // encode_krb5_tgs_req
    "6c8201e4308201e0a103020105a20302010ca32630243010a10302010da209040770612d646174613010a10302010da209040770612d64617461a48201aa308201a6a007030500fedcba90a11a3018a003020101a111300f1b066866747361691b056578747261a2101b0e415448454e412e4d49542e454455a31a3018a003020101a111300f1b066866747361691b056578747261a411180f31393934303631303036303331375aa511180f31393934303631303036303331375aa611180f31393934303631303036303331375aa70302012aa8083006020100020101a920301e300da003020102a106040412d00023300da003020102a106040412d00023aa253023a003020100a103020105a21704156b726241534e2e312074657374206d657373616765ab81bf3081bc615c305aa003020105a1101b0e415448454e412e4d49542e454455a21a3018a003020101a111300f1b066866747361691b056578747261a3253023a003020100a103020105a21704156b726241534e2e312074657374206d657373616765615c305aa003020105a1101b0e415448454e412e4d49542e454455a21a3018a003020101a111300f1b066866747361691b056578747261a3253023a003020100a103020105a21704156b726241534e2e312074657374206d657373616765",
    // encode_krb5_error
    "7e81ba3081b7a003020105a10302011ea211180f31393934303631303036303331375aa305020301e240a411180f31393934303631303036303331375aa505020301e240a60302013ca7101b0e415448454e412e4d49542e454455a81a3018a003020101a111300f1b066866747361691b056578747261a9101b0e415448454e412e4d49542e454455aa1a3018a003020101a111300f1b066866747361691b056578747261ab0a1b086b72623564617461ac0a04086b72623564617461",
    // encode_krb5_enc_data(MSB-set kvno)
    "3026a003020100a1060204ff000000a21704156b726241534e2e312074657374206d657373616765",
    // encode_krb5_kkdcp_message
    "308201fca08201ec048201e86a8201e4308201e0a103020105a20302010aa32630243010a10302010da209040770612d646174613010a10302010da209040770612d64617461a48201aa308201a6a007030500fedcba98a11a3018a003020101a111300f1b066866747361691b056578747261a2101b0e415448454e412e4d49542e454455a31a3018a003020101a111300f1b066866747361691b056578747261a411180f31393934303631303036303331375aa511180f31393934303631303036303331375aa611180f31393934303631303036303331375aa70302012aa8083006020100020101a920301e300da003020102a106040412d00023300da003020102a106040412d00023aa253023a003020100a103020105a21704156b726241534e2e312074657374206d657373616765ab81bf3081bc615c305aa003020105a1101b0e415448454e412e4d49542e454455a21a3018a003020101a111300f1b066866747361691b056578747261a3253023a003020100a103020105a21704156b726241534e2e312074657374206d657373616765615c305aa003020105a1101b0e415448454e412e4d49542e454455a21a3018a003020101a111300f1b066866747361691b056578747261a3253023a003020100a103020105a21704156b726241534e2e312074657374206d657373616765a10a1b086b72623564617461",
    // encode_krb5_pa_fx_fast_reply
    "a0293027a0253023a003020100a103020105a21704156b726241534e2e312074657374206d657373616765",
    // encode_krb5_pa_s4u_x509_user
    "3068a0553053a006020400ca149aa11a3018a003020101a111300f1b066866747361691b056578747261a2101b0e415448454e412e4d49542e454455a312041070615f7334755f783530395f75736572a40703050080000000a10f300da003020101a106040431323334",
    // encode_krb5_enc_kdc_rep_part
    "7a82010e3082010aa0133011a003020101a10a04083132333435363738a13630343018a0030201fba111180f31393934303631303036303331375a3018a0030201fba111180f31393934303631303036303331375aa20302012aa311180f31393934303631303036303331375aa407030500fedcba98a511180f31393934303631303036303331375aa611180f31393934303631303036303331375aa711180f31393934303631303036303331375aa811180f31393934303631303036303331375aa9101b0e415448454e412e4d49542e454455aa1a3018a003020101a111300f1b066866747361691b056578747261ab20301e300da003020102a106040412d00023300da003020102a106040412d00023",
    // encode_krb5_cred
    "7681f63081f3a003020105a103020116a281bf3081bc615c305aa003020105a1101b0e415448454e412e4d49542e454455a21a3018a003020101a111300f1b066866747361691b056578747261a3253023a003020100a103020105a21704156b726241534e2e312074657374206d657373616765615c305aa003020105a1101b0e415448454e412e4d49542e454455a21a3018a003020101a111300f1b066866747361691b056578747261a3253023a003020100a103020105a21704156b726241534e2e312074657374206d657373616765a3253023a003020100a103020105a21704156b726241534e2e312074657374206d657373616765",
    // encode_krb5_ap_req
    "6e819d30819aa003020105a10302010ea207030500fedcba98a35e615c305aa003020105a1101b0e415448454e412e4d49542e454455a21a3018a003020101a111300f1b066866747361691b056578747261a3253023a003020100a103020105a21704156b726241534e2e312074657374206d657373616765a4253023a003020100a103020105a21704156b726241534e2e312074657374206d657373616765",
];

fn seeds() -> Vec<Vec<u8>> {
    SEEDS.iter().filter_map(|s| hex::decode(s).ok()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn truncated_input_never_panics(seed in 0usize..SEEDS.len(), cut in 0usize..600) {
        let s = &seeds()[seed];
        let cut = cut.min(s.len());
        check_all(&s[..cut]);
    }

    #[test]
    fn corrupted_input_never_panics(
        seed in 0usize..SEEDS.len(),
        edits in proptest::collection::vec((0usize..600, any::<u8>()), 1..6),
    ) {
        let mut s = seeds()[seed].clone();
        for (pos, byte) in edits {
            let len = s.len();
            s[pos % len] = byte;
        }
        check_all(&s);
    }

    #[test]
    fn random_input_never_panics(data in proptest::collection::vec(any::<u8>(), 0..300)) {
        check_all(&data);
    }
}

#[test]
fn every_prefix_of_every_seed() {
    for s in seeds() {
        for cut in 0..=s.len() {
            check_all(&s[..cut]);
        }
    }
}

proptest! {
    /// The hand-formatted KerberosTime encoding equals rasn's GeneralizedTime encoding
    /// (via chrono) for every second in years 0000..=9999, and decodes back.
    #[test]
    fn kerberos_time_encoding_matches_chrono(secs in -62_167_219_200i64..=253_402_300_799i64) {
        let ours = asn1::encode(&KerberosTime::from_unix(secs)).expect("encode");
        let t = chrono::DateTime::from_timestamp(secs, 0).expect("in range").fixed_offset();
        let theirs = rasn::der::encode(&t).expect("encode");
        prop_assert_eq!(&ours, &theirs);
        prop_assert_eq!(asn1::decode::<KerberosTime>(&ours).expect("decode").unix(), secs);
    }
}

#[test]
fn kerberos_time_edges() {
    for secs in [
        -62_167_219_200i64,
        -62_135_596_800,
        -1,
        0,
        951_782_400,
        4_107_542_400,
        253_402_300_799,
    ] {
        let ours = asn1::encode(&KerberosTime::from_unix(secs)).expect("encode");
        let t = chrono::DateTime::from_timestamp(secs, 0)
            .expect("in range")
            .fixed_offset();
        assert_eq!(ours, rasn::der::encode(&t).expect("encode"), "{secs}");
    }
}
