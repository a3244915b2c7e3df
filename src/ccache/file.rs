//! Atomic replacement and advisory locking of cache and keytab files.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

fn temp_name(path: &Path) -> io::Result<PathBuf> {
    let name = path.file_name().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "path has no file name component",
        )
    })?;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    // A leading dot keeps the temporary file out of MIT DIR: collections (which list `tkt*`).
    let mut tmp = std::ffi::OsString::from(".");
    tmp.push(name);
    tmp.push(format!(".tmp.{}.{n}.{nanos:x}", std::process::id()));
    Ok(parent_dir(path).join(tmp))
}

/// Writes `data` to `path` atomically: a new temporary file (mode 0600) in the same directory,
/// fsync, rename over `path`, fsync of the directory. Readers see the old or the new content,
/// never a partial one.
pub(crate) fn write_atomic(path: &Path, data: &[u8]) -> io::Result<()> {
    let mut attempts = 0;
    let (tmp, mut file) = loop {
        let tmp = temp_name(path)?;
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)
        {
            Ok(f) => break (tmp, f),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempts < 100 => {
                attempts += 1;
            }
            Err(e) => return Err(e),
        }
    };
    let result = (|| {
        file.write_all(data)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    // Make the rename durable; not all file systems allow fsync on a directory.
    if let Ok(d) = File::open(parent_dir(path)) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// An exclusive advisory lock (flock) on the file currently at a path; released on drop.
pub(crate) struct FileLock {
    _file: File,
    /// Whether this lock created the (empty) file.
    created: bool,
}

impl FileLock {
    /// If this lock created the file and it is still empty, removes it (the update failed).
    pub fn remove_placeholder(&self, path: &Path) {
        if self.created && fs::metadata(path).is_ok_and(|m| m.len() == 0) {
            let _ = fs::remove_file(path);
        }
    }
}

/// Locks the file at `path`, creating it empty (mode 0600) if absent. Because writers replace
/// the file by rename, the lock is retried until the locked inode is the one at `path`.
pub(crate) fn lock_path(path: &Path) -> io::Result<FileLock> {
    loop {
        let (file, created) = match OpenOptions::new().read(true).open(path) {
            Ok(f) => (f, false),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                match OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .mode(0o600)
                    .open(path)
                {
                    Ok(f) => (f, true),
                    Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                    Err(e) => return Err(e),
                }
            }
            Err(e) => return Err(e),
        };
        rustix::fs::flock(&file, rustix::fs::FlockOperation::LockExclusive)?;
        let locked = file.metadata()?;
        match fs::metadata(path) {
            Ok(now) if now.dev() == locked.dev() && now.ino() == locked.ino() => {
                return Ok(FileLock {
                    _file: file,
                    created,
                });
            }
            Ok(_) => continue,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        }
    }
}

/// The effective uid of this process (for MIT's default `/tmp/krb5cc_<uid>`).
pub(crate) fn euid() -> u32 {
    rustix::process::geteuid().as_raw()
}
