//! Property tests: keytabs round-trip through the file format, and damaged files never
//! panic. (No KDC needed.)

use kerberos_client::keytab::{KeyBlock, Keytab, KeytabEntry, KeytabVersion};
use kerberos_client::principal::Principal;
use proptest::prelude::*;

fn bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 0..max)
}

fn keytab() -> impl Strategy<Value = Keytab> {
    prop_oneof![Just(KeytabVersion::V1), Just(KeytabVersion::V2)].prop_flat_map(|version| {
        let v1 = version == KeytabVersion::V1;
        proptest::collection::vec(
            (
                any::<i32>(),
                bytes(20),
                proptest::collection::vec(bytes(12), 0..4),
                any::<u32>(),
                // kvno 0 cannot be told apart from "no 32-bit kvno" and is not used.
                prop_oneof![1u32..=255, 256u32..],
                any::<i16>(),
                bytes(40),
            )
                .prop_map(move |(nt, realm, components, ts, kvno, et, key)| {
                    KeytabEntry::new(
                        Principal {
                            name_type: if v1 { 0 } else { nt },
                            realm,
                            components,
                        },
                        kvno,
                        KeyBlock::new(i32::from(et), key),
                        ts,
                    )
                }),
            0..5,
        )
        .prop_map(move |entries| Keytab {
            version,
            entries,
            trailing_holes: Vec::new(),
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn round_trip(kt in keytab()) {
        let bytes = kt.to_bytes().unwrap();
        let back = Keytab::parse(&bytes).unwrap();
        prop_assert_eq!(&back, &kt);
        prop_assert_eq!(back.to_bytes().unwrap(), bytes);
    }

    #[test]
    fn damage_never_panics(kt in keytab(), cut in any::<prop::sample::Index>(),
                           flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..4)) {
        let mut bytes = kt.to_bytes().unwrap();
        for (i, b) in flips {
            let i = i.index(bytes.len());
            bytes[i] = b;
        }
        let n = cut.index(bytes.len() + 1);
        if let Ok(parsed) = Keytab::parse(&bytes[..n]) {
            let again = parsed.to_bytes().unwrap();
            prop_assert_eq!(Keytab::parse(&again).unwrap(), parsed);
        }
    }
}
