//! The workflow's routes (issue #32): a unit's filing (state, comment, deadline, steps,
//! publications), 提交 by the unit, 通过 / 退回 / 发布 / 撤回发布 by the office, and a
//! publication's frozen files.

use super::api::{Answer, download};
use super::db::now;
use super::session::Caller;
use super::workflow::{self, State, StepError};
use super::{App, Unit, Who, diagnostics, error, error_why, internal, not_found, summarize};
use crate::diag::Reply;
use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State as AppState};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use std::sync::Arc;

/// The body of a step: `{"comment": "…"}` (退回's comment, 撤回发布's reason), or none.
#[derive(Debug, Default, serde::Deserialize)]
struct Said {
    comment: Option<String>,
}

/// The comment of a step's body (at most 2,000 characters); `required` refuses none.
fn comment_of(body: &[u8], required: bool) -> Result<String, Response> {
    let said: Said = if body.iter().all(u8::is_ascii_whitespace) {
        Said::default()
    } else {
        serde_json::from_slice(body)
            .map_err(|_| error(StatusCode::BAD_REQUEST, Reply::BadRequest))?
    };
    let c: String = said.comment.unwrap_or_default().trim().chars().take(2000).collect();
    if required && c.is_empty() {
        return Err(error(StatusCode::BAD_REQUEST, Reply::CommentRequired));
    }
    Ok(c)
}

fn office_only(who: &Who) -> Result<(), Response> {
    if who.is_office() { Ok(()) } else { Err(error(StatusCode::FORBIDDEN, Reply::OfficeOnly)) }
}

fn refused(e: StepError) -> Response {
    match e {
        StepError::From(s) => error_why(StatusCode::CONFLICT, Reply::BadTransition, s.zh()),
        StepError::Db(e) => internal(&e),
    }
}

/// The unit's reported year and check, from its file as it is.
fn current(app: &App, unit: &Unit) -> Result<(i32, super::Summary), Response> {
    let (bytes, version) = app.store.read(unit).map_err(|e| internal(&e))?;
    let s = app.summary(unit, &version, bytes);
    let year = s.year.ok_or_else(|| {
        error_why(
            StatusCode::UNPROCESSABLE_ENTITY,
            Reply::SubmitErrors,
            &s.errors.max(1).to_string(),
        )
    })?;
    Ok((year, s))
}

/// The filing as the answer of a step.
fn answer(app: &App, unit: &Unit) -> Result<Value, Response> {
    let (bytes, version) = app.store.read(unit).map_err(|e| internal(&e))?;
    let s = app.summary(unit, &version, bytes);
    Ok(workflow::filing_json(app, unit, &s))
}

/// `GET /api/reports/{id}/filing`: the state, the comment, the deadline, every step and every
/// publication.
pub(super) async fn get_filing(
    AppState(app): AppState<Arc<App>>,
    UrlPath(id): UrlPath<String>,
    Caller { who, .. }: Caller,
) -> Answer {
    let v = app
        .on_unit(who, id, |app, _, unit| {
            let mut v = answer(app, &unit)?;
            if let Some(year) = v["year"].as_i64() {
                let year = year as i32;
                v["transitions"] = workflow::transitions(app.store.db(), &unit.rel, year).into();
                v["publications"] = workflow::publications(app.store.db(), &unit.rel, year).into();
            }
            Ok(v)
        })
        .await?;
    Ok(axum::Json(v).into_response())
}

