//! Payload templates: `Parameters`, `ResultSelector`, `ItemSelector`, `Arguments`, `Output`,
//! `Assign`, and any other field whose value is built from data at run time.
//!
//! A template is compiled once: JSONPath-mode keys ending in `.$` become path or intrinsic
//! nodes, JSONata-mode strings `{% ... %}` become expression nodes, and every part that holds
//! no such node is folded into one literal value, so evaluating a mostly-constant template
//! copies a value rather than walking it.

use serde_json::Value;
use switchback_intrinsics::Intrinsic;
use switchback_json::{Json, Object, Str};
use switchback_jsonata::{Expression, Outcome};
use switchback_jsonpath::{Path, Root};

use crate::env::{Env, Failure};

/// A compiled template.
#[derive(Debug, Clone)]
pub enum Template {
    /// A constant value.
    Literal(Json),
    /// An object with at least one dynamic member (keys are given without their `.$`).
    Object(Vec<(Str, Template)>),
    /// An array with at least one dynamic element.
    Array(Vec<Template>),
    /// A JSONPath (`"key.$": "$.x"`); `field` names the place for error texts (`key.$`).
    Path { path: Path, field: String },
    /// An intrinsic call (`"key.$": "States.Format(...)"`).
    Intrinsic { call: Box<Intrinsic>, field: String },
    /// A JSONata expression (`"{% ... %}"`); `field` is like `Output/FunctionResult`.
    Jsonata {
        expr: Box<Expression>,
        field: String,
    },
}

impl Template {
    /// Compiles a JSONPath-mode template (keys ending in `.$` are dynamic).
    pub fn jsonpath(value: &Value) -> Result<Template, String> {
        Ok(match value {
            Value::Object(map) => {
                let mut members = Vec::with_capacity(map.len());
                for (key, v) in map {
                    if let Some(name) = key.strip_suffix(".$") {
                        let Value::String(src) = v else {
                            return Err(format!(
                                "the value of '{key}' must be a path or an intrinsic function"
                            ));
                        };
                        members.push((name.into(), Template::dynamic_string(src, key)?));
                    } else {
                        members.push((key.as_str().into(), Template::jsonpath(v)?));
                    }
                }
                fold_object(members)
            }
            Value::Array(items) => fold_array(
                items
                    .iter()
                    .map(Template::jsonpath)
                    .collect::<Result<_, _>>()?,
            ),
            other => Template::Literal(Json::from(other)),
        })
    }

    /// Compiles the string of a `.$` key: an intrinsic call or a path.
    pub fn dynamic_string(src: &str, field: &str) -> Result<Template, String> {
        if switchback_intrinsics::is_intrinsic(src) {
            let call = switchback_intrinsics::parse(src).map_err(|e| e.message)?;
            Ok(Template::Intrinsic {
                call: Box::new(call),
                field: field.to_string(),
            })
        } else {
            let path = Path::parse(src).map_err(|e| e.message)?;
            Ok(Template::Path {
                path,
                field: field.to_string(),
            })
        }
    }

    /// Compiles a JSONata-mode template: strings `{% ... %}` are expressions, anything else is
    /// literal. `field` is the name of the field holding it (`Output`, `Arguments`, ...).
    pub fn jsonata(value: &Value, field: &str) -> Result<Template, String> {
        Ok(match value {
            Value::String(s) => match switchback_jsonata::strip_delimiters(s) {
                Some(inner) => {
                    let expr = Expression::parse(inner.trim()).map_err(|e| e.message)?;
                    Template::Jsonata {
                        expr: Box::new(expr),
                        field: field.to_string(),
                    }
                }
                None => Template::Literal(Json::from(value)),
            },
            Value::Object(map) => {
                let mut members = Vec::with_capacity(map.len());
                for (key, v) in map {
                    members.push((
                        key.as_str().into(),
                        Template::jsonata(v, &format!("{field}/{key}"))?,
                    ));
                }
                fold_object(members)
            }
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, v) in items.iter().enumerate() {
                    out.push(Template::jsonata(v, &format!("{field}/{i}"))?);
                }
                fold_array(out)
            }
            other => Template::Literal(Json::from(other)),
        })
    }

    /// True when the template is a constant.
    pub fn is_literal(&self) -> bool {
        matches!(self, Template::Literal(_))
    }

    /// Builds the value.
    pub fn eval(&self, env: &mut dyn Env) -> Result<Json, Failure> {
        match self {
            Template::Literal(v) => Ok(v.clone()),
            Template::Object(members) => {
                let mut map = Object::with_capacity(members.len());
                for (key, t) in members {
                    map.insert(key.clone(), t.eval(env)?);
                }
                Ok(Json::Object(map))
            }
            Template::Array(items) => {
                items.iter().map(|t| t.eval(env)).collect::<Result<Vec<_>, _>>().map(Json::from)
            }
            Template::Path { path, field } => select_for_field(path, field, env),
            Template::Intrinsic { call, field: _ } => {
                let mut adapter = IntrinsicEnv { env };
                call.eval(&mut adapter).map_err(|e| Failure { error: e.error, cause: e.cause, location: None })
            }
            Template::Jsonata { expr, field } => match eval_jsonata(expr, field, env)? {
                Outcome::Value(v) => Ok(v),
                Outcome::Undefined => Err(Failure::query(format!(
                    "The JSONata expression '{}' specified for the field '{field}' returned nothing (undefined).",
                    expr.source()
                ))
                .at(field)),
                Outcome::Function => Err(Failure::query(format!(
                    "The JSONata expression '{}' specified for the field '{field}' returned an unsupported result type.",
                    expr.source()
                ))
                .at(field)),
            },
        }
    }
}

