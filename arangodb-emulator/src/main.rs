//! `arangodb-emulator`: run the in-memory ArangoDB HTTP API standalone.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use arangodb_emulator::{Config, Profile, Role, TlsFiles, Version};
use clap::Parser;

/// An in-memory emulator of the ArangoDB HTTP API (3.11, 3.12, 4.0; single
/// server or cluster coordinator), for tests.
///
/// All data lives in memory and is gone when the process stops. Besides the
/// ArangoDB API it serves a control API for tests under /_emulator/
/// (stats, stats/reset, faults).
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// Address to listen on; port 0 picks a free port (printed at start).
    #[arg(long, default_value = "127.0.0.1:8529", env = "EMULATOR_LISTEN")]
    listen: SocketAddr,
    /// Password of the `root` user.
    #[arg(
        long,
        default_value = "",
        env = "ARANGO_ROOT_PASSWORD",
        hide_env_values = true
    )]
    root_password: String,
    /// Server secret for HS256 JWTs, as given to arangod's
    /// --server.jwt-secret-keyfile; random when omitted.
    #[arg(long, env = "EMULATOR_JWT_SECRET", hide_env_values = true)]
    jwt_secret: Option<String>,
    /// Milliseconds of delay added to every ArangoDB request.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Answer every request with 503 for this many milliseconds after start,
    /// like a server that is still starting up.
    #[arg(long, default_value_t = 0)]
    startup_delay_ms: u64,
    /// PEM certificate chain: serve HTTPS instead of HTTP (needs --tls-key).
    #[arg(long, requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// PEM private key for --tls-cert.
    #[arg(long, requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// The ArangoDB version to report and behave as (3.11.x, 3.12.x, 4.0.x).
    #[arg(long, default_value_t = Version::DEFAULT, env = "EMULATOR_ARANGODB_VERSION")]
    arangodb_version: Version,
    /// The server role: `single` or `coordinator` (a cluster's coordinator).
    #[arg(long, default_value = "single", env = "EMULATOR_ROLE")]
    role: Role,
    /// arangod's --javascript.user-defined-functions: `false` makes AQL
    /// queries that call a user function fail to parse (registration through
    /// /_api/aqlfunction still works, as on the real server).
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    javascript_user_defined_functions: bool,
    /// arangod's --vector-index (3.12.4+): allow indexes of type `vector`.
    #[arg(long)]
    vector_index: bool,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let profile = Profile {
        version: args.arangodb_version,
        role: args.role,
        user_defined_functions: args.javascript_user_defined_functions,
        vector_index: args.vector_index,
    };
    if let Err(message) = profile.check() {
        eprintln!("arangodb-emulator: {message}");
        return ExitCode::from(2);
    }
    let config = Config {
        listen: args.listen,
        root_password: args.root_password,
        jwt_secret: args.jwt_secret,
        latency: Duration::from_millis(args.latency_ms),
        startup_delay: Duration::from_millis(args.startup_delay_ms),
        tls: args
            .tls_cert
            .zip(args.tls_key)
            .map(|(cert, key)| TlsFiles { cert, key }),
        profile,
    };
    let emulator = match arangodb_emulator::start(config).await {
        Ok(emulator) => emulator,
        Err(err) => {
            eprintln!("arangodb-emulator: cannot start on {}: {err}", args.listen);
            return ExitCode::from(1);
        }
    };
    // Tests and scripts read this line to learn the port.
    println!("arangodb-emulator listening on {}", emulator.url());
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate() => {}
    }
    emulator.shutdown().await;
    ExitCode::SUCCESS
}

#[cfg(unix)]
async fn terminate() {
    match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(mut signal) => {
            signal.recv().await;
        }
        Err(_) => std::future::pending::<()>().await,
    }
}

#[cfg(not(unix))]
async fn terminate() {
    std::future::pending::<()>().await
}
