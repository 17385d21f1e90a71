//! The fields that tell two stories apart when their wording is alike (issue 44).
//!
//! A province's inspection notices, the standard announcements of one ministry and one
//! company's recalls are written from templates: two of them share most of their shingles while
//! naming another product, enterprise, model, batch or standard. A repost of one story keeps
//! those facts and changes its wrapper (dateline, source and editor lines, a sentence added or
//! dropped). So a document joins an alike earlier one only when their fields agree:
//!
//! - **products** (categories and the nouns of unclassified products), **parties** (enterprises
//!   and brands) and **places** (where the event happened: a city's campaign written from the
//!   template another city used) disagree when both documents name some and they share none —
//!   the analysis may find one more or one fewer in a rewrapped text, but a repost never names
//!   only other ones;
//! - **identifiers** (model, batch and standard numbers) disagree when each document names one
//!   the other does not — a repost may drop a number (a summary) or keep them all, but a notice
//!   of another batch or standard names a number of its own.
//!
//! A document naming no field of a kind agrees on it with any other (most news and complaints
//! name no number). Values are hashed (FNV-1a, stable across runs: entries are stored) after
//! folding case and spacing; a standard number without its year, so "GB 4706.8" and
//! "GB 4706.8-2026" are one.

use super::sketch::{FNV_OFFSET, FNV_PRIME, fnv_fold};

/// A document's fields in the form the index stores them: `[products, parties, places,
/// hashes…]`, the three counts first, then the sorted product, party, place and identifier
/// hashes. Empty
/// when the document names none (and for entries stored before fields existed).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fields(Vec<u32>);

/// Which list a value goes to; also mixed into its hash, so a brand and a model spelled alike
/// are not one value.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Product = 1,
    Party = 2,
    Id = 3,
    Place = 4,
}

fn hash(kind: Kind, value: &str) -> u32 {
    let mut h = FNV_OFFSET;
    h = (h ^ kind as u64).wrapping_mul(FNV_PRIME);
    let mut feed = |bytes: &[u8]| {
        for &b in bytes {
            h = (h ^ u64::from(b)).wrapping_mul(FNV_PRIME);
        }
    };
    for c in value.chars() {
        // Most characters are ASCII or CJK ideographs, whose case and class need no Unicode
        // table search (an ideograph is alphanumeric and its own upper case); the hash is the
        // same as through the general path below.
        if c.is_ascii() {
            if c.is_ascii_alphanumeric() || c == '.' || c == '/' {
                feed(&[c.to_ascii_uppercase() as u8]);
            }
        } else if ('\u{4E00}'..='\u{9FFF}').contains(&c) {
            feed(c.encode_utf8(&mut [0u8; 4]).as_bytes());
        } else if c.is_alphanumeric() {
            for u in c.to_uppercase() {
                feed(u.encode_utf8(&mut [0u8; 4]).as_bytes());
            }
        }
    }
    fnv_fold(h)
}

/// A standard number without its year: "GB 4706.8-2026" → "GB 4706.8" (the year is dropped by
/// some writers and kept by others; two editions of one standard are one standard here).
fn standard_stem(number: &str) -> &str {
    match number.rsplit_once('-') {
        Some((stem, year)) if year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit()) => stem,
        _ => number,
    }
}

