//! MIT `FILE:` credential caches (formats 1 to 4) and `DIR:` collections.
//!
//! The format is MIT's "ccache file format": a two-byte version (`0x0501`..`0x0504`), a header
//! (format 4 only: tagged fields, tag 1 = KDC time offset), the default principal, then
//! credentials until the end of the file. Formats 1 and 2 use the host byte order, 3 and 4
//! big-endian. Every format is read and written (MIT writes 4 by default, 3 with
//! `ccache_type = 3`). Parsing then serializing a cache gives back the same bytes, except
//! for fields MIT itself ignores (the second enctype of a v3 keyblock, `is_skey` values
//! other than 0/1 and non-canonical header fields).
//!
//! Configuration entries (`krb5_ccache_conf_data/<key>[/<principal>]@X-CACHECONF:`) are ordinary
//! [`Credential`]s; see [`CredentialCache::config`] and [`CredentialCache::set_config`].
//!
//! Reading the user's cache:
//!
//! ```no_run
//! use kerberos_client::ccache::{CcacheName, CredentialCache};
//! use kerberos_client::principal::Principal;
//!
//! let name = CcacheName::from_env()?; // KRB5CCNAME, else FILE:/tmp/krb5cc_<uid>
//! let cache = CredentialCache::load(&name)?;
//! let http = Principal::parse("HTTP/web.example.test", Some("EXAMPLE.TEST"))?;
//! if let Some(cred) = cache.find(&http) {
//!     println!("{} valid until {}", cred.server, cred.times.endtime);
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Building and writing one:
//!
//! ```
//! use kerberos_client::ccache::{
//!     CONF_PA_TYPE, Credential, CredentialCache, KeyBlock, TicketFlags, Times,
//! };
//! use kerberos_client::principal::Principal;
//!
//! let alice = Principal::parse("alice@EXAMPLE.TEST", None)?;
//! let tgt_name = Principal::krbtgt("EXAMPLE.TEST", "EXAMPLE.TEST");
//! let mut cache = CredentialCache::new(alice.clone());
//! let times = Times { authtime: 1_700_000_000, starttime: 1_700_000_000,
//!                     endtime: 1_700_086_400, renew_till: 0 };
//! let ticket_der = vec![0x61, 0x00]; // the Ticket's DER bytes, stored untouched
//! cache.store(Credential::new(alice, tgt_name.clone(), KeyBlock::new(18, vec![0; 32]),
//!                             times, TicketFlags(TicketFlags::INITIAL), ticket_der));
//! cache.set_config(CONF_PA_TYPE, Some(&tgt_name), "2");
//! let dir = tempfile::tempdir()?;
//! cache.write_atomic(dir.path().join("krb5cc"))?;
//! let back = CredentialCache::read(dir.path().join("krb5cc"))?;
//! assert_eq!(back, cache);
//! assert_eq!(back.config(CONF_PA_TYPE, Some(&tgt_name)), Some(&b"2"[..]));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod file;
mod name;
pub(crate) mod wire;

use std::fmt;
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

pub(crate) use file::{lock_path, write_atomic};
pub use name::CcacheName;

use crate::principal::{NT_PRINCIPAL, NT_UNKNOWN, Principal};
use wire::{Endian, Reader, Short, Writer, i32_to_u16};

/// Realm of configuration entries' server principals.
pub const CONF_REALM: &str = "X-CACHECONF:";
/// First component of configuration entries' server principals.
pub const CONF_NAME: &str = "krb5_ccache_conf_data";
/// Config key: the KDC asserted FAST support (value non-empty, e.g. `yes`).
pub const CONF_FAST_AVAIL: &str = "fast_avail";
/// Config key: the preauth type used for the initial ticket (ASCII decimal).
pub const CONF_PA_TYPE: &str = "pa_type";
/// Config key: JSON preauth parameters remembered for refresh.
pub const CONF_PA_CONFIG_DATA: &str = "pa_config_data";
/// Config key: when to refresh from the client keytab (ASCII decimal time).
pub const CONF_REFRESH_TIME: &str = "refresh_time";
/// Config key: realm of the initial TGT when it differs from the client realm.
pub const CONF_START_REALM: &str = "start_realm";
/// Config key: synthetic S4U2Proxy delegated credential (value: the intermediate service).
pub const CONF_PROXY_IMPERSONATOR: &str = "proxy_impersonator";

