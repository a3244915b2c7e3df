//! MIT `FILE:` keytabs (formats 0x0501 and 0x0502).
//!
//! A keytab is a two-byte version followed by records, each a signed 32-bit length and then
//! either a key entry (positive length) or a zero-filled hole left by a deleted entry (negative
//! length); a zero length or the end of the file ends it. Format 0x0501 uses the host byte
//! order, has no name types and counts the realm as a component; 0x0502 is big-endian.
//!
//! An entry may be followed, inside its record, by a 32-bit key version number that replaces
//! the 8-bit one when it is not zero (MIT writes it on every entry).
//!
//! Entries read from a file remember their exact encoding (the 8-bit kvno, the bytes after the
//! key and the holes before them), so an unmodified keytab is written back byte for byte,
//! including the holes `kadmin ktremove` leaves (holes are written zero-filled). Holes before a
//! removed entry disappear with it.
//!
//! ```
//! use kerberos_client::keytab::{KeyBlock, Keytab};
//! use kerberos_client::principal::Principal;
//!
//! let svc = Principal::parse("host/svc.example.test@EXAMPLE.TEST", None)?;
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("svc.keytab");
//! Keytab::update(&path, |kt| {
//!     kt.add_key(svc.clone(), 2, KeyBlock::new(18, vec![7; 32]));
//!     kt.add_key(svc.clone(), 3, KeyBlock::new(18, vec![8; 32]));
//! })?;
//! let kt = Keytab::read(&path)?;
//! let latest = kt.find(&svc, None, Some(18)).expect("key");
//! assert_eq!(latest.kvno, 3);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::path::{Path, PathBuf};

use crate::ccache::wire::{Endian, Reader, Short, Writer, i32_to_u16};
use crate::ccache::{lock_path, write_atomic};
use crate::principal::{NT_UNKNOWN, Principal};

pub use crate::ccache::KeyBlock;

/// MIT's default keytab when `KRB5_KTNAME` is unset.
pub const DEFAULT_KEYTAB: &str = "/etc/krb5.keytab";

/// Errors reading, writing or locating a keytab.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeytabError {
    /// A file system operation failed.
    #[error("keytab {path}: {source}")]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The file is empty (MIT reads an empty file as an empty keytab; so does
    /// [`Keytab::read_or_empty`]).
    #[error("keytab is empty")]
    Empty,
    /// The first byte is not 5.
    #[error("not a keytab: first byte is {0:#04x}, expected 0x05")]
    BadMagic(u8),
    /// Version other than 0x0501 / 0x0502.
    #[error("unsupported keytab format version {0:#06x}")]
    UnsupportedVersion(u16),
    /// The data ends in the middle of a field or record.
    #[error("keytab truncated: {what} at byte {offset}")]
    Truncated {
        /// The field being read.
        what: &'static str,
        /// Byte offset where it starts.
        offset: usize,
    },
    /// A structural error other than truncation.
    #[error("malformed keytab at byte {offset}: {reason}")]
    Malformed {
        /// Byte offset of the problem.
        offset: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// A value cannot be represented in the file format.
    #[error("cannot encode keytab: {0}")]
    Unencodable(String),
    /// A malformed keytab name.
    #[error("invalid keytab name {name:?}: {reason}")]
    InvalidName {
        /// The name as given.
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// `KRB5_KTNAME` names a keytab type this crate does not implement.
    #[error("unsupported keytab type {0:?}: only FILE: and WRFILE: keytabs are supported")]
    UnsupportedType(String),
}

impl KeytabError {
    /// Whether the file does not exist (no cache / keytab yet).
    pub fn is_not_found(&self) -> bool {
        matches!(self, KeytabError::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound)
    }
}

impl From<Short> for KeytabError {
    fn from(s: Short) -> Self {
        KeytabError::Truncated {
            what: s.what,
            offset: s.offset,
        }
    }
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> KeytabError + '_ {
    move |source| KeytabError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Keytab file format version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u16)]
