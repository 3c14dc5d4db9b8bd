//! HTTP-level tests of the emulator: each route and its error paths, driven
//! over real HTTP on loopback against an emulator started in-process.

mod aql_endpoints;
mod cluster;
mod collections;
mod control;
mod databases_and_users;
mod documents;
mod driver_suite_fixes;
mod functions_and_queries;
mod indexes_and_graphs;
mod replication;
mod search;
mod server;
mod support;
mod versions;
