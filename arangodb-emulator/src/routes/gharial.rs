//! TODO(lead): gharial routes.
use crate::error::ArangoError;
use crate::request::{ApiRequest, HandlerResult};
use crate::state::Server;

pub fn handle(_server: &mut Server, req: &ApiRequest, _rest: &[&str]) -> HandlerResult {
    Err(ArangoError::unknown_path(&req.raw_path))
}
