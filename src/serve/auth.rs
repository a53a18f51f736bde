//! Tokens: one per unit and one for the office, random (256 bits from the OS), printed once;
//! only their SHA-256 hashes are stored, in the state database (`db`). A presented token is
//! hashed and looked up by its hash.

use super::db::{now, optional};
use super::store::{Store, hex};
use rusqlite::params;
use sha2::{Digest, Sha256};

/// Who a request is from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Who {
    /// An office: sees every unit under its folder scope (`乡镇/`; empty: the whole folder).
    Office(String),
    /// A unit: sees only the report file with this relative path.
    Unit(String),
}

impl Who {
    /// The name written in the history.
    pub fn label(&self) -> String {
        match self {
            Who::Office(scope) if scope.is_empty() => "admin".into(),
            Who::Office(scope) => format!("office:{scope}"),
            Who::Unit(rel) => format!("unit:{rel}"),
        }
    }

    /// Whether this caller may see the unit with relative path `rel`.
    pub fn may_see(&self, rel: &str) -> bool {
        match self {
            Who::Office(scope) => rel.starts_with(scope.as_str()),
            Who::Unit(own) => own == rel,
        }
    }

    /// The office of the whole folder.
    pub fn admin() -> Who {
        Who::Office(String::new())
    }

    /// Whether this is an office (of any scope).
    pub fn is_office(&self) -> bool {
        matches!(self, Who::Office(_))
    }
}

/// A folder scope as stored: `/`-separated, relative, ending in `/` (`乡镇/`), or empty for
/// the whole folder; `None` for a path that leaves the folder or names a hidden one.
pub fn scope_of(folder: &str) -> Option<String> {
    let parts: Vec<&str> =
        folder.trim().split('/').filter(|p| !p.is_empty() && *p != ".").collect();
    if parts.iter().any(|p| *p == ".." || p.starts_with('.') || p.contains('\\')) {
        return None;
    }
    Some(parts.iter().map(|p| format!("{p}/")).collect())
}

/// A token as `tokens.json` kept it before the database (migrated on first start).
#[derive(Debug, serde::Deserialize)]
struct Stored {
    /// Hex SHA-256 of the token.
    hash: String,
    /// The unit's relative path; absent for the office token.
    unit: Option<String>,
}

/// A token just made: shown once, never stored.
#[derive(Debug, Clone)]
pub struct Issued {
    /// The unit's relative path, or `None` for the office.
    pub unit: Option<String>,
    /// The unit's id (for its login link), or `None` for the office.
    pub id: Option<String>,
    /// The token.
    pub token: String,
}

const TOKENS_FILE: &str = "tokens.json";

pub(super) fn random_token() -> Result<String, String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| format!("no random numbers from the OS: {e}"))?;
    Ok(hex(&bytes))
}

pub(super) fn hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// Makes a token for every unit and one for the office, replacing (revoking) any issued before;
/// every browser session ends with them.
pub fn issue_tokens(store: &Store) -> Result<Vec<Issued>, String> {
    let mut issued = vec![Issued { unit: None, id: None, token: random_token()? }];
    for unit in store.units() {
        issued.push(Issued { unit: Some(unit.rel), id: Some(unit.id), token: random_token()? });
    }
    let at = now() as i64;
    store.db().with(|c| {
        let tx = c.transaction()?;
        tx.execute("DELETE FROM tokens", [])?;
        tx.execute("DELETE FROM sessions", [])?;
        for i in &issued {
            tx.execute(
                "INSERT INTO tokens (hash, unit, issued_at) VALUES (?1, ?2, ?3)",
                params![&hash(&i.token)[..], i.unit, at],
            )?;
        }
        tx.commit()
    })?;
    store.db().audit("admin", None, "tokens-issued", "", &format!("{}", issued.len()));
    Ok(issued)
}

/// The file under `DIR/.nianbao/` that names (by its hash, in hex) the office token of the
/// last desktop start, so the next start revokes it.
pub const DESKTOP_TOKEN_FILE: &str = "desktop-token";

/// A new office token for the desktop mode, revoking the one of the last desktop start (and
/// its sessions); the other tokens stay.
pub(super) fn issue_desktop_token(store: &Store) -> Result<String, String> {
    let token = random_token()?;
    let new = hash(&token);
    let path = store.state_dir().join(DESKTOP_TOKEN_FILE);
    let mut old = [0u8; 32];
    let had_old =
        std::fs::read_to_string(&path).ok().and_then(|s| decode_hex(s.trim(), &mut old)).is_some();
    store.db().with(|c| {
        let tx = c.transaction()?;
        if had_old {
            tx.execute("DELETE FROM tokens WHERE hash = ?1", params![&old[..]])?;
            tx.execute("DELETE FROM sessions WHERE token_hash = ?1", params![&old[..]])?;
        }
        tx.execute(
            "INSERT INTO tokens (hash, unit, issued_at) VALUES (?1, NULL, ?2)",
            params![&new[..], now() as i64],
        )?;
        tx.commit()
    })?;
    crate::io::write_atomic(&path, hex(&new).as_bytes(), true)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    store.db().audit("admin", None, "desktop-token-issued", "", "");
    Ok(token)
}

