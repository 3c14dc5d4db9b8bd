//! Command-line arguments shared by several commands. Every argument's doc
//! comment is its `--help` text.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, ValueEnum};
use url::Url;

use crate::client::{ConnectionSettings, Credentials, RetryPolicy, Secret};
use crate::plan;

use super::error::CliError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    Markdown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Args)]
pub struct OutputArgs {
    /// Output format of results on stdout.
    #[arg(long, value_enum, default_value_t = Format::Text, global = true)]
    pub format: Format,
    /// Format of log lines on stderr (json for Kubernetes log collectors).
    #[arg(long, value_enum, default_value_t = LogFormat::Text, global = true, env = "ARANGOSYNC_LOG_FORMAT")]
    pub log_format: LogFormat,
    /// More log output (-v: debug, -vv: trace).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Only errors on stderr.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// With --format markdown, the most bytes (UTF-8) the plan may take;
    /// the default fits a GitHub comment (65,536 characters at most). A
    /// longer plan is shortened: the summary and every blocked or
    /// destructive change stay, other changes follow in plan order as long
    /// as they fit, and a closing notice counts what is left out. 0: no
    /// limit; otherwise at least 4096.
    #[arg(
        long,
        value_name = "N",
        default_value_t = crate::render::GITHUB_COMMENT_MAX,
        value_parser = markdown_max_bytes,
        global = true
    )]
    pub markdown_max_bytes: usize,
    /// With --format markdown, where the full plan can be read (an http or
    /// https URL, e.g. the CI run's artifact): the notice of a shortened
    /// plan links to it. Without it the notice says to run the plan with
    /// --markdown-max-bytes 0.
    #[arg(long, value_name = "URL", value_parser = full_plan_url, global = true)]
    pub markdown_full_plan_url: Option<String>,
}

impl OutputArgs {
    /// How to cut a Markdown plan.
    pub fn markdown_limits(&self) -> crate::render::MarkdownLimits {
        crate::render::MarkdownLimits {
            max_bytes: (self.markdown_max_bytes > 0).then_some(self.markdown_max_bytes),
            full_plan_url: self.markdown_full_plan_url.clone(),
        }
    }
}

/// `--markdown-max-bytes`: 0 (no limit) or at least
/// [`crate::render::MIN_MAX_BYTES`].
fn markdown_max_bytes(text: &str) -> Result<usize, String> {
    let bytes: usize = text
        .parse()
        .map_err(|_| format!("{text:?} is not a number of bytes"))?;
    if bytes != 0 && bytes < crate::render::MIN_MAX_BYTES {
        return Err(format!(
            "{bytes} is too small: 0 (no limit) or at least {}",
            crate::render::MIN_MAX_BYTES
        ));
    }
    Ok(bytes)
}

/// The longest `--markdown-full-plan-url` accepted, so the notice stays
/// small next to the limit.
const FULL_PLAN_URL_MAX: usize = 2_048;

/// `--markdown-full-plan-url`: an absolute http(s) URL, normalised (so it
/// holds no whitespace, `<` or `>` and can stand in a Markdown link).
fn full_plan_url(text: &str) -> Result<String, String> {
    let url = Url::parse(text).map_err(|err| format!("{text:?} is not a URL: {err}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("{text:?} is not an http or https URL"));
    }
    let url = url.to_string();
    if url.len() > FULL_PLAN_URL_MAX || url.contains(['<', '>', ' ', '\n']) {
        return Err(format!(
            "{text:?}: at most {FULL_PLAN_URL_MAX} characters, without spaces, < or >"
        ));
    }
    Ok(url)
}

#[derive(Debug, Clone, Args)]
pub struct SpecArgs {
    /// Directory with the specs: a repository root, its `features/`
    /// directory, or a mounted ConfigMap.
    #[arg(long, default_value = "features", env = "ARANGOSYNC_DIR")]
    pub dir: PathBuf,
    /// Directory of environment patch documents (YAML, `apiVersion:
    /// db.feature-store/v1alpha1`, matched to a spec by `kind` and
    /// `metadata.name`), applied to the specs as JSON merge patches before
    /// they are checked: maps merge, lists and scalars replace, `null`
    /// deletes a key. A patch that matches no spec, two patches for one
    /// spec and a missing directory are errors (exit status 3).
    #[arg(long, value_name = "DIR", env = "ARANGOSYNC_OVERLAY")]
    pub overlay: Option<PathBuf>,
}

/// The ArangoDB version offline checks hold the specs to.
#[derive(Debug, Clone, Args)]
pub struct TargetArgs {
    /// Check the specs against this ArangoDB version (what production
    /// runs): a feature the version cannot hold is an error naming the
    /// version it needs, a deprecated one a warning. `X.Y` means `X.Y.0`,
    /// the first release of that line, so a tree valid for `3.12` holds on
    /// every 3.12.x. Startup options (`--vector-index`) are assumed on.
    /// Feature queries are checked against that version's AQL functions.
    /// Without it, specs are not checked against a version, and a query
    /// error counts only where every supported version reports it (an
    /// unknown function is one no version has).
    /// Only versions arangosync supports are accepted (3.11, 3.12.x, 4.x).
    #[arg(
        long,
        value_name = "X.Y[.Z]",
        env = "ARANGOSYNC_TARGET_VERSION",
        value_parser = supported_version
    )]
    pub target_version: Option<crate::server::Version>,
}

