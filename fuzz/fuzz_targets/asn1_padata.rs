//! Fuzz every typed PA-DATA decoder: the first two bytes pick the padata-type (and
//! direction), the rest is the value. Also METHOD-DATA and KRB-ERROR e-data shapes.
#![no_main]

use kerberos_client::asn1::{self, KerbErrorData, MethodData, PaData, PaDirection, TypedData};
use libfuzzer_sys::fuzz_target;

const TYPES: &[i32] = &[
    1, 2, 3, 11, 19, 128, 129, 130, 133, 134, 136, 138, 149, 161, 162, 165, 167, 655,
];

fuzz_target!(|data: &[u8]| {
    let Some((&sel, value)) = data.split_first() else {
        return;
    };
    let t = TYPES[usize::from(sel) % TYPES.len()];
    let dir = if sel & 0x80 == 0 { PaDirection::Request } else { PaDirection::Reply };
    let pa = PaData::new(t, value.to_vec());
    if let Ok(typed) = pa.typed(dir) {
        let back = typed.to_padata().expect("typed PA-DATA must re-encode");
        assert_eq!(back.typed(dir).expect("re-encoding must decode"), typed);
    }
    if let Ok(md) = asn1::decode::<MethodData>(data) {
        asn1::encode(&md).expect("re-encode");
        for pa in &md {
            let _ = pa.typed(PaDirection::Reply);
        }
    }
    if let Ok(td) = asn1::decode::<TypedData>(data) {
        asn1::encode(&td).expect("re-encode");
    }
    if let Ok(ed) = asn1::decode::<KerbErrorData>(data) {
        asn1::encode(&ed).expect("re-encode");
    }
});
