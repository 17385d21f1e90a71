//! Searching: a request → the tantivy query (text with concepts expanded, filters from the
//! request and from the query text, "more like this") → hits, one per story unless asked
//! otherwise, with facets counted per document and per story.

use std::collections::BTreeMap;

use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, ConstScoreQuery, MoreLikeThisQuery, Occur, Query, RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption, OwnedValue};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DateTime, DocAddress, Order, Searcher, TantivyDocument, Term};

use super::collapse::{Stories, StoryFacets, ranked};
use super::query::{Expansion, Prepared, prepare};
use super::*;

/// Other copies of a story listed with its hit.
const MAX_COPIES: usize = 50;

/// "More like this": the query, and the filter of the document's own story (to leave out).
type LikeQuery = (Box<dyn Query>, Box<dyn Query>);

/// A request turned into queries.
pub(crate) struct Built {
    /// The full query: text AND filters.
    pub query: Box<dyn Query>,
    /// The scoring part alone (text, "more like this"), for snippets and for deciding the order.
    pub text: Option<Box<dyn Query>>,
    pub expansions: Vec<Expansion>,
    /// Filters written in the query text, as applied.
    pub applied: Vec<(String, String)>,
}

impl Index {
    fn prepare_text(&self, text: &str, literal: bool) -> Result<Prepared, IndexError> {
        if text.len() > MAX_QUERY_BYTES {
            return Err(IndexError::Query(format!(
                "the query is {} bytes long; at most {MAX_QUERY_BYTES} are accepted",
                text.len()
            )));
        }
        let concepts = if literal {
            None
        } else {
            self.concepts.as_deref()
        };
        prepare(&self.jieba, concepts, text)
            .map_err(|e| IndexError::Query(format!("{text:?}: {e}")))
    }

    fn parse_prepared(&self, original: &str, prepared: &str) -> Result<Box<dyn Query>, IndexError> {
        self.parser
            .parse_query(prepared)
            .map_err(|e| IndexError::Query(format!("{original:?}: {e}")))
    }

    /// A literal query without filters (watch rules, snippets of alert evidence).
    pub(super) fn parse(&self, text: &str) -> Result<Box<dyn Query>, IndexError> {
        let p = self.prepare_text(text, true)?;
        if !p.filters.applied.is_empty() {
            return Err(IndexError::Query(format!(
                "{text:?}: filters such as category: or since: apply to searches only"
            )));
        }
        self.parse_prepared(text, &p.text)
    }

    fn term_filter(&self, field: Field, value: &str) -> Box<dyn Query> {
        Box::new(TermQuery::new(
            Term::from_field_text(field, value),
            IndexRecordOption::Basic,
        ))
    }

    /// "More like this" document `id`: its title and text's most telling words; the document's
    /// own story (its cluster) is left out, since its copies are trivially alike.
    fn like_query(&self, id: &str) -> Result<LikeQuery, IndexError> {
        let Some(doc) = self.get(id)? else {
            return Err(IndexError::NoDocument(id.to_string()));
        };
        let f = &self.fields;
        // words in over a quarter of all documents tell nothing (only once there are enough)
        let n = self.num_docs();
        let common = if n >= 40 { n / 4 } else { n };
        let mlt = MoreLikeThisQuery::builder()
            .with_min_doc_frequency(1)
            .with_max_doc_frequency(common)
            .with_min_term_frequency(1)
            .with_min_word_length(4)
            .with_max_query_terms(30)
            .with_document_fields(vec![
                (f.title, vec![OwnedValue::Str(doc.title.clone())]),
                (f.text, vec![OwnedValue::Str(doc.text.clone())]),
            ]);
        let own = self.term_filter(f.cluster, &doc.cluster);
        Ok((Box::new(mlt), own))
    }

