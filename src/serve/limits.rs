//! The server's bounds (issue #29): how many connections at once, how long a client may take
//! to send its headers or the next piece of its body, how much heavy work (renders, previews,
//! office actions) runs or waits at once, and the JSON every refusal carries. The numbers are
//! in [`Limits::default`] and `docs/security.md`.

use super::error;
use crate::diag::Reply;
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::ConnectInfo;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};

/// The server's bounds.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Connections served at once; further ones wait in the kernel's accept queue until one
    /// closes.
    pub max_connections: usize,
    /// The longest a client may take to send a request's headers, and the longest an idle
    /// keep-alive connection stays open waiting for the next request.
    pub header_read_timeout: Duration,
    /// The longest a request body may pause between two pieces.
    pub body_idle_timeout: Duration,
    /// Heavy jobs (a render, a preview, an office action) running at once.
    pub heavy: usize,
    /// Heavy jobs waiting for a turn; one more is answered 503 at once.
    pub heavy_queue: usize,
    /// The longest a heavy job waits for its turn before it is answered 503.
    pub heavy_wait: Duration,
    /// The `Retry-After` of a 503, in seconds.
    pub retry_after: u64,
}

impl Default for Limits {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Limits {
            max_connections: 512,
            header_read_timeout: Duration::from_secs(10),
            body_idle_timeout: Duration::from_secs(30),
            heavy: cores,
            heavy_queue: 4 * cores,
            heavy_wait: Duration::from_secs(20),
            retry_after: 5,
        }
    }
}

/// The gate of heavy work: `heavy` permits and at most `heavy_queue` waiting for one.
pub(super) struct Heavy {
    permits: Arc<Semaphore>,
    waiting: AtomicUsize,
    queue: usize,
    wait: Duration,
    retry_after: u64,
}

/// One waiting place, given back however the wait ends (a client that hangs up included).
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Heavy {
    pub(super) fn new(limits: &Limits) -> Heavy {
        Heavy {
            permits: Arc::new(Semaphore::new(limits.heavy.max(1))),
            waiting: AtomicUsize::new(0),
            queue: limits.heavy_queue,
            wait: limits.heavy_wait,
            retry_after: limits.retry_after,
        }
    }

    /// A turn at heavy work, or the 503 to answer: when every permit is taken and the queue
    /// is full, or the turn does not come within the wait.
    pub(super) async fn enter(&self) -> Result<OwnedSemaphorePermit, Response> {
        if let Ok(permit) = self.permits.clone().try_acquire_owned() {
            return Ok(permit);
        }
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.queue {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(self.busy());
        }
        let _place = Waiting(&self.waiting);
        match tokio::time::timeout(self.wait, self.permits.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(self.busy()),
        }
    }

    /// 503 with `Retry-After` and the catalogue's wording.
    pub(super) fn busy(&self) -> Response {
        let mut r = error(StatusCode::SERVICE_UNAVAILABLE, Reply::Busy);
        r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(self.retry_after));
        r
    }
}

/// The 422 for a YAML the parser refused as beyond its limits (E-Y3: aliases that copy too
/// much, too many nodes, too deep): neither checked further nor saved.
pub(super) fn too_complex(loaded: &crate::Loaded) -> Option<Response> {
    if !loaded.diags.iter().any(|d| d.code == crate::diag::Code::TooComplex) {
        return None;
    }
    let extra = serde_json::json!({"diagnostics": super::diagnostics(loaded)});
    let body = super::reply_json(Reply::TooComplex, "", extra);
    Some((StatusCode::UNPROCESSABLE_ENTITY, axum::Json(body)).into_response())
}

/// An office action's turn (batch, its zip, the 汇总表, the audit): one at a time, and a heavy
/// turn besides; a second office action while one runs is answered 503 rather than queued.
pub(super) async fn office_turn(
    app: &super::App,
) -> Result<(tokio::sync::OwnedMutexGuard<()>, OwnedSemaphorePermit), Response> {
    let one = app.office.clone().try_lock_owned().map_err(|_| app.heavy.busy())?;
    Ok((one, app.heavy.enter().await?))
}

