//! The index directory's life: its schema version ([`SCHEMA_VERSION`](super::SCHEMA_VERSION) in
//! [`VERSION_FILE`](super::VERSION_FILE)), checked on open, and the rebuild that replaces it:
//! built at [`staging_path`], swapped in by [`swap_in`], a swap a crash interrupted finished by
//! [`recover_swap`] when the index is next opened.

use std::path::{Path, PathBuf};

use super::{IndexError, SCHEMA_VERSION};
use crate::util::fsx;

pub(super) fn check_version(dir: &Path, version_path: &Path) -> Result<(), IndexError> {
    let found = match std::fs::read_to_string(version_path) {
        Ok(t) => match t.trim().parse::<u32>() {
            Ok(v) if v == SCHEMA_VERSION => return Ok(()),
            Ok(v) => format!("has schema version {v}"),
            Err(_) => format!("has an unreadable schema version {:?}", t.trim()),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            "has no schema version (written by an older jiance)".to_string()
        }
        Err(source) => {
            return Err(IndexError::Dir {
                path: version_path.to_path_buf(),
                source,
            });
        }
    };
    Err(IndexError::Version {
        path: dir.to_path_buf(),
        data: dir
            .parent()
            .map(|p| p.display().to_string())
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| ".".to_string()),
        found,
        expected: SCHEMA_VERSION,
    })
}

fn sibling(live: &Path, suffix: &str) -> PathBuf {
    let mut name = live.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    live.with_file_name(name)
}

/// Where a rebuild of the index at `live` is built (`index` → `index.new`).
pub fn staging_path(live: &Path) -> PathBuf {
    sibling(live, ".new")
}

/// Replace the index at `live` by the complete index at `staged` (see [`staging_path`]):
/// `live` → `live.old`, `staged` → `live`, then `live.old` is removed. A crash between the two
/// renames leaves no `live` but `live.old`, which tells [`Index::open`] (via `recover_swap`) that
/// `staged` was complete; it finishes the swap. No process may have `live` open meanwhile.
pub fn swap_in(staged: &Path, live: &Path) -> Result<(), IndexError> {
    fsx::swap_dir(staged, live, &sibling(live, ".old")).map_err(|source| IndexError::Dir {
        path: live.to_path_buf(),
        source,
    })
}

/// Finish a swap a crash interrupted (see [`swap_in`]): a leftover `live.old` means the swap had
/// begun, so the staged index was complete; without it, the old one comes back.
pub(super) fn recover_swap(live: &Path) -> Result<(), IndexError> {
    let old = sibling(live, ".old");
    let began = old.exists();
    fsx::recover_swap(live, &staging_path(live), &old, |_| began)
        .map(|_| ())
        .map_err(|source| IndexError::Dir {
            path: live.to_path_buf(),
            source,
        })
}
