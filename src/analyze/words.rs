//! The tokenizer's user words, compiled once and cached: the final frequency of every user word.
//!
//! jieba-rs gives a user word without a frequency the one [`Jieba::suggest_freq`] computes, which
//! segments the word with the dictionary as it stands — thousands of segmentations, a large part
//! of every analyzer start (issue 22). The frequencies only depend on the base dictionary and on
//! the words and their order, so the first start writes them to a file in the user's cache
//! directory (`$JIANCE_CACHE_DIR`, else `$XDG_CACHE_HOME/jiance`, else `~/.cache/jiance`; `off`
//! turns it off) and later starts add every word with its cached frequency, which leaves the
//! tokenizer in exactly the state the suggestions would have: same words, frequencies, order and
//! total.
//!
//! The file is named by a (64-bit, non-cryptographic) hash of everything the frequencies depend on (this version, the base
//! dictionary's size and total, the words in order with their given frequencies), so a change of
//! rules or dictionaries gets a file of its own. It also holds the words themselves, checked one
//! by one against the list asked for, so a hash collision or a damaged file can never change a
//! frequency: anything that does not match is rebuilt (logged) and written again, through a
//! temporary file and a rename, so a crash or a concurrent start never leaves a torn file.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use std::hash::Hasher;

use jieba_rs::Jieba;
use tracing::{debug, warn};

use super::fxhash::FxHasher;

/// Bumped when the file's layout or meaning changes.
const FORMAT: &str = "jiance-user-words 2";
/// Cache files kept in the directory; older ones (other rule sets) are removed.
const KEEP: usize = 8;

/// The cache directory from the environment (see the module docs), `None` when off or unknown.
pub fn default_cache_dir() -> Option<PathBuf> {
    let env = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
    if let Some(d) = env("JIANCE_CACHE_DIR") {
        return (d != "off").then(|| PathBuf::from(d));
    }
    if let Some(d) = env("XDG_CACHE_HOME") {
        return Some(PathBuf::from(d).join("jiance"));
    }
    env("HOME").map(|h| PathBuf::from(h).join(".cache").join("jiance"))
}

/// What [`add_words`] did, for the tests and the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheUse {
    /// No cache directory: frequencies computed.
    Off,
    /// Frequencies read from the cache file.
    Hit,
    /// Computed and written (no file yet, or one that did not match).
    Written,
    /// Computed; the file could not be written (logged).
    Unwritable,
}

/// Add `words` to `jieba` in order (`None`: jieba's suggested frequency), through the cache file
/// in `dir` when there is one.
pub fn add_words(
    jieba: &mut Jieba,
    words: &[(String, Option<usize>)],
    dir: Option<&Path>,
) -> CacheUse {
    let Some(dir) = dir else {
        for (w, f) in words {
            jieba.add_word(w, *f, None);
        }
        return CacheUse::Off;
    };
    let header = header(jieba, words);
    let path = dir.join(format!("words-{}.txt", header.1));
    match std::fs::read_to_string(&path) {
        Ok(text) => match read(&text, &header.0, words) {
            Ok(freqs) => {
                for ((w, _), f) in words.iter().zip(freqs) {
                    jieba.add_word(w, Some(f), None);
                }
                return CacheUse::Hit;
            }
            Err(why) => warn!(
                path = %path.display(),
                why,
                "user-word cache not usable: rebuilding it"
            ),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            debug!(path = %path.display(), "no user-word cache yet: building it")
        }
        Err(e) => {
            warn!(path = %path.display(), error = %e, "user-word cache unreadable: rebuilding it")
        }
    }
    let mut body = String::with_capacity(words.len() * 16);
    body.push_str(&header.0);
    body.push('\n');
    for (w, f) in words {
        let freq = jieba.add_word(w, *f, None);
        let _ = writeln!(body, "{w}\t{freq}");
    }
    let sum = digest(body.as_bytes());
    let _ = writeln!(body, "end {sum}");
    match write(&path, body.as_bytes()) {
        Ok(()) => {
            prune(dir, &path);
            CacheUse::Written
        }
        Err(e) => {
            warn!(path = %path.display(), error = %e, "user-word cache not written");
            CacheUse::Unwritable
        }
    }
}

/// The first line of the file, and the hash that names it. A 64-bit Fx hash, not SHA-256: it only
/// names the file (the words are checked one by one), and hashing was most of a cache hit's time.
fn header(jieba: &Jieba, words: &[(String, Option<usize>)]) -> (String, String) {
    let mut h = FxHasher::default();
    // The base dictionary: jieba's Debug prints its word count and total frequency.
    h.write(format!("{FORMAT}\n{}\n{jieba:?}\n", env!("CARGO_PKG_VERSION")).as_bytes());
    for (w, f) in words {
        h.write(w.as_bytes());
        h.write_u8(0xff); // no UTF-8 byte: the end of a word
        h.write_u64(f.map_or(u64::MAX, |f| f as u64));
    }
    let hash = format!("{:016x}", h.finish());
    (
        format!(
            "{FORMAT} {} {hash} {}",
            env!("CARGO_PKG_VERSION"),
            words.len()
        ),
        hash,
    )
}

/// The checksum of the end line: every byte before it (any one change alters it).
fn digest(bytes: &[u8]) -> String {
    let mut h = FxHasher::default();
    h.write(bytes);
    format!("{:016x}", h.finish())
}

