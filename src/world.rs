//! Where a report's resources come from. The pipeline never opens a file: the images a
//! report names (`signature.seal`, figures' `image`) are fetched through [`Resources`], as
//! typst's `World` serves a compilation. [`FsResources`] reads a folder for the command line;
//! [`MemoryResources`] serves bytes held in memory (a web form, an importer, a test).

use crate::io::{ReadError, limits, read_capped};
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

/// Why a resource could not be had.
#[derive(Debug)]
pub enum ResourceError {
    /// Reading failed (not found, not a regular file, too large, I/O).
    Read(ReadError),
    /// The name leaves the report's folder (an absolute path or `..`) and resources are
    /// confined to it.
    Outside,
    /// The name is inside another report's own folder (`b.files/…` named by `a.yaml`), and
    /// resources are confined.
    OtherUnit,
}

impl ResourceError {
    /// Chinese, then English.
    pub fn message(&self) -> (String, String) {
        match self {
            ResourceError::Read(e) => e.message(),
            ResourceError::Outside => (
                "路径超出报告所在目录（不允许绝对路径和 ..）".into(),
                "the path leaves the report's folder (no absolute paths or ..)".into(),
            ),
            ResourceError::OtherUnit => (
                "路径指向另一份报告的文件夹（*.files），只能引用本报告自己的文件夹".into(),
                "the path is inside another report's own folder (*.files); only the report's own may be named".into(),
            ),
        }
    }
}

/// A source of the files a report names, by the name written in the report.
pub trait Resources: Sync {
    /// The bytes of the resource `name` (as written in the YAML), at most `limit` bytes.
    fn read(&self, name: &str, limit: u64) -> Result<Vec<u8>, ResourceError>;

    /// A stable description of where `name` lives, for messages (`units/seal.png`).
    fn describe(&self, name: &str) -> String {
        name.to_string()
    }
}

/// Whether `name` stays inside its base folder: relative, without `..`, not empty.
pub fn is_confined(name: &str) -> bool {
    let path = Path::new(name);
    !name.is_empty()
        && path.components().all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
}

/// Resources read from a folder (the report's own). With `confine`, names must stay inside it
/// (no absolute paths, no `..`, and no symbolic link that leads out of it), and may not enter a
/// folder named `*.files` other than the report's own (`a.yaml`'s is `a.files`): that is where
/// `serve` keeps each unit's seal and figures, so units sharing a folder cannot name each
/// other's.
#[derive(Debug, Clone)]
pub struct FsResources {
    base: PathBuf,
    confine: bool,
    /// The report's own `*.files` folder name, when the report file is known.
    own_files: Option<String>,
}

/// The suffix of a report's own folder of files (`a.yaml` → `a.files`).
pub const FILES_SUFFIX: &str = ".files";

/// A report file's name without its extension (`.yaml` or `.yml`, any case).
pub fn report_stem(name: &str) -> &str {
    let lower = name.to_ascii_lowercase();
    [".yaml", ".yml"]
        .iter()
        .find(|ext| lower.ends_with(*ext))
        .map_or(name, |ext| &name[..name.len() - ext.len()])
}

/// The name of the own folder of files of the report file at `path` (`a.yaml` → `a.files`).
pub fn own_files_of(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    Some(format!("{}{FILES_SUFFIX}", report_stem(name)))
}

/// Whether `name` enters a `*.files` folder other than `own`.
fn names_other_files(name: &str, own: Option<&str>) -> bool {
    Path::new(name).components().any(|c| {
        let c = c.as_os_str().to_string_lossy();
        c.ends_with(FILES_SUFFIX) && Some(c.as_ref()) != own
    })
}

impl FsResources {
    /// Resources relative to `base`; absolute paths and `..` allowed (a clerk's own files).
    pub fn new(base: impl Into<PathBuf>) -> Self {
        FsResources { base: base.into(), confine: false, own_files: None }
    }

    /// Resources confined to `base`: for reports that come from someone else.
    pub fn confined(base: impl Into<PathBuf>) -> Self {
        FsResources { base: base.into(), confine: true, own_files: None }
    }

    /// The folder of the report file at `path` (`.` for a bare file name).
    pub fn for_report(path: &Path, confine: bool) -> Self {
        FsResources {
            base: crate::io::folder_of(path).to_path_buf(),
            confine,
            own_files: own_files_of(path),
        }
    }

    /// The path a name resolves to.
    pub fn path_of(&self, name: &str) -> PathBuf {
        self.base.join(name)
    }
}

impl Resources for FsResources {
    fn read(&self, name: &str, limit: u64) -> Result<Vec<u8>, ResourceError> {
        let path = self.path_of(name);
        if self.confine {
            if !is_confined(name) {
                return Err(ResourceError::Outside);
            }
            if names_other_files(name, self.own_files.as_deref()) {
                return Err(ResourceError::OtherUnit);
            }
            // A symbolic link inside the folder may still lead out of it.
            let base =
                self.base.canonicalize().map_err(|e| ResourceError::Read(ReadError::Io(e)))?;
            match path.canonicalize() {
                Ok(real) if !real.starts_with(&base) => return Err(ResourceError::Outside),
                _ => {}
            }
        }
        read_capped(&path, limit).map_err(ResourceError::Read)
    }

    fn describe(&self, name: &str) -> String {
        self.path_of(name).display().to_string()
    }
}

/// Resources held in memory, by name (uploads, imported documents, tests).
#[derive(Debug, Clone, Default)]
pub struct MemoryResources {
    files: HashMap<String, Vec<u8>>,
}

impl MemoryResources {
    /// No resources.
    pub fn new() -> Self {
        MemoryResources::default()
    }

    /// Adds (or replaces) a resource.
    pub fn insert(&mut self, name: impl Into<String>, bytes: Vec<u8>) {
        self.files.insert(name.into(), bytes);
    }
}

impl Resources for MemoryResources {
    fn read(&self, name: &str, limit: u64) -> Result<Vec<u8>, ResourceError> {
        let bytes = self.files.get(name).ok_or(ResourceError::Read(ReadError::NotFound))?;
        if bytes.len() as u64 > limit {
            return Err(ResourceError::Read(ReadError::TooLarge {
                size: bytes.len() as u64,
                limit,
            }));
        }
        Ok(bytes.clone())
    }
}

/// The cap for an image resource.
pub const IMAGE_LIMIT: u64 = limits::IMAGE;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confinement_refuses_absolute_paths_dotdot_and_links_out() {
        assert!(is_confined("seal.png") && is_confined("img/a.png") && is_confined("./a.png"));
        assert!(!is_confined("/etc/passwd") && !is_confined("../x.png") && !is_confined(""));
        let dir = tempfile::tempdir().unwrap();
        let inner = dir.path().join("unit");
        std::fs::create_dir(&inner).unwrap();
        std::fs::write(dir.path().join("secret.png"), b"x").unwrap();
        std::fs::write(inner.join("seal.png"), b"seal").unwrap();
        let fs = FsResources::confined(&inner);
        assert_eq!(fs.read("seal.png", 10).unwrap(), b"seal");
        assert!(matches!(fs.read("../secret.png", 10), Err(ResourceError::Outside)));
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.path().join("secret.png"), inner.join("link.png"))
                .unwrap();
            assert!(matches!(fs.read("link.png", 10), Err(ResourceError::Outside)));
            assert_eq!(FsResources::new(&inner).read("link.png", 10).unwrap(), b"x");
        }
    }
}