pub enum KeytabVersion {
    /// 0x0501: host byte order, no name types.
    V1 = 0x0501,
    /// 0x0502: big-endian. What MIT writes.
    V2 = 0x0502,
}

impl KeytabVersion {
    fn endian(self) -> Endian {
        match self {
            KeytabVersion::V1 => Endian::Native,
            KeytabVersion::V2 => Endian::Big,
        }
    }
}

/// How an entry read from a file was encoded, to write it back unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct RawTail {
    /// The 8-bit key version number field.
    kvno8: u8,
    /// The bytes of the record after the key (32-bit kvno, padding).
    tail: Vec<u8>,
    /// Sizes of the holes (deleted entries) just before this entry.
    holes_before: Vec<u32>,
}

/// One keytab entry: a principal's key for one kvno and enctype.
///
/// Equality compares the principal, timestamp, kvno and key (not the encoding details kept
/// from the file).
#[derive(Debug, Clone)]
pub struct KeytabEntry {
    /// The principal (name type is `NT_UNKNOWN` in format 0x0501 files).
    pub principal: Principal,
    /// When the entry was written (unix seconds).
    pub timestamp: u32,
    /// The key version number (the 32-bit one when present and non-zero).
    pub kvno: u32,
    /// The key.
    pub key: KeyBlock,
    raw: Option<RawTail>,
}

impl KeytabEntry {
    /// A new entry.
    pub fn new(principal: Principal, kvno: u32, key: KeyBlock, timestamp: u32) -> Self {
        KeytabEntry {
            principal,
            timestamp,
            kvno,
            key,
            raw: None,
        }
    }

    /// The 8-bit kvno and the bytes following the key, as they will be written.
    fn tail(&self, endian: Endian) -> (u8, Vec<u8>) {
        if let Some(raw) = &self.raw
            && kvno_from(raw.kvno8, &raw.tail, endian) == self.kvno
        {
            return (raw.kvno8, raw.tail.clone());
        }
        let mut w = Writer::new(endian);
        w.u32(self.kvno);
        (self.kvno as u8, w.buf)
    }
}

impl PartialEq for KeytabEntry {
    fn eq(&self, other: &Self) -> bool {
        self.principal == other.principal
            && self.timestamp == other.timestamp
            && self.kvno == other.kvno
            && self.key == other.key
    }
}

impl Eq for KeytabEntry {}

fn kvno_from(kvno8: u8, tail: &[u8], endian: Endian) -> u32 {
    if tail.len() >= 4 {
        let mut r = Reader::new(&tail[..4], endian);
        if let Ok(v) = r.u32("kvno")
            && v != 0
        {
            return v;
        }
    }
    u32::from(kvno8)
}

/// A parsed keytab.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keytab {
    /// Format version used by [`to_bytes`](Self::to_bytes).
    pub version: KeytabVersion,
    /// The entries, in file order.
    pub entries: Vec<KeytabEntry>,
    /// Sizes of the holes (deleted entries) after the last entry, kept to rewrite the file
    /// byte for byte. Usually empty.
    pub trailing_holes: Vec<u32>,
}

impl Default for Keytab {
    fn default() -> Self {
        Self::new()
    }
}

impl Keytab {
    /// An empty format 0x0502 keytab.
    pub fn new() -> Self {
        Keytab {
            version: KeytabVersion::V2,
            entries: Vec::new(),
            trailing_holes: Vec::new(),
        }
    }

    /// Reads and parses the keytab at `path`.
    pub fn read(path: impl AsRef<Path>) -> Result<Self, KeytabError> {
        let path = path.as_ref();
        let data = std::fs::read(path).map_err(io_err(path))?;
        Self::parse(&data)
    }

    /// Like [`read`](Self::read), but a missing or empty file is an empty keytab.
    pub fn read_or_empty(path: impl AsRef<Path>) -> Result<Self, KeytabError> {
        match Self::read(path) {
            Err(KeytabError::Empty) => Ok(Self::new()),
            Err(KeytabError::Io { source, .. })
                if source.kind() == std::io::ErrorKind::NotFound =>
            {
                Ok(Self::new())
            }
            other => other,
        }
    }

