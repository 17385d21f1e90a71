//! stub
use crate::model::*;
use chrono::NaiveDate;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("query: {0}")]
    Query(String),
}
pub struct Index;
pub struct IndexWriter;
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    #[default]
    Relevance,
    Date,
}
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    pub query: String,
    pub category: Option<String>,
    pub hazard: Option<String>,
    pub region: Option<String>,
    pub kind: Option<String>,
    pub source: Option<String>,
    pub since: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
    pub sort: Sort,
    pub limit: usize,
    pub offset: usize,
    pub signals_only: bool,
}
#[derive(Debug, Clone, serde::Serialize)]
pub struct Hit {
    pub id: String,
    pub title: String,
    pub url: String,
    pub source: String,
    pub kind: String,
    pub published: Option<String>,
    pub snippet: String,
    pub categories: Vec<String>,
    pub hazards: Vec<String>,
    pub provinces: Vec<String>,
    pub is_signal: bool,
    pub score: f32,
}
#[derive(Debug, Clone, serde::Serialize)]
pub struct SearchResults {
    pub total: u64,
    pub hits: Vec<Hit>,
    pub facets: BTreeMap<String, Vec<(String, u64)>>,
}
impl Index {
    pub fn open(dir: &Path, jieba: Arc<jieba_rs::Jieba>) -> Result<Index, IndexError> {
        todo!("{dir:?}{}", jieba.cut("a", false).len())
    }
    pub fn writer(&self) -> Result<IndexWriter, IndexError> {
        todo!()
    }
    pub fn search(&self, req: &SearchRequest) -> Result<SearchResults, IndexError> {
        todo!("{req:?}")
    }
    pub fn num_docs(&self) -> u64 {
        todo!()
    }
}
impl IndexWriter {
    pub fn upsert(&mut self, doc: &Document, ex: &Extraction) -> Result<(), IndexError> {
        todo!("{doc:?}{ex:?}")
    }
    pub fn commit(&mut self) -> Result<(), IndexError> {
        todo!()
    }
}
