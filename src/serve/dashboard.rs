//! The office's dashboard (issue #32): every unit of its scope for one year with its state,
//! its check, who saved it last and when, and the days to the deadline; the counts per state;
//! filtered and sorted by state, folder and lateness, by pages. Also the 催报 list (CSV with a
//! BOM for Excel, or text to paste into a notice), the deadlines, and the audit log.

use super::api::Answer;
use super::db::Db;
use super::session::Caller;
use super::workflow::{self, Filing, State};
use super::{App, Unit, Who, blocking, error, status_of};
use crate::diag::Reply;
use axum::extract::{Query, State as AppState};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use rusqlite::params;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;

fn office_only(who: &Who) -> Result<(), Response> {
    if who.is_office() { Ok(()) } else { Err(error(StatusCode::FORBIDDEN, Reply::OfficeOnly)) }
}

/// One unit of the dashboard, for the year shown.
#[derive(Debug, Clone)]
pub(super) struct Row {
    pub unit: Unit,
    /// The folder of its file (`乡镇/`; empty at the top).
    pub folder: String,
    /// The unit's name as its report gives it (else its file).
    pub name: String,
    /// The year its file reports (another year than the one shown: 未开始 for this one).
    pub file_year: Option<i32>,
    pub state: State,
    pub status: (&'static str, &'static str),
    pub errors: usize,
    pub warnings: usize,
    /// The stored row of the year shown, if any.
    pub filing: Option<Filing>,
    /// Who saved last, and when (seconds since 1970).
    pub saved: Option<(String, u64)>,
    /// The file's version now.
    pub version: Option<String>,
}

impl Row {
    /// A submitted, approved or published report whose file is no longer the version handed
    /// in (edited on disk behind the workflow's back): evaluators deduct for 发布后有变动.
    pub fn changed_since(&self) -> bool {
        match (&self.filing, &self.version) {
            (Some(f), Some(v)) => f.state.locked() && !f.version.is_empty() && f.version != *v,
            _ => false,
        }
    }
}

/// The last save of every unit (one query).
fn last_saves(db: &Db) -> HashMap<String, (String, u64)> {
    let r = db.with(|c| {
        let mut q = c.prepare_cached("SELECT rel, who, at, max(seq) FROM history GROUP BY rel")?;
        let rows = q.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                (r.get::<_, String>(1)?, r.get::<_, i64>(2)?.max(0) as u64),
            ))
        })?;
        rows.collect::<rusqlite::Result<HashMap<_, _>>>()
    });
    r.unwrap_or_default()
}

/// The folder of a unit's file: `乡镇/a.yaml` → `乡镇/`.
fn folder_of(rel: &str) -> String {
    rel.rsplit_once('/').map(|(f, _)| format!("{f}/")).unwrap_or_default()
}

/// The year most of `who`'s units report (the dashboard's default year).
fn usual_year(rows: &[(Unit, Option<i32>)]) -> i32 {
    let mut n: HashMap<i32, usize> = HashMap::new();
    for y in rows.iter().filter_map(|(_, y)| *y) {
        *n.entry(y).or_default() += 1;
    }
    n.into_iter().max_by_key(|(y, n)| (*n, *y)).map(|(y, _)| y).unwrap_or_else(|| {
        // Days since 1970 → a year, roughly; last year's reports are due this January.
        1970 + (workflow::today() / 365) as i32 - 1
    })
}