/// Moves the hashes of an old `DIR/.nianbao/tokens.json` into the database (once: the file is
/// renamed `tokens.json.migrated` after), so that links already handed out keep working.
pub(super) fn migrate_tokens_json(store: &Store) -> Result<(), String> {
    let path = store.state_dir().join(TOKENS_FILE);
    if !path.is_file() {
        return Ok(());
    }
    // The old cap was 1 MiB (≈7,000 units); a file past it was never read whole anyway.
    let bytes = crate::io::read_capped(&path, 64 * crate::io::limits::KEY)
        .map_err(|e| format!("{}: {}", path.display(), e.message().1))?;
    let stored: Vec<Stored> =
        serde_json::from_slice(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    let at = now() as i64;
    store.db().with(|c| {
        let tx = c.transaction()?;
        for s in &stored {
            let mut h = [0u8; 32];
            if s.hash.len() != 64 || decode_hex(&s.hash, &mut h).is_none() {
                continue;
            }
            tx.execute(
                "INSERT OR IGNORE INTO tokens (hash, unit, issued_at) VALUES (?1, ?2, ?3)",
                params![&h[..], s.unit, at],
            )?;
        }
        tx.commit()
    })?;
    let done = store.state_dir().join(format!("{TOKENS_FILE}.migrated"));
    std::fs::rename(&path, &done).map_err(|e| format!("{}: {e}", path.display()))
}

/// Makes a token for one unit (a unit the office just created), keeping every other token;
/// an older token of that unit is revoked.
pub fn issue_unit_token(store: &Store, rel: &str) -> Result<String, String> {
    let token = random_token()?;
    let at = now() as i64;
    store.db().with(|c| {
        let tx = c.transaction()?;
        tx.execute("DELETE FROM tokens WHERE unit = ?1", params![rel])?;
        tx.execute(
            "INSERT INTO tokens (hash, unit, issued_at) VALUES (?1, ?2, ?3)",
            params![&hash(&token)[..], rel, at],
        )?;
        tx.commit()
    })?;
    Ok(token)
}

/// Makes an office token limited to the folder `scope` (as [`scope_of`] gives it), keeping
/// every other token: a city gives each county its own office over one folder.
pub fn issue_office_token(store: &Store, scope: &str) -> Result<String, String> {
    let token = random_token()?;
    let at = now() as i64;
    store.db().with(|c| {
        c.execute(
            "INSERT INTO tokens (hash, unit, issued_at, scope) VALUES (?1, NULL, ?2, ?3)",
            params![&hash(&token)[..], at, scope],
        )
    })?;
    Ok(token)
}

/// Who holds `token` (looked up on every request: re-issuing revokes without a restart).
pub fn authenticate(store: &Store, token: &str) -> Option<Who> {
    authenticate_hash(store, &hash(token))
}

/// [`authenticate`] for a token known only by its hash (a browser session keeps the hash of
/// the token it logged in with, so re-issuing the tokens ends the session too). The lookup is
/// by the SHA-256 of the presented token: its timing tells about that hash, not about any
/// stored token.
pub fn authenticate_hash(store: &Store, presented: &[u8; 32]) -> Option<Who> {
    let found = store.db().with(|c| {
        optional(c.query_row(
            "SELECT unit, scope FROM tokens WHERE hash = ?1",
            params![&presented[..]],
            |r| Ok((r.get::<_, Option<String>>(0)?, r.get::<_, String>(1)?)),
        ))
    });
    match found {
        Ok(Some((None, scope))) => Some(Who::Office(scope)),
        Ok(Some((Some(rel), _))) => Some(Who::Unit(rel)),
        Ok(None) => None,
        Err(e) => {
            eprintln!("serve: {e}");
            None
        }
    }
}

fn decode_hex(s: &str, out: &mut [u8; 32]) -> Option<()> {
    for (i, chunk) in s.as_bytes().chunks(2).enumerate() {
        let pair = std::str::from_utf8(chunk).ok()?;
        *out.get_mut(i)? = u8::from_str_radix(pair, 16).ok()?;
    }
    Some(())
}
