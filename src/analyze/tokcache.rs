//! The tokenizer, cached: jieba's dictionary with the rules' user words, written once as a
//! snapshot and read back by every later start (issue 22's start-up).
//!
//! Building the tokenizer was most of every start: jieba decompresses and inserts 349 k words,
//! then each user word without a frequency is given the one [`Jieba::suggest_freq`] computes by
//! segmenting it. Both depend only on the base dictionary (compiled in) and on the user words in
//! order, so the first start writes the result as a jieba snapshot (`vendor/jieba-rs`) and later
//! starts read it: the same words, frequencies, tags, order and total, so the same segmentation.
//!
//! Two kinds of file in the cache directory (`$JIANCE_CACHE_DIR`, else `$XDG_CACHE_HOME/jiance`,
//! else `~/.cache/jiance`; `off` turns it off):
//! - `tokenizer-<words key>.bin`, the snapshot. The key hashes the user words with their given
//!   frequencies; the file also holds the words themselves, checked one by one where the caller
//!   knows them, and a CRC-32 of everything, so neither a hash collision nor a damaged file can
//!   change a segmentation: such a file is rebuilt (logged) and written again.
//! - `inputs-<inputs key>.json`, from the rule and dictionary texts as read and this executable
//!   (its size and modification time: another build may derive other words from the same files)
//!   to the words key and the rules' search vocabulary. With it a start reads the snapshot before
//!   it knows the words: the analyzer on a second thread while it builds its rules (then checks
//!   the words), `jiance search` without reading the rules at all.
//!
//! Files are written through a temporary and a rename, so a crash or two concurrent starts never
//! leave a torn one; the [`KEEP`] newest of each kind are kept.

use std::hash::Hasher;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use jieba_rs::{Jieba, SnapshotBytes};
use serde::{Deserialize, Serialize};
use tracing::{debug, warn};

use super::fxhash::FxHasher;
use super::vocab::Vocabulary;
use crate::util::fsx;

/// First line of a snapshot file; bumped when its layout or meaning changes.
const MAGIC: &str = "jiance-tokenizer 2";
/// `format` of an inputs file.
const INPUTS_FORMAT: &str = "jiance-tokenizer-inputs 2";
/// Files of each kind kept; older ones (other rule sets or builds) are removed.
const KEEP: usize = 4;

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

/// Where a tokenizer came from, for the tests and the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheUse {
    /// No cache directory: built.
    Off,
    /// Read from a snapshot.
    Hit,
    /// Built and written (no snapshot yet, or one that did not match).
    Written,
    /// Built; the snapshot could not be written (logged).
    Unwritable,
}

/// What a start has of the tokenizer before it knows the user words.
pub enum Prepared {
    /// The snapshot the inputs file pointed to, with the words block it holds.
    Snapshot {
        key: String,
        words: String,
        jieba: Jieba,
    },
    /// jieba's base dictionary, no user words yet.
    Base(Jieba),
}

/// What an inputs file says. Its vocabulary is folded ([`Vocabulary::folded`]).
#[derive(Serialize, Deserialize)]
pub struct Inputs {
    format: String,
    words_key: String,
    pub vocabulary: Vocabulary,
}

/// The key of the raw inputs: every `(label, text)` as read, and this executable. `None` when the
/// executable cannot be identified (then no inputs file is read or written).
pub fn inputs_key<'a>(texts: impl IntoIterator<Item = &'a (String, String)>) -> Option<String> {
    let exe = std::env::current_exe().ok()?;
    let meta = exe.metadata().ok()?;
    let modified = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    let mut h = FxHasher::default();
    h.write(INPUTS_FORMAT.as_bytes());
    h.write(env!("CARGO_PKG_VERSION").as_bytes());
    h.write(exe.as_os_str().as_encoded_bytes());
    h.write_u64(meta.len());
    h.write_u128(modified.as_nanos());
    for (label, text) in texts {
        h.write_u64(label.len() as u64);
        h.write(label.as_bytes());
        h.write_u64(text.len() as u64);
        h.write(text.as_bytes());
    }
    Some(format!("{:016x}", h.finish()))
}

