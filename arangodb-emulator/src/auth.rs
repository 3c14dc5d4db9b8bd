//! Authentication (HTTP Basic and JWT bearer tokens) and the access check
//! that runs before every handler.
//!
//! Tokens are HS256 JWTs signed with the server secret, as in ArangoDB: those
//! from `POST /_open/auth` carry `preferred_username`; a token that carries
//! only `server_id` is a superuser token that someone holding the secret
//! (`--jwt-secret`) signed themselves.
//!
//! Access follows ArangoDB's rules: no access to the database is a 401, too
//! little access (read-only calling a write) is a 403, both errorNum 11.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use hmac::{Hmac, Mac};
use hyper::Method;
use serde_json::{json, Value};
use sha2::Sha256;

use crate::error::ArangoError;
use crate::request::{ApiRequest, Caller, HandlerResult, Reply};
use crate::state::{AccessLevel, Server};

/// Lifetime of tokens issued by `/_open/auth` (ArangoDB's default: one hour).
const SESSION_SECONDS: u64 = 3600;

fn now_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs())
        .unwrap_or(0)
}

fn sign(secret: &str, signing_input: &str) -> Result<Vec<u8>, ArangoError> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
        .map_err(|_| ArangoError::new(500, 4, "invalid JWT secret"))?;
    mac.update(signing_input.as_bytes());
    Ok(mac.finalize().into_bytes().to_vec())
}

/// Creates an HS256 JWT with the given claims.
pub fn issue_token(secret: &str, claims: &Value) -> Result<String, ArangoError> {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    let signing_input = format!("{header}.{payload}");
    let signature = URL_SAFE_NO_PAD.encode(sign(secret, &signing_input)?);
    Ok(format!("{signing_input}.{signature}"))
}

/// Checks signature, algorithm, issuer and expiry; returns the claims.
fn verify_token(secret: &str, token: &str) -> Option<Value> {
    let mut parts = token.split('.');
    let (header, payload, signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).ok()?).ok()?;
    if header.get("alg").and_then(Value::as_str) != Some("HS256") {
        return None;
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).ok()?;
    mac.update(token_prefix(token)?.as_bytes());
    mac.verify_slice(&URL_SAFE_NO_PAD.decode(signature).ok()?)
        .ok()?;
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
    if claims.get("iss").and_then(Value::as_str) != Some("arangodb") {
        return None;
    }
    if let Some(exp) = claims.get("exp").and_then(Value::as_u64) {
        if exp <= now_seconds() {
            return None;
        }
    }
    Some(claims)
}

/// `header.payload` of a token: the part the signature covers.
fn token_prefix(token: &str) -> Option<&str> {
    let end = token.rfind('.')?;
    Some(&token[..end])
}

/// Works out who sent the request from its `Authorization` header.
pub fn authenticate(
    server: &Server,
    jwt_secret: &str,
    authorization: Option<&str>,
) -> Result<Caller, ArangoError> {
    let header = authorization.ok_or_else(ArangoError::unauthorized)?;
    let (scheme, credentials) = header
        .split_once(' ')
        .ok_or_else(ArangoError::unauthorized)?;
    match scheme.to_ascii_lowercase().as_str() {
        "basic" => {
            let decoded = STANDARD
                .decode(credentials.trim())
                .map_err(|_| ArangoError::unauthorized())?;
            let decoded = String::from_utf8(decoded).map_err(|_| ArangoError::unauthorized())?;
            let (name, password) = decoded.split_once(':').unwrap_or((decoded.as_str(), ""));
            match server.users.get(name) {
                Some(user) if user.active && user.password == password => {
                    Ok(Caller::User(name.to_string()))
                }
                _ => Err(ArangoError::unauthorized()),
            }
        }
        "bearer" => {
            let claims = verify_token(jwt_secret, credentials.trim())
                .ok_or_else(ArangoError::unauthorized)?;
            match claims.get("preferred_username").and_then(Value::as_str) {
                Some(name) => match server.users.get(name) {
                    Some(user) if user.active => Ok(Caller::User(name.to_string())),
                    _ => Err(ArangoError::unauthorized()),
                },
                None if claims.get("server_id").is_some() => Ok(Caller::Superuser),
                None => Err(ArangoError::unauthorized()),
            }
        }
        _ => Err(ArangoError::unauthorized()),
    }
}

/// `POST /_open/auth`: trade a username and password for a session token.
pub fn open_auth(server: &Server, jwt_secret: &str, req: &ApiRequest) -> HandlerResult {
    if req.method != Method::POST {
        return Err(ArangoError::method_not_allowed());
    }
    let body: Value = serde_json::from_slice(&req.body)
        .map_err(|_| ArangoError::http_bad_request("invalid JSON"))?;
    let name = body.get("username").and_then(Value::as_str);
    let password = body.get("password").and_then(Value::as_str);
    let (Some(name), Some(password)) = (name, password) else {
        return Err(ArangoError::http_bad_request("invalid JSON"));
    };
    match server.users.get(name) {
        Some(user) if user.active && user.password == password => {
            let now = now_seconds();
            let token = issue_token(
                jwt_secret,
                &json!({
                    "preferred_username": name,
                    "iss": "arangodb",
                    "iat": now,
                    "exp": now + SESSION_SECONDS,
                }),
            )?;
            Ok(Reply::json(200, json!({ "jwt": token })))
        }
        _ => Err(ArangoError::new(401, 401, "Wrong credentials")),
    }
}

