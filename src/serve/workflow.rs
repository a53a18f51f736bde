//! The filing workflow an office runs (issue #32): each unit's state per reported year, kept
//! in the state database with who, when and the comment, every step also a row of
//! `transitions`:
//!
//! 未开始 → 填报中 → 已提交 → 已退回 (with the office's comment; editable again) or
//! 已通过审核 → 已发布 (frozen: the files written once into `DIR/.nianbao/published/`), and
//! 撤回发布 (with a reason) back to 已退回.
//!
//! A unit with no row is 未开始 while its report still holds the skeleton's placeholders and
//! 填报中 otherwise; its first save through the server writes the row. Submitted, approved and
//! published reports are read-only (a save or an upload is refused) until the office returns
//! the report or withdraws its publication.

use super::db::{Db, now, optional};
use super::store::{Store, hex};
use super::{App, Summary, Unit};
use crate::OutputKind;
use rusqlite::{TransactionBehavior, params};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// Where publications are written, under `DIR/.nianbao/`.
pub const PUBLISHED_DIR: &str = "published";

/// A unit's state for one year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum State {
    /// 未开始: unchanged since it was created.
    NotStarted,
    /// 填报中.
    Editing,
    /// 已退回: returned with the office's comment, editable again.
    Returned,
    /// 已提交: waiting for the office's review; read-only.
    Submitted,
    /// 已通过审核; read-only.
    Approved,
    /// 已发布: frozen.
    Published,
}

impl State {
    /// Every state, in the order of the workflow (the dashboard's counts).
    pub const ALL: [State; 6] = [
        State::NotStarted,
        State::Editing,
        State::Returned,
        State::Submitted,
        State::Approved,
        State::Published,
    ];

    /// The stable name (JSON, the database).
    pub fn code(self) -> &'static str {
        match self {
            State::NotStarted => "not_started",
            State::Editing => "editing",
            State::Returned => "returned",
            State::Submitted => "submitted",
            State::Approved => "approved",
            State::Published => "published",
        }
    }

    /// The name a person reads.
    pub fn zh(self) -> &'static str {
        match self {
            State::NotStarted => "未开始",
            State::Editing => "填报中",
            State::Returned => "已退回",
            State::Submitted => "已提交",
            State::Approved => "已通过审核",
            State::Published => "已发布",
        }
    }

    /// The state of a stored name.
    pub fn parse(code: &str) -> Option<State> {
        State::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Whether the report is read-only in this state.
    pub fn locked(self) -> bool {
        matches!(self, State::Submitted | State::Approved | State::Published)
    }

    /// Whether the unit has handed in its report (the 催报 list is of those that have not).
    pub fn handed_in(self) -> bool {
        self.locked()
    }

    /// Whether the 汇总表 takes it.
    pub fn summed(self) -> bool {
        matches!(self, State::Approved | State::Published)
    }
}

/// A unit's stored row for one year.
#[derive(Debug, Clone)]
pub struct Filing {
    pub state: State,
    pub who: String,
    pub at: u64,
    pub comment: String,
    pub version: String,
}

/// The state of a unit for a year: its row, or (none) 未开始 while the report is a skeleton.
pub fn state_of(row: Option<&Filing>, draft: bool) -> State {
    match row {
        Some(f) => f.state,
        None if draft => State::NotStarted,
        None => State::Editing,
    }
}

fn row_of(r: &rusqlite::Row<'_>) -> rusqlite::Result<Filing> {
    let state: String = r.get(0)?;
    Ok(Filing {
        state: State::parse(&state).unwrap_or(State::Editing),
        who: r.get(1)?,
        at: r.get::<_, i64>(2)?.max(0) as u64,
        comment: r.get(3)?,
        version: r.get(4)?,
    })
}

/// The stored row of `rel` for `year`.
pub fn filing(db: &Db, rel: &str, year: i32) -> Option<Filing> {
    let r = db.with(|c| {
        optional(c.query_row(
            "SELECT state, who, at, comment, version FROM filings WHERE rel = ?1 AND year = ?2",
            params![rel, year],
            row_of,
        ))
    });
    r.map_err(|e| eprintln!("serve: {e}")).ok().flatten()
}

/// Every stored row of `year`, by the unit's relative path (one query for the dashboard).
pub fn filings_of_year(db: &Db, year: i32) -> HashMap<String, Filing> {
    let r = db.with(|c| {
        let mut q = c.prepare_cached(
            "SELECT state, who, at, comment, version, rel FROM filings WHERE year = ?1",
        )?;
        let rows = q.query_map(params![year], |r| Ok((r.get::<_, String>(5)?, row_of(r)?)))?;
        rows.collect::<rusqlite::Result<HashMap<_, _>>>()
    });
    r.unwrap_or_else(|e| {
        eprintln!("serve: {e}");
        HashMap::new()
    })
}

