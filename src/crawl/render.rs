//! Rendering a page in headless Chromium, for sources with `render = "chromium"`: pages that are
//! empty until their scripts run (a list filled by `fetch()`, an article injected by a framework).
//!
//! One render is one `chromium --headless --dump-dom URL` process: the browser loads the page,
//! runs its scripts for a virtual-time budget (timers and network idle fast-forwarded, so a page
//! that polls forever still ends) and prints the serialised DOM. A process per page costs about a
//! second of CPU but needs no DevTools client, leaves nothing running between pages and keeps a
//! browser crash to one page. Each render gets a fresh profile directory (two Chromiums may not
//! share one) and its own process group, killed whole on timeout, so no renderer outlives its
//! page.
//!
//! The fetcher ([`super::fetch`]) decides when to render and holds the host's permit and rate
//! limit while Chromium loads the page; this module only runs the browser. The sub-resources the
//! page loads (scripts, XHR) are the browser's own requests and are not rate-limited one by one.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::AsyncReadExt;
use tokio::sync::Semaphore;

/// Where Chromium is looked for when neither `crawl.chromium` nor `JIANCE_CHROMIUM` names it.
const DEFAULT_PATHS: [&str; 3] = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "chromium"];

/// The browser to start: `configured` (`crawl.chromium`), else `JIANCE_CHROMIUM`, else the first
/// of [`DEFAULT_PATHS`] that is there (the last, a bare name, is looked up on `PATH`).
pub fn browser(configured: Option<PathBuf>) -> PathBuf {
    configured
        .or_else(|| std::env::var_os("JIANCE_CHROMIUM").map(PathBuf::from))
        .unwrap_or_else(|| {
            DEFAULT_PATHS
                .iter()
                .map(PathBuf::from)
                .find(|p| p.is_file())
                .unwrap_or_else(|| PathBuf::from("chromium"))
        })
}

/// Is `program` there: the file itself, or a bare name found on `PATH`?
pub fn available(program: &std::path::Path) -> bool {
    if program.components().count() > 1 {
        return program.is_file();
    }
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|d| d.join(program).is_file()))
}

/// Runs headless Chromium, at most `concurrency` at a time.
#[derive(Debug)]
pub struct Renderer {
    program: PathBuf,
    budget: Duration,
    timeout: Duration,
    permits: Semaphore,
}

impl Renderer {
    /// `program`: the configured browser (see [`browser`]). `budget`: virtual time the page's scripts get; `timeout`: wall
    /// time before the browser is killed.
    pub fn new(
        program: Option<PathBuf>,
        budget: Duration,
        timeout: Duration,
        concurrency: usize,
    ) -> Renderer {
        Renderer {
            program: browser(program),
            budget,
            timeout,
            permits: Semaphore::new(concurrency.max(1)),
        }
    }

