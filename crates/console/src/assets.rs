//! The console's stylesheet and script, compiled into the binary (`include_str!`): the
//! console works offline, with nothing to build or install. Both are small, hand-written
//! files under `crates/console/assets/`; there is no bundler and no framework.

use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

/// The stylesheet.
pub const CSS: &str = include_str!("../assets/console.css");
/// The script: graph pan and zoom, state details, live updates, the timeline and the forms.
pub const JS: &str = include_str!("../assets/console.js");

/// `GET /assets/console.css`.
pub async fn css() -> Response {
    asset("text/css; charset=utf-8", CSS)
}

/// `GET /assets/console.js`.
pub async fn js() -> Response {
    asset("text/javascript; charset=utf-8", JS)
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [(CONTENT_TYPE, content_type), (CACHE_CONTROL, "no-cache")],
        body,
    )
        .into_response()
}