/// The frequencies of a cache file, when it is complete and names exactly `words` in order.
fn read(text: &str, header: &str, words: &[(String, Option<usize>)]) -> Result<Vec<usize>, String> {
    // the last line sums all before it: a damaged frequency is caught too
    let body_end = text.trim_end_matches('\n').rfind('\n').map_or(0, |i| i + 1);
    let sum = format!("end {}", digest(&text.as_bytes()[..body_end]));
    if text[body_end..].trim_end_matches('\n') != sum {
        return Err("no end line or a wrong sum (torn or damaged)".into());
    }
    let mut lines = text[..body_end].lines();
    if lines.next() != Some(header) {
        return Err("other version, dictionary or words".into());
    }
    let mut freqs = Vec::with_capacity(words.len());
    for (i, (w, given)) in words.iter().enumerate() {
        let line = lines
            .next()
            .ok_or_else(|| format!("ends at word {}", i + 1))?;
        let (word, freq) = line
            .split_once('\t')
            .ok_or_else(|| format!("line {}: no frequency", i + 2))?;
        if word != w {
            return Err(format!("line {}: {word:?} where {w:?} was expected", i + 2));
        }
        let freq: usize = freq
            .parse()
            .map_err(|_| format!("line {}: bad frequency {freq:?}", i + 2))?;
        if given.is_some_and(|g| g != freq) {
            return Err(format!(
                "line {}: frequency {freq} where {given:?} was given",
                i + 2
            ));
        }
        freqs.push(freq);
    }
    if lines.next().is_some() {
        return Err("more words than expected".into());
    }
    Ok(freqs)
}

/// Write through a temporary file of this process and a rename: two processes starting at once
/// each write whole files, and the last rename wins.
fn write(path: &Path, body: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(body)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Keep the [`KEEP`] most recently written cache files (other rule sets), and no stale temporaries.
fn prune(dir: &Path, keep: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut files: Vec<(std::time::SystemTime, PathBuf)> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p != keep)
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("words-") && n.ends_with(".txt"))
        })
        .filter_map(|p| Some((p.metadata().ok()?.modified().ok()?, p)))
        .collect();
    files.sort_by_key(|f| std::cmp::Reverse(f.0));
    for (_, p) in files.into_iter().skip(KEEP - 1) {
        let _ = std::fs::remove_file(p);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words() -> Vec<(String, Option<usize>)> {
        ["电热水壶", "充电宝", "漏电保护器", "儿童推车", "阻燃性能"]
            .iter()
            .map(|w| (w.to_string(), None))
            .chain([("电热".to_string(), Some(0))])
            .collect()
    }

    fn cuts(j: &Jieba) -> Vec<Vec<String>> {
        [
            "网购的电热水壶底座漏电保护器失灵",
            "充电宝阻燃性能不合格，儿童推车召回",
        ]
        .iter()
        .map(|s| j.cut(s, false).iter().map(|t| t.word.to_string()).collect())
        .collect()
    }

    /// Without, writing and reading the cache give one tokenizer; a changed word list gets a file
    /// of its own; a damaged file is rebuilt and the result is still the same.
    #[test]
    fn the_cache_never_changes_the_tokenizer() {
        let dir = tempfile::tempdir().unwrap();
        let mut plain = Jieba::new();
        assert_eq!(add_words(&mut plain, &words(), None), CacheUse::Off);
        let expected = (format!("{plain:?}"), cuts(&plain));

        let mut first = Jieba::new();
        assert_eq!(
            add_words(&mut first, &words(), Some(dir.path())),
            CacheUse::Written
        );
        let mut second = Jieba::new();
        assert_eq!(
            add_words(&mut second, &words(), Some(dir.path())),
            CacheUse::Hit
        );
        for j in [&first, &second] {
            assert_eq!((format!("{j:?}"), cuts(j)), expected);
        }
        let files: Vec<PathBuf> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(files.len(), 1, "{files:?}");

        // another word list: another file, the first kept
        let mut more = words();
        more.push(("燃气灶具".into(), None));
        assert_eq!(
            add_words(&mut Jieba::new(), &more, Some(dir.path())),
            CacheUse::Written
        );
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);

        // a torn file (no end line) and a changed frequency are rebuilt, not trusted
        let text = std::fs::read_to_string(&files[0]).unwrap();
        for bad in [
            text[..text.rfind("end ").unwrap()].to_string(),
            text.replacen("充电宝\t", "充电宝\t9", 1),
            String::new(),
        ] {
            std::fs::write(&files[0], bad).unwrap();
            let mut j = Jieba::new();
            assert_eq!(
                add_words(&mut j, &words(), Some(dir.path())),
                CacheUse::Written
            );
            assert_eq!((format!("{j:?}"), cuts(&j)), expected);
            assert_eq!(std::fs::read_to_string(&files[0]).unwrap(), text);
        }
    }

    #[test]
    fn an_unwritable_directory_still_gives_the_words() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("not-a-dir");
        std::fs::write(&file, "x").unwrap();
        let mut j = Jieba::new();
        assert_eq!(
            add_words(&mut j, &words(), Some(&file)),
            CacheUse::Unwritable
        );
        let mut plain = Jieba::new();
        add_words(&mut plain, &words(), None);
        assert_eq!(cuts(&j), cuts(&plain));
    }
}
