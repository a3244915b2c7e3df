//! Property tests: any cache the model can express round-trips through the file format, and
//! damaged files never panic. (No KDC needed.)

use kerberos_client::ccache::{
    Address, AuthData, CcacheVersion, Credential, CredentialCache, HeaderField, KeyBlock,
    TicketFlags, Times,
};
use kerberos_client::principal::Principal;
use proptest::prelude::*;

fn bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 0..max)
}

fn principal(v1: bool) -> impl Strategy<Value = Principal> {
    (
        any::<i32>(),
        bytes(20),
        proptest::collection::vec(bytes(12), 0..4),
    )
        .prop_map(move |(nt, realm, comps)| Principal {
            name_type: if v1 { 0 } else { nt },
            realm,
            components: comps,
        })
}

fn credential(v1: bool) -> impl Strategy<Value = Credential> {
    (
        (principal(v1), principal(v1)),
        (any::<i16>(), bytes(40)),
        any::<[u32; 4]>(),
        (any::<bool>(), any::<u32>()),
        proptest::collection::vec((any::<i16>(), bytes(16)), 0..3),
        proptest::collection::vec((any::<i16>(), bytes(16)), 0..3),
        (bytes(300), bytes(40)),
    )
        .prop_map(
            |((client, server), (et, key), t, (is_skey, flags), addrs, ads, (tkt, tkt2))| {
                Credential {
                    client,
                    server,
                    key: KeyBlock::new(i32::from(et), key),
                    times: Times {
                        authtime: t[0],
                        starttime: t[1],
                        endtime: t[2],
                        renew_till: t[3],
                    },
                    is_skey,
                    flags: TicketFlags(flags),
                    addresses: addrs
                        .into_iter()
                        .map(|(t, a)| Address {
                            addr_type: i32::from(t),
                            address: a,
                        })
                        .collect(),
                    authdata: ads
                        .into_iter()
                        .map(|(t, d)| AuthData {
                            ad_type: i32::from(t),
                            data: d,
                        })
                        .collect(),
                    ticket: tkt,
                    second_ticket: tkt2,
                }
            },
        )
}

fn cache() -> impl Strategy<Value = CredentialCache> {
    prop_oneof![
        Just(CcacheVersion::V1),
        Just(CcacheVersion::V2),
        Just(CcacheVersion::V3),
        Just(CcacheVersion::V4)
    ]
    .prop_flat_map(|version| {
        let v1 = version == CcacheVersion::V1;
        let v4 = version == CcacheVersion::V4;
        (
            principal(v1),
            proptest::collection::vec(credential(v1), 0..4),
            proptest::option::of(any::<(i32, i32)>()),
            proptest::collection::vec(
                ((2u16..), bytes(10)).prop_map(|(tag, value)| HeaderField { tag, value }),
                0..3,
            ),
        )
            .prop_map(move |(p, creds, off, extra)| {
                let mut cc = CredentialCache::with_version(p, version);
                cc.credentials = creds;
                if v4 {
                    cc.kdc_offset = off;
                    cc.other_header_fields = extra;
                }
                cc
            })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn round_trip(cc in cache()) {
        let bytes = cc.to_bytes().unwrap();
        let back = CredentialCache::parse(&bytes).unwrap();
        prop_assert_eq!(&back, &cc);
        prop_assert_eq!(back.to_bytes().unwrap(), bytes);
    }

    #[test]
    fn damage_never_panics(cc in cache(), cut in any::<prop::sample::Index>(),
                           flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..4)) {
        let mut bytes = cc.to_bytes().unwrap();
        for (i, b) in flips {
            let i = i.index(bytes.len());
            bytes[i] = b;
        }
        let n = cut.index(bytes.len() + 1);
        if let Ok(parsed) = CredentialCache::parse(&bytes[..n]) {
            let again = parsed.to_bytes().unwrap();
            prop_assert_eq!(CredentialCache::parse(&again).unwrap(), parsed);
        }
    }
}