/// Every unit `who` may see, for `year` (the usual year when `None`): the year and the rows.
pub(super) fn rows(app: &App, who: &Who, year: Option<i32>) -> (i32, Vec<Row>) {
    let units: Vec<Unit> = app.store.units().into_iter().filter(|u| who.may_see(&u.rel)).collect();
    let listed: Vec<(Unit, Option<super::Summary>, Option<String>)> = units
        .into_iter()
        .map(|u| match app.listed(&u) {
            Some((v, s)) => (u, Some(s), Some(v)),
            None => (u, None, None),
        })
        .collect();
    let years: Vec<(Unit, Option<i32>)> =
        listed.iter().map(|(u, s, _)| (u.clone(), s.as_ref().and_then(|s| s.year))).collect();
    let year = year.unwrap_or_else(|| usual_year(&years));
    let db = app.store.db();
    let mut filings = workflow::filings_of_year(db, year);
    let saves = last_saves(db);
    let rows = listed
        .into_iter()
        .map(|(unit, s, version)| {
            let filing = filings.remove(&unit.rel);
            let file_year = s.as_ref().and_then(|s| s.year);
            let this_year = file_year == Some(year);
            let draft = s.as_ref().is_none_or(|s| s.draft);
            let state = match &filing {
                Some(f) => f.state,
                None if this_year => workflow::state_of(None, draft),
                None => State::NotStarted,
            };
            let (errors, warnings) = s.as_ref().map_or((0, 0), |s| (s.errors, s.warnings));
            let status = match &s {
                Some(s) => status_of(s),
                None => ("unreadable", "无法读取"),
            };
            let name = s.as_ref().map(|s| s.unit.trim().to_string()).filter(|n| !n.is_empty());
            Row {
                folder: folder_of(&unit.rel),
                name: name.unwrap_or_else(|| unit.rel.clone()),
                saved: saves.get(&unit.rel).cloned(),
                unit,
                file_year,
                state,
                status,
                errors,
                warnings,
                filing,
                version,
            }
        })
        .collect();
    (year, rows)
}

/// `?year=&state=&folder=&late=&sort=&q=&offset=&limit=` of the dashboard.
#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct Filter {
    year: Option<i32>,
    /// State codes, comma-separated.
    state: Option<String>,
    /// A folder (`乡镇/`): its units and its sub-folders'.
    folder: Option<String>,
    /// `1`: only units past the deadline and not yet submitted.
    late: Option<String>,
    /// `state` (default), `folder`, `unit`, `saved` (oldest save first), `errors`.
    sort: Option<String>,
    offset: Option<usize>,
    limit: Option<usize>,
}

impl Filter {
    fn keeps(&self, r: &Row, overdue: bool) -> bool {
        if let Some(states) = self.state.as_deref().filter(|s| !s.is_empty())
            && !states.split(',').any(|s| s == r.state.code())
        {
            return false;
        }
        if let Some(f) = self.folder.as_deref().filter(|f| !f.is_empty())
            && !r.unit.rel.starts_with(f)
        {
            return false;
        }
        if self.late.as_deref() == Some("1") && (!overdue || r.state.handed_in()) {
            return false;
        }
        true
    }

    fn sort(&self, rows: &mut [&Row]) {
        let by_place = |a: &&Row, b: &&Row| a.unit.rel.cmp(&b.unit.rel);
        match self.sort.as_deref().unwrap_or("state") {
            "folder" => rows.sort_by(by_place),
            "unit" => rows.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| by_place(a, b))),
            "saved" => rows.sort_by(|a, b| {
                let at = |r: &Row| r.saved.as_ref().map_or(0, |s| s.1);
                at(a).cmp(&at(b)).then_with(|| by_place(a, b))
            }),
            "errors" => rows.sort_by(|a, b| {
                (b.errors, b.warnings).cmp(&(a.errors, a.warnings)).then_with(|| by_place(a, b))
            }),
            _ => rows.sort_by(|a, b| a.state.cmp(&b.state).then_with(|| by_place(a, b))),
        }
    }
}

fn row_json(r: &Row, days_left: Option<i64>) -> Value {
    let late = days_left.is_some_and(|d| d < 0) && !r.state.handed_in();
    json!({
        "id": r.unit.id, "file": r.unit.rel, "folder": r.folder, "unit": r.name,
        "file_year": r.file_year, "state": r.state.code(), "state_zh": r.state.zh(),
        "status": r.status.0, "status_zh": r.status.1,
        "errors": r.errors, "warnings": r.warnings,
        "saved_by": r.saved.as_ref().map(|s| s.0.clone()),
        "saved_at": r.saved.as_ref().map(|s| s.1),
        "state_by": r.filing.as_ref().map(|f| f.who.clone()),
        "state_at": r.filing.as_ref().map(|f| f.at),
        "comment": r.filing.as_ref().map(|f| f.comment.clone()).unwrap_or_default(),
        "days_left": if r.state.handed_in() { None } else { days_left },
        "late": late,
        "changed_since": r.changed_since(),
    })
}

