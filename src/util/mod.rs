//! Helpers at the bottom of the layer order, used by every stage: URL canonicalisation
//! ([`canon`]), crash-safe file writes and directory swaps ([`fsx`]) and text tidying
//! ([`text`]).

pub mod canon;
pub mod fsx;
pub mod text;
