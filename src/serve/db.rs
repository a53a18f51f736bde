//! The server's own state in one SQLite file, `DIR/.nianbao/state.sqlite` (issue #29): the
//! tokens' hashes, the browser sessions, the failed logins of each address, the history index
//! and the audit log. The reports stay YAML files in DIR; the history's bytes stay files
//! beside this one (`history/`), written before the row that names them.
//!
//! WAL mode (readers never wait for the writer; a second process — `serve --issue-tokens`
//! while a server runs — waits up to five seconds for the lock), `synchronous=NORMAL`: a
//! committed transaction survives the process being killed (only a power cut may lose the
//! last ones, never consistency). The schema is migrated by `PRAGMA user_version`.

use rusqlite::{Connection, OptionalExtension, params};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The file under `DIR/.nianbao/`.
pub const DB_FILE: &str = "state.sqlite";

/// The schema, one step per version: step `i` takes `user_version` from `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: the first schema.
    "CREATE TABLE tokens (
         hash BLOB PRIMARY KEY,       -- SHA-256 of the token
         unit TEXT,                   -- the unit's relative path; NULL for the office
         issued_at INTEGER NOT NULL
     );
     CREATE INDEX tokens_unit ON tokens(unit);
     CREATE TABLE sessions (
         id_hash BLOB PRIMARY KEY,    -- SHA-256 of the session id (the id is only in the cookie)
         token_hash BLOB NOT NULL,    -- the caller: the token it logged in with
         csrf TEXT NOT NULL,
         started INTEGER NOT NULL
     );
     CREATE INDEX sessions_caller ON sessions(token_hash, started);
     CREATE INDEX sessions_started ON sessions(started);
     CREATE TABLE failures (
         ip TEXT PRIMARY KEY,
         count INTEGER NOT NULL,
         at INTEGER NOT NULL
     );
     CREATE TABLE history (
         seq INTEGER PRIMARY KEY AUTOINCREMENT,
         rel TEXT NOT NULL,           -- the unit's relative path (not its id: x.yml is not x.yaml)
         version TEXT NOT NULL,
         parent TEXT NOT NULL,
         who TEXT NOT NULL,
         at INTEGER NOT NULL,
         bytes INTEGER NOT NULL,
         state TEXT NOT NULL DEFAULT 'draft'  -- only drafts are ever thinned
     );
     CREATE INDEX history_rel ON history(rel, seq);
     CREATE TABLE audit (
         seq INTEGER PRIMARY KEY AUTOINCREMENT,
         at INTEGER NOT NULL,
         who TEXT NOT NULL,
         ip TEXT,
         action TEXT NOT NULL,
         target TEXT NOT NULL DEFAULT '',
         detail TEXT NOT NULL DEFAULT ''
     );",
    // 2: the filing workflow (issue #32): each unit's state per year, every transition, the
    // deadlines, the publications; an office token's folder scope.
    "CREATE TABLE filings (
         rel TEXT NOT NULL,           -- the unit's relative path
         year INTEGER NOT NULL,
         state TEXT NOT NULL,         -- editing | submitted | returned | approved | published
         who TEXT NOT NULL,
         at INTEGER NOT NULL,
         comment TEXT NOT NULL DEFAULT '',
         version TEXT NOT NULL DEFAULT '',  -- the version submitted, approved or published
         PRIMARY KEY (rel, year)
     );
     CREATE TABLE transitions (
         seq INTEGER PRIMARY KEY AUTOINCREMENT,
         rel TEXT NOT NULL,
         year INTEGER NOT NULL,
         from_state TEXT NOT NULL,
         to_state TEXT NOT NULL,
         who TEXT NOT NULL,
         at INTEGER NOT NULL,
         comment TEXT NOT NULL DEFAULT '',
         version TEXT NOT NULL DEFAULT ''
     );
     CREATE INDEX transitions_unit ON transitions(rel, year, seq);
     CREATE TABLE deadlines (
         year INTEGER PRIMARY KEY,    -- the reported year
         due TEXT NOT NULL,           -- YYYY-MM-DD
         who TEXT NOT NULL,
         at INTEGER NOT NULL
     );
     CREATE TABLE publications (
         seq INTEGER PRIMARY KEY AUTOINCREMENT,
         rel TEXT NOT NULL,
         year INTEGER NOT NULL,
         version TEXT NOT NULL,
         folder TEXT NOT NULL,        -- under DIR/.nianbao/published/
         files TEXT NOT NULL,         -- JSON: [{name, bytes, sha256}]
         who TEXT NOT NULL,
         at INTEGER NOT NULL,
         withdrawn_at INTEGER,
         withdrawn_by TEXT,
         reason TEXT
     );
     CREATE INDEX publications_unit ON publications(rel, year, seq);
     ALTER TABLE tokens ADD COLUMN scope TEXT NOT NULL DEFAULT '';  -- an office token's folder
     CREATE INDEX audit_at ON audit(at);",
    // 3: single sign-on's tokens, one per login, gone with their sessions.
    "ALTER TABLE tokens ADD COLUMN sso INTEGER NOT NULL DEFAULT 0;",
];