/// Header field tag of the KDC time offset (format 4).
pub const HEADER_TAG_KDC_OFFSET: u16 = 1;

/// An encryption key: enctype number and key bytes (zeroized on drop, never printed).
#[derive(Clone, PartialEq, Eq, Default)]
pub struct KeyBlock {
    /// The Kerberos enctype number (e.g. 18 for aes256-cts-hmac-sha1-96).
    pub etype: i32,
    /// The key bytes.
    pub value: Zeroizing<Vec<u8>>,
}

impl KeyBlock {
    /// A key block from an enctype and key bytes.
    pub fn new(etype: i32, value: impl Into<Vec<u8>>) -> Self {
        KeyBlock {
            etype,
            value: Zeroizing::new(value.into()),
        }
    }
}

impl fmt::Debug for KeyBlock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyBlock")
            .field("etype", &self.etype)
            .field("len", &self.value.len())
            .finish_non_exhaustive()
    }
}

/// Errors reading, writing or locating a credential cache.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CcacheError {
    /// A file system operation failed.
    #[error("credential cache {path}: {source}")]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The file is empty (e.g. being created by another writer).
    #[error("credential cache is empty")]
    Empty,
    /// The first byte is not 5.
    #[error("not a credential cache: first byte is {0:#04x}, expected 0x05")]
    BadMagic(u8),
    /// The format version is not 1 to 4.
    #[error("unsupported credential cache format version {0:#06x}")]
    UnsupportedVersion(u16),
    /// The data ends in the middle of a field.
    #[error("credential cache truncated: {what} at byte {offset}")]
    Truncated {
        /// The field being read.
        what: &'static str,
        /// Byte offset where it starts.
        offset: usize,
    },
    /// A structural error other than truncation.
    #[error("malformed credential cache at byte {offset}: {reason}")]
    Malformed {
        /// Byte offset of the problem.
        offset: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// A value cannot be represented in the file format (e.g. enctype out of 16-bit range).
    #[error("cannot encode credential cache: {0}")]
    Unencodable(String),
    /// `KRB5CCNAME` names a cache type this crate does not implement.
    #[error("unsupported ccache type {0:?}: only FILE: and DIR: caches are supported")]
    UnsupportedType(String),
    /// A malformed cache name.
    #[error("invalid ccache name {name:?}: {reason}")]
    InvalidName {
        /// The name as given.
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },
}

impl CcacheError {
    /// Whether the file does not exist (no cache / keytab yet).
    pub fn is_not_found(&self) -> bool {
        matches!(self, CcacheError::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound)
    }
}

impl From<Short> for CcacheError {
    fn from(s: Short) -> Self {
        CcacheError::Truncated {
            what: s.what,
            offset: s.offset,
        }
    }
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> CcacheError + '_ {
    move |source| CcacheError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Credential cache file format version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u16)]
pub enum CcacheVersion {
    /// 0x0501: host byte order, no name types, realm counted as a component.
    V1 = 0x0501,
    /// 0x0502: host byte order.
    V2 = 0x0502,
    /// 0x0503: big-endian, enctype written twice in keyblocks.
    V3 = 0x0503,
    /// 0x0504: big-endian, with header fields. MIT's default.
    V4 = 0x0504,
}

impl CcacheVersion {
    fn endian(self) -> Endian {
        match self {
            CcacheVersion::V1 | CcacheVersion::V2 => Endian::Native,
            _ => Endian::Big,
        }
    }

    /// The version number as stored in the first two bytes.
    pub fn number(self) -> u16 {
        self as u16
    }
}

