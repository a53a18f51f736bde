//! The store: a unit is a YAML file in the served folder (found as `batch` finds them); its
//! version is the SHA-256 of the file's bytes, so a file edited on disk by hand is a new
//! version like any other. Every save is kept under `DIR/.nianbao/history/ID/` with who saved
//! it and when, and is written atomically (temporary file + rename).

use crate::io::{limits, read_capped, write_atomic};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The folder under the served folder that holds the tokens and the history (hidden, so
/// `batch` never takes it for a unit).
pub const STATE_DIR: &str = ".nianbao";

/// One unit's report file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    /// The id in URLs: the path relative to the folder, without the extension, `/` as `~`.
    pub id: String,
    /// The path relative to the folder (`/`-separated), as tokens name it.
    pub rel: String,
    /// The file.
    pub path: PathBuf,
}

impl Unit {
    /// The folder the report's seal and figures are read from (and confined to).
    pub fn dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }
}

/// A version of a report: the hex SHA-256 of its bytes.
pub fn version_of(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The served folder.
#[derive(Debug, Clone)]
pub struct Store {
    root: PathBuf,
}

/// Why a save did not happen.
#[derive(Debug)]
pub enum SaveError {
    /// The save started from `started`, but the file is now at `current` (with these bytes).
    Stale { current: String, bytes: Vec<u8> },
    /// Reading or writing failed.
    Io(String),
}

/// One entry of a report's history.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct HistoryEntry {
    /// The version saved.
    pub version: String,
    /// The version it replaced (empty for a file found on disk).
    pub parent: String,
    /// Who saved it: `admin`, a unit's id, or `disk` for a hand edit found on disk.
    pub who: String,
    /// When, in seconds since 1970 (UTC).
    pub at: u64,
}

impl Store {
    /// The store of `root` (made absolute).
    pub fn new(root: &Path) -> Result<Store, String> {
        let root = root.canonicalize().map_err(|e| format!("{}: {e}", root.display()))?;
        if !root.is_dir() {
            return Err(format!("{}: not a folder", root.display()));
        }
        Ok(Store { root })
    }

    /// The served folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `DIR/.nianbao`.
    pub fn state_dir(&self) -> PathBuf {
        self.root.join(STATE_DIR)
    }

    /// Every unit, in a stable order (a second file mapping to an id already taken is left out).
    pub fn units(&self) -> Vec<Unit> {
        let Ok(found) = crate::batch::discover(std::slice::from_ref(&self.root), None) else {
            return Vec::new();
        };
        let mut out: Vec<Unit> = Vec::new();
        for input in found.inputs {
            let rel: Vec<String> =
                input.rel.components().map(|c| c.as_os_str().to_string_lossy().into()).collect();
            let rel = rel.join("/");
            let stem = rel
                .strip_suffix(".yaml")
                .or_else(|| rel.strip_suffix(".yml"))
                .or_else(|| rel.strip_suffix(".YAML"))
                .or_else(|| rel.strip_suffix(".YML"))
                .unwrap_or(&rel);
            let id = stem.replace('/', "~");
            if out.iter().any(|u| u.id == id) {
                continue;
            }
            out.push(Unit { id, rel, path: input.path });
        }
        out
    }

    /// The unit with this id.
    pub fn unit(&self, id: &str) -> Option<Unit> {
        self.units().into_iter().find(|u| u.id == id)
    }

    /// The file's bytes and version.
    pub fn read(&self, unit: &Unit) -> Result<(Vec<u8>, String), String> {
        let bytes = read_capped(&unit.path, limits::REPORT).map_err(|e| e.message().1)?;
        let version = version_of(&bytes);
        Ok((bytes, version))
    }

    fn history_dir(&self, unit: &Unit) -> PathBuf {
        self.state_dir().join("history").join(&unit.id)
    }

    /// The history of a unit, oldest first.
    pub fn history(&self, unit: &Unit) -> Vec<HistoryEntry> {
        let log = self.history_dir(unit).join("log.jsonl");
        let Ok(text) = std::fs::read_to_string(log) else { return Vec::new() };
        text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect()
    }

    /// The bytes of one version from the history.
    pub fn version_bytes(&self, unit: &Unit, version: &str) -> Option<Vec<u8>> {
        if version.len() != 64 || !version.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let path = self.history_dir(unit).join(format!("{version}.yaml"));
        read_capped(&path, limits::REPORT).ok()
    }

    fn keep(&self, unit: &Unit, bytes: &[u8], entry: &HistoryEntry) -> Result<(), String> {
        let dir = self.history_dir(unit);
        std::fs::create_dir_all(&dir).map_err(|e| format!("history: {e}"))?;
        let file = dir.join(format!("{}.yaml", entry.version));
        if !file.exists() {
            write_atomic(&file, bytes, true).map_err(|e| format!("history: {e}"))?;
        }
        let mut line = serde_json::to_string(entry).map_err(|e| e.to_string())?;
        line.push('\n');
        let mut log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join("log.jsonl"))
            .map_err(|e| format!("history: {e}"))?;
        log.write_all(line.as_bytes()).map_err(|e| format!("history: {e}"))
    }

    /// Saves `bytes` as the unit's report if the file is still at `started` (the caller holds
    /// the unit's lock). A version on disk that the history does not know (a hand edit) is
    /// kept first, as saved by `disk`. Returns the new version.
    pub fn save(
        &self,
        unit: &Unit,
        started: &str,
        bytes: &[u8],
        who: &str,
        now: u64,
    ) -> Result<String, SaveError> {
        let (current_bytes, current) = self.read(unit).map_err(SaveError::Io)?;
        if current != started {
            return Err(SaveError::Stale { current, bytes: current_bytes });
        }
        let history = self.history(unit);
        if history.last().is_none_or(|h| h.version != current) {
            let parent = history.last().map(|h| h.version.clone()).unwrap_or_default();
            let entry =
                HistoryEntry { version: current.clone(), parent, who: "disk".into(), at: now };
            self.keep(unit, &current_bytes, &entry).map_err(SaveError::Io)?;
        }
        let version = version_of(bytes);
        if version == current {
            return Ok(version);
        }
        let entry =
            HistoryEntry { version: version.clone(), parent: current, who: who.into(), at: now };
        // The history first: a crash between the two leaves the file at its last good
        // version, and the new one recoverable.
        self.keep(unit, bytes, &entry).map_err(SaveError::Io)?;
        write_atomic(&unit.path, bytes, true).map_err(|e| SaveError::Io(e.to_string()))?;
        Ok(version)
    }
}