    /// Parses a keytab from its bytes.
    pub fn parse(data: &[u8]) -> Result<Self, KeytabError> {
        if data.is_empty() {
            return Err(KeytabError::Empty);
        }
        if data[0] != 5 {
            return Err(KeytabError::BadMagic(data[0]));
        }
        let mut r = Reader::new(data, Endian::Big);
        let version = match r.u16("version")? {
            0x0501 => KeytabVersion::V1,
            0x0502 => KeytabVersion::V2,
            v => return Err(KeytabError::UnsupportedVersion(v)),
        };
        let endian = version.endian();
        r.set_endian(endian);
        let mut entries = Vec::new();
        let mut holes = Vec::new();
        // Fewer than 4 bytes left reads as the end of the keytab, as in MIT.
        while r.remaining() >= 4 {
            let at = r.pos();
            let len = r.i32("record length")?;
            if len == 0 {
                break;
            }
            let size = len.unsigned_abs() as usize;
            if size > r.remaining() {
                return Err(KeytabError::Truncated {
                    what: if len < 0 { "hole" } else { "entry" },
                    offset: at,
                });
            }
            let record = r.bytes(size, "record")?;
            if len < 0 {
                holes.push(size as u32);
                continue;
            }
            let mut entry = parse_entry(record, at + 4, version)?;
            if let Some(raw) = &mut entry.raw {
                raw.holes_before = std::mem::take(&mut holes);
            }
            entries.push(entry);
        }
        Ok(Keytab {
            version,
            entries,
            trailing_holes: holes,
        })
    }

    /// Serializes the keytab.
    pub fn to_bytes(&self) -> Result<Vec<u8>, KeytabError> {
        let endian = self.version.endian();
        let mut w = Writer::new(Endian::Big);
        w.u16(self.version as u16);
        w.set_endian(endian);
        let hole = |w: &mut Writer, size: u32| -> Result<(), KeytabError> {
            let neg = i32::try_from(-i64::from(size))
                .map_err(|_| KeytabError::Unencodable("hole too large".into()))?;
            if neg == 0 {
                return Err(KeytabError::Unencodable("empty hole".into()));
            }
            w.u32(neg as u32);
            w.bytes(&vec![0; size as usize]);
            Ok(())
        };
        for e in &self.entries {
            for &h in e.raw.iter().flat_map(|r| &r.holes_before) {
                hole(&mut w, h)?;
            }
            let rec = encode_entry(e, self.version)?;
            let len = i32::try_from(rec.len())
                .map_err(|_| KeytabError::Unencodable("entry too long".into()))?;
            w.u32(len as u32);
            w.bytes(&rec);
        }
        for &h in &self.trailing_holes {
            hole(&mut w, h)?;
        }
        Ok(w.buf)
    }

    /// Writes the keytab to `path` atomically (temporary file, fsync, rename), mode 0600.
    pub fn write_atomic(&self, path: impl AsRef<Path>) -> Result<(), KeytabError> {
        let path = path.as_ref();
        let data = self.to_bytes()?;
        write_atomic(path, &data).map_err(io_err(path))
    }

    /// Read-modify-write under an exclusive advisory lock: reads the keytab at `path` (empty
    /// if absent), applies `f` and writes it back atomically. Concurrent updates serialize.
    pub fn update<T>(
        path: impl AsRef<Path>,
        f: impl FnOnce(&mut Keytab) -> T,
    ) -> Result<T, KeytabError> {
        let path = path.as_ref();
        let lock = lock_path(path).map_err(io_err(path))?;
        let result = (|| {
            let mut kt = Self::read_or_empty(path)?;
            let out = f(&mut kt);
            kt.write_atomic(path)?;
            Ok(out)
        })();
        if result.is_err() {
            lock.remove_placeholder(path);
        }
        drop(lock);
        result
    }

    /// Appends an entry.
    pub fn add(&mut self, entry: KeytabEntry) {
        self.entries.push(entry);
    }