/// `POST /api/reports/{id}/submit`: 提交, by the unit (or the office for it); only a report
/// without errors. The version submitted is kept in the history, never thinned.
pub(super) async fn submit(
    AppState(app): AppState<Arc<App>>,
    UrlPath(id): UrlPath<String>,
    caller: Caller,
    body: Bytes,
) -> Answer {
    let comment = comment_of(&body, false)?;
    let v = app
        .on_unit(caller.who.clone(), id.clone(), move |app, who, unit| {
            let stepped = app
                .store
                .with_current(&unit, now(), |bytes, version| {
                    let loaded = app.check(&unit.rel, bytes.to_vec(), &unit.path);
                    let s = summarize(&loaded);
                    let Some(year) = s.year.filter(|_| s.errors == 0) else {
                        let n = s.errors.max(1).to_string();
                        let mut v = super::reply_json(Reply::SubmitErrors, &n, Value::Null);
                        v["diagnostics"] = diagnostics(&loaded).into();
                        return Err(
                            (StatusCode::UNPROCESSABLE_ENTITY, axum::Json(v)).into_response()
                        );
                    };
                    let implied = workflow::state_of(None, s.draft);
                    let from = [State::NotStarted, State::Editing, State::Returned];
                    workflow::step(
                        app.store.db(),
                        &unit.rel,
                        year,
                        implied,
                        &from,
                        State::Submitted,
                        &who.label(),
                        &comment,
                        version,
                    )
                    .map_err(refused)
                })
                .map_err(|e| internal(&e))?;
            stepped?;
            answer(app, &unit)
        })
        .await?;
    caller.audit(&app, "submit", &id, v["year"].to_string().as_str());
    Ok(axum::Json(v).into_response())
}

/// An office's review step from `from` to `to` with a comment.
async fn review(
    app: Arc<App>,
    id: String,
    caller: Caller,
    body: Bytes,
    (from, to, action): (&'static [State], State, &'static str),
) -> Answer {
    office_only(&caller.who)?;
    let comment = comment_of(&body, to == State::Returned)?;
    let logged = comment.clone();
    let v = app
        .on_unit(caller.who.clone(), id.clone(), move |app, who, unit| {
            let (year, s) = current(app, &unit)?;
            let row = workflow::filing(app.store.db(), &unit.rel, year);
            let implied = workflow::state_of(row.as_ref(), s.draft);
            let version = row.map(|f| f.version).unwrap_or_default();
            workflow::step(
                app.store.db(),
                &unit.rel,
                year,
                implied,
                from,
                to,
                &who.label(),
                &comment,
                &version,
            )
            .map_err(refused)?;
            answer(app, &unit)
        })
        .await?;
    caller.audit(&app, action, &id, &logged);
    Ok(axum::Json(v).into_response())
}

/// `POST /api/reports/{id}/approve`: 通过审核 (office).
pub(super) async fn approve(
    AppState(app): AppState<Arc<App>>,
    UrlPath(id): UrlPath<String>,
    caller: Caller,
    body: Bytes,
) -> Answer {
    review(app, id, caller, body, (&[State::Submitted], State::Approved, "approve")).await
}

/// `POST /api/reports/{id}/return`: 退回 with the office's comment (office).
pub(super) async fn send_back(
    AppState(app): AppState<Arc<App>>,
    UrlPath(id): UrlPath<String>,
    caller: Caller,
    body: Bytes,
) -> Answer {
    let from: &'static [State] = &[State::Submitted, State::Approved];
    review(app, id, caller, body, (from, State::Returned, "return")).await
}

/// `POST /api/reports/{id}/publish`: 发布 (office): the approved version rendered once into
/// its own folder; publishing again is refused (409) until the publication is withdrawn.
pub(super) async fn publish(
    AppState(app): AppState<Arc<App>>,
    UrlPath(id): UrlPath<String>,
    caller: Caller,
) -> Answer {
    office_only(&caller.who)?;
    // One office action at a time: two publishes of one unit never both render.
    let _turn = super::limits::office_turn(&app).await?;
    let v = app
        .on_unit(caller.who.clone(), id.clone(), move |app, who, unit| {
            let (year, _) = current(app, &unit)?;
            let db = app.store.db();
            let row = workflow::filing(db, &unit.rel, year);
            let Some(row) = row.filter(|f| f.state == State::Approved) else {
                let s = workflow::filing(db, &unit.rel, year).map_or(State::Editing, |f| f.state);
                return Err(refused(StepError::From(s)));
            };
            let bytes = app.store.version_bytes(&unit, &row.version).ok_or_else(not_found)?;
            let published = workflow::publish(app, &unit, year, &row.version, bytes, &who.label())
                .map_err(|e| internal(&e))?;
            workflow::step(
                db,
                &unit.rel,
                year,
                State::Approved,
                &[State::Approved],
                State::Published,
                &who.label(),
                "",
                &row.version,
            )
            .map_err(refused)?;
            let mut v = answer(app, &unit)?;
            v["published"] = published;
            Ok(v)
        })
        .await?;
    caller.audit(&app, "publish", &id, v["published"]["folder"].as_str().unwrap_or(""));
    Ok(axum::Json(v).into_response())
}

