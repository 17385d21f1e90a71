//! Pass one over the signal table (issue 22): every signal becomes a 36-byte record with
//! integer-coded keys, grouped by category and sorted so that each cluster's rows are adjacent.
//! Nothing here depends on the run (its day, outages, rules): a replay loads once.
//!
//! Data flows: [`SignalSource`] pieces (Parquet partitions or slices of a frame), read on every
//! core, seven columns each → per piece, records with piece-local codes → one dictionary per key
//! (category, province, publisher), records moved into their category's bucket → each bucket
//! sorted (cluster, province, day, row) on every core → `super::table::prepare`.
//!
//! Why not a polars group-by (what this replaced, kept as `super::reference`): with string keys
//! (category, cell, cluster) the group-by of 10 million signals held the whole table as strings
//! (some 700 bytes a signal) and hashed each row's three strings twice. Records of integers and a
//! sort per category do the same grouping exactly in a twentieth of the memory.
//!
//! A cluster id of at most 16 bytes (a document id is 16 hex digits) is its own key, byte for
//! byte. A longer id (only JSON Lines input makes them: `<file>:<line>`) is keyed by a 128-bit
//! hash of it: two different long ids of one category would have to collide in 128 bits to be
//! counted as one cluster.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::NaiveDate;

use super::ScoreError;
use crate::model::Channel;
use crate::store::columnar::SignalColumns;
use crate::store::signal_read::SignalSource;
use crate::store::signals::{SignalTableError, from_epoch_days};

/// The name of the nation cell in the `cell` column (a signal placed nationwide).
pub const NATION: &str = "全国";

/// `klen` of a key that is a hash of a longer id.
const HASHED: u8 = u8::MAX;

/// Columns pass one reads.
const COLUMNS: [&str; 7] = [
    "day",
    "category",
    "province",
    "source_kind",
    "weight",
    "cluster",
    "source",
];

/// One signal, integer-coded.
#[derive(Debug, Clone, Copy)]
pub struct Rec {
    /// The cluster id (zero-padded) or, when `klen` is [`HASHED`], its 128-bit hash.
    pub key: [u8; 16],
    /// Position in the table (valid rows, in piece order).
    pub row: u32,
    /// Day (days since the epoch).
    pub d: i32,
    /// Source weight, non-finite and negative values already 0.
    pub weight: f32,
    /// Index into [`Table::provinces`].
    pub prov: u16,
    /// Index into [`Table::sources`].
    pub src: u16,
    pub klen: u8,
    /// Index into `Channel::ALL`.
    pub chan: u8,
}

impl Rec {
    /// Same cluster (within a category).
    pub fn same_cluster(&self, o: &Rec) -> bool {
        self.key == o.key && self.klen == o.klen
    }
}

/// Where a province value places a signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// No province: counts in the nation only.
    Unplaced,
    /// `全国`: the nation only.
    Nationwide,
    /// `境外:…`: nowhere.
    Abroad,
    Province,
}

/// The signal table, loaded for scoring.
pub struct Table {
    pub(super) source: SignalSource,
    /// Category names, by code.
    pub(super) categories: Vec<String>,
    /// Records per category code, sorted by (cluster, province, day, row).
    pub(super) by_cat: Vec<Vec<Rec>>,
    /// Province values by code (`None` = unplaced) and where each places a signal.
    pub(super) provinces: Vec<Option<String>>,
    pub(super) places: Vec<Place>,
    /// Publishers by code.
    pub(super) sources: Vec<String>,
    /// First table row of each piece, and the number of rows at the end.
    pub(super) offsets: Vec<u32>,
    /// First and last day.
    days: Option<(i32, i32)>,
    /// Rows skipped as invalid (see `SignalSource::read`).
    pub skipped: usize,
}

impl Table {
    /// The first and last day of the table, if it has rows.
    pub fn days(&self) -> Option<(NaiveDate, NaiveDate)> {
        self.days
            .map(|(a, b)| (from_epoch_days(a), from_epoch_days(b)))
    }

    pub(super) fn day_bounds(&self) -> Option<(i32, i32)> {
        self.days
    }

    /// Rows in the table.
    pub fn rows(&self) -> usize {
        self.offsets.last().copied().unwrap_or(0) as usize
    }

    /// What the table was read from, for messages.
    pub fn name(&self) -> &str {
        self.source.name()
    }

