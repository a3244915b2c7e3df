//! Kerberos principal names, as stored in credential caches and keytabs.
//!
//! A [`Principal`] keeps its realm and components as raw bytes (the files and the protocol
//! carry octet strings, not necessarily UTF-8). The string form follows MIT krb5:
//! `comp1/comp2@REALM`, where `/`, `@` and `\` inside a component are escaped with a
//! backslash, as are NUL, tab, newline and backspace (`\0`, `\t`, `\n`, `\b`).

use std::fmt;

use crate::asn1::{KerberosString, PrincipalName};

/// Name type not known (RFC 4120 `NT-UNKNOWN`).
pub const NT_UNKNOWN: i32 = 0;
/// Just the name of the principal, as in DCE, or for users (`NT-PRINCIPAL`).
pub const NT_PRINCIPAL: i32 = 1;
/// Service and other unique instance, e.g. `krbtgt` (`NT-SRV-INST`).
pub const NT_SRV_INST: i32 = 2;
/// Service with host name as instance, e.g. `host/h.example.com` (`NT-SRV-HST`).
pub const NT_SRV_HST: i32 = 3;
/// Service with host as remaining components (`NT-SRV-XHST`).
pub const NT_SRV_XHST: i32 = 4;
/// Unique ID (`NT-UID`).
pub const NT_UID: i32 = 5;
/// Encoded X.509 distinguished name (`NT-X500-PRINCIPAL`).
pub const NT_X500_PRINCIPAL: i32 = 6;
/// SMTP email address (`NT-SMTP-NAME`).
pub const NT_SMTP_NAME: i32 = 7;
/// Enterprise name, may be mapped to a principal name (RFC 6806 `NT-ENTERPRISE`).
pub const NT_ENTERPRISE: i32 = 10;
/// Well-known principal name (RFC 6111 `NT-WELLKNOWN`), e.g. `WELLKNOWN/ANONYMOUS`.
pub const NT_WELLKNOWN: i32 = 11;
/// Windows 2000 UPN and SID (`NT-MS-PRINCIPAL`).
pub const NT_MS_PRINCIPAL: i32 = -128;
/// Windows NT 4.0 style name and SID (`NT-MS-PRINCIPAL-AND-ID`).
pub const NT_MS_PRINCIPAL_AND_ID: i32 = -129;
/// NT 4.0 style name with SID (`NT-ENT-PRINCIPAL-AND-ID`).
pub const NT_ENT_PRINCIPAL_AND_ID: i32 = -130;

/// A Kerberos principal name: name type, realm and name components, all as raw bytes.
///
/// Equality (`==`) compares the name type too; [`Principal::matches`] compares only the realm
/// and components, as MIT's `krb5_principal_compare` does.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Principal {
    /// The name type (`NT_*` constants).
    pub name_type: i32,
    /// The realm, raw bytes (usually ASCII, upper case).
    pub realm: Vec<u8>,
    /// The name components, raw bytes.
    pub components: Vec<Vec<u8>>,
}

/// Error parsing the string form of a principal.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrincipalParseError {
    /// The string has no realm and no default realm was supplied.
    #[error("principal {0:?} has no realm and no default realm was given")]
    MissingRealm(String),
    /// The string ends with a lone backslash.
    #[error("principal {0:?} ends with an unfinished escape")]
    TrailingBackslash(String),
    /// More than one unescaped `@`.
    #[error("principal {0:?} has more than one unescaped '@'")]
    MultipleRealms(String),
    /// A `/` after the `@` is allowed, but an empty realm after `@` is not.
    #[error("principal {0:?} has an empty realm")]
    EmptyRealm(String),
    /// The name part is empty.
    #[error("principal {0:?} has no name components")]
    Empty(String),
}

impl Principal {
    /// A principal from a message's realm and PrincipalName.
    pub fn from_wire(realm: &KerberosString, name: &PrincipalName) -> Principal {
        Principal::new(
            name.name_type,
            realm.as_bytes().to_vec(),
            name.name_string.iter().map(|s| s.as_bytes().to_vec()),
        )
    }

    /// The PrincipalName of this principal (name type and components; the realm travels apart).
    pub fn to_wire_name(&self) -> PrincipalName {
        PrincipalName {
            name_type: self.name_type,
            name_string: self
                .components
                .iter()
                .map(|c| KerberosString::from_bytes(c.clone()))
                .collect(),
        }
    }

    /// Whether `name` has exactly this principal's components (name type and realm aside, as
    /// KDCs may change the name type).
    pub fn same_components(&self, name: &PrincipalName) -> bool {
        name.name_string.len() == self.components.len()
            && name
                .name_string
                .iter()
                .zip(&self.components)
                .all(|(a, b)| a.as_bytes() == b.as_slice())
    }

