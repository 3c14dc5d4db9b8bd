//! `/_api/user`: users and their database and collection access levels.

use hyper::Method;
use serde_json::{json, Map, Value};

use crate::error::ArangoError;
use crate::request::{ApiRequest, HandlerResult, Reply};
use crate::state::{AccessLevel, Server, User};

fn user_not_found() -> ArangoError {
    ArangoError::new(404, 1703, "user not found")
}

fn describe(user: &User) -> Value {
    json!({"user": user.name, "active": user.active, "extra": user.extra})
}

pub fn handle(server: &mut Server, req: &ApiRequest, rest: &[&str]) -> HandlerResult {
    match (&req.method, rest) {
        (&Method::GET, []) => {
            let users: Vec<Value> = server.users.values().map(describe).collect();
            Ok(Reply::envelope(200, json!({ "result": users })))
        }
        (&Method::POST, []) => create(server, req),
        (&Method::GET, [name]) => {
            let user = server.users.get(*name).ok_or_else(user_not_found)?;
            Ok(Reply::envelope(200, describe(user)))
        }
        (&Method::PUT | &Method::PATCH, [name]) => modify(server, req, name),
        (&Method::DELETE, [name]) => {
            if *name == "root" {
                return Err(ArangoError::forbidden());
            }
            server.users.remove(*name).ok_or_else(user_not_found)?;
            Ok(Reply::envelope(202, json!({})))
        }
        (&Method::GET, [name, "database"]) => {
            let user = server.users.get(*name).ok_or_else(user_not_found)?;
            let full = req.query_bool("full", false);
            let mut result = Map::new();
            // The full listing shows, per collection and for `*`, the grant
            // made on that collection itself ("undefined" without one).
            let explicit = |database: &str, collection: &str| {
                user.collections
                    .get(&(database.to_string(), collection.to_string()))
                    .map_or("undefined", |level| level.as_str())
            };
            for database in server.databases.keys() {
                let level = user.database_access(database);
                if full {
                    let mut collections: Map<String, Value> = server.databases[database]
                        .collections
                        .keys()
                        .map(|collection| {
                            (
                                collection.clone(),
                                Value::from(explicit(database, collection)),
                            )
                        })
                        .collect();
                    collections.insert("*".to_string(), Value::from(explicit(database, "*")));
                    result.insert(
                        database.clone(),
                        json!({"permission": level.as_str(), "collections": collections}),
                    );
                } else if level > AccessLevel::None {
                    result.insert(database.clone(), Value::from(level.as_str()));
                }
            }
            if full {
                let any = user
                    .databases
                    .get("*")
                    .map_or("none", |level| level.as_str());
                result.insert("*".to_string(), json!({ "permission": any }));
            }
            Ok(Reply::envelope(200, json!({ "result": result })))
        }
        (&Method::GET, [name, "database", database]) => {
            let user = server.users.get(*name).ok_or_else(user_not_found)?;
            Ok(Reply::envelope(
                200,
                json!({ "result": user.database_access(database).as_str() }),
            ))
        }
        (&Method::GET, [name, "database", database, collection]) => {
            let user = server.users.get(*name).ok_or_else(user_not_found)?;
            // `_system/_users` holds the credentials: no user is granted
            // access to it through permissions (RestFetchUserCollectionPermission).
            let level = if *database == "_system" && *collection == "_users" {
                AccessLevel::None
            } else {
                user.collection_access(database, collection)
            };
            Ok(Reply::envelope(200, json!({ "result": level.as_str() })))
        }
        (&Method::PUT, [name, "database", database]) => {
            let level = grant_level(req)?;
            check_database_exists(server, database)?;
            let user = server.users.get_mut(*name).ok_or_else(user_not_found)?;
            user.databases.insert(database.to_string(), level);
            Ok(Reply::envelope(200, json!({ *database: level.as_str() })))
        }
        (&Method::PUT, [name, "database", database, collection]) => {
            let level = grant_level(req)?;
            check_database_exists(server, database)?;
            let user = server.users.get_mut(*name).ok_or_else(user_not_found)?;
            user.collections
                .insert((database.to_string(), collection.to_string()), level);
            Ok(Reply::envelope(
                200,
                json!({ format!("{database}/{collection}"): level.as_str() }),
            ))
        }
        (&Method::DELETE, [name, "database", database]) => {
            let user = server.users.get_mut(*name).ok_or_else(user_not_found)?;
            user.databases.remove(*database);
            Ok(Reply::envelope(202, json!({})))
        }
        (&Method::DELETE, [name, "database", database, collection]) => {
            let user = server.users.get_mut(*name).ok_or_else(user_not_found)?;
            user.collections
                .remove(&(database.to_string(), collection.to_string()));
            Ok(Reply::envelope(202, json!({})))
        }
        (_, [] | [_] | [_, "database"] | [_, "database", _] | [_, "database", _, _]) => {
            Err(ArangoError::method_not_allowed())
        }
        _ => Err(ArangoError::unknown_path(&req.raw_path)),
    }
}

fn check_database_exists(server: &Server, database: &str) -> Result<(), ArangoError> {
    if database == "*" || server.databases.contains_key(database) {
        Ok(())
    } else {
        Err(ArangoError::database_not_found(database))
    }
}

fn grant_level(req: &ApiRequest) -> Result<AccessLevel, ArangoError> {
    let body = req.json_object("expecting JSON object body")?;
    body.get("grant")
        .and_then(Value::as_str)
        .and_then(AccessLevel::parse)
        .ok_or_else(|| ArangoError::bad_parameter("invalid grant: expecting 'rw', 'ro' or 'none'"))
}

fn create(server: &mut Server, req: &ApiRequest) -> HandlerResult {
    let body = req.json_object("expecting JSON object body")?;
    let name = match body.get("user") {
        Some(Value::String(name)) if !name.is_empty() => name.clone(),
        _ => return Err(ArangoError::new(400, 1700, "invalid user name")),
    };
    if server.users.contains_key(&name) {
        return Err(ArangoError::new(409, 1702, "duplicate user"));
    }
    let user = User::new(
        &name,
        body.get("passwd").and_then(Value::as_str).unwrap_or(""),
        body.get("active").and_then(Value::as_bool).unwrap_or(true),
        body.get("extra").cloned().unwrap_or_else(|| json!({})),
    );
    let description = describe(&user);
    server.users.insert(name, user);
    Ok(Reply::envelope(201, description))
}

fn modify(server: &mut Server, req: &ApiRequest, name: &str) -> HandlerResult {
    let body = req.json_object("expecting JSON object body")?;
    let replace = req.method == Method::PUT;
    let user = server.users.get_mut(name).ok_or_else(user_not_found)?;
    if let Some(password) = body.get("passwd").and_then(Value::as_str) {
        user.password = password.to_string();
    }
    if let Some(active) = body.get("active").and_then(Value::as_bool) {
        user.active = active;
    }
    match body.get("extra") {
        Some(extra) if replace => user.extra = extra.clone(),
        Some(Value::Object(extra)) => {
            if let Value::Object(current) = &mut user.extra {
                current.extend(extra.clone());
            } else {
                user.extra = Value::Object(extra.clone());
            }
        }
        _ => {}
    }
    Ok(Reply::envelope(200, describe(user)))
}