/// Every folder of the rows (and their parents), sorted: the region tree.
fn folders(rows: &[Row]) -> Vec<String> {
    let mut all: Vec<String> = Vec::new();
    for r in rows {
        let mut at = String::new();
        for part in r.folder.split('/').filter(|p| !p.is_empty()) {
            at.push_str(part);
            at.push('/');
            all.push(at.clone());
        }
    }
    all.sort();
    all.dedup();
    all
}

/// `GET /api/dashboard`: the counts per state of the year, and a page of the filtered rows.
pub(super) async fn dashboard(
    AppState(app): AppState<Arc<App>>,
    Query(f): Query<Filter>,
    Caller { who, .. }: Caller,
) -> Answer {
    office_only(&who)?;
    let v = blocking(app.work.clone(), move || dashboard_json(&app, &who, &f)).await?;
    Ok(axum::Json(v).into_response())
}

/// The dashboard's answer (the route's, and the bench's through it).
fn dashboard_json(app: &App, who: &Who, f: &Filter) -> Value {
    let (year, rows) = rows(app, who, f.year);
    let deadline = workflow::deadline_json(app.store.db(), year);
    let days_left = deadline["days_left"].as_i64();
    let overdue = days_left.is_some_and(|d| d < 0);
    let mut counts: Vec<Value> = Vec::new();
    for s in State::ALL {
        let n = rows.iter().filter(|r| r.state == s).count();
        counts.push(json!({"state": s.code(), "state_zh": s.zh(), "n": n}));
    }
    let late = rows.iter().filter(|r| overdue && !r.state.handed_in()).count();
    let mut kept: Vec<&Row> = rows.iter().filter(|r| f.keeps(r, overdue)).collect();
    f.sort(&mut kept);
    let (offset, limit) = (f.offset.unwrap_or(0), f.limit.unwrap_or(50).min(1000));
    let page: Vec<Value> =
        kept.iter().skip(offset).take(limit).map(|r| row_json(r, days_left)).collect();
    json!({
        "year": year, "deadline": deadline, "counts": counts, "total": rows.len(),
        "late": late, "shown": kept.len(), "offset": offset, "rows": page,
        "folders": folders(&rows),
    })
}

/// `?year=&folder=&format=csv|text|json` of the 催报 list.
#[derive(Debug, serde::Deserialize)]
pub(super) struct RemindQuery {
    year: Option<i32>,
    folder: Option<String>,
    format: Option<String>,
}

/// A CSV field: quoted when it must be, and never read as a formula by a spreadsheet.
fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) { format!("'{s}") } else { s.to_string() };
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s }
}

