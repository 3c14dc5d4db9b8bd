//! An in-memory emulator of the ArangoDB 3.12 HTTP API (single server).
//!
//! It is arangosync's database in every test: no ArangoDB server can be
//! installed where the project is built and tested. Fidelity to the real
//! server (status codes, error numbers, defaults on read-back, "ensure"
//! semantics of index creation) is the point of this crate; the facts it
//! follows are collected in shared/ARANGODB_API.md.
//!
//! Besides the ArangoDB API it serves a control API under `/_emulator/` for
//! tests: request counters and fault injection (see `control.rs`).

pub mod analyzers;
pub mod auth;
pub mod control;
pub mod error;
pub mod indexes;
pub mod inverted;
pub mod names;
pub mod profile;
pub mod request;
pub mod routes;
pub mod schema;
pub mod server;
pub mod service;
pub mod state;
pub mod views;

pub use profile::{Profile, Role, Version};
pub use server::{spawn, start, BackgroundEmulator, Config, RunningEmulator, TlsFiles};
