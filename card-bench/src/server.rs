//! A minimal, fast WeChat stand-in on 127.0.0.1: hyper 1, HTTP/1.1 with keep-alive, on its own
//! thread and single-threaded runtime, so the client under measurement and the floor meet the
//! very same server and neither pays for the server's work on its own thread.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

use bytes::Bytes;
use http::{header, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::sync::oneshot;

use crate::recorded_bytes;

/// The `Content-Type` WeChat puts on its JSON answers.
const WECHAT_CONTENT_TYPE: &str = "application/json; encoding=utf-8";

/// What the server has answered so far.
#[derive(Debug, Default)]
struct Counters {
    consumes: AtomicU64,
    token_fetches: AtomicU64,
}

/// A local server answering `POST /card/code/consume` (with any `access_token`) with the
/// recorded consume answer and `GET /cgi-bin/token` with the recorded token answer; anything
/// else gets a 404. It reads every request body in full. Stopped and joined on drop.
#[derive(Debug)]
pub struct LocalServer {
    addr: SocketAddr,
    counters: Arc<Counters>,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl LocalServer {
    /// Bind a free port on 127.0.0.1 and start serving on a thread of its own.
    pub fn start() -> std::io::Result<Self> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let counters = Arc::new(Counters::default());
        let (shutdown, stop) = oneshot::channel();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let served = counters.clone();
        let thread = std::thread::Builder::new()
            .name("bench-server".into())
            .spawn(move || runtime.block_on(serve(listener, served, stop)))?;
        Ok(Self {
            addr,
            counters,
            shutdown: Some(shutdown),
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:PORT`, to give a client as its base URL.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Consume requests answered so far.
    pub fn consumes(&self) -> u64 {
        self.counters.consumes.load(Ordering::Relaxed)
    }

    /// Token requests answered so far.
    pub fn token_fetches(&self) -> u64 {
        self.counters.token_fetches.load(Ordering::Relaxed)
    }
}

impl Drop for LocalServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn serve(
    listener: std::net::TcpListener,
    counters: Arc<Counters>,
    mut stop: oneshot::Receiver<()>,
) {
    let listener = match tokio::net::TcpListener::from_std(listener) {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("bench server: cannot listen: {e}");
            return;
        }
    };
    loop {
        let stream = tokio::select! {
            _ = &mut stop => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => continue,
            },
        };
        let _ = stream.set_nodelay(true);
        let counters = counters.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request| answer(request, counters.clone()));
            // A client closing its pooled connection at the end of a run is not an error here.
            let _ = http1::Builder::new()
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn answer(
    request: Request<Incoming>,
    counters: Arc<Counters>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, body) = request.into_parts();
    // Read the whole body, as a real server must, before answering.
    let read = body.collect().await.is_ok();
    let has_token = parts.uri.query().is_some_and(|query| {
        query
            .split('&')
            .any(|pair| pair.starts_with("access_token="))
    });
    let (status, file) = match (&parts.method, parts.uri.path()) {
        (&Method::POST, "/card/code/consume") if read && has_token => {
            counters.consumes.fetch_add(1, Ordering::Relaxed);
            (StatusCode::OK, "card_code_consume.json")
        }
        (&Method::GET, "/cgi-bin/token") => {
            counters.token_fetches.fetch_add(1, Ordering::Relaxed);
            (StatusCode::OK, "cgi-bin_token.json")
        }
        _ => {
            let mut response = Response::new(Full::new(Bytes::from_static(b"not found")));
            *response.status_mut() = StatusCode::NOT_FOUND;
            return Ok(response);
        }
    };
    let mut response = Response::new(Full::new(recorded_bytes(file)));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        http::HeaderValue::from_static(WECHAT_CONTENT_TYPE),
    );
    Ok(response)
}