/// What a request needs from its caller.
#[derive(Debug, PartialEq)]
enum Requirement {
    /// This access level on the request's database.
    Database(AccessLevel),
    /// This access level on a collection of the request's database.
    Collection(String, AccessLevel),
    /// Read-write access to both the database and one of its collections
    /// (renaming and dropping a collection).
    DatabaseAndCollection(String),
    /// Read-write access to `_system`: database and user management.
    Admin,
    /// Any authenticated caller (e.g. listing one's own databases).
    Authenticated,
    /// The named user themself, or an admin.
    SelfOrAdmin(String),
}

fn is_read(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn requirement(req: &ApiRequest) -> Requirement {
    let read = is_read(&req.method);
    let level = if read {
        AccessLevel::ReadOnly
    } else {
        AccessLevel::ReadWrite
    };
    let path = req.path();
    match path.as_slice() {
        ["_api", "database", "user"] => Requirement::Authenticated,
        // Outside `_system` the handler refuses management with 1230 before
        // it ever asks whether the caller is an admin.
        ["_api", "database", ..] if !read && req.database == "_system" => Requirement::Admin,
        ["_api", "user", name, ..] if read => Requirement::SelfOrAdmin(name.to_string()),
        ["_api", "user", ..] => Requirement::Admin,
        ["_api", "document", collection, ..] => {
            Requirement::Collection(collection.to_string(), level)
        }
        ["_api", "import"] => Requirement::Collection(
            req.query_str("collection").unwrap_or("").to_string(),
            AccessLevel::ReadWrite,
        ),
        // Renaming or dropping a collection changes the database as well as
        // the collection; everything else on one collection (reading it,
        // changing its properties, truncating it) needs only collection access.
        ["_api", "collection", collection, "rename"] if !read => {
            Requirement::DatabaseAndCollection(collection.to_string())
        }
        ["_api", "collection", collection] if req.method == Method::DELETE => {
            Requirement::DatabaseAndCollection(collection.to_string())
        }
        ["_api", "collection", collection, ..] => {
            Requirement::Collection(collection.to_string(), level)
        }
        // Parsing a query, running a (read-only, see routes/cursor.rs) query,
        // reading a replication inventory and opening its dump batch only
        // read, whatever their HTTP method.
        ["_api", "query"] | ["_api", "cursor", ..] | ["_api", "replication", ..] => {
            Requirement::Database(AccessLevel::ReadOnly)
        }
        _ => Requirement::Database(level),
    }
}

/// Resolves the request's database the way arangod does before any access
/// check: a database that does not exist is reported as 404 (1228) only to
/// callers who would have access to a database of that name (a superuser, or
/// a user with a grant on it or on `*`); everyone else gets the same 401 as
/// for a database they may not see, so database names cannot be guessed.
/// Either error carries the plain message of its error number.
pub fn resolve_database(server: &Server, req: &ApiRequest) -> Result<(), ArangoError> {
    if server.database(&req.database).is_ok() {
        return Ok(());
    }
    let visible = match &req.caller {
        Some(Caller::Superuser) => true,
        Some(Caller::User(name)) => server
            .users
            .get(name)
            .is_some_and(|user| user.database_access(&req.database) != AccessLevel::None),
        None => false,
    };
    if visible {
        Err(ArangoError::new(404, 1228, "database not found"))
    } else {
        Err(ArangoError::unauthorized())
    }
}

/// Lets the request through or says why not (401 or 403, errorNum 11).
pub fn authorize(server: &Server, req: &ApiRequest) -> Result<(), ArangoError> {
    let user = match &req.caller {
        Some(Caller::Superuser) => return Ok(()),
        Some(Caller::User(name)) => server
            .users
            .get(name)
            .ok_or_else(ArangoError::unauthorized)?,
        None => return Err(ArangoError::unauthorized()),
    };
    let database_access = user.database_access(&req.database);
    let needed = requirement(req);
    if needed == Requirement::Authenticated {
        return Ok(());
    }
    if let Requirement::SelfOrAdmin(name) = &needed {
        if *name == user.name {
            return Ok(());
        }
    }
    // Without any access to the database the server does not even admit
    // the request exists for this caller.
    if database_access == AccessLevel::None {
        return Err(ArangoError::unauthorized());
    }
    let granted = match needed {
        Requirement::Database(level) => database_access >= level,
        Requirement::Collection(collection, level) => {
            user.collection_access(&req.database, &collection) >= level
        }
        Requirement::DatabaseAndCollection(collection) => {
            database_access == AccessLevel::ReadWrite
                && user.collection_access(&req.database, &collection) == AccessLevel::ReadWrite
        }
        Requirement::Admin | Requirement::SelfOrAdmin(_) => {
            user.database_access("_system") == AccessLevel::ReadWrite
        }
        Requirement::Authenticated => true,
    };
    if granted {
        Ok(())
    } else {
        Err(ArangoError::forbidden())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issued_tokens_verify_and_tampered_ones_do_not() {
        let token = issue_token("s3cret", &json!({"iss": "arangodb", "server_id": "x"})).unwrap();
        assert!(verify_token("s3cret", &token).is_some());
        assert!(verify_token("other", &token).is_none());
        let mut tampered = token.clone();
        tampered.push('A');
        assert!(verify_token("s3cret", &tampered).is_none());
    }

    #[test]
    fn expired_and_foreign_issuer_tokens_are_rejected() {
        let expired =
            issue_token("k", &json!({"iss": "arangodb", "server_id": "x", "exp": 1})).unwrap();
        assert!(verify_token("k", &expired).is_none());
        let foreign = issue_token("k", &json!({"iss": "someone", "server_id": "x"})).unwrap();
        assert!(verify_token("k", &foreign).is_none());
    }
}
