//! Why an action was chosen, in both languages: made by the gates (`alert.rs`), the facts of a
//! cell (`facts.rs`) and read by the breakdown (`breakdown.rs`). Its own file, so that none of
//! those three needs another for it.

/// Why an action was chosen, in Chinese (for the summary) and English (with it, in the breakdown).
#[derive(Debug, Clone, Default)]
pub(super) struct Why {
    pub(super) zh: String,
    pub(super) en: String,
}

impl Why {
    pub(super) fn new(zh: impl Into<String>, en: impl Into<String>) -> Why {
        Why {
            zh: zh.into(),
            en: en.into(),
        }
    }

    pub(super) fn join(all: Vec<Why>) -> Why {
        let (zh, en): (Vec<String>, Vec<String>) = all.into_iter().map(|w| (w.zh, w.en)).unzip();
        Why {
            zh: zh.join("；"),
            en: en.join("; "),
        }
    }
}
