//! The console's URLs and their handlers. Everything is `GET` except the one conversion
//! helper: the browser changes things through the Step Functions API itself (`POST /`).
//!
//! | path | what |
//! |---|---|
//! | `/` | the state machines |
//! | `/state-machines/{arn}` | one state machine or version |
//! | `/executions/{arn}` | one execution |
//! | `/executions/{arn}/events?after=N` | a page of its history (HTML fragment) |
//! | `/executions/{arn}/progress?at=N&scope=L` | the colours of one moment (JSON) |
//! | `/executions/{arn}/state?name=S&at=N&scope=L` | one state's details (JSON) |
//! | `/executions/{arn}/live?scope=L` | live progress (server-sent events) |
//! | `/map-runs/{arn}` | one map run: counts, progress, its child executions |
//! | `POST /console/definition-json` | a JSON or YAML definition as JSON text (for uploads) |
//! | `GET`/`POST /console/login`, `POST /console/logout` | signing in, when the server has access keys ([`login`]) |
//! | `/assets/console.css`, `/assets/console.js` | the stylesheet and the script |

use axum::http::StatusCode;
use axum::response::{IntoResponse, Json, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::json;
use switchback_api::AppState;
use tokio::sync::watch;

use crate::pages::{execution, history, machine, machines, map_run};
use crate::{assets, live, login, Console};
use switchback_api::sessions::LOGIN_PATH;

/// The console's routes, to merge with the API's router (which answers `POST /` and owns the
/// fallback). `closing` turns true when the server stops (live streams end then).
///
/// Every route answers only requests whose `Host` names the server
/// ([`switchback_api::hosts`]). When the server has access keys, every route but the sign-in
/// form and the assets needs a signed-in session ([`login`]).
pub fn router(app: AppState, closing: watch::Receiver<bool>) -> Router {
    let config = app.config.clone();
    let console = Console::new(app, closing);
    let guarded = Router::new()
        .route("/", get(machines::list))
        .route("/state-machines/{arn}", get(machine::show))
        .route("/executions/{arn}", get(execution::show))
        .route("/executions/{arn}/events", get(history::fragment))
        .route("/executions/{arn}/progress", get(execution::progress_json))
        .route("/executions/{arn}/state", get(execution::state_json))
        .route("/executions/{arn}/live", get(live::follow))
        .route("/map-runs/{arn}", get(map_run::show))
        .route("/console/definition-json", post(definition_json))
        .route("/console/logout", post(login::logout))
        .route_layer(axum::middleware::from_fn_with_state(
            console.clone(),
            login::require_login,
        ));
    let open = Router::new()
        .route(LOGIN_PATH, get(login::form).post(login::submit))
        .route("/assets/console.css", get(assets::css))
        .route("/assets/console.js", get(assets::js));
    let router = guarded.merge(open).with_state(console);
    switchback_api::hosts::guard_hosts(router, &config)
}

/// Turns an uploaded or pasted definition (JSON or YAML) into JSON text, or says why not.
async fn definition_json(text: String) -> Response {
    match switchback_asl::load::parse_document(&text) {
        Ok(value) => Json(json!({
            "definition": serde_json::to_string_pretty(&value).unwrap_or_default()
        }))
        .into_response(),
        Err(e) => (
            StatusCode::BAD_REQUEST,
            Json(json!({ "message": e.to_string() })),
        )
            .into_response(),
    }
}
