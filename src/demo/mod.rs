//! stub
use crate::config::{ConfigError, SourceConfig};
use chrono::NaiveDate;
use std::collections::BTreeMap;
use std::sync::Arc;
pub struct Scenario {
    pub seed: u64,
    pub end: NaiveDate,
    pub docs: Vec<u8>,
}
pub fn scenario(seed: u64, end: NaiveDate) -> Scenario {
    todo!("{seed}{end}")
}
pub struct Expectations {
    pub regional_category: String,
    pub regional_province: String,
    pub systemic_category: String,
    pub systemic_provinces: Vec<String>,
}
impl Scenario {
    pub fn expectations(&self) -> Expectations {
        todo!()
    }
}
pub struct DemoSites;
impl DemoSites {
    pub async fn start(scenario: Arc<Scenario>) -> std::io::Result<DemoSites> {
        todo!("{}", scenario.seed)
    }
    pub fn base_urls(&self) -> &BTreeMap<String, String> {
        todo!()
    }
    pub fn sources(&self) -> Result<Vec<SourceConfig>, Vec<ConfigError>> {
        todo!()
    }
    pub async fn shutdown(self) {}
}
pub const DEMO_SOURCES_TOML: &str = "";