/// Reads `--target-version`: a version (`3.12`, `3.12.10`) of a line
/// arangosync supports. Errors name the supported lines.
fn supported_version(text: &str) -> Result<crate::server::Version, String> {
    let version: crate::server::Version = text.parse().map_err(|err| format!("{err}"))?;
    version.supported().map_err(|err| err.to_string())
}

impl TargetArgs {
    /// The offline server the version stands for.
    pub fn server(&self) -> Option<crate::server::Server> {
        self.target_version.map(crate::server::Server::target)
    }
}

/// What the plan may do beyond creating and updating.
#[derive(Debug, Clone, Args)]
pub struct PlanArgs {
    /// Drop indexes, analyzers, views, graphs and feature functions (with
    /// their registry entries) that arangosync created and that are no
    /// longer in the specs (collections also need --allow-destructive).
    #[arg(long)]
    pub prune: bool,
    /// Allow changes that delete documents: replacing a collection whose
    /// immutable properties changed, pruning collections.
    #[arg(long)]
    pub allow_destructive: bool,
    /// Allow a prune that deletes more than half of the objects arangosync
    /// owns in the database (collections, indexes, analyzers, views, graphs,
    /// functions).
    /// Without it such a plan is blocked: that is what a missing or partly
    /// mounted spec directory looks like.
    #[arg(long)]
    pub allow_mass_prune: bool,
    #[command(flatten)]
    pub features: FeatureArgs,
    /// The Git revision being applied, recorded in the feature registry
    /// (default: $ARGOCD_APP_REVISION, then $GIT_COMMIT).
    #[arg(long, env = "ARANGOSYNC_REVISION")]
    pub revision: Option<String>,
    /// Every feature must be callable as an AQL user function: on a server
    /// without user functions (ArangoDB 4.0, or UDFs turned off) the apply
    /// is refused before any write, naming the files. Without it such a
    /// server is served from the feature registry alone (one file can
    /// demand a function with the header line `-- Serve: function`).
    #[arg(long, env = "ARANGOSYNC_REQUIRE_FUNCTIONS")]
    pub require_functions: bool,
    /// Limit the plan (and apply) to this object and what it depends on;
    /// repeatable. Written as the plan's addresses: `collection/NAME`,
    /// `index/COLLECTION/NAME`, `graph/NAME`, `analyzer/NAME`, `view/NAME`,
    /// `function/NAMESPACE::NAME`, `registryEntry/NAMESPACE::NAME`. A
    /// collection covers its indexes (created, updated, and with --prune
    /// dropped when its spec no longer lists them). An
    /// index needs its collection (and an inverted one its analyzers), a
    /// graph its collections, a view its collections, analyzers and
    /// inverted indexes, a registry entry its function. --prune drops only
    /// within the targets. An address neither the specs nor the database
    /// hold is an error (exit status 3).
    #[arg(long = "target", value_name = "ADDRESS")]
    pub targets: Vec<String>,
}

#[derive(Debug, Clone, Args)]
pub struct FeatureArgs {
    /// Namespace of the feature functions (`NAMESPACE::FEATURE_V2`).
    /// Functions in other namespaces are never touched.
    #[arg(long, env = "ARANGOSYNC_NAMESPACE", default_value = crate::transform::DEFAULT_NAMESPACE)]
    pub namespace: String,
}

impl PlanArgs {
    /// Checks the syntax of every `--target` (`KIND/NAME`, a known kind)
    /// before anything connects, so a typo is invalid input (exit status
    /// 3) at once; whether the address exists is checked once the specs
    /// and the database are read.
    pub fn check_target_syntax(&self) -> Result<(), CliError> {
        for text in &self.targets {
            crate::plan::targets::parse(text).map_err(|err| CliError::usage(err.to_string()))?;
        }
        Ok(())
    }

    pub fn revision(&self) -> Option<String> {
        self.revision
            .clone()
            .or_else(|| std::env::var("ARGOCD_APP_REVISION").ok())
            .or_else(|| std::env::var("GIT_COMMIT").ok())
            .filter(|revision| !revision.trim().is_empty())
    }
}

