//! Resolution of credential cache names (`KRB5CCNAME`).

use std::fs;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

use super::{CcacheError, file};

/// Name of the primary-cache file in a `DIR:` collection.
const PRIMARY_FILE: &str = "primary";
/// Default primary cache name in a `DIR:` collection.
const DEFAULT_PRIMARY: &str = "tkt";

/// A resolved credential cache location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CcacheName {
    /// `FILE:path` or a bare path.
    File(PathBuf),
    /// A cache in a `DIR:` collection: `DIR:dir` (the primary cache, named by `dir/primary`,
    /// default `tkt`) or `DIR::dir/tktXXX` (one cache of the collection).
    Dir {
        /// The collection directory.
        directory: PathBuf,
        /// The cache file.
        path: PathBuf,
    },
}

impl CcacheName {
    /// Resolves a cache name: `FILE:path`, a bare path, `DIR:dir` or `DIR::path`.
    /// `MEMORY:`, `KEYRING:`, `KCM:`, `API:` and other types give
    /// [`CcacheError::UnsupportedType`].
    pub fn parse(name: &str) -> Result<Self, CcacheError> {
        let invalid = |reason| CcacheError::InvalidName {
            name: name.to_owned(),
            reason,
        };
        // A type prefix is what precedes the first ':' unless that looks like a path
        // (contains '/'), as in MIT's krb5_cc_resolve.
        let (ty, residual) = match name.find(':') {
            Some(i) if !name[..i].contains('/') && i > 0 => (&name[..i], &name[i + 1..]),
            _ => ("FILE", name),
        };
        match ty {
            "FILE" => {
                if residual.is_empty() {
                    return Err(invalid("empty file name"));
                }
                Ok(CcacheName::File(PathBuf::from(residual)))
            }
            "DIR" => {
                if let Some(sub) = residual.strip_prefix(':') {
                    let path = PathBuf::from(sub);
                    if !path.is_absolute() {
                        return Err(invalid("DIR::path must be an absolute path"));
                    }
                    let directory = path
                        .parent()
                        .ok_or_else(|| invalid("DIR::path has no directory"))?
                        .to_path_buf();
                    Ok(CcacheName::Dir { directory, path })
                } else {
                    if residual.is_empty() {
                        return Err(invalid("empty directory name"));
                    }
                    let directory = PathBuf::from(residual);
                    let primary =
                        read_primary(&directory).map_err(|reason| CcacheError::InvalidName {
                            name: name.to_owned(),
                            reason,
                        })?;
                    let path = directory.join(primary);
                    Ok(CcacheName::Dir { directory, path })
                }
            }
            other => Err(CcacheError::UnsupportedType(other.to_owned())),
        }
    }

    /// The cache named by `KRB5CCNAME`, or MIT's default `FILE:/tmp/krb5cc_<euid>` when it is
    /// unset or empty. (A `default_ccache_name` from krb5.conf is not consulted here.)
    pub fn from_env() -> Result<Self, CcacheError> {
        Self::resolve(std::env::var("KRB5CCNAME").ok().as_deref())
    }

    /// Resolves the value of `KRB5CCNAME` (`None` or empty: MIT's default).
    pub fn resolve(krb5ccname: Option<&str>) -> Result<Self, CcacheError> {
        match krb5ccname {
            Some(v) if !v.is_empty() => Self::parse(v),
            _ => Ok(Self::default_name()),
        }
    }

    /// MIT's built-in default, `FILE:/tmp/krb5cc_<euid>`.
    pub fn default_name() -> Self {
        CcacheName::File(PathBuf::from(format!("/tmp/krb5cc_{}", file::euid())))
    }

    /// The cache file.
    pub fn path(&self) -> &Path {
        match self {
            CcacheName::File(p) => p,
            CcacheName::Dir { path, .. } => path,
        }
    }