/// A date and time in China (UTC+8) from seconds since 1970: `2026-01-05 14:03`.
pub(super) fn china_time(at: u64) -> String {
    let t = at as i64 + 8 * 3600;
    let (days, secs) = (t.div_euclid(86_400), t.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!("{y}-{m:02}-{d:02} {:02}:{:02}", secs / 3600, secs % 3600 / 60)
}

/// The civil date of days since 1970 (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Who a history row names, as a person reads it.
pub(super) fn saver(who: &str) -> String {
    match who {
        "admin" => "办公室".into(),
        "disk" => "文件（直接修改）".into(),
        w => w.strip_prefix("unit:").map_or_else(|| w.to_string(), |u| format!("单位 {u}")),
    }
}

/// `GET /api/reminders`: the 催报 list, units of the year not yet submitted.
pub(super) async fn reminders(
    AppState(app): AppState<Arc<App>>,
    Query(q): Query<RemindQuery>,
    Caller { who, .. }: Caller,
) -> Answer {
    office_only(&who)?;
    let format = q.format.clone().unwrap_or_else(|| "json".into());
    if !["json", "csv", "text"].contains(&format.as_str()) {
        return Err(error(StatusCode::BAD_REQUEST, Reply::BadFormat));
    }
    let (year, deadline, due) = blocking(app.work.clone(), move || {
        let (year, rows) = rows(&app, &who, q.year);
        let deadline = workflow::deadline_json(app.store.db(), year);
        let folder = q.folder.unwrap_or_default();
        let mut due: Vec<Row> = rows
            .into_iter()
            .filter(|r| !r.state.handed_in() && r.unit.rel.starts_with(&folder))
            .collect();
        due.sort_by(|a, b| a.unit.rel.cmp(&b.unit.rel));
        (year, deadline, due)
    })
    .await?;
    let days_left = deadline["days_left"].as_i64();
    let deadline_zh = deadline["deadline_zh"].as_str().unwrap_or("").to_string();
    match format.as_str() {
        "csv" => {
            let mut out =
                String::from("\u{feff}序号,单位,文件,状态,最后保存,截止日期,逾期天数\r\n");
            for (i, r) in due.iter().enumerate() {
                let saved =
                    r.saved.as_ref().map(|(w, at)| format!("{} {}", china_time(*at), saver(w)));
                let overdue = days_left.filter(|d| *d < 0).map(|d| (-d).to_string());
                let cells = [
                    (i + 1).to_string(),
                    r.name.clone(),
                    r.unit.rel.clone(),
                    r.state.zh().to_string(),
                    saved.unwrap_or_default(),
                    deadline_zh.clone(),
                    overdue.unwrap_or_default(),
                ];
                let line: Vec<String> = cells.iter().map(|c| csv_field(c)).collect();
                out.push_str(&line.join(","));
                out.push_str("\r\n");
            }
            let name = format!("{year}年度催报名单.csv");
            let encoded =
                percent_encoding::utf8_percent_encode(&name, percent_encoding::NON_ALPHANUMERIC);
            let disposition = format!(
                "attachment; filename=\"reminders-{year}.csv\"; filename*=UTF-8''{encoded}"
            );
            Ok((
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                    (header::CONTENT_DISPOSITION, disposition),
                ],
                out,
            )
                .into_response())
        }
        "text" => {
            let mut out = format!(
                "关于报送{year}年度政府信息公开工作年度报告的催报通知\n\n以下{}个单位尚未提交{year}年度政府信息公开工作年度报告，请于{deadline_zh}前通过填报系统完成填报并提交：\n\n",
                due.len()
            );
            if days_left.is_some_and(|d| d < 0) {
                out = out.replace(
                    &format!("请于{deadline_zh}前"),
                    &format!("报送截止日期（{deadline_zh}）已过，请尽快"),
                );
            }
            for (i, r) in due.iter().enumerate() {
                out.push_str(&format!("{}. {}（{}）\n", i + 1, r.name, r.state.zh()));
            }
            Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], out).into_response())
        }
        _ => {
            let rows: Vec<Value> = due.iter().map(|r| row_json(r, days_left)).collect();
            Ok(axum::Json(json!({"year": year, "deadline": deadline, "units": rows}))
                .into_response())
        }
    }
}

/// `?year=` of the deadline.
#[derive(Debug, serde::Deserialize)]
pub(super) struct YearQuery {
    year: Option<i32>,
}

/// `GET /api/deadline?year=`: the deadline of a year's reports (anyone logged in).
pub(super) async fn get_deadline(
    AppState(app): AppState<Arc<App>>,
    Query(q): Query<YearQuery>,
    Caller { who, .. }: Caller,
) -> Answer {
    let v = blocking(app.work.clone(), move || {
        let year = q.year.unwrap_or_else(|| rows(&app, &who, None).0);
        workflow::deadline_json(app.store.db(), year)
    })
    .await?;
    Ok(axum::Json(v).into_response())
}

/// The body of `PUT /api/deadline`.
#[derive(Debug, serde::Deserialize)]
pub(super) struct NewDeadline {
    year: i32,
    deadline: String,
}

/// `PUT /api/deadline`: the office sets the deadline of a year's reports.
pub(super) async fn put_deadline(
    AppState(app): AppState<Arc<App>>,
    caller: Caller,
    axum::Json(d): axum::Json<NewDeadline>,
) -> Answer {
    office_only(&caller.who)?;
    if workflow::parse_date(&d.deadline).is_none() || !(1900..=2200).contains(&d.year) {
        return Err(error(StatusCode::BAD_REQUEST, Reply::BadDeadline));
    }
    let due = d.deadline.trim().to_string();
    let db_app = app.clone();
    let label = caller.who.label();
    let v = blocking(app.work.clone(), move || {
        workflow::set_deadline(db_app.store.db(), d.year, &due, &label)
            .map(|()| workflow::deadline_json(db_app.store.db(), d.year))
    })
    .await?
    .map_err(|e| super::internal(&e))?;
    caller.audit(&app, "deadline", &d.year.to_string(), v["deadline"].as_str().unwrap_or(""));
    Ok(axum::Json(v).into_response())
}

