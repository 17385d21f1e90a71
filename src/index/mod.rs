//! Index: the tantivy full-text index of every document, for analysts' search and for alert evidence.
//!
//! Data flow: analyze → (`Document`, `Extraction`) → [`IndexWriter::upsert`] → `index/` on disk →
//! [`Index::search`] / [`Index::get`] → serve. A document is keyed by its id, so a re-fetched page
//! replaces its older version and a rerun never doubles anything.
//!
//! The index directory carries a schema version ([`SCHEMA_VERSION`], file [`VERSION_FILE`]): an
//! index written by a jiance with another schema (or before versions existed) is refused with an
//! error telling the user to run `jiance reindex`, which rebuilds it next to the live one
//! ([`staging_path`]) and swaps it in ([`swap_in`]); [`Index::open`] finishes a swap a crash
//! interrupted, so the live index is always a complete one.
//!
//! Text fields use our "jieba" tokenizer (see [`tokenizer`]) on the shared dictionary; the structured
//! fields (categories, hazards, regions, parties, kind, source) are exact strings, fast fields for
//! facet counts and filters.
//!
//! This file holds the schema and the reader ([`Index`]); writing is in `writer`, the directory's
//! version and rebuild swap in `version`, searching in `search`, `query`, `facets` and `collapse`,
//! exports in `export`.

mod collapse;
mod export;
mod facets;
mod query;
mod search;
mod tokenizer;
mod version;
mod writer;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use tantivy::collector::TopDocs;
use tantivy::directory::MmapDirectory;
use tantivy::query::{BooleanQuery, Occur, QueryParser, TermQuery};
use tantivy::schema::{
    DateOptions, DateTimePrecision, FAST, Field, INDEXED, IndexRecordOption, STORED, STRING,
    Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::{TextAnalyzer, TokenizerManager};
use tantivy::{DateTime, DocAddress, ReloadPolicy, TantivyDocument, Term};

use crate::util::fsx;

pub use export::{ExportFormat, ExportSummary, MAX_EXPORT};
pub use query::{Concepts, Expansion};
pub use tokenizer::{JIEBA, JiebaTokenizer};
use version::{check_version, recover_swap};
pub use version::{staging_path, swap_in};

/// Version of the schema and of how documents are turned into index fields. Bump it whenever
/// `build_schema`, the tokenizer or `IndexWriter::upsert` changes what is indexed.
pub const SCHEMA_VERSION: u32 = 2;
/// File in the index directory holding [`SCHEMA_VERSION`] as decimal text.
pub const VERSION_FILE: &str = "jiance-schema-version";
/// Longest query text accepted (bytes): bounds the number of query terms and so the query time.
pub const MAX_QUERY_BYTES: usize = 512;
/// Threads that search an index's segments in parallel.
const SEARCH_THREADS: usize = 2;
/// Writer heap: one writer thread's indexing buffer.
const WRITER_HEAP: usize = 50_000_000;
/// Deepest page a search may ask for (top-N with an offset keeps offset + limit docs in memory).
pub const MAX_WINDOW: usize = 10_000;
/// Values shown per facet.
const FACET_TOP: usize = 30;
/// Snippet length in bytes (about 80 Chinese characters).
const SNIPPET_BYTES: usize = 240;

#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("index directory {path}: {source}")]
    Dir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("index at {path}: {message}")]
    Open { path: PathBuf, message: String },
    #[error(
        "index at {path} {found}, but this jiance uses schema version {expected}: rebuild it with \
         `jiance reindex --data {data}` (it re-reads the archive; the old index stays usable \
         until the new one is complete)"
    )]
    Version {
        path: PathBuf,
        /// The data directory holding the index (for the command to run).
        data: String,
        /// "has schema version N" or "has no schema version (written by an older jiance)".
        found: String,
        expected: u32,
    },
    #[error("bad query: {0}")]
    Query(String),
    #[error("export: {0}")]
    Export(String),
    /// A request names a document the index does not hold ("more like this").
    #[error("no document with id {0:?}")]
    NoDocument(String),
    #[error("index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    #[default]
    Relevance,
    Date,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchRequest {
    pub query: String,
    pub category: Option<String>,
    pub hazard: Option<String>,
    /// A canonical province or city name.
    pub region: Option<String>,
    pub kind: Option<String>,
    pub source: Option<String>,
    pub since: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
    pub sort: Sort,
    pub limit: usize,
    pub offset: usize,
    pub signals_only: bool,
    /// Also count the matches per day or week (for trend charts).
    #[serde(default)]
    pub histogram: Option<Interval>,
    /// Search the words as written: no concept expansion (field filters still apply).
    #[serde(default)]
    pub literal: bool,
    /// One hit per near-duplicate cluster (story), its other matching copies listed with it.
    #[serde(default = "yes")]
    pub collapse: bool,
    /// "More like this": documents like the one with this id (its own story left out).
    #[serde(default)]
    pub like: Option<String>,
}

fn yes() -> bool {
    true
}

/// Bucket width of a search histogram.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Interval {
    Day,
    /// ISO weeks, labelled by their Monday.
    Week,
}

