//! `KerberosFlags ::= BIT STRING (SIZE (32..MAX))` with RFC 4120 bit numbering.
//!
//! Bit 0 is the most significant bit of the first content octet. Encoding always emits 32
//! bits (`03 05 00 xx xx xx xx`); decoding accepts any length (shorter strings are
//! zero-padded, bits past 31 are ignored) and ignores the unused-bits count.

use core::fmt;

use rasn::prelude::*;

fn decode_flags<D: Decoder>(decoder: &mut D, tag: Tag) -> Result<u32, D::Error> {
    let bits = decoder.decode_bit_string(tag, &Constraints::default())?;
    let mut v = 0u32;
    for (i, bit) in bits.iter().take(32).enumerate() {
        if *bit {
            v |= 0x8000_0000 >> i;
        }
    }
    Ok(v)
}

fn encode_flags<'b, E: Encoder<'b>>(
    encoder: &mut E,
    tag: Tag,
    v: u32,
    identifier: Identifier,
) -> Result<(), E::Error> {
    let bytes = v.to_be_bytes();
    let bits = rasn::types::BitStr::from_slice(&bytes);
    encoder
        .encode_bit_string(tag, &Constraints::default(), bits, identifier)
        .map(drop)
}

macro_rules! flags_type {
    ($(#[$m:meta])* $name:ident { $($(#[$cm:meta])* $c:ident = $n:expr;)* }) => {
        $(#[$m])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
        pub struct $name(u32);

        impl $name {
            $($(#[$cm])* pub const $c: u8 = $n;)*

            /// No bits set.
            pub const fn empty() -> Self { Self(0) }
            /// From the 32-bit value (bit 0 = MSB).
            pub const fn from_u32(v: u32) -> Self { Self(v) }
            /// The 32-bit value (bit 0 = MSB).
            pub const fn to_u32(self) -> u32 { self.0 }
            /// From a list of RFC bit numbers (numbers above 31 are ignored).
            pub const fn from_bits(bits: &[u8]) -> Self {
                let mut v = Self(0);
                let mut rest = bits;
                while let [first, tail @ ..] = rest {
                    v = v.with(*first);
                    rest = tail;
                }
                v
            }
            /// Is RFC bit `bit` set?
            pub const fn is_set(self, bit: u8) -> bool {
                bit < 32 && self.0 & (0x8000_0000u32 >> bit) != 0
            }
            /// This value with RFC bit `bit` set.
            #[must_use]
            pub const fn with(self, bit: u8) -> Self {
                if bit < 32 { Self(self.0 | (0x8000_0000u32 >> bit)) } else { self }
            }
            /// This value with RFC bit `bit` cleared.
            #[must_use]
            pub const fn without(self, bit: u8) -> Self {
                if bit < 32 { Self(self.0 & !(0x8000_0000u32 >> bit)) } else { self }
            }
            /// Set RFC bit `bit`.
            pub fn set(&mut self, bit: u8) { *self = self.with(bit); }
            /// Clear RFC bit `bit`.
            pub fn clear(&mut self, bit: u8) { *self = self.without(bit); }
            /// The numbers of the set bits, in order.
            pub fn bit_numbers(self) -> impl Iterator<Item = u8> {
                (0u8..32).filter(move |b| self.is_set(*b))
            }
            /// Name of a bit, if this type defines one.
            pub fn bit_name(bit: u8) -> Option<&'static str> {
                match bit {
                    $(b if b == $n => Some(stringify!($c)),)*
                    _ => None,
                }
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}(0x{:08x}", stringify!($name), self.0)?;
                let mut sep = ": ";
                for b in self.bit_numbers() {
                    match Self::bit_name(b) {
                        Some(n) => write!(f, "{sep}{n}")?,
                        None => write!(f, "{sep}bit{b}")?,
                    }
                    sep = "|";
                }
                write!(f, ")")
            }
        }

        impl AsnType for $name {
            const TAG: Tag = Tag::BIT_STRING;
        }

        impl Decode for $name {
            fn decode_with_tag_and_constraints<D: Decoder>(
                decoder: &mut D,
                tag: Tag,
                _constraints: &Constraints,
            ) -> Result<Self, D::Error> {
                decode_flags(decoder, tag).map(Self)
            }
        }

        impl Encode for $name {
            fn encode_with_tag_and_constraints<'b, E: Encoder<'b>>(
                &self,
                encoder: &mut E,
                tag: Tag,
                _constraints: &Constraints,
                identifier: Identifier,
            ) -> Result<(), E::Error> {
                encode_flags(encoder, tag, self.0, identifier)
            }
        }
    };
}

flags_type! {
    /// Generic `KerberosFlags` (no bit names).
    KerberosFlags {}
}

flags_type! {
    /// `KDCOptions` (RFC 4120 §5.4.1, RFC 6806, MS-SFU).
    KdcOptions {
        /// 0 reserved
        RESERVED = 0;
        /// 1 forwardable
        FORWARDABLE = 1;
        /// 2 forwarded
        FORWARDED = 2;
        /// 3 proxiable
        PROXIABLE = 3;
        /// 4 proxy
        PROXY = 4;
        /// 5 allow-postdate
        ALLOW_POSTDATE = 5;
        /// 6 postdated
        POSTDATED = 6;
        /// 7 unused
        UNUSED7 = 7;
        /// 8 renewable
        RENEWABLE = 8;
        /// 9 unused
        UNUSED9 = 9;
        /// 10 unused
        UNUSED10 = 10;
        /// 11 opt-hardware-auth
        OPT_HARDWARE_AUTH = 11;
        /// 14 cname-in-addl-tkt (MS-SFU constrained delegation / S4U2proxy)
        CNAME_IN_ADDL_TKT = 14;
        /// 15 canonicalize (RFC 6806)
        CANONICALIZE = 15;
        /// 16 request-anonymous (RFC 8062)
        REQUEST_ANONYMOUS = 16;
        /// 26 disable-transited-check
        DISABLE_TRANSITED_CHECK = 26;
        /// 27 renewable-ok
        RENEWABLE_OK = 27;
        /// 28 enc-tkt-in-skey
        ENC_TKT_IN_SKEY = 28;
        /// 30 renew
        RENEW = 30;
        /// 31 validate
        VALIDATE = 31;
    }
}

impl KdcOptions {
    /// Alias of [`KdcOptions::CANONICALIZE`] (MS-KILE calls it name-canonicalize).
    pub const NAME_CANONICALIZE: u8 = 15;
}

flags_type! {
    /// `TicketFlags` (RFC 4120 §5.3, RFC 6806, RFC 6113, MS-KILE).
    TicketFlags {
        /// 0 reserved
        RESERVED = 0;
        /// 1 forwardable
        FORWARDABLE = 1;
        /// 2 forwarded
        FORWARDED = 2;
        /// 3 proxiable
        PROXIABLE = 3;
        /// 4 proxy
        PROXY = 4;
        /// 5 may-postdate
        MAY_POSTDATE = 5;
        /// 6 postdated
        POSTDATED = 6;
        /// 7 invalid
        INVALID = 7;
        /// 8 renewable
        RENEWABLE = 8;
        /// 9 initial
        INITIAL = 9;
        /// 10 pre-authent
        PRE_AUTHENT = 10;
        /// 11 hw-authent
        HW_AUTHENT = 11;
        /// 12 transited-policy-checked
        TRANSITED_POLICY_CHECKED = 12;
        /// 13 ok-as-delegate
        OK_AS_DELEGATE = 13;
        /// 15 enc-pa-rep (RFC 6806 §11) / name-canonicalize in MS-KILE
        ENC_PA_REP = 15;
        /// 16 anonymous (RFC 8062)
        ANONYMOUS = 16;
    }
}

flags_type! {
    /// `APOptions` (RFC 4120 §5.5.1).
    ApOptions {
        /// 0 reserved
        RESERVED = 0;
        /// 1 use-session-key
        USE_SESSION_KEY = 1;
        /// 2 mutual-required
        MUTUAL_REQUIRED = 2;
    }
}

flags_type! {
    /// `FastOptions` (RFC 6113 §5.4.1).
    FastOptions {
        /// 0 reserved
        RESERVED = 0;
        /// 1 hide-client-names
        HIDE_CLIENT_NAMES = 1;
        /// 16 kdc-follow-referrals
        KDC_FOLLOW_REFERRALS = 16;
    }
}

flags_type! {
    /// `PA-PAC-OPTIONS` flags (MS-KILE §2.2.10).
    PacOptionsFlags {
        /// 0 claims
        CLAIMS = 0;
        /// 1 branch-aware
        BRANCH_AWARE = 1;
        /// 2 forward-to-full-dc
        FORWARD_TO_FULL_DC = 2;
        /// 3 resource-based-constrained-delegation
        RESOURCE_BASED_CONSTRAINED_DELEGATION = 3;
    }
}

flags_type! {
    /// `S4UUserID.options` (MS-SFU §2.2.2).
    S4uOptions {
        /// 1 check-logon-hour (0x40000000)
        CHECK_LOGON_HOUR = 1;
        /// 2 signed-with-kun-27 (0x20000000)
        SIGNED_WITH_KUN_27 = 2;
        /// 4 unconditional-delegation (0x08000000)
        UNCONDITIONAL_DELEGATION = 4;
    }
}