/// The four ticket times, in seconds since the epoch (unsigned 32-bit as MIT stores them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Times {
    /// Time of the initial authentication.
    pub authtime: u32,
    /// Start of validity (0 or `authtime` when absent from the KDC reply).
    pub starttime: u32,
    /// End of validity.
    pub endtime: u32,
    /// Renewable until (0 if not renewable).
    pub renew_till: u32,
}

/// Ticket flags in MIT's in-memory layout (RFC 4120 bit 0 is the most significant bit).
#[derive(Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct TicketFlags(pub u32);

impl TicketFlags {
    /// forwardable (F)
    pub const FORWARDABLE: u32 = 0x4000_0000;
    /// forwarded (f)
    pub const FORWARDED: u32 = 0x2000_0000;
    /// proxiable (P)
    pub const PROXIABLE: u32 = 0x1000_0000;
    /// proxy (p)
    pub const PROXY: u32 = 0x0800_0000;
    /// may-postdate (D)
    pub const MAY_POSTDATE: u32 = 0x0400_0000;
    /// postdated (d)
    pub const POSTDATED: u32 = 0x0200_0000;
    /// invalid (i)
    pub const INVALID: u32 = 0x0100_0000;
    /// renewable (R)
    pub const RENEWABLE: u32 = 0x0080_0000;
    /// initial (I)
    pub const INITIAL: u32 = 0x0040_0000;
    /// pre-authent (A)
    pub const PRE_AUTHENT: u32 = 0x0020_0000;
    /// hw-authent (H)
    pub const HW_AUTHENT: u32 = 0x0010_0000;
    /// transited-policy-checked (T)
    pub const TRANSIT_POLICY_CHECKED: u32 = 0x0008_0000;
    /// ok-as-delegate (O)
    pub const OK_AS_DELEGATE: u32 = 0x0004_0000;
    /// anonymous (a)
    pub const ANONYMOUS: u32 = 0x0000_8000;

    /// Whether all bits of `flag` are set.
    pub fn contains(self, flag: u32) -> bool {
        self.0 & flag == flag
    }

    /// The flags as `klist -f` prints them (e.g. `FRIA`).
    pub fn klist_letters(self) -> String {
        const LETTERS: &[(u32, char)] = &[
            (TicketFlags::FORWARDABLE, 'F'),
            (TicketFlags::FORWARDED, 'f'),
            (TicketFlags::PROXIABLE, 'P'),
            (TicketFlags::PROXY, 'p'),
            (TicketFlags::MAY_POSTDATE, 'D'),
            (TicketFlags::POSTDATED, 'd'),
            (TicketFlags::INVALID, 'i'),
            (TicketFlags::RENEWABLE, 'R'),
            (TicketFlags::INITIAL, 'I'),
            (TicketFlags::PRE_AUTHENT, 'A'),
            (TicketFlags::HW_AUTHENT, 'H'),
            (TicketFlags::TRANSIT_POLICY_CHECKED, 'T'),
            (TicketFlags::OK_AS_DELEGATE, 'O'),
            (TicketFlags::ANONYMOUS, 'a'),
        ];
        LETTERS
            .iter()
            .filter(|(f, _)| self.contains(*f))
            .map(|(_, c)| *c)
            .collect()
    }
}

impl fmt::Debug for TicketFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TicketFlags({:#010x} {})", self.0, self.klist_letters())
    }
}

/// A host address bound to a ticket.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Address {
    /// Address type (2 = IPv4, 24 = IPv6, ...).
    pub addr_type: i32,
    /// The address bytes.
    pub address: Vec<u8>,
}

/// An authorization-data element attached to the credential.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AuthData {
    /// ad-type.
    pub ad_type: i32,
    /// ad-data.
    pub data: Vec<u8>,
}

