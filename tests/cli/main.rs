//! End-to-end tests of the `arangosync` binary against the emulator: exit
//! statuses, exact output (insta snapshots) and the database state read back.

mod access;
mod analyzer_refs;
mod analyzers;
mod bad_input;
mod capabilities;
mod changes;
mod cluster;
mod conflicts;
mod core;
mod firstrun;
mod functions;
mod import;
mod inputs;
mod kept;
mod overlays;
mod ownership;
mod packaging;
mod performance;
mod reliability;
mod renames;
mod safety;
mod saved_plans;
mod server_shapes;
mod serving;
mod signals;
mod structural;
mod support;
mod targets;
mod vector;
mod version_table;
mod versions;
mod view_plans;
mod views;
