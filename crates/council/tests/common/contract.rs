//! The API's description as a contract every test keeps: each answer the tests receive is
//! checked against `/api/v1/openapi.json` (the document the server serves, generated from
//! the handlers and the wire types). A success must be a described status with a body that
//! matches its schema; every error must have the one error shape. So a handler that starts
//! answering something its description does not say fails the test that saw it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use axum::http::{Method, StatusCode};
use jsonschema::Validator;
use serde_json::{json, Value};

/// Checks one answer; panics with what does not match.
pub fn check(method: &Method, uri: &str, status: StatusCode, content_type: Option<&str>, body: &[u8]) {
    let Some(path) = uri.strip_prefix("/api/v1") else { return };
    let path = path.split('?').next().unwrap_or(path);
    let json = content_type.is_some_and(|t| t.starts_with("application/json"));
    let operation = operation(method, path);
    let described = operation.as_ref().and_then(|(template, op)| {
        op["responses"].get(status.as_str()).map(|response| (template.clone(), response.clone()))
    });
    let schema = match (&operation, described) {
        (Some(_), Some((template, response))) => match response.pointer("/content/application~1json/schema") {
            Some(schema) => {
                assert!(json, "{method} {template} answered {status} with {content_type:?}, not JSON as described");
                schema.clone()
            }
            None => return,
        },
        (Some((template, _)), None) => {
            assert!(!status.is_success(), "{method} {template} answered {status}, which its description does not list");
            json!({"$ref": "#/components/schemas/ErrorBody"})
        }
        // Not an operation: whatever answers (a 404, 405) is an error in the one shape.
        (None, _) => json!({"$ref": "#/components/schemas/ErrorBody"}),
    };
    if !json {
        assert!(
            !status.is_client_error() && !status.is_server_error(),
            "{method} {path} answered {status}: an error that is not JSON"
        );
        return;
    }
    let value: Value = serde_json::from_slice(body)
        .unwrap_or_else(|e| panic!("{method} {path} answered {status} with JSON that does not parse: {e}"));
    let validator = validator(&schema);
    let errors: Vec<String> =
        validator.iter_errors(&value).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(
        errors.is_empty(),
        "{method} {path} answered {status} with a body its description does not allow:\n{}\n{value:#}",
        errors.join("\n")
    );
}

fn doc() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(|| serde_json::to_value(tally_council::api::openapi()).unwrap())
}

/// The described operation at this address, with its path template.
fn operation(method: &Method, path: &str) -> Option<(String, Value)> {
    let segments: Vec<&str> = path.split('/').collect();
    doc()["paths"].as_object()?.iter().find_map(|(template, item)| {
        let parts: Vec<&str> = template.split('/').collect();
        let matches = parts.len() == segments.len()
            && parts.iter().zip(&segments).all(|(t, s)| t == s || (t.starts_with('{') && !s.is_empty()));
        let op = item.get(method.as_str().to_lowercase())?;
        matches.then(|| (template.clone(), op.clone()))
    })
}

fn validator(schema: &Value) -> Arc<Validator> {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<Validator>>>> = OnceLock::new();
    let key = schema.to_string();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(v) = cache.lock().unwrap().get(&key) {
        return v.clone();
    }
    // The schema with the document's components beside it, so its references resolve.
    let mut root = schema.clone();
    if let Value::Object(map) = &mut root {
        map.insert("components".to_owned(), doc()["components"].clone());
    }
    let built = Arc::new(
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .build(&root)
            .unwrap_or_else(|e| panic!("the description's schema {schema} does not build: {e}")),
    );
    cache.lock().unwrap().insert(key, built.clone());
    built
}
