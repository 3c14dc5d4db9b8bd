//! What a person or a log collector sees while `apply` runs: the CLI's
//! side of `apply::Progress`. The executor only reports events (a change
//! started, a step of it started, a change ended); this module decides
//! how to show them.
//!
//! - On a terminal (stderr is one, `--log-format text`, no `-q`, `TERM` is
//!   not `dumb`): one progress bar on stderr, drawn by `indicatif`: how
//!   many changes are done of how many, and what is running now, each
//!   running step with its elapsed time once it takes longer than
//!   `BAR_ELAPSED_AFTER`. Log lines (`done ...`) are printed above the bar
//!   (`log_writer` hides the bar while one is written).
//! - Elsewhere (a pipe, a file, a Kubernetes log, JSON logs): no bar and no
//!   escape codes; a step still running after `--progress-interval` is
//!   logged as `still building index users/idx (10 s)`, and again after
//!   each further interval (`(20 s)`, ...: the intervals' ends).
//!
//! Nothing of it goes to stdout, and a stderr that cannot be written to (a
//! closed pipe, a terminal that went away) is ignored: indicatif drops its
//! own write errors, and so does `log_writer`.

use std::collections::VecDeque;
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::apply::Progress;
use crate::client::ClientError;
use crate::ownership::STATE_COLLECTION;
use crate::plan::{Address, Change, Step};

/// On the bar, a step shows its elapsed time once it has run this long.
const BAR_ELAPSED_AFTER: Duration = Duration::from_secs(2);

/// How often running steps are looked at (the bar's spinner turns, and
/// the elapsed times and log lines are due).
const TICK: Duration = Duration::from_millis(200);

/// The bar being drawn, if any: log lines are written around it.
static ACTIVE_BAR: Mutex<Option<ProgressBar>> = Mutex::new(None);

/// Whether `apply` may draw a bar: set once from the global flags (like the
/// log subscriber, whose writer the bar shares stderr with), off until then.
static BAR_ALLOWED: AtomicBool = AtomicBool::new(false);

