//! Serve: axum API, dashboard and metrics over the data directory.