/// One cache entry: a ticket with its session key, or a configuration entry.
#[derive(Clone, PartialEq, Eq)]
pub struct Credential {
    /// The client principal.
    pub client: Principal,
    /// The service principal.
    pub server: Principal,
    /// The session key.
    pub key: KeyBlock,
    /// The ticket times.
    pub times: Times,
    /// Whether the ticket is encrypted in another ticket's session key (user-to-user).
    pub is_skey: bool,
    /// Ticket flags.
    pub flags: TicketFlags,
    /// Client addresses (usually none).
    pub addresses: Vec<Address>,
    /// Authorization data (usually none).
    pub authdata: Vec<AuthData>,
    /// The DER encoding of the Ticket, stored untouched (a configuration value for config entries).
    pub ticket: Vec<u8>,
    /// The second ticket (user-to-user), usually empty.
    pub second_ticket: Vec<u8>,
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credential")
            .field("client", &self.client)
            .field("server", &self.server)
            .field("key", &self.key)
            .field("times", &self.times)
            .field("is_skey", &self.is_skey)
            .field("flags", &self.flags)
            .field("addresses", &self.addresses)
            .field("authdata", &self.authdata)
            .field("ticket_len", &self.ticket.len())
            .field("second_ticket_len", &self.second_ticket.len())
            .finish()
    }
}

impl Credential {
    /// A ticket entry with no addresses, authorization data or second ticket.
    pub fn new(
        client: Principal,
        server: Principal,
        key: KeyBlock,
        times: Times,
        flags: TicketFlags,
        ticket: Vec<u8>,
    ) -> Self {
        Credential {
            client,
            server,
            key,
            times,
            is_skey: false,
            flags,
            addresses: Vec::new(),
            authdata: Vec::new(),
            ticket,
            second_ticket: Vec::new(),
        }
    }

    /// A configuration entry as MIT writes it: client = the cache's default principal, server
    /// `krb5_ccache_conf_data/<key>[/<principal>]@X-CACHECONF:`, value in the ticket field,
    /// everything else zero.
    pub fn config_entry(
        default_principal: &Principal,
        key: &str,
        principal: Option<&Principal>,
        value: impl Into<Vec<u8>>,
    ) -> Self {
        let mut components = vec![CONF_NAME.as_bytes().to_vec(), key.as_bytes().to_vec()];
        if let Some(p) = principal {
            components.push(p.to_string().into_bytes());
        }
        Credential {
            client: default_principal.clone(),
            server: Principal::new(NT_PRINCIPAL, CONF_REALM, components),
            key: KeyBlock::default(),
            times: Times::default(),
            is_skey: false,
            flags: TicketFlags(0),
            addresses: Vec::new(),
            authdata: Vec::new(),
            ticket: value.into(),
            second_ticket: Vec::new(),
        }
    }

    /// Whether this is a configuration entry (server realm `X-CACHECONF:`).
    pub fn is_config(&self) -> bool {
        is_config_principal(&self.server)
    }

    /// For a configuration entry: the key and the associated principal's string form, if any.
    pub fn config_key(&self) -> Option<(&[u8], Option<&[u8]>)> {
        if !self.is_config() {
            return None;
        }
        let c = &self.server.components;
        Some((c.get(1)?, c.get(2).map(Vec::as_slice)))
    }

    /// Whether the ticket has expired at `now` (unix seconds). Config entries never expire.
    pub fn is_expired(&self, now: i64) -> bool {
        !self.is_config() && i64::from(self.times.endtime) <= now
    }
}

/// Whether `p` is the server principal of a configuration entry (realm `X-CACHECONF:`, first
/// component `krb5_ccache_conf_data`, as MIT's `krb5_is_config_principal`).
pub fn is_config_principal(p: &Principal) -> bool {
    p.realm == CONF_REALM.as_bytes()
        && p.components
            .first()
            .is_some_and(|c| c == CONF_NAME.as_bytes())
}

/// A format 4 header field other than a well-formed KDC time offset, kept for rewriting.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HeaderField {
    /// The tag.
    pub tag: u16,
    /// The value.
    pub value: Vec<u8>,
}

