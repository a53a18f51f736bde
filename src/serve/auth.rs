//! Tokens: one per unit and one for the office, random (256 bits from the OS), printed once;
//! only their SHA-256 hashes are stored, in `DIR/.nianbao/tokens.json`. A presented token is
//! hashed and compared with every stored hash in constant time.

use super::store::{Store, hex};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Who a request is from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Who {
    /// The office: sees every unit.
    Admin,
    /// A unit: sees only the report file with this relative path.
    Unit(String),
}

impl Who {
    /// The name written in the history.
    pub fn label(&self) -> String {
        match self {
            Who::Admin => "admin".into(),
            Who::Unit(rel) => format!("unit:{rel}"),
        }
    }

    /// Whether this caller may see the unit with relative path `rel`.
    pub fn may_see(&self, rel: &str) -> bool {
        match self {
            Who::Admin => true,
            Who::Unit(own) => own == rel,
        }
    }
}

#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Stored {
    /// Hex SHA-256 of the token.
    hash: String,
    /// The unit's relative path; absent for the office token.
    #[serde(skip_serializing_if = "Option::is_none")]
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

/// Makes a token for every unit and one for the office, replacing (revoking) any issued before.
pub fn issue_tokens(store: &Store) -> Result<Vec<Issued>, String> {
    let mut issued = vec![Issued { unit: None, id: None, token: random_token()? }];
    for unit in store.units() {
        issued.push(Issued { unit: Some(unit.rel), id: Some(unit.id), token: random_token()? });
    }
    let stored: Vec<Stored> = issued
        .iter()
        .map(|i| Stored { hash: hex(&hash(&i.token)), unit: i.unit.clone() })
        .collect();
    write_stored(store, &stored)?;
    Ok(issued)
}

fn read_stored(store: &Store) -> Vec<Stored> {
    let path = store.state_dir().join(TOKENS_FILE);
    let Ok(bytes) = crate::io::read_capped(&path, crate::io::limits::KEY) else {
        return Vec::new();
    };
    serde_json::from_slice(&bytes).unwrap_or_default()
}

fn write_stored(store: &Store, stored: &[Stored]) -> Result<(), String> {
    let dir = store.state_dir();
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let json = serde_json::to_vec_pretty(stored).map_err(|e| e.to_string())?;
    crate::io::write_atomic(&dir.join(TOKENS_FILE), &json, true)
        .map_err(|e| format!("{}: {e}", dir.join(TOKENS_FILE).display()))
}

/// Makes a token for one unit (a unit the office just created), keeping every other token;
/// an older token of that unit is revoked.
pub fn issue_unit_token(store: &Store, rel: &str) -> Result<String, String> {
    let token = random_token()?;
    let mut stored = read_stored(store);
    stored.retain(|s| s.unit.as_deref() != Some(rel));
    stored.push(Stored { hash: hex(&hash(&token)), unit: Some(rel.to_string()) });
    write_stored(store, &stored)?;
    Ok(token)
}

/// The stored hashes, read on every request (re-issuing revokes without a restart).
pub fn authenticate(store: &Store, token: &str) -> Option<Who> {
    authenticate_hash(store, &hash(token))
}

/// [`authenticate`] for a token known only by its hash (a browser session keeps the hash of
/// the token it logged in with, so re-issuing the tokens ends the session too).
pub fn authenticate_hash(store: &Store, presented: &[u8; 32]) -> Option<Who> {
    let stored = read_stored(store);
    let mut found = None;
    // Every entry is compared, whatever matched, in constant time per entry.
    for s in &stored {
        let mut h = [0u8; 32];
        if s.hash.len() != 64 || decode_hex(&s.hash, &mut h).is_none() {
            continue;
        }
        if bool::from(h.ct_eq(presented)) && found.is_none() {
            found = Some(match &s.unit {
                None => Who::Admin,
                Some(rel) => Who::Unit(rel.clone()),
            });
        }
    }
    found
}

fn decode_hex(s: &str, out: &mut [u8; 32]) -> Option<()> {
    for (i, chunk) in s.as_bytes().chunks(2).enumerate() {
        let pair = std::str::from_utf8(chunk).ok()?;
        *out.get_mut(i)? = u8::from_str_radix(pair, 16).ok()?;
    }
    Some(())
}