impl Default for SearchRequest {
    fn default() -> Self {
        SearchRequest {
            query: String::new(),
            category: None,
            hazard: None,
            region: None,
            kind: None,
            source: None,
            since: None,
            until: None,
            sort: Sort::Relevance,
            limit: 20,
            offset: 0,
            signals_only: false,
            histogram: None,
            literal: false,
            collapse: true,
            like: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchResults {
    /// Number of matching documents (all pages).
    pub total: u64,
    /// Number of matching stories (near-duplicate clusters) when hits are collapsed; hits then
    /// page over stories.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stories: Option<u64>,
    pub hits: Vec<Hit>,
    /// Facet name (category, hazard, province, city, kind, channel, source, platform, brand,
    /// enterprise) → (value, documents), most first.
    pub facets: BTreeMap<String, Vec<(String, u64)>>,
    /// Facet name → value → stories, for the values of `facets` (when hits are collapsed).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub facet_stories: BTreeMap<String, BTreeMap<String, u64>>,
    /// Query words expanded to their concepts (none for a literal search).
    #[serde(default)]
    pub expansions: Vec<Expansion>,
    /// Filters written in the query text (`category:…`), as applied: (name, value).
    #[serde(default)]
    pub query_filters: Vec<(String, String)>,
    /// Matches per day or week (`YYYY-MM-DD` of the day or of the week's Monday), oldest first;
    /// only when the request asks for it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub histogram: Vec<(String, u64)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    pub id: String,
    pub title: String,
    pub url: String,
    pub source: String,
    pub kind: String,
    /// RFC 3339 publication time, when the source gave one.
    pub published: Option<String>,
    /// HTML: escaped text with `<b>` around the matched words.
    pub snippet: String,
    pub categories: Vec<String>,
    pub hazards: Vec<String>,
    pub provinces: Vec<String>,
    pub is_signal: bool,
    /// BM25 relevance; 0 when the results are ordered by date (date sort, or an empty query).
    pub score: f32,
    /// Near-duplicate cluster (story) id.
    #[serde(default)]
    pub cluster: String,
    /// Matching documents of this story, this one included (1 when not collapsed).
    #[serde(default)]
    pub copies: u64,
    /// Sources of those documents, this hit's first.
    #[serde(default)]
    pub sources: Vec<String>,
    /// The story's other matching documents, earliest first (at most 50).
    #[serde(default)]
    pub others: Vec<Copy>,
}

/// Another copy of a story (a repost) listed under its hit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Copy {
    pub id: String,
    pub title: String,
    pub url: String,
    pub source: String,
    pub published: Option<String>,
}

/// A document as stored in the index (for alert evidence).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredDoc {
    pub id: String,
    pub title: String,
    pub text: String,
    pub url: String,
    pub source: String,
    pub kind: String,
    pub channel: String,
    pub published: Option<String>,
    pub categories: Vec<String>,
    pub hazards: Vec<String>,
    pub provinces: Vec<String>,
    pub cities: Vec<String>,
    pub brands: Vec<String>,
    pub enterprises: Vec<String>,
    pub platforms: Vec<String>,
    pub is_signal: bool,
    pub severity: u64,
    /// Near-duplicate cluster id.
    pub cluster: String,
}

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    title: Field,
    text: Field,
    url: Field,
    source: Field,
    kind: Field,
    channel: Field,
    categories: Field,
    hazards: Field,
    provinces: Field,
    cities: Field,
    brands: Field,
    enterprises: Field,
    platform: Field,
    published: Field,
    day: Field,
    is_signal: Field,
    severity: Field,
    cluster: Field,
}

fn build_schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text_opts = TextOptions::default().set_stored().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(JIEBA)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let exact = STRING | STORED | FAST;
    let date = DateOptions::default()
        .set_indexed()
        .set_fast()
        .set_precision(DateTimePrecision::Seconds);
    let fields = Fields {
        id: b.add_text_field("id", STRING | STORED),
        title: b.add_text_field("title", text_opts.clone()),
        text: b.add_text_field("text", text_opts),
        url: b.add_text_field("url", STRING | STORED),
        source: b.add_text_field("source", exact.clone()),
        kind: b.add_text_field("kind", exact.clone()),
        channel: b.add_text_field("channel", exact.clone()),
        categories: b.add_text_field("categories", exact.clone()),
        hazards: b.add_text_field("hazards", exact.clone()),
        provinces: b.add_text_field("provinces", exact.clone()),
        cities: b.add_text_field("cities", exact.clone()),
        brands: b.add_text_field("brands", exact.clone()),
        enterprises: b.add_text_field("enterprises", exact.clone()),
        platform: b.add_text_field("platform", exact),
        // Publication time when known (stored for display).
        published: b.add_date_field("published", date.clone().set_stored()),
        // The day the document counts on (published, else fetched): filters and date sort.
        day: b.add_date_field("day", date),
        is_signal: b.add_u64_field("is_signal", INDEXED | STORED | FAST),
        severity: b.add_u64_field("severity", STORED | FAST),
        // Near-duplicate cluster: collapsing, story counts, "more like this".
        cluster: b.add_text_field("cluster", STRING | STORED | FAST),
    };
    (b.build(), fields)
}

/// Facets counted on every search: (name in results, field).
const FACETS: [(&str, &str); 10] = [
    ("category", "categories"),
    ("hazard", "hazards"),
    ("province", "provinces"),
    ("city", "cities"),
    ("kind", "kind"),
    ("channel", "channel"),
    ("source", "source"),
    ("platform", "platform"),
    ("brand", "brands"),
    ("enterprise", "enterprises"),
];

pub struct Index {
    index: tantivy::Index,
    reader: tantivy::IndexReader,
    fields: Fields,
    parser: QueryParser,
    jieba: Arc<jieba_rs::Jieba>,
    /// Categories and hazards for query expansion (none: every search is literal).
    concepts: Option<Arc<Concepts>>,
    path: PathBuf,
}

