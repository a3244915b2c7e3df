//! Value syntaxes used in krb5.conf: booleans, durations and enctype lists.

use std::time::Duration;

/// Parses a boolean the way MIT's profile library does: `y`, `yes`,
/// `true`, `t`, `1`, `on` are true; `n`, `no`, `false`, `nil`, `0`, `off`
/// are false; case-insensitive; anything else is `None`.
pub fn parse_bool(s: &str) -> Option<bool> {
    const YES: [&str; 6] = ["y", "yes", "true", "t", "1", "on"];
    const NO: [&str; 6] = ["n", "no", "false", "nil", "0", "off"];
    if YES.iter().any(|y| s.eq_ignore_ascii_case(y)) {
        Some(true)
    } else if NO.iter().any(|n| s.eq_ignore_ascii_case(n)) {
        Some(false)
    } else {
        None
    }
}

/// The largest duration accepted: MIT stores durations in a signed 32-bit
/// number of seconds.
pub const MAX_DURATION_SECS: u64 = i32::MAX as u64;

/// Parses a krb5 duration (MIT's `krb5_string_to_deltat` syntax):
///
/// * plain seconds: `36000`
/// * unit form, units in decreasing order, each at most once, optional
///   blanks between parts: `10d`, `1h30m`, `1d 2h 3m 4s`, `90s`
/// * clock form: `h:m` or `h:m:s` (minutes and seconds below 60),
///   optionally after days: `2d-1:30:00`
///
/// Returns `None` on anything else or above [`MAX_DURATION_SECS`].
pub fn parse_duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let secs = if s.contains(':') {
        parse_clock(s)?
    } else if s.bytes().all(|b| b.is_ascii_digit()) {
        s.parse::<u64>().ok()?
    } else {
        parse_units(s)?
    };
    (secs <= MAX_DURATION_SECS).then(|| Duration::from_secs(secs))
}

