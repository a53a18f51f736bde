//! The store: a unit is a YAML file in the served folder (found as `batch` finds them); its
//! version is the SHA-256 of the file's bytes, so a file edited on disk by hand is a new
//! version like any other. Every save is kept: its bytes under `DIR/.nianbao/history/KEY/`,
//! its row (who, when, from which version) in the state database, and the file is written
//! atomically (temporary file + rename) under the unit's file lock, after checking again that
//! the file is still at the version the save started from.
//!
//! A unit's own files (seal, figures) live in the folder beside its report named after it
//! (`乡镇/a.yaml` → `乡镇/a.files/`), which no other unit's report may name (`world`).
//!
//! The units are indexed in memory from the folder; the index is rescanned every
//! [`RESCAN`] (by the server's watcher thread) and when a request names an id it does not know,
//! so that a request's cost does not grow with the number of units.

use super::db::{Db, optional};
use crate::io::{limits, read_capped};
use rusqlite::params;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// The folder under the served folder that holds the state database and the history (hidden,
/// so `batch` never takes it for a unit).
pub const STATE_DIR: &str = ".nianbao";

/// How often the index is rescanned from the folder.
pub const RESCAN: Duration = Duration::from_secs(2);
/// A request naming an unknown id rescans at most this often.
const MISS_RESCAN: Duration = Duration::from_secs(1);