pub struct IndexWriter {
    writer: tantivy::IndexWriter<TantivyDocument>,
    reader: tantivy::IndexReader,
    fields: Fields,
}

/// A Unix time as an index date. Tantivy counts nanoseconds in an i64 (years 1677–2262), so
/// times outside are clamped to its ends: `since=0136-08-17` means "from the start", and a page
/// dated in year 9999 does not overflow.
fn index_time(secs: i64) -> DateTime {
    const LIMIT: i64 = i64::MAX / 1_000_000_000;
    DateTime::from_timestamp_secs(secs.clamp(-LIMIT, LIMIT))
}

/// Midnight UTC of `d` as an index date.
fn day_start(d: NaiveDate) -> DateTime {
    index_time(
        d.and_hms_opt(0, 0, 0)
            .map(|t| t.and_utc().timestamp())
            .unwrap_or(0),
    )
}

fn date_string(dt: DateTime) -> Option<String> {
    let secs = dt.into_timestamp_secs();
    Utc.timestamp_opt(secs, 0)
        .single()
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

/// Adds `v` to `list` unless already there or empty (facets count each value once per document).
fn push_unique(list: &mut Vec<String>, v: &str) {
    let v = v.trim();
    if !v.is_empty() && !list.iter().any(|x| x == v) {
        list.push(v.to_string());
    }
}

impl Index {
    /// Open or create the index in `dir`, registering the "jieba" tokenizer on the shared dictionary.
    ///
    /// An existing index must carry this build's [`SCHEMA_VERSION`] ([`IndexError::Version`]
    /// otherwise); a new one is stamped with it before tantivy writes anything, so an index
    /// directory never exists without its version.
    pub fn open(dir: &Path, jieba: Arc<jieba_rs::Jieba>) -> Result<Index, IndexError> {
        recover_swap(dir)?;
        let dir_err = |path: &Path| {
            let path = path.to_path_buf();
            move |source| IndexError::Dir { path, source }
        };
        std::fs::create_dir_all(dir).map_err(dir_err(dir))?;
        let version_path = dir.join(VERSION_FILE);
        if dir.join("meta.json").exists() {
            check_version(dir, &version_path)?;
        } else {
            fsx::write_atomic(&version_path, SCHEMA_VERSION.to_string().as_bytes())
                .map_err(dir_err(&version_path))?;
        }
        let (schema, fields) = build_schema();
        let mmap = MmapDirectory::open(dir).map_err(|e| IndexError::Open {
            path: dir.to_path_buf(),
            message: e.to_string(),
        })?;
        let mut index =
            tantivy::Index::open_or_create(mmap, schema.clone()).map_err(|e| IndexError::Open {
                path: dir.to_path_buf(),
                message: format!(
                    "{e} (an index written by another version of jiance: rebuild it with \
                     `jiance reindex --data <data dir>`)"
                ),
            })?;
        index.tokenizers().register(
            JIEBA,
            TextAnalyzer::from(JiebaTokenizer::for_index(jieba.clone())),
        );
        // Segments are searched in parallel: a broad query over a large index (every match is
        // counted and faceted) takes about half the time on two cores.
        index.set_multithread_executor(SEARCH_THREADS)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()?;
        // The parser tokenizes queries without the inner words the index adds (see `tokenizer`).
        let query_tokenizers = TokenizerManager::default();
        query_tokenizers.register(
            JIEBA,
            TextAnalyzer::from(JiebaTokenizer::for_query(jieba.clone())),
        );
        let mut parser =
            QueryParser::new(schema, vec![fields.title, fields.text], query_tokenizers);
        parser.set_conjunction_by_default();
        parser.set_field_boost(fields.title, 2.0);
        Ok(Index {
            index,
            reader,
            fields,
            parser,
            jieba,
            concepts: None,
            path: dir.to_path_buf(),
        })
    }

    /// Expand query words with the rules' categories and hazards (see [`Concepts`]).
    pub fn set_vocabulary(&mut self, vocabulary: &crate::analyze::Vocabulary) {
        self.concepts = Some(Arc::new(Concepts::new(vocabulary)));
    }

    /// The one writer of this index (tantivy locks the directory: a second one is an error).
    pub fn writer(&self) -> Result<IndexWriter, IndexError> {
        let writer = self
            .index
            .writer_with_num_threads(1, WRITER_HEAP)
            .map_err(|e| IndexError::Open {
                path: self.path.clone(),
                message: format!("cannot take the writer: {e}"),
            })?;
        Ok(IndexWriter {
            writer,
            reader: self.reader.clone(),
            fields: self.fields,
        })
    }

    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Segments searched (each costs a little per query; merges keep the number down).
    pub fn segment_count(&self) -> usize {
        self.reader.searcher().segment_readers().len()
    }

    fn find(&self, doc_id: &str) -> Result<Option<(tantivy::Searcher, DocAddress)>, IndexError> {
        let searcher = self.reader.searcher();
        let q = TermQuery::new(
            Term::from_field_text(self.fields.id, doc_id),
            IndexRecordOption::Basic,
        );
        let top = searcher.search(&q, &TopDocs::with_limit(1).order_by_score())?;
        Ok(top.first().map(|(_, a)| *a).map(|a| (searcher, a)))
    }

    /// The stored document with this id, if indexed.
    pub fn get(&self, doc_id: &str) -> Result<Option<StoredDoc>, IndexError> {
        let Some((searcher, addr)) = self.find(doc_id)? else {
            return Ok(None);
        };
        let doc: TantivyDocument = searcher.doc(addr)?;
        Ok(Some(self.stored(&doc)))
    }

    /// Whether a query parses (the watch rules check theirs when they are added).
    pub fn check_query(&self, text: &str) -> Result<(), IndexError> {
        self.parse(text).map(|_| ())
    }

    /// Which of the documents `ids` a query matches (the same query language and tokenizer as
    /// search), in no particular order: the query AND a set of id terms, so the answer is exact
    /// however many other documents match.
    pub fn matching(&self, text: &str, ids: &[String]) -> Result<Vec<String>, IndexError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let q = self.parse(text)?;
        let terms = ids
            .iter()
            .map(|id| Term::from_field_text(self.fields.id, id));
        let query = BooleanQuery::new(vec![
            (Occur::Must, q),
            (
                Occur::Must,
                Box::new(tantivy::query::TermSetQuery::new(terms)),
            ),
        ]);
        let searcher = self.reader.searcher();
        let found = searcher.search(&query, &tantivy::collector::DocSetCollector)?;
        let mut out = Vec::with_capacity(found.len());
        for addr in found {
            let doc: TantivyDocument = searcher.doc(addr)?;
            out.push(self.stored(&doc).id);
        }
        Ok(out)
    }

    /// An HTML snippet of the document's text with the words of `highlight` (a query, such as an
    /// alert's category and hazards joined by OR) in `<b>`; the text's opening when nothing matches
    /// or `highlight` does not parse.
    pub fn snippet(&self, doc: &StoredDoc, highlight: &str) -> String {
        let searcher = self.reader.searcher();
        let generated = self.parse(highlight).ok().and_then(|q| {
            let mut g = SnippetGenerator::create(&searcher, &*q, self.fields.text).ok()?;
            g.set_max_num_chars(SNIPPET_BYTES);
            let s = g.snippet(&doc.text);
            (!s.is_empty()).then(|| snippet_html(&s))
        });
        generated.unwrap_or_else(|| plain_snippet(&doc.text))
    }

    fn stored(&self, doc: &TantivyDocument) -> StoredDoc {
        let f = &self.fields;
        let one = |field: Field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string()
        };
        let all = |field: Field| {
            doc.get_all(field)
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect::<Vec<_>>()
        };
        let num = |field: Field| doc.get_first(field).and_then(|v| v.as_u64()).unwrap_or(0);
        StoredDoc {
            id: one(f.id),
            title: one(f.title),
            text: one(f.text),
            url: one(f.url),
            source: one(f.source),
            kind: one(f.kind),
            channel: one(f.channel),
            published: doc
                .get_first(f.published)
                .and_then(|v| v.as_datetime())
                .and_then(date_string),
            categories: all(f.categories),
            hazards: all(f.hazards),
            provinces: all(f.provinces),
            cities: all(f.cities),
            brands: all(f.brands),
            enterprises: all(f.enterprises),
            platforms: all(f.platform),
            is_signal: num(f.is_signal) == 1,
            severity: num(f.severity),
            cluster: one(f.cluster),
        }
    }
}