/// Why a step was refused.
#[derive(Debug)]
pub enum StepError {
    /// The unit is in this state, from which the step does not go.
    From(State),
    /// The database failed.
    Db(String),
}

/// Moves `rel`'s filing of `year` from one of `from` (the state as the caller saw it: a
/// missing row is `implied`) to `to`, in one transaction, with a row of `transitions`.
#[allow(clippy::too_many_arguments, reason = "one row's columns")]
pub fn step(
    db: &Db,
    rel: &str,
    year: i32,
    implied: State,
    from: &[State],
    to: State,
    who: &str,
    comment: &str,
    version: &str,
) -> Result<State, StepError> {
    let at = now() as i64;
    let r = db.with(|c| {
        let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let current: Option<String> = optional(tx.query_row(
            "SELECT state FROM filings WHERE rel = ?1 AND year = ?2",
            params![rel, year],
            |r| r.get(0),
        ))?;
        let current = current.as_deref().and_then(State::parse).unwrap_or(implied);
        if !from.contains(&current) {
            return Ok(Err(current));
        }
        tx.execute(
            "INSERT INTO filings (rel, year, state, who, at, comment, version)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT(rel, year) DO UPDATE SET state = ?3, who = ?4, at = ?5, comment = ?6,
                 version = ?7",
            params![rel, year, to.code(), who, at, comment, version],
        )?;
        tx.execute(
            "INSERT INTO transitions (rel, year, from_state, to_state, who, at, comment, version)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![rel, year, current.code(), to.code(), who, at, comment, version],
        )?;
        tx.commit()?;
        Ok(Ok(current))
    });
    match r {
        Ok(Ok(from)) => Ok(from),
        Ok(Err(current)) => Err(StepError::From(current)),
        Err(e) => Err(StepError::Db(e)),
    }
}

/// A save through the server: a unit with no row (未开始 or 填报中 by its content) gets its
/// 填报中 row, with who saved and when; a returned report stays 已退回 (its comment shown)
/// until it is submitted again.
pub fn saved(db: &Db, rel: &str, year: i32, who: &str) {
    let r = db.with(|c| {
        c.execute(
            "INSERT OR IGNORE INTO filings (rel, year, state, who, at) VALUES (?1, ?2, 'editing', ?3, ?4)",
            params![rel, year, who, now() as i64],
        )
    });
    if let Err(e) = r {
        eprintln!("serve: {e}");
    }
}

/// The steps of `rel`'s filing of `year`, oldest first.
pub fn transitions(db: &Db, rel: &str, year: i32) -> Vec<Value> {
    let r = db.with(|c| {
        let mut q = c.prepare_cached(
            "SELECT from_state, to_state, who, at, comment, version FROM transitions
             WHERE rel = ?1 AND year = ?2 ORDER BY seq",
        )?;
        let rows = q.query_map(params![rel, year], |r| {
            let from: String = r.get(0)?;
            let to: String = r.get(1)?;
            let zh = |s: &str| State::parse(s).map_or("", State::zh);
            Ok(json!({"from": from, "from_zh": zh(&from), "to": to, "to_zh": zh(&to),
                      "who": r.get::<_, String>(2)?, "at": r.get::<_, i64>(3)?,
                      "comment": r.get::<_, String>(4)?, "version": r.get::<_, String>(5)?}))
        })?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
    });
    r.unwrap_or_default()
}

// ---------------------------------------------------------------- deadlines

/// Days since 1970-01-01 of a civil date (proleptic Gregorian; Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `YYYY-MM-DD` as days since 1970, if it is a real date.
pub fn parse_date(s: &str) -> Option<i64> {
    let mut it = s.trim().splitn(3, '-');
    let y: i64 = it.next()?.parse().ok()?;
    let m: u32 = it.next()?.parse().ok()?;
    let d: u32 = it.next()?.parse().ok()?;
    if !(1900..=2200).contains(&y) || !(1..=12).contains(&m) || d == 0 {
        return None;
    }
    let days = days_from_civil(y, m, d);
    // 02-30 rolls into March: not a date.
    let next = if m == 12 { days_from_civil(y + 1, 1, 1) } else { days_from_civil(y, m + 1, 1) };
    (days < next).then_some(days)
}

/// Today in China (UTC+8), as days since 1970.
pub fn today() -> i64 {
    (now() as i64 + 8 * 3600).div_euclid(86_400)
}

