//! The analysts' loop: what people decide about what jiance found, and what jiance learns from it.
//!
//! - [`cases`]: one real-world problem is one case across provinces and channels — the alerts of
//!   one product category and hazard family while they overlap in time (a systemic alert and its
//!   provincial parts), their evidence and the problem's other documents, with a timeline; every
//!   alert points to its case, and a document raising no alert is no case of its own.
//! - [`triage`]: the states an alert or case moves through (new → under review → confirmed or
//!   dismissed → closed), who may move it, and the suppression a dismissal buys.
//! - [`labels`]: analysts' corrections of single documents, exported as labelled texts and
//!   replayed through today's rules to list where the rules still disagree.
//! - [`rules`]: `rules/review.toml` (case gap and hazard families, suppression window, dismissal
//!   reasons, and the case examples `jiance check` runs).
//!
//! Plain functions over the model's types: the store keeps the decisions, the pipeline calls
//! these after each scoring run, the server and the CLI take the decisions.

pub mod cases;
pub mod labels;
pub mod parties;
pub mod rules;
pub mod triage;
pub mod warnings;

pub use cases::{Case, CaseEvidence, build_cases};
pub use labels::{
    Disagreement, Label, LabelKind, LabelSnapshot, LabelledText, disagreements, labelled_texts,
};
pub use parties::{PartyHistory, PartyKind, PartyRules, PartySources, histories};
pub use rules::ReviewRules;
pub use triage::{Dismissal, TriageChange, TriageState, suppress};
pub use warnings::{Draft, WarningRules};