/// A tantivy snippet as HTML, with its highlights in `<b>`. tantivy's own `Snippet::to_html`
/// slices its fragment by every highlighted range and panics when one reaches past the fragment:
/// our tokenizer's subwords overlap their word (电动自行车 and 自行车 at one position), and a
/// subword highlighted at a fragment's end can do so. Ranges outside the fragment or off a char
/// boundary are dropped, overlapping ones merged.
pub(crate) fn snippet_html(s: &tantivy::snippet::Snippet) -> String {
    highlight_html(s.fragment(), s.highlighted())
}

fn highlight_html(fragment: &str, highlighted: &[std::ops::Range<usize>]) -> String {
    let mut ranges: Vec<std::ops::Range<usize>> = highlighted
        .iter()
        .filter(|r| {
            r.start < r.end
                && r.end <= fragment.len()
                && fragment.is_char_boundary(r.start)
                && fragment.is_char_boundary(r.end)
        })
        .cloned()
        .collect();
    ranges.sort_by_key(|r| (r.start, r.end));
    // Touching or overlapping ranges become one mark: a phrase term such as 冒火花 is
    // highlighted token by token (冒火 + 花), and the reader should see the phrase.
    let mut merged: Vec<std::ops::Range<usize>> = Vec::with_capacity(ranges.len());
    for r in ranges {
        match merged.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => merged.push(r),
        }
    }
    let mut html = String::with_capacity(fragment.len() + 16);
    let mut at = 0usize;
    for r in merged {
        html.push_str(&html_escape(&fragment[at..r.start]));
        html.push_str("<b>");
        html.push_str(&html_escape(&fragment[r.start..r.end]));
        html.push_str("</b>");
        at = r.end;
    }
    html.push_str(&html_escape(&fragment[at..]));
    html
}