#[derive(Debug, Clone, Args)]
pub struct ConnectionArgs {
    /// ArangoDB endpoint(s), comma-separated for several coordinators.
    #[arg(
        long,
        env = "ARANGO_HOST",
        default_value = "http://localhost:8529",
        value_delimiter = ','
    )]
    pub endpoint: Vec<String>,
    /// Database to manage.
    #[arg(long, env = "ARANGO_DATABASE", default_value = "_system")]
    pub database: String,
    /// Create the database when it does not exist.
    #[arg(long)]
    pub create_database: bool,
    /// User name for HTTP Basic authentication.
    #[arg(long, env = "ARANGO_USER", default_value = "root")]
    pub username: String,
    /// Password (visible to other local users in the process list: prefer
    /// ARANGO_PASSWORD or --password-file).
    #[arg(long, env = "ARANGO_PASSWORD", hide_env_values = true)]
    pub password: Option<String>,
    /// File holding the password, e.g. a mounted Kubernetes Secret; a
    /// trailing newline is ignored. Takes precedence over --password.
    #[arg(long, env = "ARANGO_PASSWORD_FILE")]
    pub password_file: Option<PathBuf>,
    /// A JWT to authenticate with instead of user name and password; takes
    /// precedence over both password options.
    #[arg(long, env = "ARANGO_JWT", hide_env_values = true)]
    pub jwt: Option<String>,
    /// PEM file with extra CA certificates to trust for https endpoints.
    #[arg(long, env = "ARANGO_CA_CERT")]
    pub ca_cert: Option<PathBuf>,
    /// How long one request may take before it times out (at least 1s): a
    /// number of seconds (30) or a duration with a unit (30s, 2m, 1h).
    #[arg(
        long,
        default_value = "30",
        value_name = "DURATION",
        env = "ARANGOSYNC_TIMEOUT",
        value_parser = super::duration::parse_at_least_one_second
    )]
    pub timeout: Duration,
    /// How long to wait for the server to become ready (connection refused,
    /// 503 while starting) before giving up: a number of seconds (60) or a
    /// duration with a unit (30s, 5m).
    #[arg(
        long,
        default_value = "60",
        value_name = "DURATION",
        env = "ARANGOSYNC_WAIT_TIMEOUT",
        value_parser = super::duration::parse
    )]
    pub wait_timeout: Duration,
    /// Attempts per request when the server is unavailable (503, refused or
    /// reset connections, timeouts), with exponential backoff and jitter.
    /// Errors the server reports (4xx) are never retried.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub retries: u32,
}

impl ConnectionArgs {
    pub fn settings(&self) -> Result<ConnectionSettings, CliError> {
        let mut endpoints = Vec::new();
        for endpoint in self
            .endpoint
            .iter()
            .map(|e| e.trim())
            .filter(|e| !e.is_empty())
        {
            // arangosh-style tcp:// and ssl:// endpoints mean http and https.
            let normalized = endpoint
                .replacen("tcp://", "http://", 1)
                .replacen("ssl://", "https://", 1);
            let url = Url::parse(&normalized).map_err(|err| {
                CliError::usage(format!("invalid --endpoint {endpoint:?}: {err}"))
            })?;
            if !matches!(url.scheme(), "http" | "https") {
                return Err(CliError::usage(format!(
                    "--endpoint {endpoint:?}: use http:// or https://"
                )));
            }
            endpoints.push(url);
        }
        if endpoints.is_empty() {
            return Err(CliError::usage("--endpoint is empty"));
        }
        let credentials = match (&self.jwt, &self.password_file, &self.password) {
            (Some(token), _, _) => Credentials::Jwt(Secret::new(token.trim())),
            (None, Some(path), _) => {
                let text = std::fs::read_to_string(path).map_err(|err| {
                    CliError::usage(format!(
                        "cannot read --password-file {}: {err}",
                        path.display()
                    ))
                })?;
                Credentials::Basic {
                    username: self.username.clone(),
                    password: Secret::new(
                        text.trim_start_matches('\u{feff}')
                            .trim_end_matches(['\r', '\n']),
                    ),
                }
            }
            (None, None, password) => Credentials::Basic {
                username: self.username.clone(),
                password: Secret::new(password.clone().unwrap_or_default()),
            },
        };
        Ok(ConnectionSettings {
            endpoints,
            database: self.database.clone(),
            credentials,
            ca_cert: self.ca_cert.clone(),
            request_timeout: self.timeout,
            retry: RetryPolicy {
                attempts: self.retries,
                ..RetryPolicy::default()
            },
        })
    }

    pub fn plan_options(&self, plan_args: &PlanArgs) -> plan::Options {
        plan::Options {
            database: self.database.clone(),
            create_database: self.create_database,
            prune: plan_args.prune,
            allow_destructive: plan_args.allow_destructive,
            allow_mass_prune: plan_args.allow_mass_prune,
            revision: plan_args.revision(),
            offline: false,
            require_functions: plan_args.require_functions,
        }
    }
}