fn digits(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn parse_clock(s: &str) -> Option<u64> {
    let (days, clock) = match s.split_once('-') {
        Some((d, rest)) => (
            digits(d.trim_end().strip_suffix('d')?.trim_end())?,
            rest.trim(),
        ),
        None => (0, s),
    };
    let parts: Vec<&str> = clock.split(':').collect();
    let (h, m, sec) = match parts.as_slice() {
        [h, m] => (digits(h)?, digits(m)?, 0),
        [h, m, s] => (digits(h)?, digits(m)?, digits(s)?),
        _ => return None,
    };
    if m >= 60 || sec >= 60 {
        return None;
    }
    days.checked_mul(86_400)?
        .checked_add(h.checked_mul(3600)?)?
        .checked_add(m * 60 + sec)
}

fn parse_units(s: &str) -> Option<u64> {
    let mut rest = s;
    let mut total: u64 = 0;
    // Index into "dhms" of the last unit seen; units must strictly descend.
    let mut last: Option<usize> = None;
    while !rest.is_empty() {
        let end = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let n = digits(&rest[..end])?;
        rest = rest[end..].trim_start();
        let mut chars = rest.chars();
        let unit = chars.next()?.to_ascii_lowercase();
        rest = chars.as_str().trim_start();
        let (idx, mult) = match unit {
            'd' => (0, 86_400),
            'h' => (1, 3600),
            'm' => (2, 60),
            's' => (3, 1),
            _ => return None,
        };
        if last.is_some_and(|l| idx <= l) {
            return None;
        }
        last = Some(idx);
        total = total.checked_add(n.checked_mul(mult)?)?;
    }
    Some(total)
}

/// Enctype numbers (RFC 3961 registry) for the names this library knows.
pub mod enctype {
    /// des3-cbc-sha1
    pub const DES3_CBC_SHA1: i32 = 16;
    /// aes128-cts-hmac-sha1-96
    pub const AES128_CTS_HMAC_SHA1_96: i32 = 17;
    /// aes256-cts-hmac-sha1-96
    pub const AES256_CTS_HMAC_SHA1_96: i32 = 18;
    /// aes128-cts-hmac-sha256-128
    pub const AES128_CTS_HMAC_SHA256_128: i32 = 19;
    /// aes256-cts-hmac-sha384-192
    pub const AES256_CTS_HMAC_SHA384_192: i32 = 20;
    /// arcfour-hmac (RC4-HMAC)
    pub const ARCFOUR_HMAC: i32 = 23;
    /// arcfour-hmac-exp
    pub const ARCFOUR_HMAC_EXP: i32 = 24;
    /// camellia128-cts-cmac
    pub const CAMELLIA128_CTS_CMAC: i32 = 25;
    /// camellia256-cts-cmac
    pub const CAMELLIA256_CTS_CMAC: i32 = 26;
}

use enctype::*;

const NAMES: &[(&str, i32)] = &[
    ("aes256-cts-hmac-sha1-96", AES256_CTS_HMAC_SHA1_96),
    ("aes256-cts", AES256_CTS_HMAC_SHA1_96),
    ("aes256-sha1", AES256_CTS_HMAC_SHA1_96),
    ("aes128-cts-hmac-sha1-96", AES128_CTS_HMAC_SHA1_96),
    ("aes128-cts", AES128_CTS_HMAC_SHA1_96),
    ("aes128-sha1", AES128_CTS_HMAC_SHA1_96),
    ("aes256-cts-hmac-sha384-192", AES256_CTS_HMAC_SHA384_192),
    ("aes256-sha2", AES256_CTS_HMAC_SHA384_192),
    ("aes128-cts-hmac-sha256-128", AES128_CTS_HMAC_SHA256_128),
    ("aes128-sha2", AES128_CTS_HMAC_SHA256_128),
    ("arcfour-hmac", ARCFOUR_HMAC),
    ("rc4-hmac", ARCFOUR_HMAC),
    ("arcfour-hmac-md5", ARCFOUR_HMAC),
    ("arcfour-hmac-exp", ARCFOUR_HMAC_EXP),
    ("rc4-hmac-exp", ARCFOUR_HMAC_EXP),
    ("arcfour-hmac-md5-exp", ARCFOUR_HMAC_EXP),
    ("des3-cbc-sha1", DES3_CBC_SHA1),
    ("des3-hmac-sha1", DES3_CBC_SHA1),
    ("des3-cbc-sha1-kd", DES3_CBC_SHA1),
    ("camellia128-cts-cmac", CAMELLIA128_CTS_CMAC),
    ("camellia128-cts", CAMELLIA128_CTS_CMAC),
    ("camellia256-cts-cmac", CAMELLIA256_CTS_CMAC),
    ("camellia256-cts", CAMELLIA256_CTS_CMAC),
];

const FAMILIES: &[(&str, &[i32])] = &[
    (
        "aes",
        &[
            AES256_CTS_HMAC_SHA1_96,
            AES128_CTS_HMAC_SHA1_96,
            AES256_CTS_HMAC_SHA384_192,
            AES128_CTS_HMAC_SHA256_128,
        ],
    ),
    (
        "aes-sha1",
        &[AES256_CTS_HMAC_SHA1_96, AES128_CTS_HMAC_SHA1_96],
    ),
    (
        "aes-sha2",
        &[AES256_CTS_HMAC_SHA384_192, AES128_CTS_HMAC_SHA256_128],
    ),
    ("rc4", &[ARCFOUR_HMAC]),
    ("des3", &[DES3_CBC_SHA1]),
    ("camellia", &[CAMELLIA256_CTS_CMAC, CAMELLIA128_CTS_CMAC]),
];

/// MIT's `DEFAULT` enctype list (krb5 1.20), before weak-crypto filtering.
pub const DEFAULT_ENCTYPES: &[i32] = &[
    AES256_CTS_HMAC_SHA1_96,
    AES128_CTS_HMAC_SHA1_96,
    AES256_CTS_HMAC_SHA384_192,
    AES128_CTS_HMAC_SHA256_128,
    DES3_CBC_SHA1,
    ARCFOUR_HMAC,
    CAMELLIA256_CTS_CMAC,
    CAMELLIA128_CTS_CMAC,
];

/// The enctype number for a single name (case-insensitive) or a decimal
/// number.
pub fn enctype_from_name(name: &str) -> Option<i32> {
    if let Some(&(_, n)) = NAMES.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)) {
        return Some(n);
    }
    if !name.is_empty()
        && name
            .strip_prefix('-')
            .unwrap_or(name)
            .bytes()
            .all(|b| b.is_ascii_digit())
    {
        return name.parse().ok();
    }
    None
}

/// Whether this library treats an enctype as weak: RC4 (23, 24), single
/// DES (1–8) and triple DES (16). Weak enctypes are dropped from the
/// configured lists unless `allow_weak_crypto = true`.
///
/// MIT 1.20 does not flag RC4 or DES3 as weak (it deprecates them, and 1.21
/// gates DES3 behind `allow_des3`); this library is stricter.
pub fn is_weak_enctype(e: i32) -> bool {
    matches!(e, 1..=8 | DES3_CBC_SHA1 | ARCFOUR_HMAC | ARCFOUR_HMAC_EXP)
}