/// A parsed credential cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialCache {
    /// File format version used by [`to_bytes`](Self::to_bytes).
    pub version: CcacheVersion,
    /// KDC time offset (seconds, microseconds) from the format 4 header (tag 1).
    pub kdc_offset: Option<(i32, i32)>,
    /// Other format 4 header fields, written after the KDC offset.
    pub other_header_fields: Vec<HeaderField>,
    /// The default (client) principal.
    pub default_principal: Principal,
    /// Tickets and configuration entries, in file order.
    pub credentials: Vec<Credential>,
}

impl CredentialCache {
    /// An empty format 4 cache for `default_principal`, with a zero KDC offset as `kinit` writes.
    pub fn new(default_principal: Principal) -> Self {
        CredentialCache {
            version: CcacheVersion::V4,
            kdc_offset: Some((0, 0)),
            other_header_fields: Vec::new(),
            default_principal,
            credentials: Vec::new(),
        }
    }

    /// An empty cache in the given format (formats 1 to 3 have no header, so no KDC offset).
    pub fn with_version(default_principal: Principal, version: CcacheVersion) -> Self {
        let mut cc = Self::new(default_principal);
        cc.version = version;
        if version != CcacheVersion::V4 {
            cc.kdc_offset = None;
        }
        cc
    }

    /// Reads and parses the cache file at `path`.
    pub fn read(path: impl AsRef<Path>) -> Result<Self, CcacheError> {
        let path = path.as_ref();
        let data = std::fs::read(path).map_err(io_err(path))?;
        Self::parse(&data)
    }

    /// Reads the cache named by `KRB5CCNAME` (or MIT's default `/tmp/krb5cc_<uid>`).
    pub fn read_default() -> Result<Self, CcacheError> {
        Self::load(&CcacheName::from_env()?)
    }

    /// Reads the cache at a resolved name.
    pub fn load(name: &CcacheName) -> Result<Self, CcacheError> {
        Self::read(name.path())
    }

    /// Writes the cache atomically at a resolved name, creating a `DIR:` collection's
    /// directory and `primary` file if needed.
    pub fn save(&self, name: &CcacheName) -> Result<(), CcacheError> {
        name.prepare()?;
        self.write_atomic(name.path())
    }

    /// Parses a cache from its bytes.
    pub fn parse(data: &[u8]) -> Result<Self, CcacheError> {
        if data.is_empty() {
            return Err(CcacheError::Empty);
        }
        if data[0] != 5 {
            return Err(CcacheError::BadMagic(data[0]));
        }
        let mut r = Reader::new(data, Endian::Big);
        let vno = r.u16("version")?;
        let version = match vno {
            0x0501 => CcacheVersion::V1,
            0x0502 => CcacheVersion::V2,
            0x0503 => CcacheVersion::V3,
            0x0504 => CcacheVersion::V4,
            v => return Err(CcacheError::UnsupportedVersion(v)),
        };
        r.set_endian(version.endian());
        let mut kdc_offset = None;
        let mut other_header_fields = Vec::new();
        if version == CcacheVersion::V4 {
            let hlen = usize::from(r.u16("header length")?);
            let start = r.pos();
            let header = r.bytes(hlen, "header")?;
            let mut h = Reader::with_pos(data, start, Endian::Big);
            let end = start + header.len();
            while h.pos() < end {
                let tag = h.u16("header tag")?;
                let len = usize::from(h.u16("header field length")?);
                if h.pos() + len > end {
                    return Err(CcacheError::Malformed {
                        offset: h.pos(),
                        reason: "header field runs past the header length",
                    });
                }
                let value = h.bytes(len, "header field")?;
                if tag == HEADER_TAG_KDC_OFFSET && len == 8 && kdc_offset.is_none() {
                    let mut v = Reader::new(value, Endian::Big);
                    kdc_offset = Some((v.i32("time offset")?, v.i32("usec offset")?));
                } else {
                    other_header_fields.push(HeaderField {
                        tag,
                        value: value.to_vec(),
                    });
                }
            }
        }
        let default_principal = read_principal(&mut r, version)?;
        let mut credentials = Vec::new();
        while !r.is_empty() {
            credentials.push(read_credential(&mut r, version)?);
        }
        Ok(CredentialCache {
            version,
            kdc_offset,
            other_header_fields,
            default_principal,
            credentials,
        })
    }

