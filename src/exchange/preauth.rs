//! Reading the KDC's pre-authentication hints (METHOD-DATA of a KRB-ERROR, or the
//! AS-REP's padata): ETYPE-INFO2, ETYPE-INFO, PW-SALT, and the offered PA types.

use crate::asn1::constants::padata_type as pt;
use crate::asn1::{PaData, PaDirection, TypedPaData};

/// One (etype, salt, s2kparams) the KDC told us about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct EtypeHint {
    pub etype: i32,
    /// None: no salt in the entry (use PW-SALT or the default salt).
    pub salt: Option<Vec<u8>>,
    pub s2kparams: Option<Vec<u8>>,
}

/// What a METHOD-DATA or reply padata says.
#[derive(Clone, Debug, Default)]
pub(crate) struct KdcHints {
    /// ETYPE-INFO2 entries if present, else ETYPE-INFO entries, in the KDC's order.
    pub etype_info: Vec<EtypeHint>,
    /// True when `etype_info` came from ETYPE-INFO2.
    pub from_info2: bool,
    /// PA-PW-SALT.
    pub pw_salt: Option<Vec<u8>>,
    /// PA-FX-COOKIE (RFC 6113 §5.2): returned verbatim in the next request.
    pub cookie: Option<Vec<u8>>,
    /// Every padata-type listed.
    pub types: Vec<i32>,
}

impl KdcHints {
    /// Parse a list of PA-DATA, ignoring entries that do not decode (unknown types such
    /// as Samba's 655 are simply listed).
    pub fn parse(padata: &[PaData]) -> Self {
        let mut hints = KdcHints::default();
        let mut info1 = Vec::new();
        let mut info2 = None;
        for pa in padata {
            hints.types.push(pa.padata_type);
            match pa.padata_type {
                pt::PA_FX_COOKIE => {
                    hints.cookie = Some(pa.padata_value.to_vec());
                    continue;
                }
                pt::PA_ETYPE_INFO2 | pt::PA_ETYPE_INFO | pt::PA_PW_SALT => {}
                _ => continue,
            }
            match pa.typed(PaDirection::Reply) {
                Ok(TypedPaData::EtypeInfo2(entries)) => {
                    info2
                        .get_or_insert_with(Vec::new)
                        .extend(entries.into_iter().map(|e| EtypeHint {
                            etype: e.etype,
                            salt: e.salt.map(|s| s.into_bytes()),
                            s2kparams: e.s2kparams.map(|p| p.to_vec()),
                        }));
                }
                Ok(TypedPaData::EtypeInfo(entries)) => {
                    info1.extend(entries.into_iter().map(|e| EtypeHint {
                        etype: e.etype,
                        salt: e.salt.map(|s| s.to_vec()),
                        s2kparams: None,
                    }));
                }
                Ok(TypedPaData::PwSalt(salt)) => hints.pw_salt = Some(salt),
                Ok(_) => {}
                Err(error) => {
                    tracing::debug!(padata_type = pa.padata_type, %error, "ignoring undecodable PA-DATA");
                }
            }
        }
        match info2 {
            Some(v) => {
                hints.etype_info = v;
                hints.from_info2 = true;
            }
            None => hints.etype_info = info1,
        }
        hints
    }

    /// The hint for `etype`, if the KDC gave one.
    pub fn for_etype(&self, etype: i32) -> Option<&EtypeHint> {
        self.etype_info.iter().find(|h| h.etype == etype)
    }

    /// The etypes listed in ETYPE-INFO2/ETYPE-INFO.
    pub fn etypes(&self) -> Vec<i32> {
        self.etype_info.iter().map(|h| h.etype).collect()
    }
}

/// A concrete choice for string-to-key / key selection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Candidate {
    pub etype: i32,
    pub salt: Vec<u8>,
    pub s2kparams: Option<Vec<u8>>,
}

/// Candidates for PA-ENC-TIMESTAMP in the client's preference order (`usable`: the
/// request's etypes the client can use). Every ETYPE-INFO2/ETYPE-INFO entry is considered;
/// with no etype information at all, the client's preferred etype with PW-SALT or the
/// default salt is the only candidate.
pub(crate) fn candidates(hints: &KdcHints, usable: &[i32], default_salt: &[u8]) -> Vec<Candidate> {
    let mut out: Vec<Candidate> = Vec::new();
    if hints.etype_info.is_empty() {
        if let Some(&etype) = usable.first() {
            out.push(Candidate {
                etype,
                salt: hints
                    .pw_salt
                    .clone()
                    .unwrap_or_else(|| default_salt.to_vec()),
                s2kparams: None,
            });
        }
        return out;
    }
    for &etype in usable {
        for h in hints.etype_info.iter().filter(|h| h.etype == etype) {
            let c = Candidate {
                etype,
                salt: h
                    .salt
                    .clone()
                    .or_else(|| hints.pw_salt.clone())
                    .unwrap_or_else(|| default_salt.to_vec()),
                s2kparams: h.s2kparams.clone(),
            };
            if !out.contains(&c) {
                out.push(c);
            }
        }
    }
    out
}

/// The salt and parameters for `etype` from `hints`, if they say anything for it.
pub(crate) fn salt_for(hints: &KdcHints, etype: i32, default_salt: &[u8]) -> Option<Candidate> {
    if let Some(h) = hints.for_etype(etype) {
        return Some(Candidate {
            etype,
            salt: h
                .salt
                .clone()
                .or_else(|| hints.pw_salt.clone())
                .unwrap_or_else(|| default_salt.to_vec()),
            s2kparams: h.s2kparams.clone(),
        });
    }
    hints.pw_salt.as_ref().map(|s| Candidate {
        etype,
        salt: s.clone(),
        s2kparams: None,
    })
}