    /// Adds a key for `principal` with the given kvno, timestamped now.
    pub fn add_key(&mut self, principal: Principal, kvno: u32, key: KeyBlock) {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as u32)
            .unwrap_or(0);
        self.add(KeytabEntry::new(principal, kvno, key, now));
    }

    /// Removes the entries of `principal` (all kvnos if `kvno` is `None`); returns how many.
    pub fn remove(&mut self, principal: &Principal, kvno: Option<u32>) -> usize {
        let before = self.entries.len();
        self.entries
            .retain(|e| !(e.principal.matches(principal) && kvno.is_none_or(|k| e.kvno == k)));
        before - self.entries.len()
    }

    /// The highest kvno stored for `principal`.
    pub fn latest_kvno(&self, principal: &Principal) -> Option<u32> {
        self.entries
            .iter()
            .filter(|e| e.principal.matches(principal))
            .map(|e| e.kvno)
            .max()
    }

    /// The entries of `principal` with key version `kvno` (the latest if `None`), in file order.
    pub fn keys(&self, principal: &Principal, kvno: Option<u32>) -> Vec<&KeytabEntry> {
        let Some(kvno) = kvno.or_else(|| self.latest_kvno(principal)) else {
            return Vec::new();
        };
        self.entries
            .iter()
            .filter(|e| e.principal.matches(principal) && e.kvno == kvno)
            .collect()
    }

    /// The entry for `principal`, `kvno` (the latest if `None`) and `etype` (the first in file
    /// order if `None`). Name types are ignored, as in MIT.
    pub fn find(
        &self,
        principal: &Principal,
        kvno: Option<u32>,
        etype: Option<i32>,
    ) -> Option<&KeytabEntry> {
        self.keys(principal, kvno)
            .into_iter()
            .find(|e| etype.is_none_or(|t| e.key.etype == t))
    }

    /// The distinct principals, in order of first appearance.
    pub fn principals(&self) -> Vec<&Principal> {
        let mut out: Vec<&Principal> = Vec::new();
        for e in &self.entries {
            if !out.iter().any(|p| **p == e.principal) {
                out.push(&e.principal);
            }
        }
        out
    }
}

fn parse_entry(
    record: &[u8],
    base: usize,
    version: KeytabVersion,
) -> Result<KeytabEntry, KeytabError> {
    let endian = version.endian();
    let shift = |e: KeytabError| match e {
        KeytabError::Truncated { what, offset } => KeytabError::Truncated {
            what,
            offset: offset + base,
        },
        other => other,
    };
    let mut r = Reader::new(record, endian);
    (|| {
        let mut count = usize::from(r.u16("component count")?);
        if version == KeytabVersion::V1 {
            count = count.checked_sub(1).ok_or(KeytabError::Malformed {
                offset: base,
                reason: "format 0x0501 principal with no realm",
            })?;
        }
        let realm = read_data16(&mut r, "realm")?.to_vec();
        let mut components = Vec::with_capacity(count.min(r.remaining() / 2));
        for _ in 0..count {
            components.push(read_data16(&mut r, "principal component")?.to_vec());
        }
        let name_type = if version == KeytabVersion::V1 {
            NT_UNKNOWN
        } else {
            r.i32("name type")?
        };
        let timestamp = r.u32("timestamp")?;
        let kvno8 = r.u8("kvno")?;
        let etype = r.i16_as_i32("enctype")?;
        let key = KeyBlock::new(etype, read_data16(&mut r, "key")?.to_vec());
        let tail = r.bytes(r.remaining(), "tail")?.to_vec();
        let kvno = kvno_from(kvno8, &tail, endian);
        Ok(KeytabEntry {
            principal: Principal {
                name_type,
                realm,
                components,
            },
            timestamp,
            kvno,
            key,
            raw: Some(RawTail {
                kvno8,
                tail,
                holes_before: Vec::new(),
            }),
        })
    })()
    .map_err(shift)
}

