//! arangosync: make a live ArangoDB match a directory of feature-store specs.
//!
//! The pipeline, one module per stage, dependencies pointing one way:
//! `spec` loads files into the desired `model::State`, `validate` checks it,
//! `live` reads the server into the same type through `client`, `plan`
//! compares the two (pure, no I/O), `apply` executes a plan and `render`
//! shows one. `cli` wires them together and is the only place that prints or
//! decides exit statuses.

pub mod apply;
pub mod cli;
pub mod client;
pub mod diag;
pub mod export;
pub mod interrupt;
pub mod live;
pub mod lock;
pub mod model;
pub mod ownership;
pub mod plan;
pub mod render;
pub mod server;
pub mod spec;
pub mod time;
pub mod transform;
pub mod validate;