/// The words block of a snapshot: a word and its given frequency (`-`: suggested) per line.
fn words_block(words: &[(String, Option<usize>)]) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(words.len() * 16);
    for (w, f) in words {
        let _ = match f {
            Some(f) => writeln!(out, "{w}\t{f}"),
            None => writeln!(out, "{w}\t-"),
        };
    }
    out
}

/// The key of a word list (a 64-bit Fx hash: it only names the file, whose words are checked).
fn words_key(block: &str) -> String {
    let mut h = FxHasher::default();
    h.write(MAGIC.as_bytes());
    h.write(block.as_bytes());
    format!("{:016x}", h.finish())
}

fn snapshot_path(dir: &Path, key: &str) -> PathBuf {
    dir.join(format!("tokenizer-{key}.bin"))
}

fn inputs_path(dir: &Path, key: &str) -> PathBuf {
    dir.join(format!("inputs-{key}.json"))
}

/// The inputs file for `inputs_key`, if there is a readable one of this format.
pub fn read_inputs(dir: &Path, inputs_key: &str) -> Option<Inputs> {
    let path = inputs_path(dir, inputs_key);
    let text = std::fs::read(&path).ok()?;
    match serde_json::from_slice::<Inputs>(&text) {
        Ok(i) if i.format == INPUTS_FORMAT => Some(i),
        Ok(_) => None,
        Err(e) => {
            warn!(path = %path.display(), error = %e, "tokenizer inputs file not usable: ignored");
            None
        }
    }
}

/// The snapshot of `key`, with its words block, checked whole; `None` (logged unless missing)
/// when there is none or it does not check.
fn read_snapshot(dir: &Path, key: &str) -> Option<(String, Jieba)> {
    let (_, _, words, jieba) = open_snapshot(dir, key, true)?;
    Some((words?, jieba))
}

/// The snapshot of `key` mapped and decoded (see [`decode`] for `whole`), with its path and
/// bytes; `None` (logged unless missing) when there is none or it does not check.
fn open_snapshot(
    dir: &Path,
    key: &str,
    whole: bool,
) -> Option<(PathBuf, SnapshotBytes, Option<String>, Jieba)> {
    let path = snapshot_path(dir, key);
    let bytes = map_snapshot(&path)?;
    match decode(&bytes, key, whole) {
        Ok((words, jieba)) => Some((path, bytes, words, jieba)),
        Err(why) => {
            warn!(path = %path.display(), why, "tokenizer snapshot not usable: rebuilding it");
            None
        }
    }
}

/// The file at `path` mapped, or `None` (logged unless missing).
fn map_snapshot(path: &Path) -> Option<SnapshotBytes> {
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            debug!(path = %path.display(), "no tokenizer snapshot yet");
            return None;
        }
        Err(e) => {
            warn!(path = %path.display(), error = %e, "tokenizer snapshot unreadable: rebuilding it");
            return None;
        }
    };
    // SAFETY: a snapshot file is only ever written whole under another name and renamed into
    // place (`fsx::write_atomic`), never changed in place, so the mapped bytes do not change
    // while the tokenizer uses them. A file truncated under a running process by something else
    // would fault it (as with tantivy's own mapped index files).
    match unsafe { memmap2::Mmap::map(&file) } {
        Ok(m) => Some(Arc::new(m)),
        Err(e) => {
            warn!(path = %path.display(), error = %e, "tokenizer snapshot not mappable: rebuilding it");
            None
        }
    }
}

/// A snapshot's whole-file checksum, compared on a thread of its own while the tokenizer is
/// already in use (`jiance search`: the CRC reads all 26 MB, where a search touches a few pages).
/// [`Integrity::confirm`] waits for it before anything made with the tokenizer is shown.
#[must_use = "confirm the snapshot's checksum before showing what the tokenizer made"]
pub struct Integrity {
    pending: Option<(PathBuf, std::thread::JoinHandle<bool>)>,
}

impl Integrity {
    /// Nothing left to compare (the tokenizer was built, or its snapshot checked whole).
    pub fn checked() -> Self {
        Integrity { pending: None }
    }