    /// Serializes the cache in format [`version`](Self::version).
    pub fn to_bytes(&self) -> Result<Vec<u8>, CcacheError> {
        let v = self.version;
        let mut w = Writer::new(Endian::Big);
        w.u16(v.number());
        w.set_endian(v.endian());
        if v == CcacheVersion::V4 {
            let mut h = Writer::new(Endian::Big);
            if let Some((s, us)) = self.kdc_offset {
                h.u16(HEADER_TAG_KDC_OFFSET);
                h.u16(8);
                h.u32(s as u32);
                h.u32(us as u32);
            }
            for f in &self.other_header_fields {
                h.u16(f.tag);
                h.u16(u16_len(f.value.len(), "header field")?);
                h.bytes(&f.value);
            }
            w.u16(u16_len(h.buf.len(), "header")?);
            w.bytes(&h.buf);
        }
        write_principal(&mut w, v, &self.default_principal)?;
        for c in &self.credentials {
            write_credential(&mut w, v, c)?;
        }
        Ok(w.buf)
    }

    /// Writes the cache to `path` atomically (temporary file, fsync, rename), mode 0600.
    pub fn write_atomic(&self, path: impl AsRef<Path>) -> Result<(), CcacheError> {
        let path = path.as_ref();
        let data = self.to_bytes()?;
        write_atomic(path, &data).map_err(io_err(path))
    }

    /// Read-modify-write under an exclusive advisory lock: reads the cache at `path` (or starts
    /// from `init()` if the file is absent or empty), applies `f`, and writes it back atomically.
    /// Concurrent `update`s of the same path (threads or processes) are serialized.
    pub fn update<T>(
        path: impl AsRef<Path>,
        init: impl FnOnce() -> CredentialCache,
        f: impl FnOnce(&mut CredentialCache) -> T,
    ) -> Result<T, CcacheError> {
        let path = path.as_ref();
        let lock = lock_path(path).map_err(io_err(path))?;
        let result = (|| {
            let mut cache = match Self::read(path) {
                Ok(c) => c,
                Err(CcacheError::Empty) => init(),
                Err(e) => return Err(e),
            };
            let out = f(&mut cache);
            cache.write_atomic(path)?;
            Ok(out)
        })();
        if result.is_err() {
            lock.remove_placeholder(path);
        }
        drop(lock);
        result
    }

    /// Ticket entries (configuration entries excluded).
    pub fn tickets(&self) -> impl DoubleEndedIterator<Item = &Credential> {
        self.credentials.iter().filter(|c| !c.is_config())
    }

    /// Appends a credential as is (MIT's `krb5_cc_store` on a FILE cache).
    pub fn push(&mut self, cred: Credential) {
        self.credentials.push(cred);
    }

    /// Stores a ticket, replacing any ticket with the same client and server.
    pub fn store(&mut self, cred: Credential) {
        self.credentials.retain(|c| {
            c.is_config() || !(c.client.matches(&cred.client) && c.server.matches(&cred.server))
        });
        self.credentials.push(cred);
    }

    /// The most recently stored ticket for `server` (any client; name type ignored).
    pub fn find(&self, server: &Principal) -> Option<&Credential> {
        self.tickets().rev().find(|c| c.server.matches(server))
    }

    /// The most recently stored ticket for `client` and `server`.
    pub fn find_for(&self, client: &Principal, server: &Principal) -> Option<&Credential> {
        self.tickets()
            .rev()
            .find(|c| c.client.matches(client) && c.server.matches(server))
    }

    /// The default principal's local TGT, `krbtgt/REALM@REALM`.
    pub fn tgt(&self) -> Option<&Credential> {
        let realm = self.default_principal.realm.clone();
        self.find_for(
            &self.default_principal,
            &Principal::krbtgt(realm.clone(), realm),
        )
    }

