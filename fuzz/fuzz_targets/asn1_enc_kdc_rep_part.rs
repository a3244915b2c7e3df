//! Fuzz the decrypted KDC reply part (APPLICATION 25 or 26), plus the other decrypted
//! parts a client parses: decoding must not panic; whatever decodes must re-encode.
#![no_main]

use kerberos_client::asn1::{self, EncApRepPart, EncAsRepPart, EncKrbCredPart, EncKrbPrivPart, EncTgsRepPart, EncKdcRepPartKind, KrbFastResponse};
use libfuzzer_sys::fuzz_target;

fn check<T: asn1::Decode + asn1::Encode + PartialEq + core::fmt::Debug>(data: &[u8]) {
    if let Ok(v) = asn1::decode::<T>(data) {
        let out = asn1::encode(&v).expect("decoded value must re-encode");
        assert_eq!(asn1::decode::<T>(&out).expect("re-encoding must decode"), v);
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok((part, kind)) = asn1::decode_enc_kdc_rep_part(data) {
        let out = match kind {
            EncKdcRepPartKind::AsRep => asn1::encode(&EncAsRepPart(part)),
            EncKdcRepPartKind::TgsRep => asn1::encode(&EncTgsRepPart(part)),
        };
        out.expect("decoded value must re-encode");
    }
    check::<EncApRepPart>(data);
    check::<EncKrbCredPart>(data);
    check::<EncKrbPrivPart>(data);
    check::<KrbFastResponse>(data);
});