    /// `Ok` when the checksum matched. Otherwise the snapshot is removed, so the next start
    /// builds it again, and the error says what happened: the tokenizer that was used may have
    /// been damaged, and what it made must not be trusted.
    pub fn confirm(self) -> Result<(), String> {
        let Some((path, check)) = self.pending else {
            return Ok(());
        };
        if check.join().unwrap_or(false) {
            return Ok(());
        }
        let removed = match std::fs::remove_file(&path) {
            Ok(()) => "removed; the next run builds it again",
            Err(_) => "could not be removed: delete it by hand",
        };
        Err(format!(
            "{}: the tokenizer snapshot is damaged (checksum mismatch) and was {removed}; run the command again",
            path.display()
        ))
    }
}

/// The tokenizer of the snapshot of `key`, used at once: the header and layout are checked
/// here, the checksum by the returned [`Integrity`] (its words block is not read: the inputs
/// file that led here was written with it).
fn read_snapshot_deferred(dir: &Path, key: &str) -> Option<(Jieba, Integrity)> {
    let (path, bytes, _, jieba) = open_snapshot(dir, key, false)?;
    let check = {
        let bytes = Arc::clone(&bytes);
        std::thread::Builder::new()
            .name("tokenizer-crc".into())
            .spawn(move || checksum_matches(&bytes))
    };
    match check {
        Ok(check) => Some((
            jieba,
            Integrity {
                pending: Some((path, check)),
            },
        )),
        // no thread to spare: compare it here
        Err(_) if checksum_matches(&bytes) => Some((jieba, Integrity::checked())),
        Err(_) => {
            warn!(path = %path.display(), "tokenizer snapshot not usable: checksum mismatch (torn or damaged): rebuilding it");
            None
        }
    }
}

/// The jieba snapshot starts at a multiple of this many bytes into the file, so that its arrays
/// are aligned where the file is mapped (a page boundary).
const SNAPSHOT_ALIGN: usize = 64;

/// `MAGIC\n key\n crc32 (LE) | words block length (u64 LE) | words block | zeros up to a multiple
/// of SNAPSHOT_ALIGN | jieba snapshot`; the CRC covers everything after it.
fn encode(key: &str, block: &str, jieba: &Jieba) -> Result<Vec<u8>, String> {
    let snap = jieba.to_snapshot().map_err(|e| e.to_string())?;
    let mut out = format!("{MAGIC}\n{key}\n").into_bytes();
    let crc_at = out.len();
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&(block.len() as u64).to_le_bytes());
    out.extend_from_slice(block.as_bytes());
    out.resize(out.len().next_multiple_of(SNAPSHOT_ALIGN), 0);
    out.extend_from_slice(&snap);
    let crc = crc32fast::hash(&out[crc_at + 4..]);
    out[crc_at..crc_at + 4].copy_from_slice(&crc.to_le_bytes());
    Ok(out)
}

/// Where a snapshot file's checksum field is: after its first two lines.
fn crc_at(all: &[u8]) -> Option<usize> {
    let first = all.iter().position(|&b| b == b'\n')?;
    let second = all.get(first + 1..)?.iter().position(|&b| b == b'\n')?;
    Some(first + 1 + second + 1)
}

/// Whether a snapshot file's CRC-32 matches everything after it.
fn checksum_matches(bytes: &SnapshotBytes) -> bool {
    let all: &[u8] = (**bytes).as_ref();
    let Some(at) = crc_at(all) else { return false };
    match (all.get(at..at + 4), all.get(at + 4..)) {
        (Some(crc), Some(body)) => {
            let mut b = [0u8; 4];
            b.copy_from_slice(crc);
            crc32fast::hash(body) == u32::from_le_bytes(b)
        }
        _ => false,
    }
}

