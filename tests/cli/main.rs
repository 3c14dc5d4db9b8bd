//! End-to-end tests of the `arangosync` binary against the emulator: exit
//! statuses, exact output (insta snapshots) and the database state read back.

mod access;
mod bad_input;
mod changes;
mod cluster;
mod core;
mod functions;
mod ownership;
mod packaging;
mod performance;
mod reliability;
mod server_shapes;
mod support;
mod versions;