    /// The rows at `rows` (table positions, ascending) with every column, in that order, and
    /// their table positions, read back piece by piece.
    pub(super) fn detail(&self, rows: &[u32]) -> Result<(SignalColumns, Vec<u32>), ScoreError> {
        let all = crate::store::signals::COLUMNS;
        let mut wanted: Vec<(usize, Vec<usize>)> = Vec::new();
        for (i, w) in self.offsets.windows(2).enumerate() {
            let (a, b) = (
                rows.partition_point(|&r| r < w[0]),
                rows.partition_point(|&r| r < w[1]),
            );
            if a < b {
                wanted.push((i, rows[a..b].iter().map(|&r| (r - w[0]) as usize).collect()));
            }
        }
        let tables = on_cores(wanted.len(), |j| -> Result<SignalColumns, ScoreError> {
            let (i, local) = &wanted[j];
            let (t, _) = self.source.read(*i, &all)?;
            Ok(t.take(local))
        })?;
        let mut out = SignalColumns::default();
        let mut positions = Vec::with_capacity(rows.len());
        for ((i, local), t) in wanted.iter().zip(tables) {
            let base = self.offsets[*i];
            positions.extend(local.iter().map(|&r| r as u32 + base));
            if out.is_empty() {
                out = t;
            } else {
                out.append(&t);
            }
        }
        Ok((out, positions))
    }
}

/// Run `f(0..n)` on every core (each index once), results in index order; the first error wins.
pub(super) fn on_cores<T: Send, E: Send>(
    n: usize,
    f: impl Fn(usize) -> Result<T, E> + Sync,
) -> Result<Vec<T>, E> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(n.max(1));
    let next = AtomicUsize::new(0);
    let out: Mutex<Vec<Option<Result<T, E>>>> = Mutex::new((0..n).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= n {
                        break;
                    }
                    let r = f(i);
                    if let Ok(mut o) = out.lock() {
                        o[i] = Some(r);
                    }
                }
            });
        }
    });
    let results = out.into_inner().unwrap_or_else(|p| p.into_inner());
    results
        .into_iter()
        .map(|r| r.expect("every index ran"))
        .collect()
}

/// One piece's records, with codes local to the piece, by (local) category.
struct PieceRecs {
    /// Per local category code, its records in row order (each taken once by the worker of
    /// its global category, see [`load`]).
    by_cat: Vec<Mutex<Vec<Rec>>>,
    /// First and last day of the records.
    days: Option<(i32, i32)>,
    /// Valid rows of the piece (`row` of its records counts them).
    height: usize,
    categories: Vec<String>,
    provinces: Vec<Option<String>>,
    sources: Vec<String>,
    skipped: usize,
}

/// A multiply-rotate hasher for the few short strings of a piece's dictionaries (std's SipHash
/// guards against chosen keys, which cost a third of pass one here; a piece's own values are
/// not an attack surface worth it: at worst a slower piece).
#[derive(Default, Clone, Copy)]
struct Quick(u64);

impl Hasher for Quick {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word))
                .wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.0 = (self.0.rotate_left(5) ^ u64::from(i)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type QuickMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<Quick>>;

/// A small dictionary of one piece's values.
#[derive(Default)]
struct Codes<'a> {
    index: QuickMap<&'a str, u16>,
    names: Vec<&'a str>,
}

impl<'a> Codes<'a> {
    fn code(&mut self, s: &'a str, what: &str) -> Result<u16, ScoreError> {
        if let Some(&c) = self.index.get(s) {
            return Ok(c);
        }
        let c = u16::try_from(self.names.len()).map_err(|_| too_many(what))?;
        self.index.insert(s, c);
        self.names.push(s);
        Ok(c)
    }
}

fn too_many(what: &str) -> ScoreError {
    ScoreError::Table(SignalTableError::Schema {
        path: String::new(),
        message: format!("more than 65,535 distinct values of `{what}`"),
    })
}

fn cluster_key(s: &str) -> ([u8; 16], u8) {
    let b = s.as_bytes();
    let mut key = [0u8; 16];
    if b.len() <= 16 {
        key[..b.len()].copy_from_slice(b);
        return (key, b.len() as u8);
    }
    let hash = |seed: u64| {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        seed.hash(&mut h);
        b.hash(&mut h);
        h.finish()
    };
    key[..8].copy_from_slice(&hash(0x6a69_616e_6365).to_le_bytes());
    key[8..].copy_from_slice(&hash(0x7363_6f72_6532).to_le_bytes());
    (key, HASHED)
}