/// `POST /api/reports/{id}/withdraw`: 撤回发布 with a reason (office): the publication is
/// marked withdrawn (its files stay as they were), the report goes back to 已退回 with the
/// reason as its comment.
pub(super) async fn withdraw(
    AppState(app): AppState<Arc<App>>,
    UrlPath(id): UrlPath<String>,
    caller: Caller,
    body: Bytes,
) -> Answer {
    office_only(&caller.who)?;
    let reason = comment_of(&body, true)?;
    let logged = reason.clone();
    let v = app
        .on_unit(caller.who.clone(), id.clone(), move |app, who, unit| {
            let (year, s) = current(app, &unit)?;
            let db = app.store.db();
            let row = workflow::filing(db, &unit.rel, year);
            let implied = workflow::state_of(row.as_ref(), s.draft);
            let version = row.map(|f| f.version).unwrap_or_default();
            let label = who.label();
            let (from, to) = (&[State::Published], State::Returned);
            workflow::step(db, &unit.rel, year, implied, from, to, &label, &reason, &version)
                .map_err(refused)?;
            workflow::withdraw(db, &unit.rel, year, &label, &reason).map_err(|e| internal(&e))?;
            answer(app, &unit)
        })
        .await?;
    caller.audit(&app, "withdraw", &id, &logged);
    Ok(axum::Json(v).into_response())
}

/// `GET /api/reports/{id}/published/{seq}/{name}`: a published file as it was written (its
/// SHA-256 checked against the record: a file changed on disk is refused, not served).
pub(super) async fn published_file(
    AppState(app): AppState<Arc<App>>,
    UrlPath((id, seq, name)): UrlPath<(String, i64, String)>,
    caller: Caller,
) -> Answer {
    let logged = format!("{seq}/{name}");
    let (bytes, title, kind) = app
        .on_unit(caller.who.clone(), id.clone(), move |app, _, unit| {
            let (folder, files) =
                workflow::publication_file(app.store.db(), &unit.rel, seq).ok_or_else(not_found)?;
            let file = files.into_iter().find(|f| f.name == name).ok_or_else(not_found)?;
            let path =
                app.store.state_dir().join(workflow::PUBLISHED_DIR).join(&folder).join(&file.name);
            let bytes =
                crate::io::read_capped(&path, 256 << 20).map_err(|e| internal(&e.message().1))?;
            if super::store::hex(&<sha2::Sha256 as sha2::Digest>::digest(&bytes)) != file.sha256 {
                return Err(internal("a published file differs from its record"));
            }
            let s = app
                .store
                .read(&unit)
                .map(|(b, v)| app.summary(&unit, &v, b))
                .map_err(|e| internal(&e))?;
            let kind = match name.rsplit('.').next() {
                Some("pdf") => Some(crate::OutputKind::Pdf),
                Some("docx") => Some(crate::OutputKind::Docx),
                Some("html") => Some(crate::OutputKind::Html),
                _ => None,
            };
            let mut title = super::api::report_title(&s.unit, s.year, &unit.id);
            if name == "fragment.html" {
                title.push_str("（网页片段）");
            }
            Ok((bytes, title, kind))
        })
        .await?;
    caller.audit(&app, "download-published", &id, &logged);
    Ok(download(bytes, kind, &title, &id))
}