fn read_data16<'a>(r: &mut Reader<'a>, what: &'static str) -> Result<&'a [u8], KeytabError> {
    let len = usize::from(r.u16(what)?);
    Ok(r.bytes(len, what)?)
}

fn write_data16(w: &mut Writer, b: &[u8], what: &str) -> Result<(), KeytabError> {
    let len = u16::try_from(b.len())
        .map_err(|_| KeytabError::Unencodable(format!("{what} longer than 65535 bytes")))?;
    w.u16(len);
    w.bytes(b);
    Ok(())
}

fn encode_entry(e: &KeytabEntry, version: KeytabVersion) -> Result<Vec<u8>, KeytabError> {
    let endian = version.endian();
    let mut w = Writer::new(endian);
    let extra = usize::from(version == KeytabVersion::V1);
    let count = u16::try_from(e.principal.components.len() + extra)
        .map_err(|_| KeytabError::Unencodable("too many principal components".into()))?;
    w.u16(count);
    write_data16(&mut w, &e.principal.realm, "realm")?;
    for c in &e.principal.components {
        write_data16(&mut w, c, "principal component")?;
    }
    if version == KeytabVersion::V2 {
        w.u32(e.principal.name_type as u32);
    }
    w.u32(e.timestamp);
    let (kvno8, tail) = e.tail(endian);
    w.u8(kvno8);
    let et = i32_to_u16(e.key.etype).ok_or_else(|| {
        KeytabError::Unencodable(format!("enctype {} does not fit 16 bits", e.key.etype))
    })?;
    w.u16(et);
    write_data16(&mut w, &e.key.value, "key")?;
    w.bytes(&tail);
    Ok(w.buf)
}

/// A resolved keytab name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeytabName {
    /// The keytab file.
    pub path: PathBuf,
    /// Whether it was named `WRFILE:` (MIT's writable-keytab prefix).
    pub writable: bool,
}

impl KeytabName {
    /// Resolves `FILE:path`, `WRFILE:path` or a bare path. Other types (`MEMORY:`, `KDB:`, ...)
    /// give [`KeytabError::UnsupportedType`].
    pub fn parse(name: &str) -> Result<Self, KeytabError> {
        let (ty, residual) = match name.find(':') {
            Some(i) if i > 0 && !name[..i].contains('/') => (&name[..i], &name[i + 1..]),
            _ => ("FILE", name),
        };
        match ty {
            "FILE" | "WRFILE" if !residual.is_empty() => Ok(KeytabName {
                path: PathBuf::from(residual),
                writable: ty == "WRFILE",
            }),
            "FILE" | "WRFILE" => Err(KeytabError::InvalidName {
                name: name.to_owned(),
                reason: "empty path",
            }),
            other => Err(KeytabError::UnsupportedType(other.to_owned())),
        }
    }

    /// The keytab named by `KRB5_KTNAME`, else `/etc/krb5.keytab` (not required to exist).
    pub fn from_env() -> Result<Self, KeytabError> {
        Self::resolve(std::env::var("KRB5_KTNAME").ok().as_deref())
    }

