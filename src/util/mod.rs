//! Helpers at the bottom of the layer order, used by every stage: URL canonicalisation
//! ([`canon`]), crash-safe file writes and directory swaps ([`fsx`]), text tidying ([`text`]),
//! independent work split over threads in input order ([`par`]) and the TLS provider every HTTP
//! client is built with ([`tls`]).

pub mod alloc;
pub mod canon;
pub mod fsx;
pub mod par;
pub mod text;
pub mod tls;