/// The tokenizer of a snapshot file's bytes, with its words block when `whole`, which also
/// compares the checksum first. jieba checks the snapshot's header and layout and uses its
/// arrays in place.
fn decode(
    bytes: &SnapshotBytes,
    key: &str,
    whole: bool,
) -> Result<(Option<String>, Jieba), String> {
    let all: &[u8] = (**bytes).as_ref();
    let head = format!("{MAGIC}\n{key}\n");
    if !all.starts_with(head.as_bytes()) {
        return Err("another format or key".into());
    }
    if whole && !checksum_matches(bytes) {
        return Err("checksum mismatch (torn or damaged)".into());
    }
    let at = head.len() + 4;
    let mut len = [0u8; 8];
    len.copy_from_slice(all.get(at..at + 8).ok_or("truncated")?);
    let len = usize::try_from(u64::from_le_bytes(len)).map_err(|_| "words block too large")?;
    let block = all
        .get(at + 8..)
        .and_then(|rest| rest.get(..len))
        .ok_or("truncated in the words block")?;
    let words = if whole {
        Some(
            std::str::from_utf8(block)
                .map_err(|_| "words block is not UTF-8")?
                .to_string(),
        )
    } else {
        None
    };
    let snap_at = (at + 8 + len).next_multiple_of(SNAPSHOT_ALIGN);
    let jieba = Jieba::from_snapshot_in(bytes, snap_at).map_err(|e| e.to_string())?;
    Ok((words, jieba))
}

/// The snapshot an inputs file points to, if its header and layout check, used at once; its
/// checksum is compared on a thread of its own (see [`Integrity`]).
pub fn snapshot_of(dir: &Path, inputs: &Inputs) -> Option<(Jieba, Integrity)> {
    read_snapshot_deferred(dir, &inputs.words_key)
}

/// For a start's second thread: the snapshot the inputs file of `inputs_key` points to, else
/// jieba's base dictionary (what a start needs when there is no snapshot to read).
pub fn prepare(dir: Option<&Path>, inputs_key: Option<&str>) -> Prepared {
    if let (Some(dir), Some(ik)) = (dir, inputs_key)
        && let Some(inputs) = read_inputs(dir, ik)
        && let Some((words, jieba)) = read_snapshot(dir, &inputs.words_key)
    {
        return Prepared::Snapshot {
            key: inputs.words_key,
            words,
            jieba,
        };
    }
    Prepared::Base(Jieba::new())
}

/// The tokenizer for `words` (added in order; `None`: jieba's suggested frequency): the prepared
/// snapshot when it holds exactly these words, else another snapshot of these words, else built
/// and written. With `inputs`, the inputs file is (re)written to point at the result.
pub fn finish(
    prepared: impl FnOnce() -> Prepared,
    words: &[(String, Option<usize>)],
    dir: Option<&Path>,
    inputs: Option<(&str, &Vocabulary)>,
) -> (Jieba, CacheUse) {
    let Some(dir) = dir else {
        let mut jieba = match prepared() {
            Prepared::Base(j) => j,
            Prepared::Snapshot { .. } => Jieba::new(),
        };
        add(&mut jieba, words);
        return (jieba, CacheUse::Off);
    };
    let block = words_block(words);
    let key = words_key(&block);
    let base = match prepared() {
        Prepared::Snapshot {
            key: k,
            words: w,
            jieba,
        } if k == key && w == block => return (jieba, CacheUse::Hit),
        Prepared::Snapshot { .. } => None,
        Prepared::Base(j) => Some(j),
    };
    let point = |dir: &Path| {
        if let Some((ik, vocabulary)) = inputs {
            write_inputs(dir, ik, &key, vocabulary)
        }
    };
    // No inputs file (a new build or new files) but maybe a snapshot of the same words.
    if let Some((w, jieba)) = read_snapshot(dir, &key) {
        if w == block {
            point(dir);
            return (jieba, CacheUse::Hit);
        }
        warn!(
            key,
            "tokenizer snapshot holds other words (hash collision): rebuilding it"
        );
    }
    let mut jieba = base.unwrap_or_else(Jieba::new);
    add(&mut jieba, words);
    let path = snapshot_path(dir, &key);
    let written = encode(&key, &block, &jieba).and_then(|bytes| {
        std::fs::create_dir_all(dir)
            .and_then(|()| fsx::write_atomic(&path, &bytes))
            .map_err(|e| e.to_string())
    });
    match written {
        Ok(()) => {
            point(dir);
            prune(dir, "tokenizer-", ".bin");
            // The frequency files of earlier versions (`words-*.txt`) are not read any more.
            prune_all(dir, "words-", ".txt");
            (jieba, CacheUse::Written)
        }
        Err(e) => {
            warn!(path = %path.display(), error = %e, "tokenizer snapshot not written");
            (jieba, CacheUse::Unwritable)
        }
    }
}