    /// Removes the tickets for `server`; returns how many were removed.
    pub fn remove(&mut self, server: &Principal) -> usize {
        let before = self.credentials.len();
        self.credentials
            .retain(|c| c.is_config() || !c.server.matches(server));
        before - self.credentials.len()
    }

    /// The value of configuration entry `key` (associated with `principal`, if given).
    pub fn config(&self, key: &str, principal: Option<&Principal>) -> Option<&[u8]> {
        let want = principal.map(|p| p.to_string().into_bytes());
        self.credentials
            .iter()
            .rev()
            .find(|c| {
                c.config_key()
                    .is_some_and(|(k, p)| k == key.as_bytes() && p == want.as_deref())
            })
            .map(|c| c.ticket.as_slice())
    }

    /// Sets configuration entry `key` (replacing an existing one), as MIT's
    /// `krb5_cc_set_config`. The entry's client is the default principal.
    pub fn set_config(
        &mut self,
        key: &str,
        principal: Option<&Principal>,
        value: impl Into<Vec<u8>>,
    ) {
        self.remove_config(key, principal);
        let entry = Credential::config_entry(&self.default_principal, key, principal, value);
        self.credentials.push(entry);
    }

    /// Removes configuration entry `key`; returns whether one existed.
    pub fn remove_config(&mut self, key: &str, principal: Option<&Principal>) -> bool {
        let want = principal.map(|p| p.to_string().into_bytes());
        let before = self.credentials.len();
        self.credentials.retain(|c| {
            !c.config_key()
                .is_some_and(|(k, p)| k == key.as_bytes() && p == want.as_deref())
        });
        before != self.credentials.len()
    }

    /// All configuration entries as (key, associated principal string, value).
    pub fn config_entries(&self) -> impl Iterator<Item = (&[u8], Option<&[u8]>, &[u8])> {
        self.credentials
            .iter()
            .filter_map(|c| c.config_key().map(|(k, p)| (k, p, c.ticket.as_slice())))
    }
}

fn u16_len(n: usize, what: &str) -> Result<u16, CcacheError> {
    u16::try_from(n)
        .map_err(|_| CcacheError::Unencodable(format!("{what} longer than 65535 bytes")))
}

fn u32_len(n: usize, what: &str) -> Result<u32, CcacheError> {
    u32::try_from(n).map_err(|_| CcacheError::Unencodable(format!("{what} too long")))
}

fn to_u16(v: i32, what: &str) -> Result<u16, CcacheError> {
    i32_to_u16(v)
        .ok_or_else(|| CcacheError::Unencodable(format!("{what} {v} does not fit a 16-bit field")))
}

fn read_data<'a>(r: &mut Reader<'a>, what: &'static str) -> Result<&'a [u8], CcacheError> {
    let at = r.pos();
    let len = r.u32(what)? as usize;
    if len > r.remaining() {
        return Err(CcacheError::Truncated { what, offset: at });
    }
    Ok(r.bytes(len, what)?)
}

fn write_data(w: &mut Writer, b: &[u8], what: &str) -> Result<(), CcacheError> {
    w.u32(u32_len(b.len(), what)?);
    w.bytes(b);
    Ok(())
}

fn read_principal(r: &mut Reader<'_>, v: CcacheVersion) -> Result<Principal, CcacheError> {
    let name_type = if v == CcacheVersion::V1 {
        NT_UNKNOWN
    } else {
        r.i32("principal name type")?
    };
    let at = r.pos();
    let mut count = r.u32("principal component count")? as usize;
    if v == CcacheVersion::V1 {
        count = count.checked_sub(1).ok_or(CcacheError::Malformed {
            offset: at,
            reason: "format 1 principal with no realm",
        })?;
    }
    // Each component takes at least 4 bytes: reject absurd counts before allocating.
    if count > r.remaining() / 4 {
        return Err(CcacheError::Truncated {
            what: "principal components",
            offset: at,
        });
    }
    let realm = read_data(r, "principal realm")?.to_vec();
    let mut components = Vec::with_capacity(count);
    for _ in 0..count {
        components.push(read_data(r, "principal component")?.to_vec());
    }
    Ok(Principal {
        name_type,
        realm,
        components,
    })
}