/// The deadline of reports of `year`: the office's, else 1 月 31 日 of the next year.
pub fn deadline(db: &Db, year: i32) -> String {
    let set = db.with(|c| {
        optional(c.query_row("SELECT due FROM deadlines WHERE year = ?1", params![year], |r| {
            r.get::<_, String>(0)
        }))
    });
    set.ok().flatten().unwrap_or_else(|| format!("{}-01-31", year + 1))
}

/// Sets the deadline of `year`.
pub fn set_deadline(db: &Db, year: i32, due: &str, who: &str) -> Result<(), String> {
    db.with(|c| {
        c.execute(
            "INSERT INTO deadlines (year, due, who, at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(year) DO UPDATE SET due = ?2, who = ?3, at = ?4",
            params![year, due, who, now() as i64],
        )
    })
    .map(|_| ())
}

/// The deadline as a reader sees it: `{deadline, deadline_zh, days_left}`.
pub fn deadline_json(db: &Db, year: i32) -> Value {
    let due = deadline(db, year);
    let left = parse_date(&due).map(|d| d - today());
    let zh = match due.split('-').collect::<Vec<_>>()[..] {
        [y, m, d] => format!("{y}年{}月{}日", m.trim_start_matches('0'), d.trim_start_matches('0')),
        _ => due.clone(),
    };
    json!({"year": year, "deadline": due, "deadline_zh": zh, "days_left": left})
}

// ---------------------------------------------------------------- publications

/// One published file.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct PublishedFile {
    pub name: String,
    pub bytes: usize,
    pub sha256: String,
}

/// The files of a publication: the PDF, the DOCX, the portal's page and its fragment, and the
/// YAML they were made from. Names are ASCII; the download gives the report's title.
const PUBLISHED: [(&str, &str); 5] = [
    ("report.pdf", "pdf"),
    ("report.docx", "docx"),
    ("report.html", "html"),
    ("fragment.html", "fragment"),
    ("report.yaml", "yaml"),
];

/// Renders `bytes` (the approved version) once into a new folder
/// `published/KEY/YEAR-N/` (written whole: made beside and renamed), and records it. Returns
/// the publication's row as JSON.
pub fn publish(
    app: &App,
    unit: &Unit,
    year: i32,
    version: &str,
    bytes: Vec<u8>,
    who: &str,
) -> Result<Value, String> {
    let options = crate::CheckOptions::for_render();
    let loaded = app.check_with(&unit.rel, bytes.clone(), &unit.path, &options);
    if !loaded.is_ok() {
        return Err("the approved version has errors".into());
    }
    let rendered = app
        .engine
        .render(&loaded, &[OutputKind::Pdf, OutputKind::Docx, OutputKind::Html])
        .map_err(|d| format!("render: {} diagnostics", d.len()))?;
    // With a key: the PDF signed now, by an engine of its own (the seal in the signature).
    let signed = match &app.publish_key {
        Some(key) => {
            let engine = key.engine()?;
            let loaded = engine.check(
                crate::Source::new(&unit.rel, bytes.clone()),
                &crate::world::FsResources::for_report(&unit.path, true),
                &options,
            );
            let r = engine
                .render(&loaded, &[OutputKind::Pdf])
                .map_err(|d| format!("sign: {} diagnostics", d.len()))?;
            Some(r)
        }
        None => None,
    };
    let fragment_engine = app.fragment_engine()?;
    let loaded = app.check_with(&unit.rel, bytes.clone(), &unit.path, &options);
    let fragment = fragment_engine
        .render(&loaded, &[OutputKind::Html])
        .map_err(|d| format!("render: {} diagnostics", d.len()))?;
    let out = |kind: OutputKind, r: &crate::Rendered| {
        r.outputs.iter().find(|o| o.kind == kind).map(|o| o.bytes.clone())
    };
    let mut files: Vec<(&str, Vec<u8>)> = Vec::new();
    for (name, what) in PUBLISHED {
        let b = match what {
            "pdf" => out(OutputKind::Pdf, signed.as_ref().unwrap_or(&rendered)),
            "docx" => out(OutputKind::Docx, &rendered),
            "html" => out(OutputKind::Html, &rendered),
            "fragment" => out(OutputKind::Html, &fragment),
            _ => Some(bytes.clone()),
        };
        files.push((name, b.ok_or_else(|| format!("no {what} rendered"))?));
    }
    let store: &Store = &app.store;
    let key = super::store::key_of(&unit.rel);
    let base = store.state_dir().join(PUBLISHED_DIR).join(&key);
    std::fs::create_dir_all(&base).map_err(|e| format!("published: {e}"))?;
    let staging = tempfile::Builder::new()
        .prefix(".publishing-")
        .tempdir_in(&base)
        .map_err(|e| format!("published: {e}"))?;
    let mut listed = Vec::new();
    for (name, b) in &files {
        crate::io::write_atomic(&staging.path().join(name), b, false)
            .map_err(|e| format!("published: {e}"))?;
        listed.push(PublishedFile {
            name: (*name).to_string(),
            bytes: b.len(),
            sha256: hex(&Sha256::digest(b)),
        });
    }
    let manifest = serde_json::to_string(&listed).map_err(|e| e.to_string())?;
    // The next free folder: a publication's folder is never written again.
    let staged = staging.keep();
    let mut n = 1;
    let folder = loop {
        let name = format!("{year}-{n}");
        let target = base.join(&name);
        if std::fs::symlink_metadata(&target).is_err() {
            std::fs::rename(&staged, &target).map_err(|e| format!("published: {e}"))?;
            break name;
        }
        n += 1;
    };
    let folder = format!("{key}/{folder}");
    let at = now() as i64;
    let seq = store.db().with(|c| {
        c.execute(
            "INSERT INTO publications (rel, year, version, folder, files, who, at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![unit.rel, year, version, folder, manifest, who, at],
        )?;
        Ok(c.last_insert_rowid())
    })?;
    Ok(json!({"seq": seq, "year": year, "version": version, "folder": folder, "at": at,
              "files": listed, "signed": signed.is_some()}))
}