fn add(jieba: &mut Jieba, words: &[(String, Option<usize>)]) {
    for (w, f) in words {
        jieba.add_word(w, *f, None);
    }
}

fn write_inputs(dir: &Path, inputs_key: &str, words_key: &str, vocabulary: &Vocabulary) {
    let inputs = Inputs {
        format: INPUTS_FORMAT.into(),
        words_key: words_key.into(),
        vocabulary: vocabulary.folded(),
    };
    let path = inputs_path(dir, inputs_key);
    let written = serde_json::to_vec(&inputs)
        .map_err(std::io::Error::other)
        .and_then(|bytes| fsx::write_atomic(&path, &bytes));
    match written {
        Ok(()) => prune(dir, "inputs-", ".json"),
        Err(e) => warn!(path = %path.display(), error = %e, "tokenizer inputs file not written"),
    }
}

/// The files named `prefix…suffix`, newest first.
fn files(dir: &Path, prefix: &str, suffix: &str) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<(std::time::SystemTime, PathBuf)> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(prefix) && n.ends_with(suffix))
        })
        .filter_map(|p| Some((p.metadata().ok()?.modified().ok()?, p)))
        .collect();
    files.sort_by_key(|f| std::cmp::Reverse(f.0));
    files.into_iter().map(|(_, p)| p).collect()
}

/// Keep the [`KEEP`] most recently written files named `prefix…suffix`.
fn prune(dir: &Path, prefix: &str, suffix: &str) {
    for p in files(dir, prefix, suffix).into_iter().skip(KEEP) {
        let _ = std::fs::remove_file(p);
    }
}