/// The opening of `text`, HTML-escaped, cut on a char boundary.
fn plain_snippet(text: &str) -> String {
    let mut end = text.len().min(SNIPPET_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let mut s = html_escape(text[..end].trim());
    if end < text.len() {
        s.push('…');
    }
    s
}

pub(crate) fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::model::{
        Channel, DocKind, Document, Extraction, Finding, HazardMention, Parties, RegionMention,
        RegionRole,
    };
    use chrono::TimeZone;

    pub(super) fn jieba() -> Arc<jieba_rs::Jieba> {
        let mut j = jieba_rs::Jieba::new();
        for w in ["电动自行车", "移动电源", "电热毯", "浙江省", "江苏省"] {
            j.add_word(w, Some(20000), None);
        }
        Arc::new(j)
    }

    pub(super) struct Fixture {
        pub(super) id: &'static str,
        pub(super) title: &'static str,
        pub(super) text: &'static str,
        pub(super) day: (i32, u32, u32),
        pub(super) category: &'static str,
        pub(super) hazard: &'static str,
        pub(super) province: &'static str,
        pub(super) kind: DocKind,
        pub(super) source: &'static str,
        pub(super) platform: Option<&'static str>,
        pub(super) signal: bool,
    }

    pub(super) fn make(fx: &Fixture) -> (Document, Extraction) {
        let t = Utc
            .with_ymd_and_hms(fx.day.0, fx.day.1, fx.day.2, 9, 30, 0)
            .single()
            .unwrap();
        let mut fields = BTreeMap::new();
        if let Some(p) = fx.platform {
            fields.insert("platform".to_string(), p.to_string());
        }
        let doc = Document {
            id: fx.id.to_string(),
            source: fx.source.to_string(),
            channel: Channel::Complaint,
            kind: Some(fx.kind),
            url: format!("https://example.cn/{}", fx.id),
            title: fx.title.to_string(),
            text: fx.text.to_string(),
            published_at: Some(t),
            fetched_at: t,
            fields,
            rows: vec![],
            region_hint: None,
            weight: 1.0,
        };
        let findings = if fx.signal {
            vec![Finding {
                category: fx.category.into(),
                hazard: fx.hazard.into(),
                severity: 4,
                province: Some(fx.province.into()),
                city: None,
                parties: Parties::default(),
                product: None,
            }]
        } else {
            vec![]
        };
        let ex = Extraction {
            doc_id: fx.id.into(),
            kind: fx.kind,
            categories: vec![fx.category.into()],
            hazards: vec![HazardMention {
                hazard: fx.hazard.into(),
                term: "x".into(),
                severity: 4,
                negated: !fx.signal,
                hypothetical: false,
                category: Some(fx.category.into()),
            }],
            regions: vec![
                RegionMention {
                    text: fx.province.into(),
                    code: "330000".into(),
                    province: fx.province.into(),
                    city: None,
                    role: RegionRole::Event,
                },
                // A company-name mention must never become a region facet.
                RegionMention {
                    text: "天津".into(),
                    code: "120000".into(),
                    province: "天津市".into(),
                    city: None,
                    role: RegionRole::Company,
                },
            ],
            parties: Parties::default(),
            standards: vec![],
            vulnerable: vec![],
            findings,
            is_signal: fx.signal,
            reason: None,
            cluster: fx.id.into(),
            text_cut: None,
            inspections: Vec::new(),
        };
        (doc, ex)
    }

    pub(super) fn fixtures() -> Vec<Fixture> {
        vec![
            Fixture {
                id: "d1",
                title: "杭州一小区电动自行车楼道充电起火",
                text: "3月2日凌晨，杭州市拱墅区某小区一辆电动自行车在楼道内充电时起火，浓烟蔓延至三楼，消防到场后迅速扑灭，所幸无人受伤。",
                day: (2026, 3, 2),
                category: "电动自行车",
                hazard: "火灾",
                province: "浙江省",
                kind: DocKind::Media,
                source: "hz-news",
                platform: None,
                signal: true,
            },
            Fixture {
                id: "d2",
                title: "消费者投诉：網購移動電源使用中鼓包",
                text: "本人在某電商平台購買的移動電源充電時外殼發燙並鼓包，商家拒絕退貨，希望監管部門核查。",
                day: (2026, 3, 5),
                category: "移动电源",
                hazard: "爆炸",
                province: "江苏省",
                kind: DocKind::Complaint,
                source: "ts-12315",
                platform: Some("淘宝"),
                signal: true,
            },
            Fixture {
                id: "d3",
                title: "冬季使用电热毯安全提示",
                text: "起火风险需警惕：电热毯不要折叠使用，本次抽查的电热毯样品均未发生起火，自行车棚内也请勿私拉电线。",
                day: (2026, 2, 20),
                category: "电热毯",
                hazard: "火灾",
                province: "浙江省",
                kind: DocKind::Notice,
                source: "zj-amr",
                platform: None,
                signal: false,
            },
            Fixture {
                id: "d4",
                title: "電動自行車蓄电池抽检不合格",
                text: "起火后才发现电动自行车电池是翻新货，平台店铺已下架相关商品。",
                day: (2026, 3, 8),
                category: "电动自行车",
                hazard: "火灾",
                province: "江苏省",
                kind: DocKind::Listing,
                source: "ts-12315",
                platform: Some("拼多多"),
                signal: true,
            },
        ]
    }

    pub(super) fn build() -> (tempfile::TempDir, Index) {
        let dir = tempfile::tempdir().unwrap();
        let index = Index::open(dir.path(), jieba()).unwrap();
        let mut w = index.writer().unwrap();
        for fx in fixtures() {
            let (d, e) = make(&fx);
            w.upsert(&d, &e).unwrap();
        }
        w.commit().unwrap();
        (dir, index)
    }

    fn ids(r: &SearchResults) -> Vec<String> {
        let mut v: Vec<String> = r.hits.iter().map(|h| h.id.clone()).collect();
        v.sort();
        v
    }

    pub(super) fn q(query: &str) -> SearchRequest {
        SearchRequest {
            query: query.into(),
            ..SearchRequest::default()
        }
    }

    #[test]
    fn histograms_by_day_and_week_and_brand_facets() {
        let (_d, index) = build();
        let mut w = index.writer().unwrap();
        let fx = fixtures().into_iter().find(|f| f.id == "d2").unwrap();
        let (mut doc, ex) = make(&fx);
        doc.fields.insert("brand".into(), "暖邦".into());
        w.upsert(&doc, &ex).unwrap();
        w.commit().unwrap();
        let all = |h| {
            index
                .search(&SearchRequest {
                    histogram: Some(h),
                    ..SearchRequest::default()
                })
                .unwrap()
        };
        let days = all(Interval::Day);
        assert_eq!(
            days.histogram,
            [
                ("2026-02-20".to_string(), 1),
                ("2026-03-02".into(), 1),
                ("2026-03-05".into(), 1),
                ("2026-03-08".into(), 1)
            ]
        );
        // 2026-03-02 is a Monday: the 5th and the 8th fall in its week.
        assert_eq!(
            all(Interval::Week).histogram,
            [("2026-02-16".to_string(), 1), ("2026-03-02".into(), 3)]
        );
        assert_eq!(days.facets["brand"], [("暖邦".to_string(), 1)]);
        let none = index.search(&q("")).unwrap();
        assert!(none.histogram.is_empty(), "only when asked");
        let filtered = index
            .search(&SearchRequest {
                histogram: Some(Interval::Day),
                since: NaiveDate::from_ymd_opt(2026, 3, 3),
                ..q("")
            })
            .unwrap();
        assert_eq!(
            filtered.histogram.iter().map(|(_, n)| n).sum::<u64>(),
            filtered.total
        );
        assert_eq!(filtered.histogram.len(), 2);
    }

    #[test]
    fn whole_word_and_traditional_query_find_the_document() {
        let (_d, index) = build();
        assert_eq!(index.num_docs(), 4);
        let r = index.search(&q("电动自行车")).unwrap();
        assert_eq!(ids(&r), vec!["d1", "d4"]);
        assert_eq!(r.total, 2);
        // Traditional query, and traditional text in d4's title, both fold to the same terms.
        let r = index.search(&q("電動自行車")).unwrap();
        assert_eq!(ids(&r), vec!["d1", "d4"]);
        // Simplified query finds the document written in traditional characters.
        let r = index.search(&q("移动电源 鼓包")).unwrap();
        assert_eq!(ids(&r), vec!["d2"]);
        // The inner word is indexed too: 自行车 finds the e-bike stories and the bicycle-shed one.
        let r = index.search(&q("自行车")).unwrap();
        assert_eq!(ids(&r), vec!["d1", "d3", "d4"]);
    }

    #[test]
    fn unspaced_words_are_anded_and_phrases_keep_order() {
        let (_d, index) = build();
        // 充电起火 without quotes: both words anywhere (d1 only; d2 has 充电 but no 起火).
        let r = index.search(&q("充电起火")).unwrap();
        assert_eq!(ids(&r), vec!["d1"]);
        // Phrase: d1 says 充电时起火 (not adjacent) so only the exact order matches.
        let r = index.search(&q("\"电动自行车在楼道\"")).unwrap();
        assert_eq!(ids(&r), vec!["d1"]);
        let r = index.search(&q("\"楼道在电动自行车\"")).unwrap();
        assert!(r.hits.is_empty());
        let r = index.search(&q("\"起火电动自行车\"")).unwrap();
        assert!(r.hits.is_empty());
        // AND by default: 电热毯 and 淘宝 are never in one document.
        let r = index.search(&q("电热毯 电动自行车")).unwrap();
        assert!(r.hits.is_empty());
        let r = index.search(&q("电热毯 OR 鼓包")).unwrap();
        assert_eq!(ids(&r), vec!["d2", "d3"]);
    }

    #[test]
    fn facets_count_the_filtered_set() {
        let (_d, index) = build();
        let r = index.search(&q("")).unwrap();
        assert_eq!(r.total, 4);
        let count = |r: &SearchResults, facet: &str, v: &str| {
            r.facets
                .get(facet)
                .and_then(|f| f.iter().find(|(k, _)| k == v))
                .map(|(_, n)| *n)
        };
        assert_eq!(count(&r, "category", "电动自行车"), Some(2));
        assert_eq!(count(&r, "province", "浙江省"), Some(2));
        assert_eq!(
            count(&r, "province", "天津市"),
            None,
            "company-name regions are not facets"
        );
        // d3's hazard is negated: only the three signals report 火灾/爆炸.
        assert_eq!(count(&r, "hazard", "火灾"), Some(2));
        assert_eq!(count(&r, "source", "ts-12315"), Some(2));
        assert_eq!(count(&r, "platform", "淘宝"), Some(1));
        assert_eq!(count(&r, "kind", "notice"), Some(1));

        let r = index
            .search(&SearchRequest {
                region: Some("江苏省".into()),
                ..SearchRequest::default()
            })
            .unwrap();
        assert_eq!(ids(&r), vec!["d2", "d4"]);
        assert_eq!(count(&r, "category", "电动自行车"), Some(1));
        assert_eq!(count(&r, "category", "移动电源"), Some(1));
        assert_eq!(count(&r, "province", "浙江省"), None);

        let r = index
            .search(&SearchRequest {
                category: Some("电动自行车".into()),
                hazard: Some("火灾".into()),
                ..SearchRequest::default()
            })
            .unwrap();
        assert_eq!(ids(&r), vec!["d1", "d4"]);
        let r = index
            .search(&SearchRequest {
                signals_only: true,
                ..q("起火")
            })
            .unwrap();
        assert_eq!(ids(&r), vec!["d1", "d4"]);
        let r = index
            .search(&SearchRequest {
                kind: Some("notice".into()),
                ..q("起火")
            })
            .unwrap();
        assert_eq!(ids(&r), vec!["d3"]);
    }

    #[test]
    fn date_filters_and_date_sort() {
        let (_d, index) = build();
        let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d);
        let r = index
            .search(&SearchRequest {
                since: day(3, 2),
                until: day(3, 5),
                ..q("")
            })
            .unwrap();
        assert_eq!(ids(&r), vec!["d1", "d2"]);
        assert_eq!(r.total, 2);
        let r = index
            .search(&SearchRequest {
                since: day(3, 6),
                ..q("")
            })
            .unwrap();
        assert_eq!(ids(&r), vec!["d4"]);
        let r = index
            .search(&SearchRequest {
                until: day(2, 28),
                ..q("")
            })
            .unwrap();
        assert_eq!(ids(&r), vec!["d3"]);
        // Days beyond tantivy's nanosecond range are its ends, not an overflow (schemathesis
        // found `since=0136-08-17` answering 500).
        let r = index
            .search(&SearchRequest {
                since: NaiveDate::from_ymd_opt(136, 8, 17),
                until: NaiveDate::from_ymd_opt(9999, 12, 31),
                ..q("")
            })
            .unwrap();
        assert_eq!(r.total, 4);
        let r = index
            .search(&SearchRequest {
                since: NaiveDate::from_ymd_opt(9999, 1, 1),
                ..q("")
            })
            .unwrap();
        assert_eq!(r.total, 0);
        let r = index
            .search(&SearchRequest {
                sort: Sort::Date,
                ..q("起火")
            })
            .unwrap();
        let order: Vec<&str> = r.hits.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(order, vec!["d4", "d1", "d3"]);
        assert_eq!(r.hits[0].published.as_deref(), Some("2026-03-08T09:30:00Z"));
        // Paging: the second page of one.
        let r = index
            .search(&SearchRequest {
                sort: Sort::Date,
                limit: 1,
                offset: 1,
                ..q("起火")
            })
            .unwrap();
        assert_eq!(r.hits.len(), 1);
        assert_eq!(r.hits[0].id, "d1");
        assert_eq!(r.total, 3);
    }

    #[test]
    fn upsert_twice_keeps_one_document() {
        let (_d, index) = build();
        let mut fx = fixtures().remove(0);
        fx.title = "杭州一小区电动自行车楼道充电起火（更新）";
        fx.text = "更新：起火的电动自行车电池为非原厂改装电池，物业已清理楼道。";
        let (d, e) = make(&fx);
        let mut w = index.writer().unwrap();
        w.upsert(&d, &e).unwrap();
        w.upsert(&d, &e).unwrap();
        w.commit().unwrap();
        assert_eq!(index.num_docs(), 4);
        let stored = index.get("d1").unwrap().unwrap();
        assert!(stored.title.contains("更新"));
        assert!(stored.text.contains("改装电池"));
        assert_eq!(stored.provinces, vec!["浙江省"]);
        let r = index.search(&q("改装电池")).unwrap();
        assert_eq!(ids(&r), vec!["d1"]);
        assert!(
            index.search(&q("浓烟蔓延")).unwrap().hits.is_empty(),
            "old version is gone"
        );
        assert!(index.get("no-such-doc").unwrap().is_none());
    }

    #[test]
    fn highlights_outside_the_fragment_are_dropped_not_a_panic() {
        let frag = "电动自行车<起火>";
        // a subword range past the end, one off a char boundary, and two that overlap
        let html = highlight_html(frag, &[0..15, 3..9, 20..26, 1..4, 16..19]);
        assert_eq!(html, "<b>电动自行车</b>&lt;<b>起</b>火&gt;");
        assert_eq!(highlight_html(frag, &[]), "电动自行车&lt;起火&gt;");
    }

    #[test]
    fn touching_highlights_are_one_mark() {
        // 冒火花 is highlighted as its tokens 冒火 + 花; the reader sees the phrase
        let frag = "突然冒火花，烧焦";
        assert_eq!(
            highlight_html(frag, &[6..12, 12..15, 18..24]),
            "突然<b>冒火花</b>，<b>烧焦</b>"
        );
    }

    #[test]
    fn snippets_highlight_and_escape() {
        let dir = tempfile::tempdir().unwrap();
        let index = Index::open(dir.path(), jieba()).unwrap();
        let mut w = index.writer().unwrap();
        let mut fx = fixtures().remove(1);
        fx.text = "標題<script>alert(1)</script>：移動電源充電時鼓包，外殼發燙。";
        let (d, e) = make(&fx);
        w.upsert(&d, &e).unwrap();
        w.commit().unwrap();
        let r = index.search(&q("移动电源")).unwrap();
        let snip = &r.hits[0].snippet;
        // The highlighted words are the original traditional characters.
        assert!(snip.contains("<b>移動電源</b>"), "{snip}");
        assert!(!snip.contains("<script>"), "{snip}");
        assert!(snip.contains("&lt;script&gt;"), "{snip}");
        let stored = index.get(&d.id).unwrap().unwrap();
        let s = index.snippet(&stored, "鼓包 OR 爆炸");
        assert!(s.contains("<b>鼓包</b>"), "{s}");
        // A highlight that does not parse falls back to the escaped opening.
        let s = index.snippet(&stored, "((");
        assert!(s.starts_with("標題&lt;script&gt;"), "{s}");
    }

    #[test]
    fn bad_queries_are_errors_not_panics() {
        let (_d, index) = build();
        for bad in [
            "title:(",
            "nosuchfield:起火",
            "\"unclosed",
            "起火 AND",
            "[2020 TO",
        ] {
            match index.search(&q(bad)) {
                Err(IndexError::Query(msg)) => assert!(!msg.is_empty()),
                Ok(_) => {} // tantivy may accept some as lenient syntax; it must not panic
                Err(e) => panic!("{bad}: unexpected error kind {e}"),
            }
        }
        assert!(matches!(
            index.search(&q("nosuchfield:起火")),
            Err(IndexError::Query(_))
        ));
        assert!(matches!(
            index.search(&q("title:(")),
            Err(IndexError::Query(_))
        ));
        // Zero limit and a huge offset are clamped, not panics.
        let r = index
            .search(&SearchRequest {
                limit: 0,
                offset: usize::MAX,
                ..q("")
            })
            .unwrap();
        assert!(r.hits.is_empty());
        assert_eq!(r.total, 4);
    }

    #[test]
    fn index_is_shareable_across_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Index>();
    }

    #[test]
    fn an_index_of_another_schema_version_is_refused_with_a_reindex_hint() {
        let (dir, index) = build();
        drop(index);
        let version = dir.path().join(VERSION_FILE);
        assert_eq!(
            std::fs::read_to_string(&version).unwrap(),
            SCHEMA_VERSION.to_string()
        );
        std::fs::write(&version, (SCHEMA_VERSION + 1).to_string()).unwrap();
        let Err(e) = Index::open(dir.path(), jieba()) else {
            panic!("a newer schema version must not open")
        };
        assert!(matches!(e, IndexError::Version { .. }), "{e}");
        let msg = e.to_string();
        let data = dir.path().parent().unwrap().display().to_string();
        assert!(
            msg.contains(&format!("jiance reindex --data {data}")),
            "{msg}"
        );
        assert!(
            msg.contains(&format!("has schema version {}", SCHEMA_VERSION + 1)),
            "{msg}"
        );
        // An index from before versions existed has documents but no version file.
        std::fs::remove_file(&version).unwrap();
        let Err(e) = Index::open(dir.path(), jieba()) else {
            panic!("an unversioned index must not open")
        };
        assert!(e.to_string().contains("no schema version"), "{e}");
        // Restoring the right version opens it again, documents intact.
        std::fs::write(&version, SCHEMA_VERSION.to_string()).unwrap();
        assert_eq!(Index::open(dir.path(), jieba()).unwrap().num_docs(), 4);
    }

    fn one_doc_index(dir: &Path, fx: Fixture) {
        let index = Index::open(dir, jieba()).unwrap();
        let mut w = index.writer().unwrap();
        let (d, e) = make(&fx);
        w.upsert(&d, &e).unwrap();
        w.finish().unwrap();
    }

    #[test]
    fn swap_replaces_the_live_index_and_an_interrupted_swap_is_finished() {
        let root = tempfile::tempdir().unwrap();
        let live = root.path().join("index");
        let mut fx = fixtures();
        let (d2, d1) = (fx.remove(1), fx.remove(0));
        one_doc_index(&live, d1);
        let staged = staging_path(&live);
        assert_eq!(staged, root.path().join("index.new"));
        one_doc_index(&staged, d2);
        swap_in(&staged, &live).unwrap();
        let index = Index::open(&live, jieba()).unwrap();
        assert_eq!(index.num_docs(), 1);
        assert!(index.get("d2").unwrap().is_some());
        assert!(!staged.exists() && !root.path().join("index.old").exists());
        drop(index);

        // A crash between the two renames: no live index, the old one aside, the new one staged.
        let mut fx = fixtures();
        one_doc_index(&staged, fx.remove(2));
        std::fs::rename(&live, root.path().join("index.old")).unwrap();
        let index = Index::open(&live, jieba()).unwrap();
        assert!(index.get("d3").unwrap().is_some(), "the staged index won");
        assert!(!root.path().join("index.old").exists());
        drop(index);

        // The old one aside and nothing staged: the old one comes back.
        std::fs::rename(&live, root.path().join("index.old")).unwrap();
        let index = Index::open(&live, jieba()).unwrap();
        assert!(index.get("d3").unwrap().is_some());
    }

    #[test]
    fn overlong_queries_are_refused() {
        let (_d, index) = build();
        let long = "起火 ".repeat(MAX_QUERY_BYTES);
        match index.search(&q(&long)) {
            Err(IndexError::Query(m)) => assert!(m.contains("at most"), "{m}"),
            other => panic!("{other:?}"),
        }
        // The longest accepted query still runs.
        let ok = "起火 ".repeat(MAX_QUERY_BYTES / "起火 ".len());
        assert!(index.search(&q(&ok)).is_ok());
    }

    #[test]
    fn reopening_keeps_documents() {
        let (dir, index) = build();
        drop(index);
        let index = Index::open(dir.path(), jieba()).unwrap();
        assert_eq!(index.num_docs(), 4);
        assert_eq!(ids(&index.search(&q("鼓包")).unwrap()), vec!["d2"]);
    }
}
