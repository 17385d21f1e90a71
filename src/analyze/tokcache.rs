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
use std::io::Read;
use std::path::{Path, PathBuf};

use jieba_rs::Jieba;
use serde::{Deserialize, Serialize};
use tracing::{debug, warn};

use super::fxhash::FxHasher;
use super::vocab::Vocabulary;
use crate::util::fsx;

/// First line of a snapshot file; bumped when its layout or meaning changes.
const MAGIC: &str = "jiance-tokenizer 1";
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

/// The snapshot of `key`, with its words block; `None` (logged unless missing) when there is
/// none or it does not check.
fn read_snapshot(dir: &Path, key: &str) -> Option<(String, Jieba)> {
    let path = snapshot_path(dir, key);
    let file = match std::fs::File::open(&path) {
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
    match decode(std::io::BufReader::with_capacity(1 << 16, file), key) {
        Ok(x) => Some(x),
        Err(why) => {
            warn!(path = %path.display(), why, "tokenizer snapshot not usable: rebuilding it");
            None
        }
    }
}

/// `MAGIC\n key\n crc32 (LE) | words block length (u64 LE) | words block | jieba snapshot`; the
/// CRC covers everything after it.
fn encode(key: &str, block: &str, jieba: &Jieba) -> Result<Vec<u8>, String> {
    let snap = jieba.to_snapshot().map_err(|e| e.to_string())?;
    let mut body = Vec::with_capacity(8 + block.len() + snap.len());
    body.extend_from_slice(&(block.len() as u64).to_le_bytes());
    body.extend_from_slice(block.as_bytes());
    body.extend_from_slice(&snap);
    let mut out = format!("{MAGIC}\n{key}\n").into_bytes();
    out.extend_from_slice(&crc32fast::hash(&body).to_le_bytes());
    out.extend_from_slice(&body);
    Ok(out)
}

/// A reader that sums what passes through it.
struct Summed<R> {
    inner: R,
    crc: crc32fast::Hasher,
}

impl<R: Read> Read for Summed<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.crc.update(&buf[..n]);
        Ok(n)
    }
}

/// Read a snapshot file as it streams by (a 17 MB read into one buffer cost more than decoding
/// it: the copy into fresh pages). jieba checks every index while reading, so a damaged file
/// is never trusted before its CRC is compared at the end.
fn decode(mut r: impl Read, key: &str) -> Result<(String, Jieba), String> {
    let head = format!("{MAGIC}\n{key}\n");
    let mut got = vec![0u8; head.len() + 4];
    r.read_exact(&mut got)
        .map_err(|e| format!("truncated: {e}"))?;
    if !got.starts_with(head.as_bytes()) {
        return Err("another format or key".into());
    }
    let mut crc = [0u8; 4];
    crc.copy_from_slice(&got[head.len()..]);
    let mut r = Summed {
        inner: r,
        crc: crc32fast::Hasher::new(),
    };
    let mut len = [0u8; 8];
    r.read_exact(&mut len)
        .map_err(|e| format!("truncated: {e}"))?;
    let len = u64::from_le_bytes(len);
    // a word list of many megabytes is a damaged length, not a rule set
    if len > 1 << 28 {
        return Err("words block too large".into());
    }
    let mut block = Vec::new();
    (&mut r)
        .take(len)
        .read_to_end(&mut block)
        .map_err(|e| e.to_string())?;
    if block.len() as u64 != len {
        return Err("truncated in the words block".into());
    }
    let block = String::from_utf8(block).map_err(|_| "words block is not UTF-8")?;
    let jieba = Jieba::read_snapshot(&mut r).map_err(|e| e.to_string())?;
    if r.crc.finalize() != u32::from_le_bytes(crc) {
        return Err("checksum mismatch (torn or damaged)".into());
    }
    Ok((block, jieba))
}

/// The snapshot an inputs file points to, if it reads and checks.
pub fn snapshot_of(dir: &Path, inputs: &Inputs) -> Option<Jieba> {
    read_snapshot(dir, &inputs.words_key).map(|(_, j)| j)
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

    #[test]
    fn a_damaged_jieba_snapshot_is_refused_or_still_answers() {
        let mut j = Jieba::empty();
        for w in ["电池", "电池包", "充电器", "𠮷野家"] {
            j.add_word(w, Some(10), Some("n"));
        }
        let bytes = j.to_snapshot().unwrap();
        for cut in 0..bytes.len() {
            assert!(Jieba::from_snapshot(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        for i in 0..bytes.len() {
            let mut damaged = bytes.clone();
            damaged[i] ^= 0xA5;
            if let Ok(d) = Jieba::from_snapshot(&damaged) {
                let _ = d.cut("电池包和充电器𠮷野家", true);
                let _ = d.suggest_freq("电池包");
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
