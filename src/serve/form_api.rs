//! The browser form's routes: its page, script and styles (embedded: one binary, no build
//! step), the grids, and the report as a form (read, checked as typed, saved, previewed).

use super::api::{
    Answer, Refused, etag, if_match, if_match_required, render_report, report_json, save, stale,
};
use super::form::{FormError, form_of, grids_json, yaml_of};
use super::session::Caller;
use super::{App, Unit, diagnostics, error, internal, not_found, reply_json, status_of, summarize};
use crate::OutputKind;
use crate::diag::Reply;
use crate::diag::render_json;
use crate::template::Format;
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde_json::{Value, json};
use std::sync::Arc;

const PAGE: &str = include_str!("assets/form.html");
const SCRIPT: &str = include_str!("assets/form.js");
/// The modules `form.js` imports (`/modules/NAME`): the parts without the page's state.
const MODULES: [(&str, &str); 2] =
    [("entry.js", include_str!("assets/entry.js")), ("merge.js", include_str!("assets/merge.js"))];
const STYLES: &str = include_str!("assets/form.css");

/// Headers of every page and asset: nothing from elsewhere runs or loads, no framing.
const SECURITY: [(header::HeaderName, &str); 3] = [
    (
        header::CONTENT_SECURITY_POLICY,
        "default-src 'self'; img-src 'self' blob: data:; frame-src 'self' blob:; \
         object-src 'self' blob:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    ),
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::REFERRER_POLICY, "no-referrer"),
];

/// The form's page (it logs in, or shows how to, by itself).
pub(super) fn page() -> Response {
    (SECURITY, [(header::CACHE_CONTROL, "no-store")], Html(PAGE)).into_response()
}

pub(super) async fn script() -> Response {
    (SECURITY, [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], SCRIPT).into_response()
}

/// One of the form's script modules, or 404.
pub(super) async fn module(UrlPath(name): UrlPath<String>) -> Response {
    match MODULES.iter().find(|(n, _)| *n == name) {
        Some((_, text)) => {
            (SECURITY, [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], *text)
                .into_response()
        }
        None => not_found(),
    }
}