/// Serves `router` on `listener` within `limits`: at most `max_connections` at once, each
/// HTTP/1.1 with the header-read timeout (which hyper also applies to an idle keep-alive
/// connection waiting for its next request). When every slot is taken, the connection that has
/// waited longest for a request's headers is closed to make room for the next one, so clients
/// that trickle their headers cannot keep out one that sends a request at once; connections in
/// the middle of a request are never closed for room.
pub(super) async fn serve(
    listener: tokio::net::TcpListener,
    router: axum::Router,
    limits: Limits,
) -> Result<(), String> {
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let live = Arc::new(Mutex::new(Live::default()));
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_buf_size(64 * 1024);
    loop {
        let slot = match slots.clone().try_acquire_owned() {
            Ok(slot) => slot,
            Err(_) => {
                close_longest_waiting(&live);
                slots.clone().acquire_owned().await.map_err(|e| e.to_string())?
            }
        };
        let (stream, remote) = match listener.accept().await {
            Ok(accepted) => accepted,
            // Out of file descriptors, a connection reset before it was accepted: wait a
            // moment and go on (as axum::serve does).
            Err(e) => {
                eprintln!("serve: accept: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let (id, busy, stop) = live.lock().unwrap_or_else(|e| e.into_inner()).add();
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut req: hyper::Request<_>| {
            let busy = InRequest::enter(&busy);
            req.extensions_mut().insert(ConnectInfo(remote));
            let answer = tower::ServiceExt::oneshot(router.clone(), req);
            async move {
                let response = answer.await?;
                // In a request until its answer has been sent whole.
                Ok::<_, std::convert::Infallible>(
                    response.map(|body| Body::new(Watched::in_request(body, busy))),
                )
            }
        });
        let conn = http.serve_connection(hyper_util::rt::TokioIo::new(stream), service);
        let live = live.clone();
        tokio::spawn(async move {
            // A client that hangs up or is too slow is its own business, not the log's.
            tokio::select! {
                _ = conn => {}
                () = stop.notified() => {}
            }
            live.lock().unwrap_or_else(|e| e.into_inner()).conns.remove(&id);
            drop(slot);
        });
    }
}

/// The open connections, oldest first: how many requests each is in (0: waiting for a
/// request's headers) and how to close it.
#[derive(Default)]
struct Live {
    next: u64,
    conns: BTreeMap<u64, (Arc<AtomicUsize>, Arc<Notify>)>,
}

impl Live {
    fn add(&mut self) -> (u64, Arc<AtomicUsize>, Arc<Notify>) {
        let id = self.next;
        self.next += 1;
        let (busy, stop) = (Arc::new(AtomicUsize::new(0)), Arc::new(Notify::new()));
        self.conns.insert(id, (busy.clone(), stop.clone()));
        (id, busy, stop)
    }
}

/// Closes the oldest connection that is waiting for a request's headers, if there is one.
fn close_longest_waiting(live: &Mutex<Live>) {
    let mut live = live.lock().unwrap_or_else(|e| e.into_inner());
    let oldest = live.conns.iter().find(|(_, (busy, _))| busy.load(Ordering::SeqCst) == 0);
    if let Some((&id, (_, stop))) = oldest {
        stop.notify_one();
        live.conns.remove(&id);
    }
}

/// A request in progress on a connection, until dropped.
struct InRequest(Arc<AtomicUsize>);

impl InRequest {
    fn enter(busy: &Arc<AtomicUsize>) -> InRequest {
        busy.fetch_add(1, Ordering::SeqCst);
        InRequest(busy.clone())
    }
}

impl Drop for InRequest {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Wraps every request body so that it fails when the client pauses longer than `idle`
/// between two pieces (a body sent a byte a minute cannot hold a connection for hours).
pub(super) async fn body_deadline(
    axum::extract::State(idle): axum::extract::State<Duration>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let req = req.map(|body| Body::new(Watched::paced(body, idle)));
    next.run(req).await
}

/// A body watched for the server's bounds: a request's fails after a pause longer than its
/// `idle` time; an answer's keeps its connection marked as in a request until it is sent.
struct Watched {
    inner: Body,
    /// The longest pause, and its timer (a request body).
    pace: Option<(Duration, Pin<Box<tokio::time::Sleep>>)>,
    /// The connection's request, ended when the body is dropped (an answer).
    _request: Option<InRequest>,
}

impl Watched {
    fn paced(inner: Body, idle: Duration) -> Watched {
        let pace = Some((idle, Box::pin(tokio::time::sleep(idle))));
        Watched { inner, pace, _request: None }
    }

    fn in_request(inner: Body, request: InRequest) -> Watched {
        Watched { inner, pace: None, _request: Some(request) }
    }
}

impl HttpBody for Watched {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, axum::Error>>> {
        let this = &mut *self;
        let frame = Pin::new(&mut this.inner).poll_frame(cx);
        let Some((idle, timer)) = &mut this.pace else { return frame };
        match frame {
            Poll::Ready(frame) => {
                timer.as_mut().reset(tokio::time::Instant::now() + *idle);
                Poll::Ready(frame)
            }
            Poll::Pending => match timer.as_mut().poll(cx) {
                Poll::Ready(()) => {
                    let e = std::io::Error::new(std::io::ErrorKind::TimedOut, "body too slow");
                    Poll::Ready(Some(Err(axum::Error::new(e))))
                }
                Poll::Pending => Poll::Pending,
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

/// Gives every refusal the JSON body the form shows (`error` and a Chinese-first `message`):
/// axum's own rejections (a body over its cap, JSON that does not parse, no such route) are
/// plain English text without it. Answers that are already JSON, and the page (HTML), are
/// left as they are.
pub(super) async fn json_refusals(response: Response) -> Response {
    let status = response.status();
    let plain = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_none_or(|v| v.as_bytes().starts_with(b"text/plain"));
    if !(status.is_client_error() || status.is_server_error()) || !plain {
        return response;
    }
    let reply = match status {
        StatusCode::PAYLOAD_TOO_LARGE => Reply::TooLarge,
        StatusCode::NOT_FOUND => Reply::NoRoute,
        StatusCode::METHOD_NOT_ALLOWED => Reply::MethodNotAllowed,
        s if s.is_server_error() => Reply::Internal,
        _ => Reply::BadRequest,
    };
    let mut refused = error(status, reply);
    // Keep what the protocol needs (`Allow` of a 405, `Retry-After`).
    for name in [header::ALLOW, header::RETRY_AFTER] {
        if let Some(v) = response.headers().get(&name) {
            refused.headers_mut().insert(name, v.clone());
        }
    }
    refused
}
