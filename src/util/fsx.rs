//! Crash-safe file writes and directory swaps: what a `kill -9` may interrupt leaves either the
//! old or the new content, never a torn one.
//!
//! A file is written to a hidden temporary sibling of its own (`.name.<pid>-<n>.tmp`: two
//! processes writing the same file at once, as workers starting on one data directory write its
//! index's version file, must not rename each other's temporary away), synced and renamed over
//! the target. A directory built elsewhere (a rebuilt index, a rerun's output) replaces the live one
//! by two renames — live → old, staged → live — and a crash between them is finished by
//! [`recover_swap`] on the next start. Renames are made durable by syncing the parent directory
//! (best effort: not every platform can).

use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The hidden temporary sibling a write of `path` goes through: unique to this process and
/// write, so concurrent writers of one file each rename a whole file of their own.
fn tmp_path(path: &Path) -> PathBuf {
    static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut name = std::ffi::OsString::from(".");
    name.push(path.file_name().unwrap_or_default());
    name.push(format!(".{}-{n}.tmp", std::process::id()));
    path.with_file_name(name)
}

/// Write `body` to `path` through [`tmp_path`] and a rename, so `path` is either old or complete.
/// The parent directory is created when missing.
pub fn write_atomic(path: &Path, body: &[u8]) -> io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = tmp_path(path);
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(body)?;
    f.sync_all()?;
    drop(f);
    std::fs::rename(&tmp, path)?;
    sync_parent(path);
    Ok(())
}

/// Make the renames and removals in `path`'s parent durable (best effort).
pub fn sync_parent(path: &Path) {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty())
        && let Ok(d) = std::fs::File::open(parent)
    {
        let _ = d.sync_all();
    }
}

/// Put the complete directory `staged` in `live`'s place: `live` → `old`, `staged` → `live`, then
/// `old` is removed. A crash between the two renames leaves no `live` but `old` (and `staged`),
/// which [`recover_swap`] finishes. No process may have `live` open meanwhile.
pub fn swap_dir(staged: &Path, live: &Path, old: &Path) -> io::Result<()> {
    if old.exists() {
        std::fs::remove_dir_all(old)?;
    }
    if live.exists() {
        std::fs::rename(live, old)?;
    } else if let Some(parent) = live.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::rename(staged, live)?;
    sync_parent(live);
    if old.exists() {
        std::fs::remove_dir_all(old)?;
    }
    Ok(())
}

/// Finish a [`swap_dir`] a crash interrupted. With `live` missing, the first of `staged` and
/// `old` that `complete` accepts becomes `live` (returned); with `live` there, a leftover `old`
/// is removed. `complete` says whether a directory holds a finished build (a manifest written
/// last, or simply "the swap had begun").
pub fn recover_swap(
    live: &Path,
    staged: &Path,
    old: &Path,
    complete: impl Fn(&Path) -> bool,
) -> io::Result<Option<PathBuf>> {
    let mut moved = None;
    if !live.exists()
        && let Some(from) = [staged, old]
            .into_iter()
            .find(|d| d.exists() && complete(d))
    {
        tracing::warn!(from = %from.display(), to = %live.display(), "finishing an interrupted directory swap");
        std::fs::rename(from, live)?;
        sync_parent(live);
        moved = Some(from.to_path_buf());
    }
    if old.exists() && live.exists() {
        std::fs::remove_dir_all(old)?;
    }
    Ok(moved)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression (issue 22, the NATS kill test's flake): a sink worker and the coordinator
    /// starting on one data directory both wrote the index's version file through one temporary
    /// name; the first rename took it away and the other process failed on start.
    #[test]
    fn concurrent_writers_of_one_file_all_succeed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("version");
        std::thread::scope(|s| {
            for t in 0..4 {
                let path = &path;
                s.spawn(move || {
                    for _ in 0..200 {
                        write_atomic(path, format!("{t}").as_bytes()).unwrap();
                    }
                });
            }
        });
        let body = std::fs::read_to_string(&path).unwrap();
        assert!(["0", "1", "2", "3"].contains(&body.as_str()), "{body}");
        let left = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(left, 1, "no temporary left");
    }

    #[test]
    fn an_atomic_write_replaces_whole_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("day=2026-11-01.parquet");
        write_atomic(&path, b"old").unwrap();
        write_atomic(&path, b"new content").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new content");
        let names: Vec<String> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["day=2026-11-01.parquet"]);
    }

    fn dir_with(path: &Path, marker: &str) {
        std::fs::create_dir_all(path).unwrap();
        std::fs::write(path.join("marker"), marker).unwrap();
    }

    fn marker(path: &Path) -> String {
        std::fs::read_to_string(path.join("marker")).unwrap()
    }

    #[test]
    fn a_swap_replaces_the_live_directory_and_a_torn_one_is_finished() {
        let root = tempfile::tempdir().unwrap();
        let (live, staged, old) = (
            root.path().join("index"),
            root.path().join("index.new"),
            root.path().join("index.old"),
        );
        dir_with(&live, "v1");
        dir_with(&staged, "v2");
        swap_dir(&staged, &live, &old).unwrap();
        assert_eq!(marker(&live), "v2");
        assert!(!staged.exists() && !old.exists());

        // torn after the first rename: live gone, old and a complete staged there
        dir_with(&staged, "v3");
        std::fs::rename(&live, &old).unwrap();
        let moved = recover_swap(&live, &staged, &old, |_| true).unwrap();
        assert_eq!(moved.as_deref(), Some(staged.as_path()));
        assert_eq!(marker(&live), "v3");
        assert!(!old.exists());

        // the staged build was not complete: the old one comes back
        dir_with(&staged, "partial");
        std::fs::rename(&live, &old).unwrap();
        let moved = recover_swap(&live, &staged, &old, |d| d == old.as_path()).unwrap();
        assert_eq!(moved.as_deref(), Some(old.as_path()));
        assert_eq!(marker(&live), "v3");

        // nothing torn: nothing moved
        assert_eq!(recover_swap(&live, &staged, &old, |_| true).unwrap(), None);
        assert_eq!(marker(&live), "v3");
    }
}