/// `?format=json|csv&offset=&limit=&action=` of the audit log.
#[derive(Debug, serde::Deserialize)]
pub(super) struct LogQuery {
    format: Option<String>,
    offset: Option<i64>,
    limit: Option<i64>,
    action: Option<String>,
}

/// `GET /api/log`: the audit log, newest first (office; an office of a folder sees what was
/// done to its units and by itself). Nothing is ever deleted from it by the server.
pub(super) async fn log(
    AppState(app): AppState<Arc<App>>,
    Query(q): Query<LogQuery>,
    Caller { who, .. }: Caller,
) -> Answer {
    office_only(&who)?;
    let csv = match q.format.as_deref().unwrap_or("json") {
        "json" => false,
        "csv" => true,
        _ => return Err(error(StatusCode::BAD_REQUEST, Reply::BadFormat)),
    };
    let (offset, limit) =
        (q.offset.unwrap_or(0).max(0), q.limit.unwrap_or(if csv { -1 } else { 200 }));
    let rows = blocking(app.work.clone(), move || {
        let Who::Office(scope) = &who else { return Ok(Vec::new()) };
        let label = who.label();
        let action = q.action.unwrap_or_default();
        app.store.db().with(|c| {
            // A target is a unit's id (`乡镇~a`): the scope's folders as ids.
            let scope_id = scope.replace('/', "~");
            let mut s = c.prepare_cached(
                "SELECT at, who, ip, action, target, detail FROM audit
                 WHERE (?1 = '' OR target LIKE ?2 ESCAPE '\\' OR who = ?3)
                   AND (?4 = '' OR action = ?4)
                 ORDER BY seq DESC LIMIT ?5 OFFSET ?6",
            )?;
            let like = format!(
                "{}%",
                scope_id.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
            );
            let rows = s.query_map(params![scope, like, label, action, limit, offset], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                ))
            })?;
            rows.collect::<rusqlite::Result<Vec<_>>>()
        })
    })
    .await?
    .map_err(|e| super::internal(&e))?;
    if csv {
        let mut out = String::from("\u{feff}时间,操作者,地址,操作,对象,详情\r\n");
        for (at, who, ip, action, target, detail) in &rows {
            let cells = [
                china_time(*at as u64),
                saver(who),
                ip.clone().unwrap_or_default(),
                action_zh(action).to_string(),
                target.clone(),
                detail.clone(),
            ];
            out.push_str(&cells.iter().map(|c| csv_field(c)).collect::<Vec<_>>().join(","));
            out.push_str("\r\n");
        }
        let disposition = "attachment; filename=\"audit-log.csv\"; filename*=UTF-8''%E6%93%8D%E4%BD%9C%E8%AE%B0%E5%BD%95.csv";
        return Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (header::CONTENT_DISPOSITION, disposition),
            ],
            out,
        )
            .into_response());
    }
    let v: Vec<Value> = rows
        .into_iter()
        .map(|(at, who, ip, action, target, detail)| {
            json!({"at": at, "time": china_time(at as u64), "who": who, "who_zh": saver(&who),
                   "ip": ip, "action": action, "action_zh": action_zh(&action),
                   "target": target, "detail": detail})
        })
        .collect();
    Ok(axum::Json(Value::Array(v)).into_response())
}

/// An audit action as a person reads it.
fn action_zh(action: &str) -> &str {
    match action {
        "login" => "登录",
        "sso-login" => "统一身份认证登录",
        "sso-refused" => "统一身份认证登录被拒绝",
        "save" => "保存",
        "upload" => "上传图片",
        "download" => "下载",
        "download-published" => "下载已发布文件",
        "submit" => "提交",
        "approve" => "通过审核",
        "return" => "退回",
        "publish" => "发布",
        "withdraw" => "撤回发布",
        "deadline" => "设定截止日期",
        "unit-created" => "新建单位",
        "token-issued" => "发放登录链接",
        "tokens-issued" => "重新发放全部登录令牌",
        "office-token" => "发放办公室令牌",
        "summary" => "生成汇总表",
        "batch" => "批量生成",
        a => a,
    }
}