/// A code not yet given (see [`read_piece`]).
const UNSET: u16 = u16::MAX;

/// The piece code of a row's value, given on its first row (so in row order, as a row-by-row
/// reader would): per distinct value a lookup of its text, per row one of its entry.
fn local_code<'a>(
    col: &'a crate::store::columnar::StrCol,
    entry: u32,
    seen: &mut [u16],
    codes: &mut Codes<'a>,
    what: &str,
) -> Result<u16, ScoreError> {
    let slot = &mut seen[entry as usize];
    if *slot == UNSET {
        *slot = codes.code(col.entry(entry as usize), what)?;
    }
    Ok(*slot)
}

fn read_piece(source: &SignalSource, i: usize) -> Result<PieceRecs, ScoreError> {
    let (t, skipped) = source.read(i, &COLUMNS)?;
    let (mut cats, mut srcs) = (Codes::default(), Codes::default());
    let mut provs: Codes = Codes::default();
    // Code 0 is "no province" in every piece.
    provs.names.push("");
    // What each distinct value is, worked out once: its channel, its cluster key, its code.
    let chan_of: Vec<Option<u8>> = (0..t.source_kind.entries())
        .map(|e| {
            let k = t.source_kind.entry(e);
            Channel::ALL
                .iter()
                .position(|x| x.as_str() == k)
                .map(|c| c as u8)
        })
        .collect();
    let key_of: Vec<([u8; 16], u8)> = (0..t.cluster.entries())
        .map(|e| cluster_key(t.cluster.entry(e)))
        .collect();
    let mut cat_seen = vec![UNSET; t.category.entries()];
    let mut prov_seen = vec![UNSET; t.province.entries()];
    let mut src_seen = vec![UNSET; t.source.entries()];
    // Each row's category first (UNSET: not a valid signal), so that the records are written
    // straight into buckets of their exact size (the table's records are its largest
    // allocation: no vector of every record to copy them from, issue 48).
    let mut row_cat = vec![UNSET; t.len()];
    let mut counts: Vec<usize> = Vec::new();
    for (row, rc) in row_cat.iter_mut().enumerate() {
        // Validated rows: day, category, channel, source and cluster are present.
        let (Some(c), Some(ch), Some(_), Some(_)) = (
            t.category.code(row),
            t.source_kind.code(row),
            t.cluster.code(row),
            t.source.code(row),
        ) else {
            continue;
        };
        if chan_of[ch as usize].is_none() {
            continue;
        }
        let c = local_code(&t.category, c, &mut cat_seen, &mut cats, "category")?;
        if counts.len() <= usize::from(c) {
            counts.resize(usize::from(c) + 1, 0);
        }
        counts[usize::from(c)] += 1;
        *rc = c;
    }
    let mut by_cat: Vec<Vec<Rec>> = counts.iter().map(|&k| Vec::with_capacity(k)).collect();
    let mut days: Option<(i32, i32)> = None;
    for (row, &cat) in row_cat.iter().enumerate() {
        if cat == UNSET {
            continue;
        }
        let (d, w) = (t.day[row], t.weight[row]);
        let (Some(ch), Some(k), Some(s)) = (
            t.source_kind.code(row),
            t.cluster.code(row),
            t.source.code(row),
        ) else {
            continue;
        };
        let Some(chan) = chan_of[ch as usize] else {
            continue;
        };
        let prov = match t.province.code(row) {
            None => 0,
            Some(p) => local_code(&t.province, p, &mut prov_seen, &mut provs, "province")?,
        };
        let (key, klen) = key_of[k as usize];
        days = Some(days.map_or((d, d), |(a, b)| (a.min(d), b.max(d))));
        by_cat[usize::from(cat)].push(Rec {
            key,
            row: row as u32,
            d,
            weight: if w > 0.0 && w < f32::INFINITY { w } else { 0.0 },
            prov,
            src: local_code(&t.source, s, &mut src_seen, &mut srcs, "source")?,
            klen,
            chan,
        });
    }
    let owned = |c: &Codes| c.names.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let mut provinces: Vec<Option<String>> = vec![None];
    provinces.extend(provs.names[1..].iter().map(|s| Some(s.to_string())));
    Ok(PieceRecs {
        height: t.len(),
        categories: owned(&cats),
        sources: owned(&srcs),
        provinces,
        by_cat: by_cat.into_iter().map(Mutex::new).collect(),
        days,
        skipped,
    })
}

