//! The preview server: axum over the site held in memory, plus `/__brief/events`, a stream
//! of server-sent events ("hello", "reload", "build-error") that the injected script listens to.
//!
//! Only files of the built site are served. Request paths are percent-decoded once; `.` and
//! `..` segments, empty segments (`//etc`), encoded slashes or backslashes, backslashes and NUL
//! bytes are refused with 400, so nothing outside the site can be named. Since the site is
//! never read from disk, symbolic links cannot lead out of it either.

use std::convert::Infallible;
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::stream::{self, Stream, StreamExt};
use tokio::sync::broadcast::error::RecvError;

use super::{Shared, Signal};
use crate::file_bytes::FileBytes;

pub const EVENTS_PATH: &str = "/__brief/events";

pub fn router(shared: Arc<Shared>) -> Router {
    Router::new().route(EVENTS_PATH, get(events)).fallback(get(file)).with_state(shared)
}

/// Serves on an already bound listener until the process ends.
pub fn run(listener: std::net::TcpListener, shared: Arc<Shared>) -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async move {
        listener.set_nonblocking(true)?;
        let listener = tokio::net::TcpListener::from_std(listener)?;
        axum::serve(listener, router(shared)).await
    })
}

async fn events(State(shared): State<Arc<Shared>>) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let receiver = shared.signals.subscribe();
    let hello = {
        let state = shared.state.read().unwrap_or_else(|e| e.into_inner());
        serde_json::json!({ "generation": state.generation, "error": state.error }).to_string()
    };
    let first = stream::once(async move { Ok(Event::default().event("hello").data(hello)) });
    let rest = stream::unfold(receiver, |mut receiver| async move {
        loop {
            match receiver.recv().await {
                Ok(signal) => return Some((Ok(event_for(&signal)), receiver)),
                Err(RecvError::Lagged(_)) => continue,
                Err(RecvError::Closed) => return None,
            }
        }
    });
    Sse::new(first.chain(rest)).keep_alive(KeepAlive::default())
}

fn event_for(signal: &Signal) -> Event {
    match signal {
        Signal::Reload(generation) => Event::default().event("reload").data(generation.clone()),
        Signal::Error(problem) => {
            Event::default().event("build-error").data(serde_json::to_string(problem).unwrap_or_default())
        }
    }
}

/// Why a request path was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    BadRequest,
}

/// The site file a request path names (`/topics/a/` → `topics/a/index.html`), or refused.
pub fn site_path(raw: &str) -> Result<String, Refused> {
    let Some(rest) = raw.strip_prefix('/') else { return Err(Refused::BadRequest) };
    let lower = rest.to_ascii_lowercase();
    if lower.contains("%2f") || lower.contains("%5c") || lower.contains("%00") {
        return Err(Refused::BadRequest);
    }
    let decoded = percent_decode(rest).ok_or(Refused::BadRequest)?;
    if decoded.contains('\\') || decoded.contains('\0') || decoded.contains(':') {
        return Err(Refused::BadRequest);
    }
    let mut parts: Vec<&str> = decoded.split('/').collect();
    let directory = parts.last().is_some_and(|p| p.is_empty());
    if directory {
        parts.pop();
    }
    if parts.iter().any(|p| p.is_empty() || *p == "." || *p == "..") {
        return Err(Refused::BadRequest);
    }
    let mut path = parts.join("/");
    if directory || path.is_empty() {
        path = if path.is_empty() { "index.html".into() } else { format!("{path}/index.html") };
    }
    Ok(path)
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let byte = u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?;
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn content_type(path: &str) -> HeaderValue {
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    let text = mime.type_() == "text"
        || matches!(mime.essence_str(), "application/json" | "application/javascript" | "image/svg+xml");
    let value = if text { format!("{}; charset=utf-8", mime.essence_str()) } else { mime.to_string() };
    HeaderValue::from_str(&value).unwrap_or(HeaderValue::from_static("application/octet-stream"))
}

async fn file(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    let path = match site_path(uri.path()) {
        Ok(path) => path,
        Err(Refused::BadRequest) => {
            shared.ui.detail(&format!("400 {}", uri.path()));
            return (StatusCode::BAD_REQUEST, "400: that path is not allowed\n").into_response();
        }
    };
    let (bytes, status, path) = {
        let state = shared.state.read().unwrap_or_else(|e| e.into_inner());
        let found = state.files.get(&path).cloned();
        match found {
            Some(bytes) => (bytes, StatusCode::OK, path),
            None => {
                // `/topics/a` → `/topics/a/`, so relative links on that page resolve.
                if state.files.contains_key(&format!("{path}/index.html")) {
                    let location = format!("{}/", uri.path());
                    return (StatusCode::PERMANENT_REDIRECT, [(header::LOCATION, location)]).into_response();
                }
                let page = state
                    .files
                    .get("404.html")
                    .cloned()
                    .unwrap_or_else(|| FileBytes::from(Bytes::from_static(NOT_FOUND)));
                (page, StatusCode::NOT_FOUND, "404.html".to_string())
            }
        }
    };
    shared.ui.detail(&format!("{} {}", status.as_u16(), uri.path()));
    let length = bytes.len();
    let body = if path.ends_with(".html") {
        Body::from(shared.inject(&bytes.contiguous()))
    } else if let [one] = bytes.parts() {
        Body::from(one.clone())
    } else {
        // A data file rebuilt in memory is several shared buffers: sent one after another.
        Body::from_stream(stream::iter(bytes.parts().to_vec().into_iter().map(Ok::<_, Infallible>)))
    };
    let mut response = Response::new(body);
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, content_type(&path));
    if !path.ends_with(".html") {
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}

const NOT_FOUND: &[u8] = b"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not found</title></head>\n<body><h1>Not found</h1><p>This page is not part of the briefing. <a href=\"/\">Back to the briefing</a>.</p></body></html>\n";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_paths_to_site_files() {
        assert_eq!(site_path("/").unwrap(), "index.html");
        assert_eq!(site_path("/topics/a/").unwrap(), "topics/a/index.html");
        assert_eq!(site_path("/static/style.css").unwrap(), "static/style.css");
        assert_eq!(site_path("/a%20b.html").unwrap(), "a b.html");
    }

    #[test]
    fn refuses_traversal() {
        for bad in [
            "/../etc/passwd",
            "/static/../../x",
            "/%2e%2e/x",
            "/%2E%2E/%2E%2E/etc/passwd",
            "/a%2f..%2f..%2fx",
            "/a%5c..%5cx",
            "//etc/passwd",
            "/C:/Windows",
            "/a/./b",
            "/a\\..\\b",
            "/%00",
            "/%zz",
        ] {
            assert_eq!(site_path(bad), Err(Refused::BadRequest), "{bad}");
        }
    }

    #[test]
    fn text_types_get_a_charset() {
        assert_eq!(content_type("index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("static/style.css"), "text/css; charset=utf-8");
        assert_eq!(content_type("briefing.json"), "application/json; charset=utf-8");
        assert_eq!(content_type("static/logo.png"), "image/png");
    }
}