    /// The DOM of `url` after its scripts ran, as UTF-8 HTML of at most `max_body` bytes. `Err`
    /// is a short reason: `render-unavailable` (the browser cannot be started),
    /// `render-timeout`, `render-too-large`, `render-failed` (the browser exited with an error)
    /// or `render-empty` (it printed nothing).
    pub async fn render(
        &self,
        url: &str,
        user_agent: &str,
        max_body: usize,
    ) -> Result<Vec<u8>, &'static str> {
        let Ok(_permit) = self.permits.acquire().await else {
            return Err("shutdown");
        };
        let profile = tempfile::Builder::new()
            .prefix("jiance-chromium-")
            .tempdir()
            .map_err(|e| {
                tracing::warn!("cannot make a Chromium profile directory: {e}");
                "render-unavailable"
            })?;
        let mut cmd = tokio::process::Command::new(&self.program);
        cmd.arg("--headless")
            // Containers run as root, where Chromium refuses its sandbox.
            .arg("--no-sandbox")
            .arg("--disable-gpu")
            .arg("--disable-dev-shm-usage")
            .arg("--no-first-run")
            .arg("--disable-extensions")
            .arg("--disable-background-networking")
            .arg("--disable-sync")
            .arg("--mute-audio")
            .arg("--blink-settings=imagesEnabled=false")
            .arg(format!("--user-agent={user_agent}"))
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg(format!("--virtual-time-budget={}", self.budget.as_millis()))
            .arg("--dump-dom")
            .arg(url)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .process_group(0)
            .kill_on_drop(true);
        let mut child = cmd.spawn().map_err(|e| {
            tracing::warn!(program = %self.program.display(), "cannot start Chromium: {e}");
            "render-unavailable"
        })?;
        let group = child.id();
        let Some(mut stdout) = child.stdout.take() else {
            return Err("render-unavailable");
        };
        let run = async {
            let mut dom = Vec::new();
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                let n = stdout.read(&mut buf).await.map_err(|_| "render-failed")?;
                if n == 0 {
                    break;
                }
                if dom.len() + n > max_body {
                    return Err("render-too-large");
                }
                dom.extend_from_slice(buf.get(..n).unwrap_or_default());
            }
            let status = child.wait().await.map_err(|_| "render-failed")?;
            if !status.success() {
                return Err("render-failed");
            }
            Ok(dom)
        };
        let result = match tokio::time::timeout(self.timeout, run).await {
            Ok(r) => r,
            Err(_) => Err("render-timeout"),
        };
        // The browser's helpers (zygote, renderers) share its process group: end them all,
        // whatever happened, so nothing outlives this page. A group already gone is no error.
        if let Some(pid) = group.and_then(|p| i32::try_from(p).ok()) {
            // SAFETY: kill(2) with a negative pid signals a process group; no memory is touched.
            unsafe {
                libc::kill(-pid, libc::SIGKILL);
            }
        }
        let dom = result?;
        if dom.iter().all(u8::is_ascii_whitespace) {
            return Err("render-empty");
        }
        Ok(dom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn script(dir: &std::path::Path, body: &str) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let path = dir.join("fake-chromium");
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    fn renderer(program: PathBuf, timeout: Duration) -> Renderer {
        Renderer::new(Some(program), Duration::from_secs(1), timeout, 1)
    }

    #[tokio::test]
    async fn prints_of_the_browser_become_the_dom_and_failures_have_reasons() {
        let dir = tempfile::tempdir().unwrap();
        // The last argument is the URL: the fake browser echoes it inside a page.
        let ok = renderer(
            script(
                dir.path(),
                r#"for a; do u="$a"; done; echo "<html><body>$u</body></html>""#,
            ),
            Duration::from_secs(10),
        );
        let dom = ok
            .render("http://127.0.0.1:1/x", "ua", 1 << 20)
            .await
            .unwrap();
        assert_eq!(
            String::from_utf8(dom).unwrap().trim(),
            "<html><body>http://127.0.0.1:1/x</body></html>"
        );
        assert_eq!(
            ok.render("http://127.0.0.1:1/x", "ua", 10).await,
            Err("render-too-large")
        );

        let fails = renderer(
            script(dir.path(), "echo partial; exit 3"),
            Duration::from_secs(10),
        );
        assert_eq!(fails.render("u", "ua", 1 << 20).await, Err("render-failed"));

        let empty = renderer(script(dir.path(), "echo"), Duration::from_secs(10));
        assert_eq!(empty.render("u", "ua", 1 << 20).await, Err("render-empty"));

        let missing = renderer(dir.path().join("no-such-browser"), Duration::from_secs(10));
        assert_eq!(
            missing.render("u", "ua", 1 << 20).await,
            Err("render-unavailable")
        );
    }

    #[tokio::test]
    async fn a_hanging_browser_and_its_children_are_killed_at_the_timeout() {
        let dir = tempfile::tempdir().unwrap();
        let marker = dir.path().join("child-alive");
        // A child that would write the marker after the timeout, as a stuck renderer would.
        let body = format!("(sleep 3; touch {}) & sleep 30", marker.display());
        let hang = renderer(script(dir.path(), &body), Duration::from_millis(300));
        let started = std::time::Instant::now();
        assert_eq!(hang.render("u", "ua", 1 << 20).await, Err("render-timeout"));
        assert!(started.elapsed() < Duration::from_secs(10));
        tokio::time::sleep(Duration::from_secs(4)).await;
        assert!(
            !marker.exists(),
            "a child of the browser outlived the render"
        );
    }
}