    /// Resolves the value of `KRB5_KTNAME` (`None` or empty: `/etc/krb5.keytab`).
    pub fn resolve(krb5_ktname: Option<&str>) -> Result<Self, KeytabError> {
        match krb5_ktname {
            Some(v) if !v.is_empty() => Self::parse(v),
            _ => Self::parse(DEFAULT_KEYTAB),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::principal::NT_PRINCIPAL;

    fn alice() -> Principal {
        Principal::new(NT_PRINCIPAL, "EXAMPLE.TEST", ["alice"])
    }

    fn sample() -> Keytab {
        let mut kt = Keytab::new();
        kt.add(KeytabEntry::new(
            alice(),
            1,
            KeyBlock::new(18, vec![1u8; 32]),
            100,
        ));
        kt.add(KeytabEntry::new(
            alice(),
            1,
            KeyBlock::new(17, vec![2u8; 16]),
            100,
        ));
        kt.add(KeytabEntry::new(
            alice(),
            2,
            KeyBlock::new(18, vec![3u8; 32]),
            200,
        ));
        kt.add(KeytabEntry::new(
            alice(),
            300,
            KeyBlock::new(23, vec![4u8; 16]),
            300,
        ));
        kt
    }

    #[test]
    fn round_trip_and_lookup() {
        let kt = sample();
        let bytes = kt.to_bytes().unwrap();
        assert_eq!(&bytes[..2], &[5, 2]);
        let back = Keytab::parse(&bytes).unwrap();
        assert_eq!(back.to_bytes().unwrap(), bytes);
        assert_eq!(back.entries.len(), 4);
        assert_eq!(back.latest_kvno(&alice()), Some(300));
        assert_eq!(back.find(&alice(), None, None).unwrap().key.etype, 23);
        assert_eq!(
            back.find(&alice(), Some(1), Some(17)).unwrap().key.value[0],
            2
        );
        assert!(back.find(&alice(), Some(1), Some(23)).is_none());
        assert_eq!(back.keys(&alice(), Some(1)).len(), 2);
        // kvno 300: 8-bit field is 300 & 0xff, the 32-bit trailer carries 300.
        assert_eq!(back.entries[3].kvno, 300);
    }

    #[test]
    fn entry_layout_matches_mit() {
        let mut kt = Keytab::new();
        kt.add(KeytabEntry::new(
            alice(),
            1,
            KeyBlock::new(17, vec![0xAA; 16]),
            0x01020304,
        ));
        let b = kt.to_bytes().unwrap();
        let mut want = vec![5, 2];
        let body: Vec<u8> = [
            &[0, 1][..], // one component
            &[0, 12],
            b"EXAMPLE.TEST", // realm
            &[0, 5],
            b"alice",      // component
            &[0, 0, 0, 1], // name type
            &[1, 2, 3, 4], // timestamp
            &[1],          // kvno8
            &[0, 17],
            &[0, 16],
            &[0xAA; 16],   // key
            &[0, 0, 0, 1], // kvno32
        ]
        .concat();
        want.extend_from_slice(&(body.len() as u32).to_be_bytes());
        want.extend_from_slice(&body);
        assert_eq!(b, want);
    }

    #[test]
    fn holes_padding_and_v1() {
        let kt = sample();
        let bytes = kt.to_bytes().unwrap();
        // Insert a hole after the version and pad the first record with zeros (no kvno32).
        let mut holed = vec![5, 2];
        holed.extend_from_slice(&(-10i32).to_be_bytes());
        holed.extend_from_slice(&[0u8; 10]);
        holed.extend_from_slice(&bytes[2..]);
        let back = Keytab::parse(&holed).unwrap();
        assert_eq!(back.entries, kt.entries);
        assert_eq!(back.to_bytes().unwrap(), holed, "holes rewritten");
        // Trailing holes, then an end marker and garbage (ignored).
        let mut trailing = holed.clone();
        trailing.extend_from_slice(&(-3i32).to_be_bytes());
        trailing.extend_from_slice(&[0; 3]);
        let back = Keytab::parse(&trailing).unwrap();
        assert_eq!(back.trailing_holes, vec![3]);
        assert_eq!(back.to_bytes().unwrap(), trailing);
        trailing.extend_from_slice(&[0, 0, 0, 0, 9, 9]);
        assert_eq!(Keytab::parse(&trailing).unwrap(), back);
        // Removing the entry after the first hole removes the hole too.
        let mut edited = Keytab::parse(&holed).unwrap();
        edited.entries.remove(0);
        let b = edited.to_bytes().unwrap();
        let mut expect = kt.clone();
        expect.entries.remove(0);
        assert_eq!(b, expect.to_bytes().unwrap());

        // Record with a zero 32-bit kvno: the 8-bit one applies.
        let mut one = Keytab::new();
        one.add(KeytabEntry::new(
            alice(),
            7,
            KeyBlock::new(18, vec![1; 32]),
            1,
        ));
        let mut b = one.to_bytes().unwrap();
        let n = b.len();
        b[n - 4..].copy_from_slice(&[0, 0, 0, 0]);
        let p = Keytab::parse(&b).unwrap();
        assert_eq!(p.entries[0].kvno, 7);
        assert_eq!(p.to_bytes().unwrap(), b, "raw tail preserved");

        // Format 0x0501 round trip (host order, realm counted, no name type).
        let mut v1 = sample();
        v1.version = KeytabVersion::V1;
        let b1 = v1.to_bytes().unwrap();
        let p1 = Keytab::parse(&b1).unwrap();
        assert_eq!(p1.entries[0].principal.name_type, NT_UNKNOWN);
        assert!(p1.entries[0].principal.matches(&alice()));
        assert_eq!(p1.entries[3].kvno, 300);
        assert_eq!(p1.to_bytes().unwrap(), b1);
    }

    #[test]
    fn bad_input_is_an_error() {
        assert!(matches!(Keytab::parse(&[]), Err(KeytabError::Empty)));
        assert!(matches!(
            Keytab::parse(&[4, 2]),
            Err(KeytabError::BadMagic(4))
        ));
        assert!(matches!(
            Keytab::parse(&[5, 3]),
            Err(KeytabError::UnsupportedVersion(0x0503))
        ));
        let b = sample().to_bytes().unwrap();
        for cut in 3..b.len() {
            // Any truncation is an error or (at a record boundary) a shorter keytab.
            if let Ok(kt) = Keytab::parse(&b[..cut]) {
                assert!(kt.entries.len() < 4);
            }
        }
        // Huge record length.
        let mut huge = vec![5, 2];
        huge.extend_from_slice(&0x7fff_ffffu32.to_be_bytes());
        assert!(matches!(
            Keytab::parse(&huge),
            Err(KeytabError::Truncated { .. })
        ));
        let mut min = vec![5, 2];
        min.extend_from_slice(&i32::MIN.to_be_bytes());
        assert!(Keytab::parse(&min).is_err());
        // Record shorter than its entry.
        let mut short = vec![5, 2, 0, 0, 0, 3, 0, 1, 0];
        short.extend_from_slice(&[0; 4]);
        assert!(matches!(
            Keytab::parse(&short),
            Err(KeytabError::Truncated { .. })
        ));
    }

    #[test]
    fn key_bytes_not_in_debug() {
        let kt = sample();
        let s = format!("{kt:?}");
        assert!(!s.contains("1, 1, 1"), "{s}");
    }

    #[test]
    fn names() {
        assert_eq!(
            KeytabName::parse("FILE:/a/b").unwrap(),
            KeytabName {
                path: "/a/b".into(),
                writable: false
            }
        );
        assert!(KeytabName::parse("WRFILE:/a/b").unwrap().writable);
        assert_eq!(
            KeytabName::resolve(None).unwrap().path,
            PathBuf::from("/etc/krb5.keytab")
        );
        assert_eq!(
            KeytabName::resolve(Some("")).unwrap().path,
            PathBuf::from(DEFAULT_KEYTAB)
        );
        assert_eq!(
            KeytabName::resolve(Some("FILE:k")).unwrap().path,
            PathBuf::from("k")
        );
        assert_eq!(KeytabName::parse("/x").unwrap().path, PathBuf::from("/x"));
        assert!(matches!(
            KeytabName::parse("FILE:"),
            Err(KeytabError::InvalidName { .. })
        ));
        assert!(matches!(
            KeytabName::parse("MEMORY:x"),
            Err(KeytabError::UnsupportedType(_))
        ));
    }

    #[test]
    fn update_locked() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("k.keytab");
        Keytab::update(&p, |kt| {
            kt.add_key(alice(), 1, KeyBlock::new(18, vec![9; 32]))
        })
        .unwrap();
        Keytab::update(&p, |kt| {
            kt.add_key(alice(), 2, KeyBlock::new(18, vec![8; 32]))
        })
        .unwrap();
        let kt = Keytab::read(&p).unwrap();
        assert_eq!(kt.entries.len(), 2);
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
}
