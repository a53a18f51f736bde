//! File services the front ends share: reading with a size cap (never blocking on a FIFO or
//! growing with `/dev/zero`), atomic writes, and writing one unit's outputs together under the
//! rule that a signed document is never replaced without `--force`.
//!
//! The pipeline itself (check, resolve, layout, export) touches no file: front ends read
//! through these helpers and hand bytes to the [`Engine`](crate::Engine).

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Why a file could not be read.
#[derive(Debug)]
pub enum ReadError {
    /// Nothing at that path.
    NotFound,
    /// Something that is not a regular file: a folder, device, FIFO or socket.
    NotAFile(&'static str),
    /// Larger than the cap for its kind.
    TooLarge {
        /// Bytes found (at least `limit + 1`).
        size: u64,
        /// The cap.
        limit: u64,
    },
    /// Any other I/O error (permissions, a symlink loop, …).
    Io(std::io::Error),
}

impl ReadError {
    /// Chinese, then English; `what` names the file's role (e.g. `印章图片 (seal image)`).
    pub fn message(&self) -> (String, String) {
        match self {
            ReadError::NotFound => ("文件不存在".into(), "file not found".into()),
            ReadError::NotAFile(kind) => (
                format!("不是普通文件（{}）", kind_zh(kind)),
                format!("not a regular file ({kind})"),
            ),
            ReadError::TooLarge { size, limit } => (
                format!("文件过大（至少 {size} 字节，上限 {limit} 字节）"),
                format!("file too large (at least {size} bytes, limit {limit} bytes)"),
            ),
            ReadError::Io(e) if e.raw_os_error() == Some(40) => {
                ("符号链接循环".into(), "a loop of symbolic links".into())
            }
            ReadError::Io(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
                ("没有读取权限".into(), "permission denied".into())
            }
            ReadError::Io(e) => (format!("读取失败：{e}"), format!("cannot read it ({e})")),
        }
    }
}

fn kind_zh(kind: &str) -> &'static str {
    match kind {
        "a folder" => "文件夹",
        "a FIFO" => "命名管道",
        "a socket" => "套接字",
        "a device" => "设备文件",
        _ => "特殊文件",
    }
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (zh, en) = self.message();
        write!(f, "{zh} ({en})")
    }
}

/// Size caps of the files nianbao reads, by role.
pub mod limits {
    /// A report YAML (real reports are a few tens of KB).
    pub const REPORT: u64 = 2 * 1024 * 1024;
    /// A seal or figure image.
    pub const IMAGE: u64 = 20 * 1024 * 1024;
    /// A font file (the largest CJK faces are ~20 MB; collections more).
    pub const FONT: u64 = 64 * 1024 * 1024;
    /// A PDF given to `nianbao sign`.
    pub const PDF: u64 = 256 * 1024 * 1024;
    /// A PKCS#12 key file.
    pub const KEY: u64 = 1024 * 1024;
    /// A password file.
    pub const PASSWORD: u64 = 64 * 1024;
    /// A published report given to `import` or `audit` (a PDF or DOCX with its images).
    pub const PUBLISHED: u64 = 64 * 1024 * 1024;
}

/// What kind of thing is at `path` when it is not a regular file.
fn special_kind(meta: &std::fs::Metadata) -> Option<&'static str> {
    let ft = meta.file_type();
    if ft.is_file() {
        return None;
    }
    if ft.is_dir() {
        return Some("a folder");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return Some("a FIFO");
        }
        if ft.is_socket() {
            return Some("a socket");
        }
        if ft.is_block_device() || ft.is_char_device() {
            return Some("a device");
        }
    }
    Some("a special file")
}

/// Reads a regular file of at most `limit` bytes. A folder, FIFO, device or socket is refused
/// before it is opened (so a FIFO never blocks), and at most `limit + 1` bytes are read.
pub fn read_capped(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => ReadError::NotFound,
        _ => ReadError::Io(e),
    })?;
    if let Some(kind) = special_kind(&meta) {
        return Err(ReadError::NotAFile(kind));
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge { size: meta.len(), limit });
    }
    let file = File::open(path).map_err(ReadError::Io)?;
    // The file may have changed between stat and open: re-check what was opened.
    let opened = file.metadata().map_err(ReadError::Io)?;
    if let Some(kind) = special_kind(&opened) {
        return Err(ReadError::NotAFile(kind));
    }
    let mut bytes = Vec::with_capacity(opened.len().min(limit) as usize);
    file.take(limit + 1).read_to_end(&mut bytes).map_err(ReadError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge { size: bytes.len() as u64, limit });
    }
    Ok(bytes)
}