/// Versions a unit's history keeps at most (older drafts are thinned first).
pub const HISTORY_MAX_ENTRIES: usize = 200;
/// Bytes a unit's history keeps at most.
pub const HISTORY_MAX_BYTES: u64 = 64 * 1024 * 1024;
/// The newest versions, always kept whole (20 × the 2 MiB report limit is within the bytes).
pub const HISTORY_KEEP_NEWEST: usize = 20;

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
    /// The folder the report's resources are named from (the report file's folder).
    pub fn dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }

    /// The name of the unit's own folder beside its report (`a.files`), as the report names
    /// its files (`a.files/seal/公章.png`).
    pub fn files_name(&self) -> String {
        crate::world::own_files_of(&self.path).unwrap_or_default()
    }

    /// The unit's own folder.
    pub fn files_dir(&self) -> PathBuf {
        self.dir().join(self.files_name())
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

/// A relative path as one file name (`乡镇/a.yaml` → `乡镇%2Fa.yaml`): the history's and the
/// locks' names of a unit, one per file (so `x.yml` and `x.yaml` never share one).
pub(super) fn key_of(rel: &str) -> String {
    rel.replace('%', "%25").replace('/', "%2F")
}

/// The units as last scanned.
#[derive(Debug, Default)]
struct Index {
    units: Vec<Unit>,
    by_id: HashMap<String, usize>,
    by_rel: HashMap<String, usize>,
    /// Ids that two files map to (`x.yaml` and `x.yml`): neither is served.
    ambiguous: Vec<String>,
    scanned: Option<Instant>,
}

fn scan(root: &Path) -> Index {
    let Ok(found) = crate::batch::discover(&[root.to_path_buf()], None) else {
        return Index { scanned: Some(Instant::now()), ..Index::default() };
    };
    let mut all: Vec<Unit> = Vec::new();
    let mut count: HashMap<String, usize> = HashMap::new();
    for input in found.inputs {
        let rel: Vec<String> =
            input.rel.components().map(|c| c.as_os_str().to_string_lossy().into()).collect();
        let rel = rel.join("/");
        let id = crate::world::report_stem(&rel).replace('/', "~");
        *count.entry(id.clone()).or_default() += 1;
        all.push(Unit { id, rel, path: input.path });
    }
    let mut index = Index { scanned: Some(Instant::now()), ..Index::default() };
    for unit in all {
        if count.get(&unit.id).is_some_and(|&n| n > 1) {
            if !index.ambiguous.contains(&unit.id) {
                index.ambiguous.push(unit.id.clone());
            }
            continue;
        }
        index.by_id.insert(unit.id.clone(), index.units.len());
        index.by_rel.insert(unit.rel.clone(), index.units.len());
        index.units.push(unit);
    }
    index
}

/// The served folder, its state database and its index of units.
#[derive(Debug, Clone)]
pub struct Store {
    root: PathBuf,
    db: Arc<Db>,
    index: Arc<RwLock<Index>>,
    /// Whether a watcher thread keeps the index fresh (else requests rescan when it is old).
    watched: Arc<std::sync::atomic::AtomicBool>,
}

/// Why a save did not happen.
#[derive(Debug)]
pub enum SaveError {
    /// The save started from `started`, but the file is now at `current` (with these bytes).
    Stale { current: String, bytes: Vec<u8> },
    /// Reading or writing failed.
    Io(String),
    /// The unit's state forbids a change (submitted, approved or published: its name).
    Locked(&'static str),
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
    /// The store of `root` (made absolute): opens (or creates) its state database, moving an
    /// old `tokens.json` and history log into it.
    pub fn new(root: &Path) -> Result<Store, String> {
        let root = root.canonicalize().map_err(|e| format!("{}: {e}", root.display()))?;
        if !root.is_dir() {
            return Err(format!("{}: not a folder", root.display()));
        }
        let db = Arc::new(Db::open(&root.join(STATE_DIR))?);
        let store = Store {
            root,
            db,
            index: Arc::default(),
            watched: Arc::new(std::sync::atomic::AtomicBool::new(false)),
        };
        super::auth::migrate_tokens_json(&store)?;
        store.migrate_history_logs()?;
        Ok(store)
    }

    /// The served folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `DIR/.nianbao`.
    pub fn state_dir(&self) -> PathBuf {
        self.root.join(STATE_DIR)
    }

    /// The state database.
    pub fn db(&self) -> &Db {
        &self.db
    }

    pub(super) fn db_arc(&self) -> Arc<Db> {
        self.db.clone()
    }

    /// Rescans the folder now.
    pub fn rescan(&self) {
        let fresh = scan(&self.root);
        let mut index = self.index.write().unwrap_or_else(|e| e.into_inner());
        if fresh.ambiguous != index.ambiguous {
            for id in &fresh.ambiguous {
                eprintln!(
                    "serve: 单位编号 {id} 对应多个文件（如 x.yaml 与 x.yml），均不提供，请删除或改名其一 \
                     (two files map to the unit id {id}; neither is served until one is renamed)"
                );
            }
        }
        *index = fresh;
    }

    /// Keeps the index fresh on a thread of its own (rescanning every [`RESCAN`]) for as long
    /// as the store lives.
    pub fn watch(&self) {
        self.rescan();
        self.watched.store(true, std::sync::atomic::Ordering::Relaxed);
        let (root, index) = (self.root.clone(), Arc::downgrade(&self.index));
        std::thread::spawn(move || {
            loop {
                std::thread::sleep(RESCAN);
                let fresh = scan(&root);
                let Some(index) = index.upgrade() else { return };
                *index.write().unwrap_or_else(|e| e.into_inner()) = fresh;
            }
        });
    }

    /// The index, rescanned first when it was never scanned (or, unwatched, is old).
    fn fresh(&self) -> std::sync::RwLockReadGuard<'_, Index> {
        let watched = self.watched.load(std::sync::atomic::Ordering::Relaxed);
        let stale = |i: &Index| i.scanned.is_none_or(|at| !watched && at.elapsed() >= RESCAN);
        if stale(&self.index.read().unwrap_or_else(|e| e.into_inner())) {
            self.rescan();
        }
        self.index.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Every unit, in a stable order (ids two files map to are left out: [`Store::ambiguous`]).
    pub fn units(&self) -> Vec<Unit> {
        self.fresh().units.clone()
    }

    /// The units from `offset`, at most `limit`, and how many there are in all (a page of the
    /// office's list costs the page, not the folder).
    pub fn units_page(&self, offset: usize, limit: usize) -> (usize, Vec<Unit>) {
        let index = self.fresh();
        let page = index.units.iter().skip(offset).take(limit).cloned().collect();
        (index.units.len(), page)
    }

    /// Ids that more than one file maps to (`x.yaml` and `x.yml`), which are not served.
    pub fn ambiguous(&self) -> Vec<String> {
        self.fresh().ambiguous.clone()
    }

    /// The unit with this id (an unknown id rescans the folder, at most once a second).
    pub fn unit(&self, id: &str) -> Option<Unit> {
        let looked = |i: &Index| i.by_id.get(id).and_then(|&n| i.units.get(n)).cloned();
        let (found, scanned) = {
            let index = self.fresh();
            (looked(&index), index.scanned)
        };
        match found {
            Some(u) if u.path.is_file() => Some(u),
            _ if scanned.is_some_and(|at| at.elapsed() >= MISS_RESCAN) => {
                self.rescan();
                looked(&self.fresh()).filter(|u| u.path.is_file())
            }
            _ => None,
        }
    }

    /// The unit whose file has the relative path `rel`.
    pub fn unit_by_rel(&self, rel: &str) -> Option<Unit> {
        let index = self.fresh();
        index.by_rel.get(rel).and_then(|&n| index.units.get(n)).cloned()
    }

    /// The file's bytes and version.
    pub fn read(&self, unit: &Unit) -> Result<(Vec<u8>, String), String> {
        let bytes = read_capped(&unit.path, limits::REPORT).map_err(|e| e.message().1)?;
        let version = version_of(&bytes);
        Ok((bytes, version))
    }

    fn history_dir(&self, unit: &Unit) -> PathBuf {
        self.state_dir().join("history").join(key_of(&unit.rel))
    }

    /// Takes the unit's file lock (held until the file is dropped): saves of one unit, from any
    /// process that takes it, are one at a time.
    fn lock(&self, unit: &Unit) -> Result<std::fs::File, String> {
        let dir = self.state_dir().join("locks");
        std::fs::create_dir_all(&dir).map_err(|e| format!("locks: {e}"))?;
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join(format!("{}.lock", key_of(&unit.rel))))
            .map_err(|e| format!("locks: {e}"))?;
        file.lock().map_err(|e| format!("locks: {e}"))?;
        Ok(file)
    }

    /// The history of a unit, oldest first.
    pub fn history(&self, unit: &Unit) -> Vec<HistoryEntry> {
        let rows = self.db.with(|c| {
            let mut q = c.prepare_cached(
                "SELECT version, parent, who, at FROM history WHERE rel = ?1 ORDER BY seq",
            )?;
            let rows = q.query_map(params![unit.rel], |r| {
                Ok(HistoryEntry {
                    version: r.get(0)?,
                    parent: r.get(1)?,
                    who: r.get(2)?,
                    at: r.get::<_, i64>(3)?.max(0) as u64,
                })
            })?;
            rows.collect::<rusqlite::Result<Vec<_>>>()
        });
        rows.unwrap_or_else(|e| {
            eprintln!("serve: {e}");
            Vec::new()
        })
    }

    fn last_version(&self, unit: &Unit) -> Result<Option<String>, String> {
        self.db.with(|c| {
            optional(c.query_row(
                "SELECT version FROM history WHERE rel = ?1 ORDER BY seq DESC LIMIT 1",
                params![unit.rel],
                |r| r.get(0),
            ))
        })
    }

    /// The bytes of one version from the history.
    pub fn version_bytes(&self, unit: &Unit, version: &str) -> Option<Vec<u8>> {
        if version.len() != 64 || !version.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let known = self.db.with(|c| {
            optional(c.query_row(
                "SELECT 1 FROM history WHERE rel = ?1 AND version = ?2 LIMIT 1",
                params![unit.rel, version],
                |_| Ok(()),
            ))
        });
        known.ok()??;
        let path = self.history_dir(unit).join(format!("{version}.yaml"));
        read_capped(&path, limits::REPORT).ok()
    }

    /// The bytes of a version into the history's folder (before any row names them).
    fn keep_bytes(&self, unit: &Unit, bytes: &[u8], version: &str) -> Result<(), String> {
        let dir = self.history_dir(unit);
        std::fs::create_dir_all(&dir).map_err(|e| format!("history: {e}"))?;
        let file = dir.join(format!("{version}.yaml"));
        if !file.exists() {
            crate::io::write_atomic(&file, bytes, true).map_err(|e| format!("history: {e}"))?;
        }
        Ok(())
    }

    /// The row of a kept version, then the history thinned to its quota.
    fn keep_row(&self, unit: &Unit, entry: &HistoryEntry, bytes: usize) -> Result<(), String> {
        self.db.with(|c| {
            c.execute(
                "INSERT INTO history (rel, version, parent, who, at, bytes) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![unit.rel, entry.version, entry.parent, entry.who, entry.at as i64, bytes as i64],
            )
        })?;
        self.thin(unit)
    }

    /// Keeps the unit's history within [`HISTORY_MAX_ENTRIES`] and [`HISTORY_MAX_BYTES`]: the
    /// newest [`HISTORY_KEEP_NEWEST`] always; while it is over, older drafts go, oldest first,
    /// those a later version of the same day supersedes before the last of each day. Versions
    /// not in a draft state are never thinned.
    fn thin(&self, unit: &Unit) -> Result<(), String> {
        struct Row {
            seq: i64,
            version: String,
            at: i64,
            bytes: i64,
            draft: bool,
        }
        let rows = self.db.with(|c| {
            let mut q = c.prepare_cached(
                "SELECT seq, version, at, bytes, state = 'draft' FROM history WHERE rel = ?1 ORDER BY seq",
            )?;
            let rows = q.query_map(params![unit.rel], |r| {
                Ok(Row {
                    seq: r.get(0)?,
                    version: r.get(1)?,
                    at: r.get(2)?,
                    bytes: r.get(3)?,
                    draft: r.get(4)?,
                })
            })?;
            rows.collect::<rusqlite::Result<Vec<_>>>()
        })?;
        let total = |keep: &[bool]| -> (usize, u64) {
            rows.iter()
                .zip(keep)
                .filter(|(_, k)| **k)
                .fold((0, 0), |(n, b), (r, _)| (n + 1, b + r.bytes.max(0) as u64))
        };
        let mut keep = vec![true; rows.len()];
        let over = |t: (usize, u64)| t.0 > HISTORY_MAX_ENTRIES || t.1 > HISTORY_MAX_BYTES;
        if !over(total(&keep)) {
            return Ok(());
        }
        let old = rows.len().saturating_sub(HISTORY_KEEP_NEWEST);
        const DAY: i64 = 86_400;
        // First the drafts a later version of the same day supersedes, then any older draft;
        // oldest first, each only while the history is still over.
        let same_day_later = |i: usize| i + 1 < old && rows[i + 1].at / DAY == rows[i].at / DAY;
        let order =
            (0..old).filter(|&i| same_day_later(i)).chain((0..old).filter(|&i| !same_day_later(i)));
        for i in order {
            if !over(total(&keep)) {
                break;
            }
            if rows[i].draft {
                keep[i] = false;
            }
        }
        let gone: Vec<&Row> =
            rows.iter().zip(&keep).filter(|(_, k)| !**k).map(|(r, _)| r).collect();
        self.db.with(|c| {
            let tx = c.transaction()?;
            for r in &gone {
                tx.execute("DELETE FROM history WHERE seq = ?1", params![r.seq])?;
            }
            tx.commit()
        })?;
        // A version's bytes go when no row names it any more (a restored version may be
        // named twice).
        let dir = self.history_dir(unit);
        for r in gone {
            let named = rows.iter().zip(&keep).any(|(k, kept)| *kept && k.version == r.version);
            if !named {
                let _ = std::fs::remove_file(dir.join(format!("{}.yaml", r.version)));
            }
        }
        Ok(())
    }

    /// The file's version as found (`bytes`, `version`) kept in the history, as saved by
    /// `disk`, unless it is the history's last already (a hand edit is never lost). The
    /// caller holds the unit's lock.
    fn keep_found(&self, unit: &Unit, bytes: &[u8], version: &str, now: u64) -> Result<(), String> {
        let last = self.last_version(unit)?;
        if last.as_deref() == Some(version) {
            return Ok(());
        }
        let entry = HistoryEntry {
            version: version.to_string(),
            parent: last.unwrap_or_default(),
            who: "disk".into(),
            at: now,
        };
        self.keep_bytes(unit, bytes, version)?;
        self.keep_row(unit, &entry, bytes.len())
    }

    /// Saves `bytes` as the unit's report if the file is still at `started`, under the unit's
    /// file lock. A version on disk that the history does not know (a hand edit) is kept first,
    /// as saved by `disk`. The file is checked once more right before it is replaced, so that
    /// a hand edit made while the save was prepared is not overwritten. Returns the new version.
    pub fn save(
        &self,
        unit: &Unit,
        started: &str,
        bytes: &[u8],
        who: &str,
        now: u64,
    ) -> Result<String, SaveError> {
        self.save_if(unit, started, bytes, who, now, |_| Ok(()))
    }

    /// [`Store::save`] when `allowed` (given the file's current bytes, under the unit's lock)
    /// says the unit may change: a submission between the check and the write is not missed.
    pub fn save_if(
        &self,
        unit: &Unit,
        started: &str,
        bytes: &[u8],
        who: &str,
        now: u64,
        allowed: impl FnOnce(&[u8]) -> Result<(), SaveError>,
    ) -> Result<String, SaveError> {
        let _lock = self.lock(unit).map_err(SaveError::Io)?;
        let (current_bytes, current) = self.read(unit).map_err(SaveError::Io)?;
        if current != started {
            return Err(SaveError::Stale { current, bytes: current_bytes });
        }
        allowed(&current_bytes)?;
        self.keep_found(unit, &current_bytes, &current, now).map_err(SaveError::Io)?;
        let version = version_of(bytes);
        if version == current {
            return Ok(version);
        }
        // Staged beside the file and the history's bytes written before anything names them.
        let staged =
            crate::io::stage(&unit.path, bytes).map_err(|e| SaveError::Io(e.to_string()))?;
        self.keep_bytes(unit, bytes, &version).map_err(SaveError::Io)?;
        let (again_bytes, again) = self.read(unit).map_err(SaveError::Io)?;
        if again != current {
            return Err(SaveError::Stale { current: again, bytes: again_bytes });
        }
        let entry =
            HistoryEntry { version: version.clone(), parent: current, who: who.into(), at: now };
        // The row first: a crash between the two leaves the file at its last good version,
        // and the new one recoverable.
        self.keep_row(unit, &entry, bytes.len()).map_err(SaveError::Io)?;
        staged.persist(&unit.path).map_err(|e| SaveError::Io(e.error.to_string()))?;
        Ok(version)
    }

    /// Runs `f` with the unit's file lock held and the file's bytes and version as they are:
    /// a step of the workflow (a submission) sees the version no save can change under it. The
    /// version is kept in the history first (so that it can be read back by its version) and
    /// marked `kept`, which the history's quota never thins.
    pub fn with_current<T>(
        &self,
        unit: &Unit,
        now: u64,
        f: impl FnOnce(&[u8], &str) -> T,
    ) -> Result<T, String> {
        let _lock = self.lock(unit)?;
        let (bytes, version) = self.read(unit)?;
        self.keep_found(unit, &bytes, &version, now)?;
        self.db.with(|c| {
            c.execute(
                "UPDATE history SET state = 'kept' WHERE rel = ?1 AND version = ?2",
                params![unit.rel, version],
            )
        })?;
        Ok(f(&bytes, &version))
    }

    /// Moves the history of the first servers (`history/ID/log.jsonl` and the versions beside
    /// it) into the database, once.
    fn migrate_history_logs(&self) -> Result<(), String> {
        let base = self.state_dir().join("history");
        if !base.is_dir() {
            return Ok(());
        }
        for unit in self.units() {
            let old = base.join(&unit.id);
            let log = old.join("log.jsonl");
            let Ok(text) = std::fs::read_to_string(&log) else { continue };
            let entries: Vec<HistoryEntry> =
                text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
            let new = self.history_dir(&unit);
            std::fs::create_dir_all(&new).map_err(|e| format!("history: {e}"))?;
            for e in &entries {
                let from = old.join(format!("{}.yaml", e.version));
                let to = new.join(format!("{}.yaml", e.version));
                if from.is_file() && !to.exists() {
                    std::fs::rename(&from, &to).map_err(|e| format!("history: {e}"))?;
                }
            }
            let size =
                |v: &str| std::fs::metadata(new.join(format!("{v}.yaml"))).map_or(0, |m| m.len());
            self.db.with(|c| {
                let tx = c.transaction()?;
                for e in &entries {
                    tx.execute(
                        "INSERT INTO history (rel, version, parent, who, at, bytes) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                        params![unit.rel, e.version, e.parent, e.who, e.at as i64, size(&e.version) as i64],
                    )?;
                }
                tx.commit()
            })?;
            std::fs::rename(&log, old.join("log.jsonl.migrated"))
                .map_err(|e| format!("history: {e}"))?;
        }
        Ok(())
    }
}