fn prune_all(dir: &Path, prefix: &str, suffix: &str) {
    for p in files(dir, prefix, suffix) {
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

    const TEXTS: [&str; 3] = [
        "网购的电热水壶底座漏电保护器失灵",
        "充电宝阻燃性能不合格，儿童推车召回",
        "𠮷野家的Type-C快充头发烫，南京市长江大桥",
    ];

    /// Every cut of the texts (with and without HMM, and for search), their tags, the
    /// dictionary's size and total, and the suggested frequency of a few words. The texts are
    /// ours and every line of the labelled set (270 KB): one shifted frequency or total changes
    /// some cut there.
    fn view(j: &Jieba) -> Vec<String> {
        let mut out = vec![format!("{j:?}")];
        let labelled = include_str!("../../tests/eval/labelled.jsonl");
        for t in TEXTS.into_iter().chain(labelled.lines()) {
            let words = |toks: Vec<jieba_rs::Token>| {
                toks.iter().map(|t| t.word).collect::<Vec<_>>().join("/")
            };
            for hmm in [false, true] {
                out.push(words(j.cut(t, hmm)));
            }
            out.push(words(j.cut_for_search(t, true)));
            let tags = j.tag(t, true);
            out.push(
                tags.iter()
                    .map(|t| format!("{}:{}", t.word, t.tag))
                    .collect(),
            );
        }
        for w in ["电热水壶底座", "快充头", "长江大桥"] {
            out.push(format!("{w} {}", j.suggest_freq(w)));
        }
        out
    }

    fn built(words: &[(String, Option<usize>)]) -> Jieba {
        let mut j = Jieba::new();
        add(&mut j, words);
        j
    }

    fn base() -> Prepared {
        Prepared::Base(Jieba::new())
    }

    #[test]
    fn a_jieba_snapshot_segments_as_the_instance_that_wrote_it() {
        let j = built(&words());
        let bytes = j.to_snapshot().unwrap();
        let read = Jieba::from_snapshot(&bytes).unwrap();
        assert_eq!(view(&read), view(&j));
        assert!(read.has_word("漏电保护器"));
        assert_eq!(read.to_snapshot().unwrap(), bytes, "read back whole");
        // and a word added after reading lands as it would have on the original
        let (mut a, mut b) = (read, j);
        a.add_word("快充头", None, Some("n"));
        b.add_word("快充头", None, Some("n"));
        assert_eq!(view(&a), view(&b));
    }

    /// The snapshot of a dictionary of a few words.
    fn small_snapshot(words: &[&str]) -> Vec<u8> {
        let mut j = Jieba::empty();
        for w in words {
            j.add_word(w, Some(10), Some("n"));
        }
        j.to_snapshot().unwrap()
    }

    /// What a tokenizer read from a damaged snapshot must answer without hanging or panicking.
    fn exercise(d: &Jieba) {
        let text = "电池包和充电器𠮷野家";
        let _ = d.cut(text, true);
        let _ = d.cut_for_search(text, true);
        let _ = d.tag(text, true);
        let _ = d.suggest_freq("电池包");
    }

    #[test]
    fn a_damaged_jieba_snapshot_is_refused_or_still_answers() {
        let bytes = small_snapshot(&["电池", "电池包", "充电器", "𠮷野家"]);
        // Every byte of the header, tags, records and the hash table (the snapshot's start and
        // end); the 512 KB root table between them, mostly zeros, at a stride.
        let n = bytes.len();
        let at = (0..n).filter(|&i| i < 8192 || i + 20_000 > n || i % 61 == 0);
        for cut in at.clone() {
            assert!(Jieba::from_snapshot(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        for i in at {
            let mut damaged = bytes.clone();
            damaged[i] ^= 0xA5;
            if let Ok(d) = Jieba::from_snapshot(&damaged) {
                exercise(&d);
            }
        }
    }

    /// Without a cache, writing it and reading it give one tokenizer; another word list gets a
    /// file of its own; a torn, damaged or foreign file is rebuilt and the result is the same.
    #[test]
    fn the_cache_never_changes_the_tokenizer() {
        let dir = tempfile::tempdir().unwrap();
        let d = Some(dir.path());
        let (plain, u) = finish(base, &words(), None, None);
        assert_eq!(u, CacheUse::Off);
        let expected = view(&plain);
        let (first, u) = finish(base, &words(), d, None);
        assert_eq!(u, CacheUse::Written);
        let (second, u) = finish(base, &words(), d, None);
        assert_eq!(u, CacheUse::Hit);
        assert_eq!(view(&first), expected);
        assert_eq!(view(&second), expected);
        let snap = files(dir.path(), "tokenizer-", ".bin");
        assert_eq!(snap.len(), 1, "{snap:?}");

        let mut more = words();
        more.push(("燃气灶具".into(), None));
        assert_eq!(finish(base, &more, d, None).1, CacheUse::Written);
        assert_eq!(files(dir.path(), "tokenizer-", ".bin").len(), 2);

        let good = std::fs::read(&snap[0]).unwrap();
        let mut flipped = good.clone();
        let at = flipped.len() / 2;
        flipped[at] ^= 1;
        let other_key = String::from_utf8_lossy(&good).replacen("\n", "\nffff", 1);
        for bad in [
            good[..good.len() - 1].to_vec(),
            flipped,
            other_key.into_bytes(),
            Vec::new(),
        ] {
            std::fs::write(&snap[0], bad).unwrap();
            let (j, u) = finish(base, &words(), d, None);
            assert_eq!(u, CacheUse::Written);
            assert_eq!(view(&j), expected);
            assert_eq!(std::fs::read(&snap[0]).unwrap(), good, "rewritten whole");
        }
    }

    /// The inputs file takes a start to the snapshot before it knows the words; a prepared
    /// snapshot of other words (a stale inputs file) is not used.
    #[test]
    fn the_inputs_file_points_at_the_snapshot_of_its_words() {
        let dir = tempfile::tempdir().unwrap();
        let d = Some(dir.path());
        let texts = [("rules/x.toml".to_string(), "a = 1".to_string())];
        let ik = inputs_key(&texts).unwrap();
        assert_ne!(
            Some(&ik),
            inputs_key(&[("rules/x.toml".to_string(), "a = 2".to_string())]).as_ref()
        );
        assert!(matches!(prepare(d, Some(&ik)), Prepared::Base(_)));
        let vocabulary = Vocabulary::default();
        let (_, u) = finish(
            || prepare(d, Some(&ik)),
            &words(),
            d,
            Some((&ik, &vocabulary)),
        );
        assert_eq!(u, CacheUse::Written);
        assert!(read_inputs(dir.path(), &ik).is_some());
        let Prepared::Snapshot { jieba, .. } = prepare(d, Some(&ik)) else {
            panic!("the inputs file should lead to the snapshot");
        };
        assert_eq!(view(&jieba), view(&built(&words())));
        let (j, u) = finish(
            || prepare(d, Some(&ik)),
            &words(),
            d,
            Some((&ik, &vocabulary)),
        );
        assert_eq!(u, CacheUse::Hit);
        assert_eq!(view(&j), view(&built(&words())));
        // the rules changed under the same inputs file: the words decide, not the pointer
        let mut more = words();
        more.push(("燃气灶具".into(), None));
        let (j, u) = finish(|| prepare(d, Some(&ik)), &more, d, Some((&ik, &vocabulary)));
        assert_eq!(u, CacheUse::Written);
        assert_eq!(view(&j), view(&built(&more)));
    }

    /// A snapshot's arrays are used unchecked, so garbage in them must not hang or panic the
    /// tokenizer: a hash table with no empty slot (a probe that never ends by itself) and word
    /// ids beyond the records.
    #[test]
    fn a_snapshot_whose_table_is_garbage_still_answers() {
        let mut bytes = small_snapshot(&["电池", "电池包", "充电器"]);
        assert!(Jieba::from_snapshot(&bytes).unwrap().has_word("电池"));
        // the hash table is the snapshot's tail: 1,024 slots of 16 bytes (key, child, word id)
        let n = bytes.len();
        for (k, slot) in bytes[n - 1024 * 16..].chunks_exact_mut(16).enumerate() {
            slot[..8].copy_from_slice(&(0xFFFF_0000_0000 | k as u64).to_le_bytes());
            slot[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
            slot[12..].copy_from_slice(&(i32::MAX - k as i32).to_le_bytes());
        }
        let d = Jieba::from_snapshot(&bytes).unwrap();
        assert!(
            !d.has_word("电池"),
            "the table was not where the test wrote"
        );
        exercise(&d);
    }

    /// `jiance search` uses the snapshot before its checksum is compared: a sound one confirms, a
    /// damaged one (deep in its arrays, where nothing else looks) fails to confirm, is removed,
    /// and the next start builds it again.
    #[test]
    fn a_snapshot_used_before_its_checksum_is_confirmed_or_removed() {
        let dir = tempfile::tempdir().unwrap();
        let d = Some(dir.path());
        let ik = inputs_key(&[("rules/x.toml".to_string(), "a = 1".to_string())]).unwrap();
        let vocabulary = Vocabulary::default();
        let write = || {
            finish(
                || prepare(d, Some(&ik)),
                &words(),
                d,
                Some((&ik, &vocabulary)),
            )
            .1
        };
        assert_eq!(write(), CacheUse::Written);
        let inputs = read_inputs(dir.path(), &ik).unwrap();
        let (j, integrity) = snapshot_of(dir.path(), &inputs).unwrap();
        assert!(j.is_in_place());
        assert_eq!(view(&j), view(&built(&words())));
        integrity.confirm().unwrap();
        drop(j);

        let path = snapshot_path(dir.path(), &inputs.words_key);
        let mut bytes = std::fs::read(&path).unwrap();
        let at = bytes.len() * 3 / 4;
        bytes[at] ^= 0x10;
        std::fs::write(&path, &bytes).unwrap();
        let (j, integrity) = snapshot_of(dir.path(), &inputs).expect("the header still reads");
        let _ = j.cut("电池包和充电器", false);
        let err = integrity.confirm().unwrap_err();
        assert!(err.contains("damaged") && err.contains("removed"), "{err}");
        assert!(!path.exists());
        assert!(snapshot_of(dir.path(), &inputs).is_none());
        assert_eq!(write(), CacheUse::Written);
        assert!(
            snapshot_of(dir.path(), &inputs)
                .unwrap()
                .1
                .confirm()
                .is_ok()
        );
    }

    #[test]
    fn an_unwritable_directory_still_gives_the_tokenizer() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("not-a-dir");
        std::fs::write(&file, "x").unwrap();
        let (j, u) = finish(base, &words(), Some(&file), None);
        assert_eq!(u, CacheUse::Unwritable);
        assert_eq!(view(&j), view(&built(&words())));
    }
}
