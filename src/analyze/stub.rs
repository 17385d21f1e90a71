use crate::config::ConfigError;
use crate::model::*;
use std::path::Path;
use std::sync::Arc;
pub struct Analyzer;
impl Analyzer {
    pub fn load(
        rules_dir: Option<&Path>,
        dict_dir: Option<&Path>,
    ) -> Result<Analyzer, Vec<ConfigError>> {
        todo!("{rules_dir:?}{dict_dir:?}")
    }
    pub fn jieba(&self) -> Arc<jieba_rs::Jieba> {
        todo!()
    }
    pub fn analyze(&self, doc: &Document, clusters: &mut ClusterIndex) -> Extraction {
        todo!("{doc:?}{}", clusters.0)
    }
    pub fn test_items(&self, hazard: &str) -> &[String] {
        todo!("{hazard}")
    }
}
pub fn signals(doc: &Document, ex: &Extraction) -> Vec<Signal> {
    todo!("{doc:?}{ex:?}")
}
pub fn check(rules_dir: Option<&Path>, dict_dir: Option<&Path>) -> Vec<ConfigError> {
    todo!("{rules_dir:?}{dict_dir:?}")
}
pub struct ClusterIndex(pub u8);
impl ClusterIndex {
    pub fn new() -> Self {
        ClusterIndex(0)
    }
    pub fn from_entries(entries: impl IntoIterator<Item = (String, u64, String)>) -> Self {
        let _ = entries.into_iter().count();
        ClusterIndex(0)
    }
    pub fn assign(&mut self, doc_id: &str, text: &str) -> (u64, String) {
        todo!("{doc_id}{text}")
    }
    pub fn take_new(&mut self) -> Vec<(String, u64, String)> {
        todo!()
    }
}
