//! Workflow drawings, cached by definition: laying out a 100-state machine takes a few
//! milliseconds, and the same definition is drawn on every visit of its pages.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Arc, Mutex};

use switchback_graph::SvgOptions;

/// How many drawings are kept.
const CACHED_GRAPHS: usize = 256;

/// A drawing: the SVG, or why the definition could not be drawn.
pub type Drawing = Arc<Result<String, String>>;

/// Drawings by the hash of their definition text.
#[derive(Default)]
pub struct GraphCache {
    entries: Mutex<HashMap<u64, Drawing>>,
}

impl GraphCache {
    /// The SVG of `definition` (JSON text, as stored).
    pub fn svg(&self, definition: &str) -> Drawing {
        let mut hasher = DefaultHasher::new();
        definition.hash(&mut hasher);
        let key = hasher.finish();
        if let Some(found) = self.lock().get(&key) {
            return found.clone();
        }
        let drawing = Arc::new(draw(definition));
        let mut entries = self.lock();
        if entries.len() >= CACHED_GRAPHS {
            entries.clear();
        }
        entries.insert(key, drawing.clone());
        drawing
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Drawing>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn draw(definition: &str) -> Result<String, String> {
    let value: serde_json::Value =
        serde_json::from_str(definition).map_err(|e| format!("The definition is not JSON: {e}"))?;
    let graph = switchback_graph::layout(&value).map_err(|e| e.to_string())?;
    Ok(graph.to_svg(&SvgOptions::default()))
}