    /// The full query: the text query (or all documents) AND every filter; filters do not score.
    pub(crate) fn build_query(&self, req: &SearchRequest) -> Result<Built, IndexError> {
        let f = &self.fields;
        let q = req.query.trim();
        let prepared = if q.is_empty() || q == "*" {
            Prepared::default()
        } else {
            self.prepare_text(q, req.literal)?
        };
        let text = prepared.text.trim();
        let mut text_query = if text.is_empty() || text == "*" {
            None
        } else {
            Some(self.parse_prepared(q, text)?)
        };
        let mut exclude = None;
        if let Some(id) = req.like.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            let (mlt, own) = self.like_query(id)?;
            exclude = Some(own);
            text_query = Some(match text_query {
                None => mlt,
                Some(t) => Box::new(BooleanQuery::new(vec![
                    (Occur::Must, t),
                    (Occur::Must, mlt),
                ])),
            });
        }
        let qf = &prepared.filters;
        let mut filters: Vec<Box<dyn Query>> = Vec::new();
        let one = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        let exact = [
            (
                f.categories,
                one(&req.category).into_iter().chain(qf.category.clone()),
            ),
            (
                f.hazards,
                one(&req.hazard).into_iter().chain(qf.hazard.clone()),
            ),
            (f.kind, one(&req.kind).into_iter().chain(qf.kind.clone())),
            (
                f.source,
                one(&req.source).into_iter().chain(qf.source.clone()),
            ),
        ];
        for (field, values) in exact {
            for v in values {
                filters.push(self.term_filter(field, &v));
            }
        }
        for r in one(&req.region).into_iter().chain(qf.region.clone()) {
            filters.push(Box::new(BooleanQuery::new(vec![
                (Occur::Should, self.term_filter(f.provinces, &r)),
                (Occur::Should, self.term_filter(f.cities, &r)),
            ])));
        }
        if req.signals_only {
            filters.push(Box::new(TermQuery::new(
                Term::from_field_u64(f.is_signal, 1),
                IndexRecordOption::Basic,
            )));
        }
        // both bounds hold: the later start, the earlier end
        let since = req.since.into_iter().chain(qf.since).max();
        let until = req.until.into_iter().chain(qf.until).min();
        if since.is_some() || until.is_some() {
            use std::ops::Bound;
            let lo = since.map_or(Bound::Unbounded, |d| {
                Bound::Included(Term::from_field_date(f.day, day_start(d)))
            });
            let hi = until.map_or(Bound::Unbounded, |d| {
                Bound::Included(Term::from_field_date(f.day, day_start(d)))
            });
            filters.push(Box::new(RangeQuery::new(lo, hi)));
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if let Some(tq) = &text_query {
            clauses.push((Occur::Must, tq.box_clone()));
        }
        for flt in filters {
            clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(flt, 0.0))));
        }
        if let Some(own) = exclude {
            if clauses.is_empty() {
                clauses.push((Occur::Must, Box::new(AllQuery)));
            }
            clauses.push((Occur::MustNot, own));
        }
        let query: Box<dyn Query> = if clauses.is_empty() {
            Box::new(AllQuery)
        } else {
            Box::new(BooleanQuery::new(clauses))
        };
        Ok(Built {
            query,
            text: text_query,
            expansions: prepared.expansions,
            applied: prepared.filters.applied,
        })
    }

    pub fn search(&self, req: &SearchRequest) -> Result<SearchResults, IndexError> {
        let built = self.build_query(req)?;
        let query = &built.query;
        let searcher = self.reader.searcher();
        let offset = req.offset.min(MAX_WINDOW);
        // TopDocs panics on a zero limit: ask for one and drop it.
        let limit = req.limit.clamp(1, MAX_WINDOW);
        let facets = facets::FacetCollector {
            facets: FACETS.to_vec(),
        };
        let by_date = req.sort == Sort::Date || built.text.is_none();
        let mut stories = None;
        let mut facet_stories = BTreeMap::new();
        // (score, address, matching copies)
        let (top, total, counts): (Vec<(f32, DocAddress, u64)>, usize, facets::FacetCounts) =
            if req.collapse {
                let story_facets = StoryFacets {
                    facets: FACETS.to_vec(),
                };
                let (groups, total, counts, per_story) = searcher.search(
                    &**query,
                    &(Stories { by_date }, Count, facets, story_facets),
                )?;
                stories = Some(groups.len() as u64);
                facet_stories = per_story;
                let page = ranked(groups)
                    .into_iter()
                    .skip(offset)
                    .take(limit)
                    .map(|(_, s)| {
                        let score = if by_date { 0.0 } else { s.key as f32 };
                        (score, s.addr, s.count)
                    })
                    .collect();
                (page, total, counts)
            } else if by_date {
                let top = TopDocs::with_limit(limit)
                    .and_offset(offset)
                    .order_by_fast_field::<DateTime>("day", Order::Desc);
                let (docs, total, counts) = searcher.search(&**query, &(top, Count, facets))?;
                (
                    docs.into_iter().map(|(_, a)| (0.0, a, 1)).collect(),
                    total,
                    counts,
                )
            } else {
                let top = TopDocs::with_limit(limit)
                    .and_offset(offset)
                    .order_by_score();
                let (docs, total, counts) = searcher.search(&**query, &(top, Count, facets))?;
                (
                    docs.into_iter().map(|(s, a)| (s, a, 1)).collect(),
                    total,
                    counts,
                )
            };
        // "more like this" has no terms to highlight until it runs: its snippets are openings
        let snippets = match &built.text {
            Some(tq) => SnippetGenerator::create(&searcher, &**tq, self.fields.text)
                .ok()
                .map(|mut g| {
                    g.set_max_num_chars(SNIPPET_BYTES);
                    g
                }),
            None => None,
        };
        let mut hits = Vec::with_capacity(top.len());
        for (score, addr, copies) in top.into_iter().take(req.limit) {
            let doc: TantivyDocument = searcher.doc(addr)?;
            let stored = self.stored(&doc);
            let snippet = match &snippets {
                Some(g) => {
                    let s = g.snippet(&stored.text);
                    if s.is_empty() {
                        plain_snippet(&stored.text)
                    } else {
                        super::snippet_html(&s)
                    }
                }
                None => plain_snippet(&stored.text),
            };
            let others = if copies > 1 {
                self.copies(&searcher, &**query, &stored)?
            } else {
                Vec::new()
            };
            let mut sources = vec![stored.source.clone()];
            for o in &others {
                push_unique(&mut sources, &o.source);
            }
            hits.push(Hit {
                id: stored.id,
                title: stored.title,
                url: stored.url,
                source: stored.source,
                kind: stored.kind,
                published: stored.published,
                snippet,
                categories: stored.categories,
                hazards: stored.hazards,
                provinces: stored.provinces,
                is_signal: stored.is_signal,
                score,
                cluster: stored.cluster,
                copies,
                sources,
                others,
            });
        }
        let histogram = match req.histogram {
            None => Vec::new(),
            Some(interval) => {
                let days = searcher.search(&**query, &facets::DayHistogram { field: "day" })?;
                facets::bucket(days, interval)
            }
        };
        let facets = counts
            .into_iter()
            .map(|(name, values)| {
                let mut v: Vec<(String, u64)> = values.into_iter().collect();
                v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                v.truncate(FACET_TOP);
                (name, v)
            })
            .collect::<BTreeMap<_, _>>();
        // story counts only for the values shown
        let facet_stories = facet_stories
            .into_iter()
            .map(|(name, mut per)| {
                let shown: Vec<&String> = facets
                    .get(&name)
                    .map(|v| v.iter().map(|(k, _)| k).collect())
                    .unwrap_or_default();
                per.retain(|k, _| shown.contains(&k));
                (name, per)
            })
            .collect();
        Ok(SearchResults {
            total: total as u64,
            stories,
            hits,
            facets,
            facet_stories,
            histogram,
            expansions: built.expansions,
            query_filters: built.applied,
        })
    }

    /// The other matching documents of `hit`'s story, earliest first.
    fn copies(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        hit: &StoredDoc,
    ) -> Result<Vec<Copy>, IndexError> {
        let q = BooleanQuery::new(vec![
            (Occur::Must, query.box_clone()),
            (
                Occur::Must,
                Box::new(ConstScoreQuery::new(
                    self.term_filter(self.fields.cluster, &hit.cluster),
                    0.0,
                )),
            ),
        ]);
        let top =
            TopDocs::with_limit(MAX_COPIES + 1).order_by_fast_field::<DateTime>("day", Order::Asc);
        let mut out = Vec::new();
        for (_, addr) in searcher.search(&q, &top)? {
            let doc: TantivyDocument = searcher.doc(addr)?;
            let d = self.stored(&doc);
            if d.id != hit.id && out.len() < MAX_COPIES {
                out.push(Copy {
                    id: d.id,
                    title: d.title,
                    url: d.url,
                    source: d.source,
                    published: d.published,
                });
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::{Concept, Vocabulary};
    use crate::index::tests::{build, fixtures, make, q};

    /// The fixtures, d1 reposted by another source (same cluster), and the rules' e-bike and fire
    /// concepts (a few of their words).
    fn with_repost() -> (tempfile::TempDir, Index) {
        let (dir, mut index) = build();
        let fx = fixtures().into_iter().find(|f| f.id == "d1").unwrap();
        let (mut doc, mut ex) = make(&fx);
        doc.id = "d1-repost".into();
        doc.source = "news-portal".into();
        doc.url = "https://news.example.cn/d1".into();
        ex.doc_id = doc.id.clone();
        ex.cluster = "d1".into();
        let mut w = index.writer().unwrap();
        w.upsert(&doc, &ex).unwrap();
        w.commit().unwrap();
        let c = |name: &str, words: &[&str]| Concept {
            name: name.into(),
            words: words.iter().map(|w| w.to_string()).collect(),
        };
        index.set_vocabulary(&Vocabulary {
            folded: false,
            categories: vec![c("电动自行车", &["电动自行车", "电动车", "电瓶车"])],
            hazards: vec![c("火灾", &["火灾", "起火", "自燃", "着火"])],
        });
        (dir, index)
    }

    #[test]
    fn one_hit_per_story_with_its_copies_and_story_facets() {
        let (_d, index) = with_repost();
        let r = index.search(&q("起火")).unwrap();
        assert_eq!(r.total, 4, "d1, its repost, d3 and d4");
        assert_eq!(r.stories, Some(3));
        assert_eq!(r.hits.len(), 3);
        let story = r.hits.iter().find(|h| h.cluster == "d1").unwrap();
        assert_eq!(story.copies, 2);
        assert_eq!(story.others.len(), 1);
        assert_ne!(story.others[0].id, story.id);
        assert_eq!(story.sources.len(), 2, "{:?}", story.sources);
        let cat = &r.facets["category"];
        assert!(cat.contains(&("电动自行车".to_string(), 3)), "{cat:?}");
        assert_eq!(r.facet_stories["category"]["电动自行车"], 2);
        let all = index
            .search(&SearchRequest {
                collapse: false,
                ..q("起火")
            })
            .unwrap();
        assert_eq!(all.hits.len(), 4);
        assert_eq!(all.stories, None);
        // by date too (newest story first), and pages go over stories
        let page = |offset| {
            index
                .search(&SearchRequest {
                    sort: Sort::Date,
                    limit: 1,
                    offset,
                    ..q("起火")
                })
                .unwrap()
                .hits
        };
        let pages: Vec<String> = (0..4).flat_map(page).map(|h| h.cluster).collect();
        assert_eq!(
            pages,
            ["d4", "d1", "d3"],
            "03-08, 03-02 (two copies), 02-20"
        );
    }

    #[test]
    fn concept_words_find_the_whole_concept_and_literal_does_not() {
        let (_d, index) = with_repost();
        let literal = index
            .search(&SearchRequest {
                literal: true,
                ..q("电瓶车 着火")
            })
            .unwrap();
        assert_eq!(literal.total, 0);
        assert!(literal.expansions.is_empty());
        let concept = index.search(&q("电瓶车 着火")).unwrap();
        assert_eq!(
            concept.total, 3,
            "d1, its repost and d4: {:?}",
            concept.hits
        );
        assert_eq!(concept.expansions.len(), 2);
        assert_eq!(concept.expansions[0].concept, "电动自行车");
        assert_eq!(concept.expansions[1].concept, "火灾");
        let quoted = index.search(&q("\"电瓶车\"")).unwrap();
        assert_eq!(quoted.total, 0, "a quoted word stays literal");
    }

    #[test]
    fn filters_in_the_query_are_the_request_filters() {
        let (_d, index) = with_repost();
        let written = index
            .search(&q("起火 category:电瓶车 province:浙江省 since:2026-03-01"))
            .unwrap();
        let flags = index
            .search(&SearchRequest {
                category: Some("电动自行车".into()),
                region: Some("浙江省".into()),
                since: NaiveDate::from_ymd_opt(2026, 3, 1),
                ..q("起火")
            })
            .unwrap();
        assert_eq!(written.total, flags.total);
        assert!(written.total > 0);
        assert_eq!(
            written.query_filters,
            [
                ("category".to_string(), "电动自行车".to_string()),
                ("province".into(), "浙江省".into()),
                ("since".into(), "2026-03-01".into())
            ]
        );
        assert!(matches!(
            index.search(&q("kind:gossip")),
            Err(IndexError::Query(_))
        ));
    }

    #[test]
    fn more_like_this_leaves_out_the_document_and_its_copies() {
        let (_d, index) = with_repost();
        let r = index
            .search(&SearchRequest {
                like: Some("d1".into()),
                ..q("")
            })
            .unwrap();
        assert!(!r.hits.is_empty());
        assert!(r.hits.iter().all(|h| h.cluster != "d1"), "{:?}", r.hits);
        assert_eq!(r.hits[0].id, "d4", "the other e-bike fire is most alike");
        assert!(matches!(
            index.search(&SearchRequest {
                like: Some("nope".into()),
                ..q("")
            }),
            Err(IndexError::NoDocument(_))
        ));
    }

    #[test]
    fn exports_every_match_as_csv_and_xlsx() {
        use calamine::{Reader, Xlsx, open_workbook};
        let (d, index) = with_repost();
        let req = SearchRequest {
            limit: 1,
            ..q("起火")
        };
        let mut csv_out = Vec::new();
        let s = index.export_csv(&req, &mut csv_out).unwrap();
        assert_eq!(
            (s.rows, s.total),
            (4, 4),
            "all of it, not one page or story"
        );
        let text = String::from_utf8(csv_out).unwrap();
        let mut rd = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        assert_eq!(
            rd.headers().unwrap().iter().collect::<Vec<_>>(),
            export::COLUMNS
        );
        let rows: Vec<csv::StringRecord> = rd.records().map(|r| r.unwrap()).collect();
        assert_eq!(rows.len(), 4);
        assert!(rows.iter().any(|r| &r[0] == "d1-repost" && &r[1] == "d1"));
        let path = d.path().join("out.xlsx");
        let s = index.export_xlsx(&req, &path).unwrap();
        assert_eq!(s.rows, 4);
        let mut book: Xlsx<_> = open_workbook(&path).unwrap();
        let range = book.worksheet_range("results").unwrap();
        assert_eq!(range.height(), 5);
        assert_eq!(range.get((0, 0)).unwrap().to_string(), "id");
        assert_eq!(range.get((0, 8)).unwrap().to_string(), "categories");
    }
}
