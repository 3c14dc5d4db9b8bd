//! `/_api/database`: list, create (with users) and drop databases.
//!
//! Management calls only work from `_system` (403/1230 elsewhere).

use hyper::Method;
use serde_json::{json, Value};

use crate::error::ArangoError;
use crate::names;
use crate::request::{ApiRequest, Caller, HandlerResult, Reply};
use crate::state::{AccessLevel, Database, DatabaseOptions, Server, User};

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
            let result = current_properties(server, database);
            Ok(Reply::envelope(200, json!({ "result": result })))
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

/// The database's properties (`/_api/database/current`). A coordinator adds
/// its cluster defaults, as `dbProperties_cluster` (3.12.10) shows.
pub fn current_properties(server: &Server, database: &Database) -> Value {
    if server.profile.is_cluster() {
        json!({
            "id": database.id.to_string(),
            "name": database.name,
            "isSystem": database.name == "_system",
            "sharding": database.options.sharding,
            "replicationFactor": database.options.replication_factor,
            "writeConcern": database.options.write_concern,
            "replicationVersion": "1",
            "path": "",
        })
    } else {
        json!({
            "id": database.id.to_string(),
            "name": database.name,
            "isSystem": database.name == "_system",
            "path": "none",
        })
    }
}

/// The `options` of a database creation on a coordinator
/// (`getVocbaseOptions`): `sharding` is `"single"` (OneShard) or flexible,
/// `replicationFactor` and `writeConcern` are numbers; anything else is
/// silently replaced by the default, except a replication factor outside
/// the server's bounds (400/10). `0`/`"satellite"` mean the server default
/// on a Community server. Single servers ignore the options.
fn database_options(
    server: &Server,
    body: &serde_json::Map<String, Value>,
) -> Result<DatabaseOptions, ArangoError> {
    let mut chosen = DatabaseOptions::default();
    if !server.profile.is_cluster() {
        return Ok(chosen);
    }
    let options = match body.get("options") {
        None | Some(Value::Null) => return Ok(chosen),
        Some(Value::Object(options)) => options,
        Some(_) => return Err(ArangoError::http_bad_request("invalid options slice")),
    };
    if options.get("sharding").and_then(Value::as_str) == Some("single") {
        chosen.sharding = "single".into();
    }
    let (min_factor, max_factor) = server.profile.replication_factor_bounds();
    if let Some(factor) = options.get("replicationFactor").and_then(Value::as_u64) {
        if factor > max_factor {
            return Err(ArangoError::bad_parameter(format!(
                "replicationFactor must not be higher than maximum allowed replicationFactor ({max_factor})"
            )));
        }
        if factor != 0 && factor < min_factor {
            return Err(ArangoError::bad_parameter(format!(
                "replicationFactor must not be lower than minimum allowed replicationFactor ({min_factor})"
            )));
        }
        if factor != 0 {
            chosen.replication_factor = factor;
        }
    }
    if let Some(concern) = options
        .get("writeConcern")
        .and_then(Value::as_u64)
        .filter(|concern| *concern > 0)
    {
        chosen.write_concern = concern;
    }
    Ok(chosen)
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
    let options = database_options(server, &body)?;
    server.create_database(name);
    if let Some(database) = server.databases.get_mut(name) {
        database.options = options;
    }
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
