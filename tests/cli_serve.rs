//! `brief serve` on a free loopback port: pages served from memory with the reload script,
//! traversal refused, a saved change rebuilt and signalled, a broken template shown as an
//! overlay while the last good site stays served.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(30);

/// A running `brief serve`; killed when dropped.
struct Server {
    child: Child,
    port: u16,
    log: Receiver<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(root: &Path) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_brief"))
            .args(["serve", "--port", "0", "--root", root.to_str().unwrap()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (sender, log) = channel();
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        let mut server = Server { child, port: 0, log };
        let line = server.wait_for_line("serving ");
        let url = line.split_whitespace().find(|w| w.starts_with("http://")).unwrap();
        server.port = url.trim_end_matches('/').rsplit(':').next().unwrap().parse().unwrap();
        server
    }

    fn wait_for_line(&self, needle: &str) -> String {
        let deadline = Instant::now() + WAIT;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.log.recv_timeout(left) {
                Ok(line) if line.contains(needle) => return line,
                Ok(_) => {}
                Err(_) => break,
            }
        }
        panic!("brief serve never printed `{needle}`");
    }

    /// `(status, headers, body)` of a GET sent as raw bytes, so odd paths reach the server as-is.
    fn get(&self, path: &str) -> (u16, String, String) {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        stream.set_read_timeout(Some(WAIT)).unwrap();
        write!(stream, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").unwrap();
        let mut response = Vec::new();
        stream.read_to_end(&mut response).unwrap();
        let response = String::from_utf8_lossy(&response).to_string();
        let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
        let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        (status, head.to_ascii_lowercase(), body.to_string())
    }

    /// Opens the event stream and waits for its first (`hello`) event.
    fn events(&self) -> Events {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        stream.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
        write!(
            stream,
            "GET /__brief/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
        )
        .unwrap();
        let mut events = Events { stream, seen: String::new() };
        events.wait_for("event: hello");
        events
    }
}

struct Events {
    stream: TcpStream,
    seen: String,
}

impl Events {
    /// Waits until the stream carries `needle`; returns what arrived up to and after it.
    fn wait_for(&mut self, needle: &str) -> String {
        let deadline = Instant::now() + WAIT;
        let mut buffer = [0u8; 4096];
        loop {
            if let Some(at) = self.seen.find(needle) {
                let found = self.seen.clone();
                self.seen = self.seen[at + needle.len()..].to_string();
                return found;
            }
            assert!(Instant::now() < deadline, "no `{needle}` on the event stream; got: {}", self.seen);
            match self.stream.read(&mut buffer) {
                Ok(0) => panic!("event stream closed; got: {}", self.seen),
                Ok(n) => self.seen.push_str(&String::from_utf8_lossy(&buffer[..n])),
                Err(_) => {} // read timeout: poll again
            }
        }
    }
}

fn new_project() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("briefing");
    let out =
        Command::new(env!("CARGO_BIN_EXE_brief")).args(["init", root.to_str().unwrap()]).output().unwrap();
    assert!(out.status.success());
    (dir, root)
}