fn write_principal(w: &mut Writer, v: CcacheVersion, p: &Principal) -> Result<(), CcacheError> {
    if v != CcacheVersion::V1 {
        w.u32(p.name_type as u32);
    }
    let extra = usize::from(v == CcacheVersion::V1);
    w.u32(u32_len(p.components.len() + extra, "component list")?);
    write_data(w, &p.realm, "realm")?;
    for c in &p.components {
        write_data(w, c, "principal component")?;
    }
    Ok(())
}

fn read_credential(r: &mut Reader<'_>, v: CcacheVersion) -> Result<Credential, CcacheError> {
    let client = read_principal(r, v)?;
    let server = read_principal(r, v)?;
    let etype = r.i16_as_i32("key enctype")?;
    if v == CcacheVersion::V3 {
        // Format 3 repeats the enctype; MIT ignores the second copy.
        r.u16("key enctype (repeated)")?;
    }
    let key = KeyBlock::new(etype, read_data(r, "key")?.to_vec());
    let times = Times {
        authtime: r.u32("authtime")?,
        starttime: r.u32("starttime")?,
        endtime: r.u32("endtime")?,
        renew_till: r.u32("renew_till")?,
    };
    let is_skey = r.u8("is_skey")? != 0;
    let flags = TicketFlags(r.u32("ticket flags")?);
    let at = r.pos();
    let n = r.u32("address count")? as usize;
    if n > r.remaining() / 6 {
        return Err(CcacheError::Truncated {
            what: "addresses",
            offset: at,
        });
    }
    let mut addresses = Vec::with_capacity(n);
    for _ in 0..n {
        let addr_type = r.i16_as_i32("address type")?;
        let address = read_data(r, "address")?.to_vec();
        addresses.push(Address { addr_type, address });
    }
    let at = r.pos();
    let n = r.u32("authdata count")? as usize;
    if n > r.remaining() / 6 {
        return Err(CcacheError::Truncated {
            what: "authdata",
            offset: at,
        });
    }
    let mut authdata = Vec::with_capacity(n);
    for _ in 0..n {
        let ad_type = r.i16_as_i32("authdata type")?;
        let data = read_data(r, "authdata")?.to_vec();
        authdata.push(AuthData { ad_type, data });
    }
    let ticket = read_data(r, "ticket")?.to_vec();
    let second_ticket = read_data(r, "second ticket")?.to_vec();
    Ok(Credential {
        client,
        server,
        key,
        times,
        is_skey,
        flags,
        addresses,
        authdata,
        ticket,
        second_ticket,
    })
}

fn write_credential(w: &mut Writer, v: CcacheVersion, c: &Credential) -> Result<(), CcacheError> {
    write_principal(w, v, &c.client)?;
    write_principal(w, v, &c.server)?;
    let et = to_u16(c.key.etype, "enctype")?;
    w.u16(et);
    if v == CcacheVersion::V3 {
        w.u16(et);
    }
    write_data(w, &c.key.value, "key")?;
    w.u32(c.times.authtime);
    w.u32(c.times.starttime);
    w.u32(c.times.endtime);
    w.u32(c.times.renew_till);
    w.u8(u8::from(c.is_skey));
    w.u32(c.flags.0);
    w.u32(u32_len(c.addresses.len(), "address list")?);
    for a in &c.addresses {
        w.u16(to_u16(a.addr_type, "address type")?);
        write_data(w, &a.address, "address")?;
    }
    w.u32(u32_len(c.authdata.len(), "authdata list")?);
    for a in &c.authdata {
        w.u16(to_u16(a.ad_type, "authdata type")?);
        write_data(w, &a.data, "authdata")?;
    }
    write_data(w, &c.ticket, "ticket")?;
    write_data(w, &c.second_ticket, "second ticket")?;
    Ok(())
}

#[cfg(test)]
mod tests;
