//! `KerberosTime`: GeneralizedTime in whole seconds, always UTC (`YYYYMMDDHHMMSSZ`).

use core::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Datelike, Timelike, Utc};
use rasn::prelude::*;

/// `KerberosTime ::= GeneralizedTime -- with no fractional seconds`.
///
/// Stored as whole seconds since the Unix epoch. Decoding accepts fractional seconds and
/// time-zone offsets (BER fallback) and truncates/normalises them; encoding always emits
/// `YYYYMMDDHHMMSSZ`. A leap second (`..60Z`) received from a peer is remembered so it
/// re-encodes byte-identically.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct KerberosTime {
    secs: i64,
    leap: bool,
}

/// Earliest encodable time (0000-01-01T00:00:00Z).
const MIN_SECS: i64 = -62_167_219_200;
/// Latest encodable time (9999-12-31T23:59:59Z).
const MAX_SECS: i64 = 253_402_300_799;

impl KerberosTime {
    /// `99991231235959Z`, the value Active Directory uses for "never".
    pub const NEVER: Self = Self {
        secs: MAX_SECS,
        leap: false,
    };

    /// From seconds since the Unix epoch.
    pub const fn from_unix(secs: i64) -> Self {
        Self { secs, leap: false }
    }

    /// Seconds since the Unix epoch.
    pub const fn unix(self) -> i64 {
        self.secs
    }

    /// From a `SystemTime`, truncating sub-second precision.
    pub fn from_system_time(t: SystemTime) -> Self {
        let secs = match t.duration_since(UNIX_EPOCH) {
            Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            Err(e) => {
                let d = e.duration();
                // Round towards negative infinity so that truncation is to the earlier second.
                let whole = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
                if d.subsec_nanos() > 0 {
                    whole.saturating_add(1).saturating_neg()
                } else {
                    whole.saturating_neg()
                }
            }
        };
        Self::from_unix(secs)
    }

    /// To a `SystemTime` (None if it does not fit).
    pub fn to_system_time(self) -> Option<SystemTime> {
        if self.secs >= 0 {
            UNIX_EPOCH.checked_add(Duration::from_secs(self.secs as u64))
        } else {
            UNIX_EPOCH.checked_sub(Duration::from_secs(self.secs.unsigned_abs()))
        }
    }

    /// The current time, truncated to whole seconds. (The exchange layer should take the
    /// time from its caller; this is for tools and tests.)
    pub fn now() -> Self {
        Self::from_system_time(SystemTime::now())
    }

    /// True if this value was received as a leap second (`..60Z`).
    pub const fn is_leap_second(self) -> bool {
        self.leap
    }

    /// Seconds later (saturating).
    pub const fn add_secs(self, secs: i64) -> Self {
        Self::from_unix(self.secs.saturating_add(secs))
    }

    fn to_chrono(self) -> Option<DateTime<Utc>> {
        if !(MIN_SECS..=MAX_SECS).contains(&self.secs) {
            return None;
        }
        if self.leap
            && let Some(t) = DateTime::from_timestamp(self.secs, 1_000_000_000)
        {
            return Some(t);
        }
        DateTime::from_timestamp(self.secs, 0)
    }
}

impl KerberosTime {
    /// The canonical `YYYYMMDDHHMMSSZ` text, or None when out of range.
    fn to_generalized_time_bytes(self) -> Option<[u8; 15]> {
        if !(MIN_SECS..=MAX_SECS).contains(&self.secs) {
            return None;
        }
        let days = self.secs.div_euclid(86_400);
        let sod = self.secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        let (hh, mm, mut ss) = (sod / 3600, (sod / 60) % 60, sod % 60);
        if self.leap && ss == 59 {
            ss = 60;
        }
        let mut out = [0u8; 15];
        let fields = [
            (y / 100, 0),
            (y % 100, 2),
            (m, 4),
            (d, 6),
            (hh, 8),
            (mm, 10),
            (ss, 12),
        ];
        for (value, at) in fields {
            let two = [b'0' + (value / 10) as u8, b'0' + (value % 10) as u8];
            out.get_mut(at..at + 2)?.copy_from_slice(&two);
        }
        *out.get_mut(14)? = b'Z';
        Some(out)
    }
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar
/// (H. Hinnant's `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

impl From<SystemTime> for KerberosTime {
    fn from(t: SystemTime) -> Self {
        Self::from_system_time(t)
    }
}

impl fmt::Debug for KerberosTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for KerberosTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.to_chrono() {
            Some(t) => {
                let sec = if self.leap { 60 } else { t.second() };
                write!(
                    f,
                    "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
                    t.year(),
                    t.month(),
                    t.day(),
                    t.hour(),
                    t.minute(),
                    sec
                )
            }
            None => write!(f, "KerberosTime({})", self.secs),
        }
    }
}

impl AsnType for KerberosTime {
    const TAG: Tag = Tag::GENERALIZED_TIME;
}

impl Decode for KerberosTime {
    fn decode_with_tag_and_constraints<D: Decoder>(
        decoder: &mut D,
        tag: Tag,
        _constraints: &Constraints,
    ) -> Result<Self, D::Error> {
        let t = decoder.decode_generalized_time(tag)?;
        let t = t.with_timezone(&Utc);
        if !(MIN_SECS..=MAX_SECS).contains(&t.timestamp()) {
            // E.g. 00000101000000+0100 (BER): not representable as a Zulu time.
            return Err(rasn::error::DecodeError::from_kind(
                rasn::error::DecodeErrorKind::Custom {
                    msg: "KerberosTime outside years 0000..=9999 UTC".into(),
                },
                decoder.codec(),
            )
            .into());
        }
        Ok(Self {
            secs: t.timestamp(),
            leap: t.nanosecond() >= 1_000_000_000,
        })
    }
}

impl Encode for KerberosTime {
    fn encode_with_tag_and_constraints<'b, E: Encoder<'b>>(
        &self,
        encoder: &mut E,
        tag: Tag,
        _constraints: &Constraints,
        identifier: Identifier,
    ) -> Result<(), E::Error> {
        if matches!(
            encoder.codec(),
            rasn::Codec::Der | rasn::Codec::Ber | rasn::Codec::Cer
        ) {
            // Fast path: format `YYYYMMDDHHMMSSZ` directly and write it as a primitive
            // value with the GeneralizedTime tag (no chrono round trip).
            if let Some(text) = self.to_generalized_time_bytes() {
                return encoder
                    .encode_octet_string(tag, &Constraints::default(), &text, identifier)
                    .map(drop);
            }
        }
        let Some(t) = self.to_chrono() else {
            return Err(rasn::error::EncodeError::from_kind(
                rasn::error::EncodeErrorKind::Custom {
                    msg: format!("KerberosTime out of range: {}", self.secs),
                },
                encoder.codec(),
            )
            .into());
        };
        encoder
            .encode_generalized_time(tag, &t.fixed_offset(), identifier)
            .map(drop)
    }
}