/// Evaluates a JSONata expression, mapping its errors to AWS's cause text.
pub fn eval_jsonata(expr: &Expression, field: &str, env: &mut dyn Env) -> Result<Outcome, Failure> {
    let mut adapter = JsonataEnv { env };
    expr.evaluate(&mut adapter).map_err(|e| {
        Failure::query(format!(
            "The JSONata expression '{}' specified for the field '{field}' threw an error during evaluation. {}",
            expr.source(),
            e.message
        ))
        .at(field)
    })
}

/// Selects a path inside a template, with AWS's cause when it selects nothing.
fn select_for_field(path: &Path, field: &str, env: &mut dyn Env) -> Result<Json, Failure> {
    let found = select(path, env).ok_or_else(|| {
        Failure::runtime(format!(
            "The JSONPath '{}' specified for the field '{field}' could not be found in the input '{}'",
            path.as_str(),
            compact(env.input())
        ))
    })?;
    Ok(found)
}

/// Selects `path` from the root it names; `None` when a reference path finds nothing or the
/// variable is not set.
pub fn select(path: &Path, env: &dyn Env) -> Option<Json> {
    let root = root_value(path, env)?;
    if path.is_root() {
        return Some(root.clone());
    }
    path.select(root).ok()
}

/// The value a path starts from.
pub fn root_value<'e>(path: &Path, env: &'e dyn Env) -> Option<&'e Json> {
    match path.root() {
        Root::Input => Some(env.input()),
        Root::Context => Some(env.context()),
        Root::Variable(name) => env.variable(name),
    }
}

/// Compact JSON text, as AWS quotes values in causes.
pub fn compact(v: &Json) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

fn fold_object(members: Vec<(Str, Template)>) -> Template {
    if members.iter().all(|(_, t)| t.is_literal()) {
        let map = members
            .into_iter()
            .map(|(k, t)| match t {
                Template::Literal(v) => (k, v),
                _ => unreachable!("checked above"),
            })
            .collect();
        Template::Literal(Json::Object(map))
    } else {
        Template::Object(members)
    }
}

fn fold_array(items: Vec<Template>) -> Template {
    if items.iter().all(Template::is_literal) {
        Template::Literal(Json::Array(
            items
                .into_iter()
                .map(|t| match t {
                    Template::Literal(v) => v,
                    _ => unreachable!("checked above"),
                })
                .collect(),
        ))
    } else {
        Template::Array(items)
    }
}

/// Lets intrinsic functions resolve their path arguments through the engine's [`Env`].
struct IntrinsicEnv<'a> {
    env: &'a mut dyn Env,
}

impl switchback_intrinsics::Env for IntrinsicEnv<'_> {
    fn resolve_path(&mut self, src: &str) -> Result<Json, switchback_intrinsics::EvalError> {
        let path = Path::parse(src).map_err(|e| switchback_intrinsics::EvalError {
            error: crate::errors::RUNTIME.into(),
            cause: e.message,
        })?;
        select(&path, &*self.env).ok_or_else(|| switchback_intrinsics::EvalError {
            error: crate::errors::RUNTIME.into(),
            cause: format!(
                "The JSONPath '{}' could not be found in the input '{}'",
                src,
                compact(self.env.input())
            ),
        })
    }

    fn random_u64(&mut self) -> u64 {
        self.env.random_u64()
    }
}

/// Lets JSONata see `$states` and the variables through the engine's [`Env`].
struct JsonataEnv<'a> {
    env: &'a mut dyn Env,
}

impl switchback_jsonata::Env for JsonataEnv<'_> {
    fn states(&self) -> &Json {
        self.env.states()
    }
    fn variable(&self, name: &str) -> Option<&Json> {
        self.env.variable(name)
    }
    fn variable_names(&self) -> Vec<String> {
        self.env.variable_names()
    }
    fn random_u64(&mut self) -> u64 {
        self.env.random_u64()
    }
    fn conversions(&self) -> Option<&switchback_jsonata::Conversions> {
        self.env.jsonata_conversions()
    }
    fn states_member(&self, member: switchback_jsonata::StatesMember) -> Option<&Json> {
        self.env.jsonata_states_member(member)
    }
}