/// A category's records sorted by (cluster key, province, day, row): first into buckets by the
/// key's top 16 bits (one counting pass), then each bucket by the whole order. The top bits are
/// the key's most significant, so the order is one sort's; the comparisons are about half (the
/// sort was a tenth of `jiance score` at 10 million signals, issue 48).
#[cfg(test)]
fn sort_records(recs: Vec<Rec>) -> Vec<Rec> {
    gather_sorted(&[(0, recs)], |_, r| *r)
}

/// The records of a category's piece buckets (`(piece, records)`), each made global by `global`,
/// sorted as [`sort_records`] says. The counting pass reads the buckets where they lie and
/// writes each record once, to its sorted place: gathering them into one vector first was a copy
/// of every record and a fresh allocation the size of the table's records (issue 48).
fn gather_sorted(buckets: &[(usize, Vec<Rec>)], global: impl Fn(usize, &Rec) -> Rec) -> Vec<Rec> {
    let order = |r: &Rec| (u128::from_ne_bytes(r.key), r.klen, r.prov, r.d, r.row);
    let n: usize = buckets.iter().map(|(_, b)| b.len()).sum();
    let all = || {
        buckets
            .iter()
            .flat_map(|(i, b)| b.iter().map(move |r| (*i, r)))
    };
    let first = all().next().map(|(i, r)| global(i, r));
    let Some(first) = first.filter(|_| n >= 1 << 12) else {
        let mut recs: Vec<Rec> = all().map(|(i, r)| global(i, r)).collect();
        recs.sort_unstable_by_key(order);
        return recs;
    };
    let top = |r: &Rec| (u128::from_ne_bytes(r.key) >> 112) as usize;
    let mut starts = vec![0usize; (1 << 16) + 1];
    for (_, r) in all() {
        starts[top(r) + 1] += 1;
    }
    for b in 1..starts.len() {
        starts[b] += starts[b - 1];
    }
    let mut out = vec![first; n];
    let mut next = starts.clone();
    for (i, r) in all() {
        let at = &mut next[top(r)];
        out[*at] = global(i, r);
        *at += 1;
    }
    for w in starts.windows(2) {
        if w[1] - w[0] > 1 {
            out[w[0]..w[1]].sort_unstable_by_key(order);
        }
    }
    out
}

/// Global codes of one dictionary, merged piece by piece.
#[derive(Default)]
struct Global<K: std::hash::Hash + Eq + Clone> {
    index: HashMap<K, u16>,
    names: Vec<K>,
}

impl<K: std::hash::Hash + Eq + Clone> Global<K> {
    fn map(&mut self, local: &[K], what: &str) -> Result<Vec<u16>, ScoreError> {
        local
            .iter()
            .map(|k| {
                if let Some(&c) = self.index.get(k) {
                    return Ok(c);
                }
                let c = u16::try_from(self.names.len()).map_err(|_| too_many(what))?;
                self.index.insert(k.clone(), c);
                self.names.push(k.clone());
                Ok(c)
            })
            .collect()
    }
}

