//! Score: signals → per (category, region, day) counts against baselines → alerts and sampling
//! requests.