#[test]
fn serves_the_site_from_memory_and_refuses_paths_outside_it() {
    let (_dir, root) = new_project();
    // A symbolic link in static/ that leads out of the project.
    std::fs::write(root.parent().unwrap().join("secret.txt"), "secret").unwrap();
    std::fs::create_dir_all(root.join("static")).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(root.parent().unwrap().join("secret.txt"), root.join("static/leak.txt"))
        .unwrap();
    let server = Server::start(&root);

    let (status, head, body) = server.get("/");
    assert_eq!(status, 200);
    assert!(head.contains("content-type: text/html; charset=utf-8"), "{head}");
    assert!(body.contains("data-brief-reload") && body.contains("/__brief/events"), "{body}");
    assert!(!root.join("public").exists(), "serve writes nothing to public/");

    let (status, head, _) = server.get("/static/style.css");
    assert_eq!(status, 200);
    assert!(head.contains("content-type: text/css"), "{head}");
    let (status, head, _) = server.get("/briefing.json");
    assert_eq!(status, 200);
    assert!(head.contains("content-type: application/json"), "{head}");
    let (status, _, body) = server.get("/topics/flooding/");
    assert_eq!(status, 200);
    assert!(body.contains("data-brief-reload"));
    let (status, head, _) = server.get("/topics/flooding");
    assert!(status == 308 && head.contains("location: /topics/flooding/"), "{status} {head}");
    let (status, _, body) = server.get("/no-such-page.html");
    assert_eq!(status, 404);
    assert!(body.contains("Not found") && body.contains("data-brief-reload"), "{body}");

    // The file beside the project that traversal or the symbolic link would reach.
    for path in [
        "/static/leak.txt",
        "/../secret.txt",
        "/static/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/static/%2E%2E/%2e%2e/secret.txt",
        "/static%2f..%2f..%2fsecret.txt",
        "/..%5c..%5csecret.txt",
        "//etc/passwd",
        "/%2Fetc%2Fpasswd",
        "/etc/passwd",
    ] {
        let (status, _, body) = server.get(path);
        assert!(status == 400 || status == 404, "{path}: {status}");
        assert!(!body.contains("secret") || body.contains("Not found"), "{path}: {body}");
        assert!(!body.contains("root:"), "{path}");
    }
}

#[test]
fn a_saved_change_reloads_and_a_broken_template_shows_an_overlay() {
    let (_dir, root) = new_project();
    let server = Server::start(&root);
    let mut events = server.events();

    // A seed edit: rebuilt, signalled, and served.
    let seed = root.join("seeds/002-coast-radio.txt");
    let mut text = std::fs::read_to_string(&seed).unwrap();
    text.push_str("The harbour master said the new floodgate at Quillon quay would be ready by spring.\n");
    let saved = Instant::now();
    std::fs::write(&seed, &text).unwrap();
    events.wait_for("event: reload");
    eprintln!("save to reload signal: {} ms (debug build)", saved.elapsed().as_millis());
    let (status, _, body) = server.get("/sources/coast-radio/");
    assert_eq!(status, 200);
    assert!(body.contains("Quillon"), "the change is served");
    // The data file rebuilt from the last one's unchanged runs is served whole.
    let (status, head, body) = server.get("/briefing.json");
    assert_eq!(status, 200);
    assert!(head.contains(&format!("content-length: {}", body.len())), "{head}");
    let json: serde_json::Value = serde_json::from_str(&body).expect("briefing.json is JSON");
    assert!(json["sources"].to_string().contains("Quillon"), "the change is in briefing.json");

    // A content edit shows up too.
    std::fs::write(root.join("content/_index.md"), "+++\ntitle = \"Northport\"\n+++\nThe Zeltmoor lead.\n")
        .unwrap();
    events.wait_for("event: reload");
    assert!(server.get("/").2.contains("Zeltmoor"));

    // Touching a seed (no edit) rebuilds too.
    let later = std::time::SystemTime::now() + Duration::from_secs(2);
    std::fs::File::options().write(true).open(&seed).unwrap().set_modified(later).unwrap();
    events.wait_for("event: reload");

    // An editor's swap file changes nothing.
    std::fs::write(root.join("content/.index.md.swp"), "junk").unwrap();

    // A broken template: the error goes to the browser, the last good page stays.
    std::fs::create_dir_all(root.join("templates")).unwrap();
    std::fs::write(
        root.join("templates/index.html"),
        "{% extends \"base.html\" %}\n{% block main %}\n{% if %}\n",
    )
    .unwrap();
    let got = events.wait_for("event: build-error");
    let rest = events.wait_for("\n\n");
    assert!(!got.contains("event: reload"), "a failed build must not reload: {got}");
    assert!(rest.contains("index.html"), "the error names the template: {rest}");
    let (status, _, body) = server.get("/");
    assert_eq!(status, 200);
    assert!(body.contains("Zeltmoor"), "the last good site is still served");
    assert!(body.contains("var error = {"), "the page carries the error for the overlay");
    server.wait_for_line("still serving the last good build");

    // Fixed: a good build reloads and clears the error.
    std::fs::remove_file(root.join("templates/index.html")).unwrap();
    events.wait_for("event: reload");
    let body = server.get("/").2;
    assert!(body.contains("var error = null"), "the next good build clears the overlay");
}