/// Writes `bytes` to `path` atomically: a temporary file in the same folder, then a rename, so
/// an interrupted or failed write leaves no partial file. Without `overwrite` an existing file
/// is never replaced (`AlreadyExists`).
pub fn write_atomic(path: &Path, bytes: &[u8], overwrite: bool) -> std::io::Result<()> {
    let staged = stage(path, bytes)?;
    persist(staged, path, overwrite)
}

/// Prefix of the temporary files nianbao writes next to its outputs; leftovers of a killed run
/// carry it, so a later run can remove them.
pub const TEMP_PREFIX: &str = ".nianbao-";

/// The folder `path` is in: `.` for a bare file name.
pub fn folder_of(path: &Path) -> &Path {
    path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."))
}

/// `bytes` in a temporary file beside `path` (readable as a published document is), to be
/// renamed over it.
pub fn stage(path: &Path, bytes: &[u8]) -> std::io::Result<tempfile::NamedTempFile> {
    let dir = folder_of(path);
    let mut tmp = tempfile::Builder::new().prefix(TEMP_PREFIX).suffix(".tmp").tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    // Temporary files are created 0600; the document is for publication.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file().set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    // No fsync: the rename alone guarantees readers never see a partial file (the Ctrl-C and
    // error cases); an fsync per document costs more than rendering it in batch runs and only
    // matters for power loss.
    Ok(tmp)
}

fn persist(tmp: tempfile::NamedTempFile, path: &Path, overwrite: bool) -> std::io::Result<()> {
    if overwrite {
        tmp.persist(path).map_err(|e| e.error)?;
    } else {
        tmp.persist_noclobber(path).map_err(|e| e.error)?;
    }
    Ok(())
}

/// Whether PDF bytes carry a digital signature (a signature dictionary with a `/ByteRange`).
pub fn is_signed_pdf(bytes: &[u8]) -> bool {
    bytes.starts_with(b"%PDF") && memchr::memmem::find(bytes, b"/ByteRange").is_some()
}

/// Whether the file at `path` is a signed PDF (read up to the PDF cap; unreadable: no).
fn file_is_signed(path: &Path) -> bool {
    read_capped(path, limits::PDF).is_ok_and(|b| is_signed_pdf(&b))
}

/// When an existing output may be replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replace {
    /// The one rule of every command without `--force`: an existing output is replaced only
    /// when neither it nor the new document carries a signature.
    UnlessSigned,
    /// `--force`: always.
    Always,
}

/// Why a unit's outputs were not written.
#[derive(Debug)]
pub enum WriteError {
    /// An output exists and [`Replace`] forbids replacing it.
    Exists(PathBuf),
    /// An I/O error on this path.
    Io(PathBuf, std::io::Error),
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WriteError::Exists(p) => write!(f, "{}", exists_message(p)),
            WriteError::Io(p, e) => {
                write!(f, "无法写入 {}：{e} (cannot write {})", p.display(), p.display())
            }
        }
    }
}

/// The message for an output that exists and was not replaced.
pub fn exists_message(path: &Path) -> String {
    format!(
        "输出文件 {} 已存在且带有签名（或新文件带签名），未覆盖；如需覆盖请加 --force \
         ({} exists and a signature is involved; use --force to replace it)",
        path.display(),
        path.display()
    )
}

/// Whether `path` may be replaced by `new` under `replace` (true when it does not exist).
pub fn may_replace(path: &Path, new: &[u8], replace: Replace) -> bool {
    match replace {
        Replace::Always => true,
        Replace::UnlessSigned => {
            // Neither the new document nor the existing file may carry a signature.
            !path.exists() || !(is_signed_pdf(new) || has_pdf_ext(path) && file_is_signed(path))
        }
    }
}

fn has_pdf_ext(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("pdf"))
}

