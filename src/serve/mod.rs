//! stub
use std::path::PathBuf;
use std::sync::Arc;
#[derive(Clone)]
pub struct AppState {
    pub store: crate::store::Store,
    pub index: Option<Arc<crate::index::Index>>,
    pub counters: Arc<crate::pipeline::Counters>,
    pub data_dir: PathBuf,
}
pub fn router(state: AppState) -> axum::Router {
    let _ = state;
    todo!()
}
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let _ = (listener, state.data_dir);
    shutdown.await;
    todo!()
}
