//! Server-level read-only endpoints: version, role, mode, engine, time.

use std::time::{SystemTime, UNIX_EPOCH};

use hyper::Method;
use serde_json::{json, Map, Value};

use crate::error::ArangoError;
use crate::request::{ApiRequest, HandlerResult, Reply};
use crate::state::Server;

pub fn handle(server: &mut Server, req: &ApiRequest, path: &[&str]) -> HandlerResult {
    if req.method != Method::GET {
        return Err(ArangoError::method_not_allowed());
    }
    let version = server.profile.version_string();
    let role = server.profile.role.server_name();
    match path {
        ["_api", "version"] | ["_admin", "version"] => {
            let mut body = json!({
                "server": "arango",
                "license": "community",
                "version": version,
            });
            if server.profile.reports_api_versions() {
                body["apiVersions"] = json!(["v0"]);
                body["deprecatedApiVersions"] = json!([]);
                body["requestedApiVersion"] = json!("v0");
            }
            if req.query_bool("details", false) {
                body["details"] = json!({
                    "role": role,
                    "mode": "server",
                    "server-version": version,
                    "engine": "rocksdb",
                });
            }
            Ok(Reply::json(200, body))
        }
        ["_api", "engine"] => {
            let (types, aliases) = server.profile.engine_index_types();
            let aliases: Map<String, Value> = aliases
                .into_iter()
                .map(|(alias, target)| (alias.to_string(), Value::from(target)))
                .collect();
            let mut supports = json!({"indexes": types, "aliases": {"indexes": aliases}});
            let mut body = json!({"name": "rocksdb"});
            if server.profile.engine_reports_dfdb() {
                supports["dfdb"] = json!(false);
                body["supports"] = supports;
            } else {
                body["supports"] = supports;
                body["endianness"] = json!("big");
            }
            Ok(Reply::json(200, body))
        }
        ["_admin", "server", "role"] => Ok(Reply::envelope(200, json!({"role": role}))),
        ["_admin", "server", "mode"] => Ok(Reply::envelope(200, json!({"mode": "default"}))),
        ["_admin", "server", "id"] => match server.profile.coordinator_id() {
            Some(id) => Ok(Reply::envelope(200, json!({ "id": id }))),
            None => Err(ArangoError::new(
                500,
                1471,
                "this operation is only valid on a coordinator in a cluster",
            )),
        },
        ["_admin", "time"] => {
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|elapsed| elapsed.as_secs_f64())
                .unwrap_or(0.0);
            Ok(Reply::envelope(200, json!({"time": now})))
        }
        ["_admin", "status"] => {
            let mut body = json!({
                "server": "arango",
                "version": version,
                "license": "community",
                "serverInfo": {"role": role, "maintenance": false, "readOnly": false},
            });
            if server.profile.status_reports_mode() {
                body["mode"] = json!("server");
                body["operationMode"] = json!("server");
            }
            // A coordinator names itself and the agency (RestAdminStatus_cluster).
            if let Some(id) = server.profile.coordinator_id() {
                body["serverInfo"]["persistedId"] = json!(id);
                body["serverInfo"]["serverId"] = json!(id);
                body["serverInfo"]["rebootId"] = json!(1);
                body["serverInfo"]["state"] = json!("SERVING");
                body["coordinator"] = json!({"foxxmaster": id, "isFoxxmaster": true});
                body["agency"] = json!({"agencyComm": {"endpoints": []}});
            }
            Ok(Reply::json(200, body))
        }
        _ => Err(ArangoError::unknown_path(&req.raw_path)),
    }
}