/// The open database (one connection; its statements are short).
pub struct Db {
    conn: Mutex<Connection>,
    path: PathBuf,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db").field("path", &self.path).finish()
    }
}

/// A database error as the server logs it.
pub fn err(e: rusqlite::Error) -> String {
    format!("state database: {e}")
}

impl Db {
    /// Opens (creating and migrating) the database in `state_dir`.
    pub fn open(state_dir: &Path) -> Result<Db, String> {
        std::fs::create_dir_all(state_dir).map_err(|e| format!("{}: {e}", state_dir.display()))?;
        let path = state_dir.join(DB_FILE);
        let mut conn = Connection::open(&path).map_err(err)?;
        conn.busy_timeout(std::time::Duration::from_secs(5)).map_err(err)?;
        conn.pragma_update(None, "journal_mode", "WAL").map_err(err)?;
        conn.pragma_update(None, "synchronous", "NORMAL").map_err(err)?;
        conn.pragma_update(None, "foreign_keys", "ON").map_err(err)?;
        migrate(&mut conn)?;
        Ok(Db { conn: Mutex::new(conn), path })
    }

    /// Runs `f` on the connection.
    pub fn with<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> rusqlite::Result<T>,
    ) -> Result<T, String> {
        let mut conn = self.conn.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut conn).map_err(err)
    }

    /// Adds a line to the audit log (a failure to write it is logged, not answered).
    pub fn audit(&self, who: &str, ip: Option<&str>, action: &str, target: &str, detail: &str) {
        let r = self.with(|c| {
            c.execute(
                "INSERT INTO audit (at, who, ip, action, target, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![now() as i64, who, ip, action, target, detail],
            )
        });
        if let Err(e) = r {
            eprintln!("serve: {e}");
        }
    }

    /// The schema version (`PRAGMA user_version`).
    pub fn version(&self) -> Result<i64, String> {
        self.with(|c| c.query_row("PRAGMA user_version", [], |r| r.get(0)))
    }

    /// `PRAGMA integrity_check`'s answer (`ok` when consistent).
    pub fn integrity(&self) -> Result<String, String> {
        self.with(|c| c.query_row("PRAGMA integrity_check", [], |r| r.get(0)))
    }
}

fn migrate(conn: &mut Connection) -> Result<(), String> {
    let tx =
        conn.transaction_with_behavior(rusqlite::TransactionBehavior::Exclusive).map_err(err)?;
    let at: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(err)?;
    let known = MIGRATIONS.len() as i64;
    if at > known {
        return Err(format!(
            "状态数据库的版本（{at}）比本程序新（{known}） (the state database is schema version {at}, newer than this program's {known})"
        ));
    }
    for (i, step) in MIGRATIONS.iter().enumerate().skip(at as usize) {
        tx.execute_batch(step).map_err(err)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64).map_err(err)?;
    }
    tx.commit().map_err(err)
}

/// Seconds since 1970 (UTC).
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// One optional row.
pub fn optional<T>(r: rusqlite::Result<T>) -> rusqlite::Result<Option<T>> {
    r.optional()
}