    /// For a `DIR:` cache, creates the collection directory (mode 0700) and the `primary`
    /// file if they are missing, as MIT does when initializing a cache in a collection.
    pub fn prepare(&self) -> Result<(), CcacheError> {
        let CcacheName::Dir { directory, path } = self else {
            return Ok(());
        };
        let io = |source| CcacheError::Io {
            path: directory.clone(),
            source,
        };
        if !directory.is_dir() {
            fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(directory)
                .map_err(io)?;
        }
        let primary = directory.join(PRIMARY_FILE);
        if !primary.exists() {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| DEFAULT_PRIMARY.to_owned());
            file::write_atomic(&primary, format!("{name}\n").as_bytes()).map_err(io)?;
        }
        Ok(())
    }
}

impl std::fmt::Display for CcacheName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CcacheName::File(p) => write!(f, "FILE:{}", p.display()),
            CcacheName::Dir { path, .. } => write!(f, "DIR::{}", path.display()),
        }
    }
}

fn read_primary(directory: &Path) -> Result<String, &'static str> {
    match fs::read(directory.join(PRIMARY_FILE)) {
        Ok(data) => {
            let text = String::from_utf8_lossy(&data);
            let name = text.lines().next().unwrap_or("").trim();
            if name.is_empty() || name.contains('/') || !name.starts_with("tkt") {
                Err("the collection's primary file does not name a tkt* cache file")
            } else {
                Ok(name.to_owned())
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(DEFAULT_PRIMARY.to_owned()),
        Err(_) => Err("the collection's primary file cannot be read"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_forms() {
        assert_eq!(
            CcacheName::parse("FILE:/tmp/x").unwrap(),
            CcacheName::File("/tmp/x".into())
        );
        assert_eq!(
            CcacheName::parse("/tmp/y").unwrap(),
            CcacheName::File("/tmp/y".into())
        );
        assert_eq!(
            CcacheName::parse("rel/a:b").unwrap(),
            CcacheName::File("rel/a:b".into())
        );
        assert!(matches!(
            CcacheName::parse("FILE:"),
            Err(CcacheError::InvalidName { .. })
        ));
    }

    #[test]
    fn unsupported_types() {
        for n in ["MEMORY:x", "KEYRING:persistent:0", "KCM:0", "API:foo"] {
            match CcacheName::parse(n) {
                Err(CcacheError::UnsupportedType(t)) => assert!(n.starts_with(&t)),
                other => panic!("{n}: {other:?}"),
            }
        }
        let msg = CcacheName::parse("KCM:").unwrap_err().to_string();
        assert!(msg.contains("unsupported ccache type"), "{msg}");
    }

    #[test]
    fn dir_collection() {
        let d = tempfile::tempdir().unwrap();
        let dir = d.path().join("coll");
        let name = format!("DIR:{}", dir.display());
        // No directory, no primary file: default tkt.
        let n = CcacheName::parse(&name).unwrap();
        assert_eq!(n.path(), dir.join("tkt"));
        n.prepare().unwrap();
        assert_eq!(fs::read_to_string(dir.join("primary")).unwrap(), "tkt\n");
        fs::write(dir.join("primary"), "tktABC\n").unwrap();
        assert_eq!(CcacheName::parse(&name).unwrap().path(), dir.join("tktABC"));
        fs::write(dir.join("primary"), "../evil\n").unwrap();
        assert!(CcacheName::parse(&name).is_err());
        let one = format!("DIR::{}/tktXYZ", dir.display());
        let n = CcacheName::parse(&one).unwrap();
        assert_eq!(
            n,
            CcacheName::Dir {
                directory: dir.clone(),
                path: dir.join("tktXYZ")
            }
        );
        assert!(CcacheName::parse("DIR::relative/tkt").is_err());
    }

    #[test]
    fn default_is_tmp_krb5cc_uid() {
        assert_eq!(
            CcacheName::resolve(None).unwrap(),
            CcacheName::default_name()
        );
        assert_eq!(
            CcacheName::resolve(Some("")).unwrap(),
            CcacheName::default_name()
        );
        assert_eq!(
            CcacheName::resolve(Some("FILE:/x")).unwrap(),
            CcacheName::File("/x".into())
        );
        let n = CcacheName::default_name();
        let uid = std::fs::metadata("/proc/self")
            .map(|m| std::os::unix::fs::MetadataExt::uid(&m))
            .unwrap();
        assert_eq!(n.path(), Path::new(&format!("/tmp/krb5cc_{uid}")));
    }
}
