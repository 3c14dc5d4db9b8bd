//! `/_api/database`: list, create (with users) and drop databases.
//!
//! Management calls only work from `_system` (403/1230 elsewhere).

use hyper::Method;
use serde_json::{json, Value};

use crate::error::ArangoError;
use crate::names;
use crate::request::{ApiRequest, Caller, HandlerResult, Reply};
use crate::state::{AccessLevel, Server, User};

pub fn handle(server: &mut Server, req: &ApiRequest, rest: &[&str]) -> HandlerResult {
    match (&req.method, rest) {
        (&Method::GET, []) => {
            require_system(req)?;
            let names: Vec<&String> = server.databases.keys().collect();
            Ok(Reply::envelope(200, json!({ "result": names })))
        }
        (&Method::GET, ["user"]) => {
            let names: Vec<&String> = server
                .databases
                .keys()
                .filter(|name| match &req.caller {
                    Some(Caller::User(user)) => server
                        .users
                        .get(user)
                        .is_some_and(|user| user.database_access(name) > AccessLevel::None),
                    _ => true,
                })
                .collect();
            Ok(Reply::envelope(200, json!({ "result": names })))
        }
        (&Method::GET, ["current"]) => {
            let database = server.database(&req.database)?;
            Ok(Reply::envelope(
                200,
                json!({"result": {
                    "id": database.id.to_string(),
                    "name": database.name,
                    "isSystem": database.name == "_system",
                    "path": "none",
                }}),
            ))
        }
        (&Method::POST, []) => {
            require_system(req)?;
            create(server, req)
        }
        (&Method::DELETE, [name]) => {
            require_system(req)?;
            if *name == "_system" {
                return Err(ArangoError::forbidden());
            }
            server
                .databases
                .remove(*name)
                .ok_or_else(|| ArangoError::database_not_found(name))?;
            for user in server.users.values_mut() {
                user.databases.remove(*name);
                user.collections.retain(|(database, _), _| database != name);
            }
            Ok(Reply::envelope(200, json!({ "result": true })))
        }
        (_, [] | ["user"] | ["current"] | [_]) => Err(ArangoError::method_not_allowed()),
        _ => Err(ArangoError::unknown_path(&req.raw_path)),
    }
}

fn require_system(req: &ApiRequest) -> Result<(), ArangoError> {
    if req.database == "_system" {
        Ok(())
    } else {
        Err(ArangoError::use_system_database())
    }
}

fn create(server: &mut Server, req: &ApiRequest) -> HandlerResult {
    let body = req.json_object("expecting a JSON object body")?;
    let name = match body.get("name") {
        Some(Value::String(name)) => name.as_str(),
        _ => return Err(ArangoError::illegal_name("database name invalid")),
    };
    names::check_database_name(name, server.profile.extended_names())?;
    if name == "_system" || server.databases.contains_key(name) {
        return Err(ArangoError::duplicate_name(name));
    }
    let users = match body.get("users") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(users)) => users.clone(),
        Some(_) => return Err(ArangoError::bad_parameter("invalid users slice")),
    };
    let mut grants = Vec::new();
    for user in &users {
        let username = user
            .get("username")
            .or_else(|| user.get("user"))
            .and_then(Value::as_str)
            .ok_or_else(|| ArangoError::bad_parameter("user must have a 'username'"))?;
        grants.push((username.to_string(), user.clone()));
    }
    server.create_database(name);
    for (username, spec) in grants {
        let entry = server.users.entry(username.clone()).or_insert_with(|| {
            User::new(
                &username,
                spec.get("passwd").and_then(Value::as_str).unwrap_or(""),
                spec.get("active").and_then(Value::as_bool).unwrap_or(true),
                spec.get("extra").cloned().unwrap_or_else(|| json!({})),
            )
        });
        entry
            .databases
            .insert(name.to_string(), AccessLevel::ReadWrite);
    }
    Ok(Reply::envelope(201, json!({ "result": true })))
}