/// Parses an enctype list as MIT does: tokens separated by blanks or
/// commas; each is an enctype name, a decimal enctype number, a family
/// (`aes`, `aes-sha1`, `aes-sha2`, `rc4`, `des3`, `camellia`) or `DEFAULT`
/// (= `defaults`), optionally prefixed by `+` (add, the default) or `-`
/// (remove). Added enctypes already present are not repeated. Unknown
/// names are ignored with a warning. No weak-crypto filtering is done here.
pub fn parse_enctype_list(s: &str, defaults: &[i32]) -> Vec<i32> {
    let mut list: Vec<i32> = Vec::new();
    for token in s.split(|c: char| c == ',' || super::profile::is_c_space(c)) {
        if token.is_empty() {
            continue;
        }
        let (add, name) = if let Some(n) = token.strip_prefix('-') {
            (false, n)
        } else if let Some(n) = token.strip_prefix('+') {
            (true, n)
        } else {
            (true, token)
        };
        let single;
        let set: &[i32] = if name.eq_ignore_ascii_case("DEFAULT") {
            defaults
        } else if let Some(n) = enctype_from_name(name) {
            single = [n];
            &single
        } else if let Some((_, f)) = FAMILIES.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)) {
            f
        } else {
            tracing::warn!(enctype = token, "ignoring unknown enctype in configuration");
            continue;
        };
        for &e in set {
            if add {
                if !list.contains(&e) {
                    list.push(e);
                }
            } else {
                list.retain(|&x| x != e);
            }
        }
    }
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn booleans() {
        for t in ["y", "YES", "true", "T", "1", "On"] {
            assert_eq!(parse_bool(t), Some(true), "{t}");
        }
        for f in ["n", "No", "FALSE", "nil", "0", "off"] {
            assert_eq!(parse_bool(f), Some(false), "{f}");
        }
        for bad in ["", "2", "yess", "enabled"] {
            assert_eq!(parse_bool(bad), None, "{bad}");
        }
    }

    #[test]
    fn durations() {
        let d = |s| parse_duration(s).map(|d| d.as_secs());
        assert_eq!(d("5s"), Some(5));
        assert_eq!(d("1m"), Some(60));
        assert_eq!(d("1h30m"), Some(5400));
        assert_eq!(d("10d"), Some(864_000));
        assert_eq!(d("1d 2h 3m 4s"), Some(93_784));
        assert_eq!(d("36000"), Some(36000));
        assert_eq!(d(" 300 "), Some(300));
        assert_eq!(d("1:30"), Some(5400));
        assert_eq!(d("1:30:05"), Some(5405));
        assert_eq!(d("2d-1:00:00"), Some(2 * 86400 + 3600));
        for bad in [
            "",
            "h",
            "5x",
            "1m1h",
            "1h1h",
            "1:60",
            "1:2:3:4",
            "-5",
            "1.5h",
            "99999999999999999999",
            "100000d",
        ] {
            assert_eq!(d(bad), None, "{bad}");
        }
    }

    #[test]
    fn enctypes() {
        assert_eq!(
            parse_enctype_list("aes256-cts aes128-sha1", &[]),
            vec![18, 17]
        );
        assert_eq!(parse_enctype_list("aes,rc4", &[]), vec![18, 17, 20, 19, 23]);
        assert_eq!(
            parse_enctype_list("DEFAULT -des3 -rc4 -camellia", DEFAULT_ENCTYPES),
            vec![18, 17, 20, 19]
        );
        assert_eq!(
            parse_enctype_list("aes -aes-sha2 +aes128-sha2", &[]),
            vec![18, 17, 19]
        );
        assert_eq!(parse_enctype_list("18 18 17 bogus -99", &[]), vec![18, 17]);
        assert_eq!(
            parse_enctype_list("AES256-CTS-HMAC-SHA1-96 camellia", &[]),
            vec![18, 26, 25]
        );
        assert_eq!(parse_enctype_list("", &[]), Vec::<i32>::new());
    }

    #[test]
    fn weak() {
        assert!(is_weak_enctype(23));
        assert!(is_weak_enctype(16));
        assert!(!is_weak_enctype(18));
        assert!(!is_weak_enctype(25));
    }
}