/// Lets `apply` draw a progress bar (`bar_wanted` of the global flags).
pub fn allow_bar(allowed: bool) {
    BAR_ALLOWED.store(allowed, Ordering::SeqCst);
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic elsewhere while holding the lock leaves plain data behind.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Whether a progress bar may be drawn: stderr is a terminal, logs are
/// text and not quietened, and the terminal is not `TERM=dumb`.
pub fn bar_wanted(quiet: bool, json_logs: bool) -> bool {
    let dumb = std::env::var_os("TERM").is_some_and(|term| term == "dumb");
    !quiet && !json_logs && !dumb && std::io::stderr().is_terminal()
}

/// The writer of log lines (for `tracing_subscriber`): stderr, with the
/// progress bar, when one is drawn, hidden while the line is written and
/// drawn again below it. Write errors are reported to the caller, which
/// drops them (see `main`).
pub fn log_writer() -> LogWriter {
    LogWriter
}

/// See `log_writer`.
pub struct LogWriter;

impl Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.write_all(buf)?;
        Ok(buf.len())
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        let bar = lock(&ACTIVE_BAR).clone();
        let write = || std::io::stderr().lock().write_all(buf);
        match bar {
            Some(bar) => bar.suspend(write),
            None => write(),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

/// What step `index` of `change` is doing, as the bar and the log say it
/// ("building index users/idx_users_email").
pub fn activity(change: &Change, index: usize) -> String {
    let Some(step) = change.steps.get(index) else {
        return format!("{} {}", change.action.as_str(), change.address);
    };
    let name = |body: &serde_json::Value| body["name"].as_str().unwrap_or("?").to_string();
    match step {
        Step::CreateDatabase { name } => format!("creating database {name}"),
        Step::CreateStateCollection => format!("creating collection {STATE_COLLECTION}"),
        Step::CreateCollection { body, .. } => format!(
            "creating collection {}",
            body.string("name").as_deref().unwrap_or("?")
        ),
        Step::UpdateProperties { collection, .. } => {
            format!("updating collection {collection}")
        }
        Step::RenameCollection { collection, name } => {
            format!("renaming collection {collection} to {name}")
        }
        Step::DropCollection { collection, .. } => format!("dropping collection {collection}"),
        Step::CreateIndex {
            collection, body, ..
        } => match body.string("name") {
            Some(index) => format!("building index {collection}/{index}"),
            // The plan's address names it by type and fields.
            None if matches!(change.address, Address::Index { .. }) => {
                format!("building {}", change.address)
            }
            None => format!("building an unnamed index on {collection}"),
        },
        Step::DropIndex {
            collection, name, ..
        } => format!("dropping index {collection}/{name}"),
        Step::CreateGraph { body } => format!("creating graph {}", name(body)),
        Step::AddEdgeDefinition { graph, .. }
        | Step::ReplaceEdgeDefinition { graph, .. }
        | Step::RemoveEdgeDefinition { graph, .. }
        | Step::AddVertexCollection { graph, .. }
        | Step::RemoveVertexCollection { graph, .. } => format!("updating graph {graph}"),
        Step::DropGraph { graph } => format!("dropping graph {graph}"),
        Step::RegisterFunction { name, .. } => format!("registering function {name}"),
        Step::DeleteFunction { name } => format!("deleting function {name}"),
        Step::WriteRegistryEntry { entry } => format!(
            "writing the registry entry of {}",
            entry["function"].as_str().unwrap_or("?")
        ),
        Step::DeleteRegistryEntry { function } => {
            format!("deleting the registry entry of {function}")
        }
        Step::ConfirmOwnership { .. } => "recording ownership".to_string(),
        Step::ForgetIntents { .. } => "settling pending ownership records".to_string(),
        Step::CreateAnalyzer { body } => format!("creating analyzer {}", name(body)),
        Step::DropAnalyzer { name, .. } => format!("dropping analyzer {name}"),
        Step::CreateView { body } => format!("creating view {}", name(body)),
        Step::UpdateViewProperties { view, .. } => format!("updating view {view}"),
        Step::DropView { view } => format!("dropping view {view}"),
    }
}

/// A change that is running, with its current step.
struct Running {
    address: String,
    activity: String,
    /// When the current step started.
    since: Instant,
    /// How many `interval`s of the current step were logged already.
    logged: u64,
}

/// The state shared by the observer's callers and its ticker thread.
struct Shared {
    bar: Option<ProgressBar>,
    /// `--progress-interval`: how often a long step is logged.
    interval: Duration,
    /// In the order the changes started.
    running: Mutex<VecDeque<Running>>,
}

impl Shared {
    /// The bar's message: what runs now, the longest-running step first
    /// (the bar cuts the message at the terminal's width), with the elapsed
    /// times of long steps.
    fn message(running: &VecDeque<Running>, now: Instant) -> String {
        let mut entries: Vec<&Running> = running.iter().collect();
        entries.sort_by_key(|entry| entry.since);
        entries
            .into_iter()
            .map(|entry| {
                let elapsed = now.saturating_duration_since(entry.since);
                if elapsed >= BAR_ELAPSED_AFTER {
                    format!("{} ({} s)", entry.activity, elapsed.as_secs())
                } else {
                    entry.activity.clone()
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn redraw(&self, running: &VecDeque<Running>) {
        if let Some(bar) = &self.bar {
            bar.set_message(Shared::message(running, Instant::now()));
        }
    }

    /// One look at the running steps: the bar's spinner and elapsed times,
    /// or the log lines that are due.
    fn tick(&self) {
        let now = Instant::now();
        let mut due = Vec::new();
        {
            let mut running = lock(&self.running);
            if let Some(bar) = &self.bar {
                bar.set_message(Shared::message(&running, now));
                bar.tick();
                return;
            }
            for entry in running.iter_mut() {
                let elapsed = now.saturating_duration_since(entry.since);
                let intervals = (elapsed.as_millis() / self.interval.as_millis().max(1)) as u64;
                if intervals > entry.logged {
                    entry.logged = intervals;
                    // The interval's end, not the tick's time: 10 s, 20 s.
                    let seconds = u32::try_from(intervals)
                        .map_or(elapsed, |count| self.interval * count)
                        .as_secs();
                    due.push((entry.address.clone(), entry.activity.clone(), seconds));
                }
            }
        }
        // Logged outside the lock: the writer may take the bar's.
        for (address, activity, seconds) in due {
            tracing::info!(
                change = %address,
                elapsed_s = seconds,
                "still {activity} ({seconds} s)"
            );
        }
    }
}

impl Progress for Shared {
    fn started(&self, change: &Change) {
        tracing::debug!(change = %change.address, action = change.action.as_str(), "applying");
        let mut running = lock(&self.running);
        running.push_back(Running {
            address: change.address.to_string(),
            activity: activity(change, usize::MAX),
            since: Instant::now(),
            logged: 0,
        });
        self.redraw(&running);
    }

    fn step_started(&self, change: &Change, index: usize) {
        let address = change.address.to_string();
        let mut running = lock(&self.running);
        if let Some(entry) = running.iter_mut().find(|entry| entry.address == address) {
            entry.activity = activity(change, index);
            entry.since = Instant::now();
            entry.logged = 0;
        }
        self.redraw(&running);
    }

    fn finished(&self, change: &Change, outcome: &Result<(), ClientError>) {
        self.end(change);
        match outcome {
            Ok(()) => {
                tracing::info!(change = %change.address, action = change.action.as_str(), "done")
            }
            Err(err) => tracing::error!(change = %change.address, error = %err, "failed"),
        }
    }

    fn deferred(&self, change: &Change, _answer: &str) {
        self.end(change);
        // Reported once, as a warning, when the apply ends.
        tracing::debug!(change = %change.address, action = change.action.as_str(), "deferred");
    }
}

impl Shared {
    fn end(&self, change: &Change) {
        let address = change.address.to_string();
        let mut running = lock(&self.running);
        running.retain(|entry| entry.address != address);
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
        self.redraw(&running);
    }
}

/// The observer of one `apply::execute`: create it before, `finish` it
/// after (dropping it does the same), before anything else is printed.
pub struct ApplyProgress {
    shared: Arc<Shared>,
    /// Dropping the sender stops the ticker thread.
    ticker: Option<(mpsc::Sender<()>, JoinHandle<()>)>,
}

impl ApplyProgress {
    /// An observer for a plan of `total` changes, with a progress bar if
    /// `allow_bar` allowed one; `interval`: `--progress-interval`.
    pub fn start(total: usize, interval: Duration) -> ApplyProgress {
        ApplyProgress::new(total, interval, BAR_ALLOWED.load(Ordering::SeqCst))
    }

    /// An observer that only logs (for the few quick changes before the
    /// lock, so that one bar counts the plan made under the lock).
    pub fn log_only(interval: Duration) -> ApplyProgress {
        ApplyProgress::new(0, interval, false)
    }

    fn new(total: usize, interval: Duration, bar: bool) -> ApplyProgress {
        let bar = bar.then(|| {
            // The message gets what the terminal's width leaves.
            let style = ProgressStyle::with_template(
                "{spinner} applying {pos}/{len} [{bar:20}] {wide_msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
            let bar =
                ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr())
                    .with_style(style);
            *lock(&ACTIVE_BAR) = Some(bar.clone());
            bar
        });
        let shared = Arc::new(Shared {
            bar,
            interval: interval.max(Duration::from_millis(1)),
            running: Mutex::new(VecDeque::new()),
        });
        let (stop, stopped) = mpsc::channel::<()>();
        let ticking = shared.clone();
        let ticker = std::thread::Builder::new()
            .name("apply-progress".into())
            .spawn(move || {
                // Ends when the sender is dropped (or sends).
                while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(TICK) {
                    ticking.tick();
                }
            })
            .ok()
            .map(|handle| (stop, handle));
        ApplyProgress { shared, ticker }
    }

    /// What `apply::execute` reports to.
    pub fn observer(&self) -> Arc<dyn Progress> {
        self.shared.clone()
    }

    /// Stops the ticker and clears the bar from the terminal.
    pub fn finish(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        if let Some((stop, handle)) = self.ticker.take() {
            drop(stop);
            let _ = handle.join();
        }
        if let Some(bar) = &self.shared.bar {
            let mut active = lock(&ACTIVE_BAR);
            *active = None;
            drop(active);
            bar.finish_and_clear();
        }
    }
}

impl Drop for ApplyProgress {
    fn drop(&mut self) {
        self.stop();
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn change(address: Address, steps: Vec<Step>) -> Change {
        Change {
            address,
            action: crate::plan::Action::Create,
            reason: String::new(),
            fields: Vec::new(),
            steps,
            blocked: None,
            destructive: false,
            risk: None,
        }
    }

    #[test]
    fn steps_say_what_they_do() {
        let named = change(
            Address::Index {
                collection: "users".into(),
                index: "idx_users_email".into(),
            },
            vec![Step::CreateIndex {
                collection: "users".into(),
                body: json!({"name": "idx_users_email", "type": "persistent"}).into(),
                deferrable: false,
            }],
        );
        assert_eq!(activity(&named, 0), "building index users/idx_users_email");
        // An unnamed index goes by the plan's address.
        let unnamed = change(
            Address::Index {
                collection: "users".into(),
                index: "ttl[expires_at]".into(),
            },
            vec![Step::CreateIndex {
                collection: "users".into(),
                body: json!({"type": "ttl", "fields": ["expires_at"]}).into(),
                deferrable: false,
            }],
        );
        assert_eq!(
            activity(&unnamed, 0),
            "building index users/ttl[expires_at]"
        );
        let view = change(
            Address::View("search".into()),
            vec![Step::DropView {
                view: "search".into(),
            }],
        );
        assert_eq!(activity(&view, 0), "dropping view search");
        // Before its first step: the change itself.
        assert_eq!(activity(&view, usize::MAX), "create view search");
    }

    #[test]
    fn the_bar_message_names_every_running_step_longest_first_with_its_time() {
        let now = Instant::now();
        let running: VecDeque<Running> = [
            ("collection b", "creating collection b", 0),
            ("index users/a", "building index users/a", 12),
        ]
        .into_iter()
        .map(|(address, activity, seconds)| Running {
            address: address.into(),
            activity: activity.into(),
            since: now - Duration::from_secs(seconds),
            logged: 0,
        })
        .collect();
        assert_eq!(
            Shared::message(&running, now),
            "building index users/a (12 s), creating collection b"
        );
    }
}