    /// A principal from its parts.
    pub fn new<R, I, C>(name_type: i32, realm: R, components: I) -> Self
    where
        R: Into<Vec<u8>>,
        I: IntoIterator<Item = C>,
        C: Into<Vec<u8>>,
    {
        Principal {
            name_type,
            realm: realm.into(),
            components: components.into_iter().map(Into::into).collect(),
        }
    }

    /// Parses `name[/instance...][@REALM]` with MIT escaping. When the string has no realm,
    /// `default_realm` is used (an error if it is `None`). The name type is inferred as MIT
    /// does: `NT_SRV_INST` for `krbtgt/REALM`, `NT_WELLKNOWN` for `WELLKNOWN/...`, else
    /// `NT_PRINCIPAL`.
    pub fn parse(s: &str, default_realm: Option<&str>) -> Result<Self, PrincipalParseError> {
        let mut p = Self::parse_with_type(s, default_realm, NT_PRINCIPAL)?;
        p.name_type = infer_name_type(&p.components);
        Ok(p)
    }

    /// Parses like [`Principal::parse`] but with an explicit name type. With
    /// [`NT_ENTERPRISE`], everything before the last unescaped `@` is one component
    /// (e.g. `alice@example.com@EXAMPLE.TEST`), and `/` does not separate components.
    pub fn parse_with_type(
        s: &str,
        default_realm: Option<&str>,
        name_type: i32,
    ) -> Result<Self, PrincipalParseError> {
        let enterprise = name_type == NT_ENTERPRISE;
        // Split into raw segments on unescaped separators, unescaping as we go.
        let bytes = s.as_bytes();
        let mut components: Vec<Vec<u8>> = Vec::new();
        let mut cur: Vec<u8> = Vec::new();
        let mut realm: Option<Vec<u8>> = None;
        let mut in_realm = false;
        let mut i = 0;
        // For enterprise names, the realm starts after the last unescaped '@'.
        let last_at = if enterprise {
            last_unescaped_at(bytes)
        } else {
            None
        };
        while i < bytes.len() {
            let b = bytes[i];
            match b {
                b'\\' => {
                    let Some(&next) = bytes.get(i + 1) else {
                        return Err(PrincipalParseError::TrailingBackslash(s.to_owned()));
                    };
                    cur.push(match next {
                        b'n' => b'\n',
                        b't' => b'\t',
                        b'b' => 0x08,
                        b'0' => 0,
                        other => other,
                    });
                    i += 2;
                    continue;
                }
                b'/' if !in_realm && !enterprise => {
                    components.push(std::mem::take(&mut cur));
                }
                b'@' if !in_realm && (!enterprise || Some(i) == last_at) => {
                    components.push(std::mem::take(&mut cur));
                    in_realm = true;
                }
                b'@' if in_realm => {
                    return Err(PrincipalParseError::MultipleRealms(s.to_owned()));
                }
                _ => cur.push(b),
            }
            i += 1;
        }
        if in_realm {
            if cur.is_empty() {
                return Err(PrincipalParseError::EmptyRealm(s.to_owned()));
            }
            realm = Some(cur);
        } else {
            components.push(cur);
        }
        if components.len() == 1 && components[0].is_empty() {
            return Err(PrincipalParseError::Empty(s.to_owned()));
        }
        let realm = match (realm, default_realm) {
            (Some(r), _) => r,
            (None, Some(d)) => d.as_bytes().to_vec(),
            (None, None) => return Err(PrincipalParseError::MissingRealm(s.to_owned())),
        };
        Ok(Principal {
            name_type,
            realm,
            components,
        })
    }

    /// The principal `krbtgt/<service_realm>@<realm>` (a ticket-granting service).
    pub fn krbtgt(realm: impl Into<Vec<u8>>, service_realm: impl Into<Vec<u8>>) -> Self {
        let realm = realm.into();
        Principal::new(
            NT_SRV_INST,
            realm,
            [b"krbtgt".to_vec(), service_realm.into()],
        )
    }

    /// Same realm and components (name type ignored), like MIT `krb5_principal_compare`.
    pub fn matches(&self, other: &Principal) -> bool {
        self.realm == other.realm && self.components == other.components
    }

    /// True for `krbtgt/<anything>@<anything>` with two components.
    pub fn is_krbtgt(&self) -> bool {
        self.components.len() == 2 && self.components[0] == b"krbtgt"
    }

    /// The realm as a (lossy) UTF-8 string.
    pub fn realm_str(&self) -> String {
        String::from_utf8_lossy(&self.realm).into_owned()
    }

    /// The name without the realm (`a/b`), escaped like [`Display`](fmt::Display).
    pub fn name_without_realm(&self) -> String {
        let mut out = String::new();
        for (i, c) in self.components.iter().enumerate() {
            if i > 0 {
                out.push('/');
            }
            escape_into(&mut out, c, false);
        }
        out
    }
}