pub(super) async fn styles() -> Response {
    (SECURITY, [(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLES).into_response()
}

/// `?edition=` of the grids route.
#[derive(Debug, serde::Deserialize)]
pub(super) struct EditionQuery {
    edition: Option<u32>,
}

fn edition(app: &App, edition: u32) -> Result<&Format, Response> {
    app.engine.formats().get(edition).ok_or_else(|| error(StatusCode::NOT_FOUND, Reply::NoEdition))
}

pub(super) async fn format(
    State(app): State<Arc<App>>,
    Query(q): Query<EditionQuery>,
    _caller: Caller,
) -> Answer {
    let e = q.edition.unwrap_or_else(|| app.engine.formats().default_edition());
    Ok(axum::Json(grids_json(edition(&app, e)?)).into_response())
}

/// The form of `bytes`, or a 422 that says why the file cannot be shown as one.
fn as_form(app: &App, bytes: &[u8]) -> Result<(u32, Value), Response> {
    let text = String::from_utf8_lossy(bytes);
    form_of(&text, app.engine.formats()).map_err(|e| {
        let (why, diags) = match e {
            FormError::Syntax(d) => ("yaml-syntax", d),
            FormError::Edition(_) => ("bad-edition", Vec::new()),
        };
        let file = crate::source::SourceFile::new("report.yaml", text.into_owned());
        let diags: Vec<Value> = diags.iter().map(|d| render_json(d, &file)).collect();
        let body = reply_json(Reply::NotAForm, "", json!({"why": why, "diagnostics": diags}));
        (StatusCode::UNPROCESSABLE_ENTITY, axum::Json(body)).into_response()
    })
}

/// A form with its version and check (the form route, and a 409's newer version).
fn form_json(app: &App, unit: &Unit, bytes: Vec<u8>, version: &str) -> Result<Value, Response> {
    let (edition, form) = as_form(app, &bytes)?;
    let loaded = app.check(&unit.rel, bytes, &unit.path);
    let (mut v, _) = report_json(unit, version, &loaded, None);
    v["edition"] = edition.into();
    v["form"] = form;
    Ok(v)
}

pub(super) async fn get_form(
    State(app): State<Arc<App>>,
    UrlPath(id): UrlPath<String>,
    Caller { who, .. }: Caller,
) -> Answer {
    let (v, version) = app
        .on_unit(who, id, |app, _, unit| {
            let (bytes, version) = app.store.read(&unit).map_err(|e| internal(&e))?;
            Ok((form_json(app, &unit, bytes, &version)?, version))
        })
        .await?;
    Ok(([(header::ETAG, etag(&version))], axum::Json(v)).into_response())
}

pub(super) async fn old_form(
    State(app): State<Arc<App>>,
    UrlPath((id, version)): UrlPath<(String, String)>,
    Caller { who, .. }: Caller,
) -> Answer {
    let v = app
        .on_unit(who, id, move |app, _, unit| {
            let bytes = app.store.version_bytes(&unit, &version).ok_or_else(not_found)?;
            form_json(app, &unit, bytes, &version)
        })
        .await?;
    Ok(axum::Json(v).into_response())
}

/// The body of the form routes: `{"edition": 2021, "form": {doc, numbers}}`.
#[derive(Debug, serde::Deserialize)]
pub(super) struct Posted {
    edition: Option<u32>,
    form: Value,
}

fn yaml_of_posted(app: &App, posted: &Posted) -> Result<String, Response> {
    let e = posted.edition.unwrap_or_else(|| app.engine.formats().default_edition());
    Ok(yaml_of(&posted.form, edition(app, e)?))
}

pub(super) async fn check_form(
    State(app): State<Arc<App>>,
    UrlPath(id): UrlPath<String>,
    Caller { who, .. }: Caller,
    axum::Json(posted): axum::Json<Posted>,
) -> Answer {
    let v = app
        .on_unit(who, id, move |app, _, unit| {
            let yaml = yaml_of_posted(app, &posted)?;
            let loaded = app.check(&unit.rel, yaml.into_bytes(), &unit.path);
            let s = summarize(&loaded);
            let (status, status_zh) = status_of(&s);
            Ok(json!({
                "status": status, "status_zh": status_zh, "errors": s.errors,
                "warnings": s.warnings, "diagnostics": diagnostics(&loaded),
            }))
        })
        .await?;
    Ok(axum::Json(v).into_response())
}

pub(super) async fn put_form(
    State(app): State<Arc<App>>,
    UrlPath(id): UrlPath<String>,
    caller: Caller,
    headers: HeaderMap,
    axum::Json(posted): axum::Json<Posted>,
) -> Answer {
    let started = if_match(&headers);
    let (v, version) = app
        .on_unit(caller.who.clone(), id.clone(), move |app, who, unit| {
            let started = started.ok_or_else(if_match_required)?;
            let yaml = yaml_of_posted(app, &posted)?;
            match save(app, who, &unit, &started, yaml.as_bytes()) {
                Ok(saved) => Ok(saved),
                // The newer version as a form, for the page to offer beside what was typed.
                Err(Refused::Stale { current, bytes }) => {
                    let newer = form_json(app, &unit, bytes, &current)?;
                    Err(stale(&current, json!({"newer": newer})))
                }
                Err(other) => Err(other.response()),
            }
        })
        .await?;
    caller.audit(&app, "save", &id, &version);
    Ok(([(header::ETAG, etag(&version))], axum::Json(v)).into_response())
}

pub(super) async fn preview(
    State(app): State<Arc<App>>,
    UrlPath(id): UrlPath<String>,
    Caller { who, .. }: Caller,
    axum::Json(posted): axum::Json<Posted>,
) -> Answer {
    let permit = app.heavy.enter().await?;
    let pdf = app
        .on_unit(who, id, move |app, _, unit| {
            let _permit = permit;
            let yaml = yaml_of_posted(app, &posted)?;
            render_report(app, &unit, yaml.into_bytes(), OutputKind::Pdf)
        })
        .await?;
    Ok(([(header::CONTENT_TYPE, OutputKind::Pdf.mime())], pdf).into_response())
}