fn hashes<'a>(kind: Kind, values: impl IntoIterator<Item = &'a str>) -> Vec<u32> {
    let mut out: Vec<u32> = values
        .into_iter()
        .filter(|v| !v.trim().is_empty())
        .map(|v| hash(kind, v))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

impl Fields {
    /// The fields of a document naming `products`, `parties`, `places` (region codes), model and
    /// batch numbers (`ids`) and `standards`.
    pub fn new<'a>(
        products: impl IntoIterator<Item = &'a str>,
        parties: impl IntoIterator<Item = &'a str>,
        places: impl IntoIterator<Item = &'a str>,
        ids: impl IntoIterator<Item = &'a str>,
        standards: impl IntoIterator<Item = &'a str>,
    ) -> Fields {
        let products = hashes(Kind::Product, products);
        let parties = hashes(Kind::Party, parties);
        let places = hashes(Kind::Place, places);
        let mut ids = hashes(
            Kind::Id,
            ids.into_iter()
                .chain(standards.into_iter().map(standard_stem)),
        );
        ids.sort_unstable();
        ids.dedup();
        if products.is_empty() && parties.is_empty() && places.is_empty() && ids.is_empty() {
            return Fields::default();
        }
        let mut v =
            Vec::with_capacity(3 + products.len() + parties.len() + places.len() + ids.len());
        v.push(products.len() as u32);
        v.push(parties.len() as u32);
        v.push(places.len() as u32);
        v.extend(products);
        v.extend(parties);
        v.extend(places);
        v.extend(ids);
        Fields(v)
    }

    /// Fields from their stored form (what [`Fields::as_stored`] gave); a malformed one is
    /// taken as naming nothing.
    pub fn from_stored(v: Vec<u32>) -> Fields {
        if split(&v).is_some() {
            Fields(v)
        } else {
            Fields::default()
        }
    }

    pub fn as_stored(&self) -> &[u32] {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The stored form's sorted lists (products, parties, places, identifiers), or `None` when it is
/// malformed.
type Lists<'a> = (&'a [u32], &'a [u32], &'a [u32], &'a [u32]);

fn split(v: &[u32]) -> Option<Lists<'_>> {
    let (counts, rest) = v.split_at_checked(3)?;
    let count = |i: usize| counts.get(i).map(|&n| n as usize);
    let (products, rest) = rest.split_at_checked(count(0)?)?;
    let (parties, rest) = rest.split_at_checked(count(1)?)?;
    let (places, ids) = rest.split_at_checked(count(2)?)?;
    Some((products, parties, places, ids))
}

/// Whether two sorted lists share a value.
fn meet(a: &[u32], b: &[u32]) -> bool {
    let (mut i, mut j) = (0, 0);
    while let (Some(x), Some(y)) = (a.get(i), b.get(j)) {
        match x.cmp(y) {
            std::cmp::Ordering::Equal => return true,
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
        }
    }
    false
}

/// Whether every value of sorted `a` is in sorted `b`.
fn within(a: &[u32], b: &[u32]) -> bool {
    let mut j = 0;
    for x in a {
        while b.get(j).is_some_and(|y| y < x) {
            j += 1;
        }
        if b.get(j) != Some(x) {
            return false;
        }
    }
    true
}

/// Whether documents with stored fields `a` and `b` may be one story (see the module's rules).
pub(super) fn agree(a: &[u32], b: &[u32]) -> bool {
    let (Some((pa, qa, ra, ia)), Some((pb, qb, rb, ib))) = (split(a), split(b)) else {
        return true;
    };
    let apart = |x: &[u32], y: &[u32]| !x.is_empty() && !y.is_empty() && !meet(x, y);
    !(apart(pa, pb) || apart(qa, qb) || apart(ra, rb) || !(within(ia, ib) || within(ib, ia)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(products: &[&str], parties: &[&str], ids: &[&str], standards: &[&str]) -> Fields {
        Fields::new(
            products.iter().copied(),
            parties.iter().copied(),
            [],
            ids.iter().copied(),
            standards.iter().copied(),
        )
    }

    /// The hash of the general path, every character through the Unicode tables.
    fn hash_general(kind: Kind, value: &str) -> u32 {
        let mut h = FNV_OFFSET;
        h = (h ^ kind as u64).wrapping_mul(FNV_PRIME);
        for c in value
            .chars()
            .filter(|c| c.is_alphanumeric() || *c == '.' || *c == '/')
            .flat_map(char::to_uppercase)
        {
            let mut buf = [0u8; 4];
            for &b in c.encode_utf8(&mut buf).as_bytes() {
                h = (h ^ u64::from(b)).wrapping_mul(FNV_PRIME);
            }
        }
        fnv_fold(h)
    }

    #[test]
    fn the_fast_hash_is_the_general_one() {
        let values = [
            "GB 4706.8-2026",
            "电动自行车用蓄电池",
            "ÄbcßΣ-x/1.2 ｍｎ",
            "浙江某某电器有限公司（Ltd.）",
            "ǅ㐀𠀀ⅫⅣ①",
            "",
        ];
        for v in values {
            for kind in [Kind::Product, Kind::Party, Kind::Id, Kind::Place] {
                assert_eq!(hash(kind, v), hash_general(kind, v), "{v}");
            }
        }
        let ideographs = ('\u{4E00}'..='\u{9FFF}').map(u32::from);
        for c in (0..0x11_0000)
            .step_by(7)
            .chain(ideographs)
            .filter_map(char::from_u32)
        {
            let v = c.to_string();
            assert_eq!(hash(Kind::Id, &v), hash_general(Kind::Id, &v), "{c:?}");
        }
    }

    fn agree_f(a: &Fields, b: &Fields) -> bool {
        agree(a.as_stored(), b.as_stored())
    }

    #[test]
    fn other_products_parties_or_numbers_disagree_and_a_repost_agrees() {
        let lamp = f(&["灯具"], &["明辉照明电器有限公司"], &["MH-XD12"], &[]);
        let bike = f(&["电动自行车"], &["驰远车业有限公司"], &["CY-48V06"], &[]);
        assert!(!agree_f(&lamp, &bike));
        // a repost that drops the model and names one more product
        let repost = f(&["灯具", "LED灯"], &["明辉照明电器有限公司"], &[], &[]);
        assert!(agree_f(&lamp, &repost));
        // the same enterprise and model, another batch
        let b1 = f(&["移动电源"], &["恒芯"], &["HX-PB20", "20260102"], &[]);
        let b2 = f(&["移动电源"], &["恒芯"], &["HX-PB20", "20260417"], &[]);
        assert!(!agree_f(&b1, &b2));
        // standards: the year dropped by one writer is the same standard, another one is not
        let s1 = f(&["电热毯"], &[], &[], &["GB 4706.8-2026"]);
        let s2 = f(&["电热毯"], &[], &[], &["GB 4706.8"]);
        let s3 = f(&["电热毯"], &[], &[], &["GB 4706.19-2026"]);
        assert!(agree_f(&s1, &s2));
        assert!(!agree_f(&s1, &s3));
        // spacing, case and width of a model do not matter
        assert!(agree_f(
            &f(&[], &[], &["sd-p10"], &[]),
            &f(&[], &[], &["SD P10"], &[])
        ));
        // naming nothing agrees with anything; a malformed stored form names nothing
        assert!(agree_f(&Fields::default(), &lamp));
        assert!(Fields::from_stored(vec![5, 0, 0, 1]).is_empty());
        // a city's campaign and another city's, both in the template
        let here = Fields::new([], [], ["140100"], [], []);
        let there = Fields::new([], [], ["140200"], [], []);
        assert!(!agree_f(&here, &there));
        assert!(agree_f(
            &here,
            &Fields::new([], [], ["140100", "110000"], [], [])
        ));
        assert_eq!(Fields::from_stored(lamp.as_stored().to_vec()), lamp);
    }
}