fn last_unescaped_at(bytes: &[u8]) -> Option<usize> {
    let mut last = None;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'@' => last = Some(i),
            _ => {}
        }
        i += 1;
    }
    last
}

/// MIT's inference of the name type of a parsed name.
fn infer_name_type(components: &[Vec<u8>]) -> i32 {
    if components.len() == 2 && components[0] == b"krbtgt" {
        NT_SRV_INST
    } else if components.len() >= 2 && components[0] == b"WELLKNOWN" {
        NT_WELLKNOWN
    } else {
        NT_PRINCIPAL
    }
}

fn escape_into(out: &mut String, raw: &[u8], realm: bool) {
    for ch in String::from_utf8_lossy(raw).chars() {
        match ch {
            '/' if !realm => out.push_str("\\/"),
            '@' => out.push_str("\\@"),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\0' => out.push_str("\\0"),
            c => out.push(c),
        }
    }
}

impl fmt::Display for Principal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = self.name_without_realm();
        out.push('@');
        escape_into(&mut out, &self.realm, true);
        f.write_str(&out)
    }
}

impl fmt::Debug for Principal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Principal({}, nt={})", self, self.name_type)
    }
}

impl std::str::FromStr for Principal {
    type Err = PrincipalParseError;
    /// Parses a principal that must contain its realm.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Principal::parse(s, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_simple_and_default_realm() {
        let p = Principal::parse("alice@EXAMPLE.TEST", None).unwrap();
        assert_eq!(p.components, vec![b"alice".to_vec()]);
        assert_eq!(p.realm, b"EXAMPLE.TEST");
        assert_eq!(p.name_type, NT_PRINCIPAL);
        let p = Principal::parse("HTTP/web.example.test", Some("EXAMPLE.TEST")).unwrap();
        assert_eq!(p.components.len(), 2);
        assert_eq!(p.to_string(), "HTTP/web.example.test@EXAMPLE.TEST");
        assert!(matches!(
            Principal::parse("bob", None),
            Err(PrincipalParseError::MissingRealm(_))
        ));
    }

    #[test]
    fn infers_types() {
        assert_eq!(
            Principal::parse("krbtgt/A@A", None).unwrap().name_type,
            NT_SRV_INST
        );
        assert_eq!(
            Principal::parse("WELLKNOWN/ANONYMOUS@WELLKNOWN:ANONYMOUS", None)
                .unwrap()
                .name_type,
            NT_WELLKNOWN
        );
        assert_eq!(Principal::krbtgt("A", "B").to_string(), "krbtgt/B@A");
    }

    #[test]
    fn escaping_round_trip() {
        let p = Principal::new(
            NT_PRINCIPAL,
            "RE/AL@M",
            [b"a/b".to_vec(), b"c@d\\e\n\t\x08\0".to_vec()],
        );
        let s = p.to_string();
        assert_eq!(s, "a\\/b/c\\@d\\\\e\\n\\t\\b\\0@RE/AL\\@M");
        let q = Principal::parse(&s, None).unwrap();
        assert_eq!(p, q);
    }

    #[test]
    fn errors() {
        assert!(matches!(
            Principal::parse("a@B@C", None),
            Err(PrincipalParseError::MultipleRealms(_))
        ));
        assert!(matches!(
            Principal::parse("a\\", None),
            Err(PrincipalParseError::TrailingBackslash(_))
        ));
        assert!(matches!(
            Principal::parse("a@", None),
            Err(PrincipalParseError::EmptyRealm(_))
        ));
        assert!(matches!(
            Principal::parse("@R", None),
            Err(PrincipalParseError::Empty(_))
        ));
    }

    #[test]
    fn enterprise() {
        let p = Principal::parse_with_type("alice@example.com@EXAMPLE.TEST", None, NT_ENTERPRISE)
            .unwrap();
        assert_eq!(p.components, vec![b"alice@example.com".to_vec()]);
        assert_eq!(p.realm, b"EXAMPLE.TEST");
        assert_eq!(p.to_string(), "alice\\@example.com@EXAMPLE.TEST");
        let p = Principal::parse_with_type("a/b@x.com", Some("R"), NT_ENTERPRISE).unwrap();
        assert_eq!(p.components, vec![b"a/b".to_vec()]);
        assert_eq!(p.realm, b"x.com");
    }

    #[test]
    fn matches_ignores_name_type() {
        let a = Principal::new(NT_PRINCIPAL, "R", ["x"]);
        let b = Principal::new(NT_SRV_HST, "R", ["x"]);
        assert!(a.matches(&b));
        assert_ne!(a, b);
    }
}