/// Read the whole table into sorted records (pass one).
///
/// Each piece's records come bucketed by category; a category's records are then gathered from
/// every piece and sorted on the same core, each record made global as it is written to its
/// sorted place.
/// Gathering them on the main thread was a sixth of `jiance score` at 10 million signals, most
/// of it the kernel clearing fresh pages on one core (issue 48).
pub fn load(source: SignalSource) -> Result<Table, ScoreError> {
    let started = std::time::Instant::now();
    let pieces = on_cores(source.pieces(), |i| read_piece(&source, i))?;
    let (mut cats, mut provs, mut srcs) = (
        Global::<String>::default(),
        Global::<Option<String>>::default(),
        Global::<String>::default(),
    );
    provs.map(&[None], "province")?;
    let mut maps = Vec::with_capacity(pieces.len());
    let mut offsets = vec![0u32];
    let mut skipped = 0;
    let mut days: Option<(i32, i32)> = None;
    for p in &pieces {
        maps.push((
            cats.map(&p.categories, "category")?,
            provs.map(&p.provinces, "province")?,
            srcs.map(&p.sources, "source")?,
        ));
        skipped += p.skipped;
        if let Some((a, b)) = p.days {
            days = Some(days.map_or((a, b), |(x, y)| (x.min(a), y.max(b))));
        }
        let end = u64::from(*offsets.last().unwrap_or(&0)) + p.height as u64;
        offsets.push(u32::try_from(end).map_err(|_| too_many("row (over 4 billion rows)"))?);
    }
    // Per global category, its buckets in piece order: (piece, local code).
    let mut parts: Vec<Vec<(usize, usize)>> = vec![Vec::new(); cats.names.len()];
    for (i, m) in maps.iter().enumerate() {
        for (local, &global) in m.0.iter().enumerate() {
            parts[usize::from(global)].push((i, local));
        }
    }
    let read = started.elapsed();
    let take = |i: usize, local: usize| -> Vec<Rec> {
        pieces[i].by_cat.get(local).map_or_else(Vec::new, |m| {
            std::mem::take(&mut *m.lock().unwrap_or_else(|p| p.into_inner()))
        })
    };
    let by_cat = on_cores(parts.len(), |c| -> Result<Vec<Rec>, ScoreError> {
        let buckets: Vec<(usize, Vec<Rec>)> =
            parts[c].iter().map(|&(i, l)| (i, take(i, l))).collect();
        Ok(gather_sorted(&buckets, |i, r| {
            let (m, base) = (&maps[i], offsets[i]);
            Rec {
                prov: m.1[usize::from(r.prov)],
                src: m.2[usize::from(r.src)],
                row: r.row + base,
                ..*r
            }
        }))
    })?;
    drop(pieces);
    let places = provs
        .names
        .iter()
        .map(|p| match p.as_deref() {
            None => Place::Unplaced,
            Some(NATION) => Place::Nationwide,
            Some(p) if p.starts_with("境外") => Place::Abroad,
            Some(_) => Place::Province,
        })
        .collect();
    tracing::debug!(
        table = source.name(),
        pieces = source.pieces(),
        rows = offsets.last().copied().unwrap_or(0),
        read_ms = read.as_millis() as u64,
        sorted_ms = (started.elapsed() - read).as_millis() as u64,
        "signal table loaded"
    );
    Ok(Table {
        source,
        categories: cats.names,
        by_cat,
        provinces: provs.names,
        places,
        sources: srcs.names,
        offsets,
        days,
        skipped,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    /// Bucketed by the key's top bits or not, the records come out in one sort's order: long
    /// and short ids, hashed ones, ties on the key broken by province, day and row.
    #[test]
    fn records_sort_as_one_sort_would() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        for n in [0, 5, 5000, 40_000] {
            let recs: Vec<Rec> = (0..n)
                .map(|i| {
                    let id = match rng.random_range(0..4) {
                        0 => format!("{:016x}", rng.random_range(0..n as u64 / 3 + 1)),
                        1 => format!("doc-{}", rng.random_range(0..50)),
                        2 => format!("a-long-id-{}-past-sixteen-bytes", rng.random_range(0..9)),
                        _ => String::new(),
                    };
                    let (key, klen) = cluster_key(&id);
                    Rec {
                        key,
                        row: i as u32,
                        d: rng.random_range(0..90),
                        weight: 1.0,
                        prov: rng.random_range(0..4),
                        src: 0,
                        klen,
                        chan: 0,
                    }
                })
                .collect();
            let mut want = recs.clone();
            want.sort_by_key(|r| (u128::from_ne_bytes(r.key), r.klen, r.prov, r.d, r.row));
            // the same records from three pieces, rows made global by the piece's base
            let pieces: Vec<(usize, Vec<Rec>)> = recs
                .chunks(n / 3 + 1)
                .enumerate()
                .map(|(i, c)| {
                    let local = c.iter().map(|r| Rec {
                        row: r.row - (i * (n / 3 + 1)) as u32,
                        ..*r
                    });
                    (i, local.collect())
                })
                .collect();
            let got = sort_records(recs);
            let rows = |v: &[Rec]| v.iter().map(|r| r.row).collect::<Vec<_>>();
            assert_eq!(rows(&got), rows(&want), "{n} records");
            let gathered = gather_sorted(&pieces, |i, r| Rec {
                row: r.row + (i * (n / 3 + 1)) as u32,
                ..*r
            });
            assert_eq!(rows(&gathered), rows(&want), "{n} records in pieces");
        }
    }
}