/// The publications of `rel` for `year`, oldest first (withdrawn ones with who, when, why).
pub fn publications(db: &Db, rel: &str, year: i32) -> Vec<Value> {
    let r = db.with(|c| {
        let mut q = c.prepare_cached(
            "SELECT seq, version, folder, files, who, at, withdrawn_at, withdrawn_by, reason
             FROM publications WHERE rel = ?1 AND year = ?2 ORDER BY seq",
        )?;
        let rows = q.query_map(params![rel, year], |r| {
            let files: String = r.get(3)?;
            let files: Value = serde_json::from_str(&files).unwrap_or(Value::Array(Vec::new()));
            Ok(json!({"seq": r.get::<_, i64>(0)?, "version": r.get::<_, String>(1)?,
                      "folder": r.get::<_, String>(2)?, "files": files,
                      "who": r.get::<_, String>(4)?, "at": r.get::<_, i64>(5)?,
                      "withdrawn_at": r.get::<_, Option<i64>>(6)?,
                      "withdrawn_by": r.get::<_, Option<String>>(7)?,
                      "reason": r.get::<_, Option<String>>(8)?}))
        })?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
    });
    r.unwrap_or_default()
}

/// Marks the live publication of `rel` for `year` withdrawn (its files stay as they are).
pub fn withdraw(db: &Db, rel: &str, year: i32, who: &str, reason: &str) -> Result<(), String> {
    db.with(|c| {
        c.execute(
            "UPDATE publications SET withdrawn_at = ?1, withdrawn_by = ?2, reason = ?3
             WHERE rel = ?4 AND year = ?5 AND withdrawn_at IS NULL",
            params![now() as i64, who, reason, rel, year],
        )
    })
    .map(|_| ())
}

/// The folder and manifest of publication `seq` of `rel`.
pub fn publication_file(db: &Db, rel: &str, seq: i64) -> Option<(String, Vec<PublishedFile>)> {
    let r = db.with(|c| {
        optional(c.query_row(
            "SELECT folder, files FROM publications WHERE rel = ?1 AND seq = ?2",
            params![rel, seq],
            |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
        ))
    });
    let (folder, files) = r.ok()??;
    Some((folder, serde_json::from_str(&files).ok()?))
}

/// The filing of a unit as the form and the dashboard show it.
pub fn filing_json(app: &App, unit: &Unit, s: &Summary) -> Value {
    let Some(year) = s.year else {
        return json!({"state": State::Editing.code(), "state_zh": State::Editing.zh()});
    };
    let db = app.store.db();
    let row = filing(db, &unit.rel, year);
    let state = state_of(row.as_ref(), s.draft);
    let mut v = json!({
        "year": year, "state": state.code(), "state_zh": state.zh(), "locked": state.locked(),
        "comment": row.as_ref().map(|f| f.comment.clone()).unwrap_or_default(),
        "state_by": row.as_ref().map(|f| f.who.clone()),
        "state_at": row.as_ref().map(|f| f.at),
        "deadline": deadline_json(db, year),
    });
    if state == State::Published || row.as_ref().is_some_and(|f| !f.version.is_empty()) {
        v["publications"] = publications(db, &unit.rel, year).into();
    }
    v
}