/// Writes one unit's documents together: every file is staged as a temporary file first, and
/// only when all are staged are they renamed into place, so a failure (disk full, a refused
/// replacement) leaves the old set of outputs as it was, never a new PDF beside an old DOCX.
pub fn write_all(files: &[(PathBuf, &[u8])], replace: Replace) -> Result<(), WriteError> {
    for (path, bytes) in files {
        if !may_replace(path, bytes, replace) {
            return Err(WriteError::Exists(path.clone()));
        }
    }
    let mut staged = Vec::with_capacity(files.len());
    for (path, bytes) in files {
        let tmp = stage(path, bytes).map_err(|e| WriteError::Io(path.clone(), e))?;
        staged.push((tmp, path));
    }
    // A rename can still fail (a folder where a file goes, a file system gone read-only):
    // each existing output is kept under a temporary name (a hard link, no copy) until every
    // rename succeeded, and put back if one fails, so the old set stays whole.
    let mut backups: Vec<(PathBuf, &PathBuf)> = Vec::new();
    let mut done: Vec<&PathBuf> = Vec::new();
    let mut failure = None;
    for (tmp, path) in staged {
        if std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file())
            && let Some(backup) = backup_name(path)
            && std::fs::hard_link(path, &backup).is_ok()
        {
            backups.push((backup, path));
        }
        // The check above decided; a file that appeared since is replaced like any other.
        match persist(tmp, path, true) {
            Ok(()) => done.push(path),
            Err(e) => {
                failure = Some(WriteError::Io(path.clone(), e));
                break;
            }
        }
    }
    match failure {
        None => {
            for (backup, _) in backups {
                let _ = std::fs::remove_file(backup);
            }
            Ok(())
        }
        Some(e) => {
            for path in done {
                match backups.iter().position(|(_, p)| *p == path) {
                    Some(i) => {
                        let _ = std::fs::rename(&backups.remove(i).0, path);
                    }
                    None => {
                        let _ = std::fs::remove_file(path);
                    }
                }
            }
            for (backup, _) in backups {
                let _ = std::fs::remove_file(backup);
            }
            Err(e)
        }
    }
}

/// A free temporary name beside `path` (removed at the next batch start if a kill leaves it).
fn backup_name(path: &Path) -> Option<PathBuf> {
    let dir = folder_of(path);
    let pid = std::process::id();
    (0..100u32).map(|n| dir.join(format!("{TEMP_PREFIX}old-{pid}-{n}.tmp"))).find(|p| !p.exists())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capped_reads_refuse_special_files_and_large_ones() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(read_capped(dir.path(), 10), Err(ReadError::NotAFile("a folder"))));
        assert!(matches!(read_capped(&dir.path().join("nope"), 10), Err(ReadError::NotFound)));
        let f = dir.path().join("f");
        std::fs::write(&f, b"0123456789A").unwrap();
        assert!(matches!(read_capped(&f, 10), Err(ReadError::TooLarge { size: 11, limit: 10 })));
        assert_eq!(read_capped(&f, 11).unwrap(), b"0123456789A");
        #[cfg(unix)]
        assert!(matches!(
            read_capped(Path::new("/dev/zero"), 10),
            Err(ReadError::NotAFile("a device"))
        ));
    }

    #[test]
    fn signed_outputs_are_not_replaced_without_force() {
        let dir = tempfile::tempdir().unwrap();
        let pdf = dir.path().join("r.pdf");
        let signed: &[u8] = b"%PDF-1.7 ... /ByteRange [0 1 2 3] ...";
        let plain: &[u8] = b"%PDF-1.7 plain";
        write_all(&[(pdf.clone(), plain)], Replace::UnlessSigned).unwrap();
        // plain over plain: replaced
        write_all(&[(pdf.clone(), plain)], Replace::UnlessSigned).unwrap();
        // signed over plain: refused
        assert!(matches!(
            write_all(&[(pdf.clone(), signed)], Replace::UnlessSigned),
            Err(WriteError::Exists(_))
        ));
        write_all(&[(pdf.clone(), signed)], Replace::Always).unwrap();
        // plain over signed: refused, and the DOCX beside it is not written either
        let docx = dir.path().join("r.docx");
        assert!(
            write_all(&[(pdf.clone(), plain), (docx.clone(), b"PK")], Replace::UnlessSigned)
                .is_err()
        );
        assert!(!docx.exists());
        assert_eq!(std::fs::read(&pdf).unwrap(), signed);
    }
}
