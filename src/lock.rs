//! One apply at a time per database: a lease in arangosync's state
//! collection.
//!
//! The lock is the document `_arangosync/lock` with the holder's identity
//! and the lease's length (`ttlSeconds`). Taking it is an insert that fails
//! on a duplicate key; taking over a stale lease is a replace guarded by the
//! lease's `_rev`, so of two runs racing for a stale lock exactly one wins.
//!
//! No clock is compared with another machine's: the holder's wall-clock
//! time in the document is for people only. A waiting run measures, on its
//! own monotonic clock, how long it has seen the same revision of the lock
//! unchanged, and takes the lease over only once that exceeds the lease's
//! TTL. The holder renews the lease every third of the TTL and counts its
//! own validity from the moment it *sent* the last successful renewal: if
//! a renewal fails, or no renewal succeeds within three quarters of the TTL
//! of that moment, it stops the apply (`interrupt::Reason::LeaseLost`) so
//! no write of it runs after the lease could pass to another run.
//!
//! Releasing does not delete the document: it replaces it (guarded by the
//! lease's `_rev`) with a released lock (`released: true`, `releasedAt`,
//! the last holder, `ttlSeconds: 0`), so the lock's history is observable.
//! A run that saw a released lock at revision R before it read the schema
//! (`Observation`) and then takes the lock by a replace guarded by R knows
//! no other run held it in between, so none wrote: its plan stands
//! (`Lease::undisturbed`). An older arangosync, which takes any lock
//! document for a held one, finds a lease of 0 seconds and takes it over
//! at its first look; an older one still that compares `expiresAt` finds
//! it past.

use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use reqwest::Method;
use serde_json::{json, Value};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::client::{Client, ClientError};
use crate::interrupt::{Interrupt, Reason, Trigger};
use crate::ownership::STATE_COLLECTION;

const LOCK_KEY: &str = "lock";
const DUPLICATE_KEY: u64 = 1210;
const CONFLICT: u64 = 1200;
const NOT_FOUND: u64 = 1202;

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("another arangosync run holds the lock on database \"{database}\": {holder}, since {since}; its lease ({ttl}s) was last renewed {unchanged}s ago as seen from here; waited {waited}s (raise --lock-timeout to wait longer)")]
    Held {
        database: String,
        holder: String,
        since: String,
        ttl: u64,
        unchanged: u64,
        waited: u64,
    },
    #[error("taking the apply lock: {0}")]
    Client(#[from] ClientError),
    /// A signal arrived while waiting for the lock; any lock taken was given back.
    #[error("stopped by {} while waiting for the apply lock; nothing was changed", .0.describe())]
    Interrupted(Reason),
}

/// A held lease; `release` gives it back.
pub struct Lease {
    client: Client,
    holder: String,
    renewal: JoinHandle<()>,
    stop: watch::Sender<bool>,
    revision: watch::Receiver<String>,
    undisturbed: bool,
    inserted: bool,
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs())
        .unwrap_or(0)
}

/// Who we are, for the message another run prints: host, process, and a
/// random part so two runs on one host differ.
pub fn holder_identity() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .filter(|host| !host.is_empty())
        .or_else(|| {
            std::fs::read_to_string("/etc/hostname")
                .ok()
                .map(|host| host.trim().to_string())
        })
        .unwrap_or_else(|| "unknown-host".into());
    let nonce: u32 = rand::random();
    format!("{host} pid {} ({nonce:08x})", std::process::id())
}

/// The lock document. `acquiredAt` is the holder's wall clock, shown to
/// people and never compared; `expiresAt` (holder's clock + TTL) is never
/// read by this version and is written only so that an older arangosync,
/// which reads it, still waits for this lease during an upgrade;
/// `renewals` makes every renewal a new revision even where the server
/// would keep one for an identical body.
fn lock_document(holder: &str, ttl: Duration, acquired_at: &str, renewals: u64) -> Value {
    json!({
        "_key": LOCK_KEY,
        "type": "lock",
        "holder": holder,
        "acquiredAt": acquired_at,
        "expiresAt": now() + ttl.as_secs(),
        "ttlSeconds": ttl.as_secs(),
        "renewals": renewals,
    })
}

/// The lock document a run leaves when it gives the lock back: the last
/// holder (for people), when it was released (`releasedAt`, the holder's
/// wall clock, never compared), and a lease of 0 seconds, already expired
/// (`expiresAt`), so an older arangosync that reads it as held takes it
/// over at once.
fn released_document(holder: &str) -> Value {
    let released_at = now();
    json!({
        "_key": LOCK_KEY,
        "type": "lock",
        "released": true,
        "releasedAt": crate::time::rfc3339(released_at),
        "holder": holder,
        "expiresAt": released_at,
        "ttlSeconds": 0,
    })
}

/// Whether a lock document is a released lock (no run holds it).
fn is_released(document: &Value) -> bool {
    document["released"].as_bool() == Some(true)
}

/// What a run saw of the lock before it read the schema: filled by
/// `live::read` (`GET` of the lock document, answered before the schema
/// read is sent), read by `acquire`. Empty until observed.
#[derive(Debug, Default)]
pub struct Observation {
    released: Mutex<Option<String>>,
}

impl Observation {
    /// The request that observes the lock (a path of the run's database).
    pub fn path() -> String {
        lock_path()
    }

    /// Records the answer to `GET` of `Observation::path()`: a released
    /// lock's revision is kept; anything else (held, absent: 404 for the
    /// document, the state collection or the database, or any failure)
    /// proves nothing and clears it.
    pub fn record(&self, answer: Result<&Value, &ClientError>) {
        let released = match answer {
            Ok(document) if is_released(document) => Some(revision_of(document)),
            _ => None,
        }
        .filter(|revision| !revision.is_empty());
        if let Ok(mut seen) = self.released.lock() {
            *seen = released;
        }
    }

    /// The revision of the released lock observed, if one was.
    pub fn released_revision(&self) -> Option<String> {
        self.released.lock().ok().and_then(|seen| seen.clone())
    }
}

fn lock_path() -> String {
    format!("/_api/document/{STATE_COLLECTION}/{LOCK_KEY}")
}

/// Takes the lock, waiting up to `timeout` for another holder. A stop
/// request (`interrupt`) ends the wait at once and gives back a lock this
/// call may have taken; a lost lease later stops the run through `trigger`.
/// `observed`: the revision of a released lock this run saw before it
/// read the schema (`Observation`); the first attempt replaces exactly
/// that revision, and the lease is `undisturbed` when it succeeds.
pub async fn acquire(
    client: &Client,
    ttl: Duration,
    timeout: Duration,
    interrupt: &Interrupt,
    trigger: &Trigger,
    observed: Option<&str>,
) -> Result<Lease, LockError> {
    let holder = holder_identity();
    let mut watcher = interrupt.clone();
    tokio::select! {
        biased;
        taken = acquire_as(client, &holder, ttl, timeout, trigger, observed) => taken,
        stop = watcher.wait() => {
            // A request of ours may have taken the lock just before: give it back.
            let cleanup = release_if_ours(client, &holder);
            let _ = tokio::time::timeout(crate::interrupt::SIGNAL_GRACE, cleanup).await;
            Err(LockError::Interrupted(stop.reason))
        }
    }
}

/// Whether `document` is a lock `holder` holds (not one it released).
fn held_by(document: &Value, holder: &str) -> bool {
    document["holder"].as_str() == Some(holder) && !is_released(document)
}

/// Releases the lock if `holder` holds it; whether it did.
async fn release_if_ours(client: &Client, holder: &str) -> bool {
    let Ok(current) = client.call(Method::GET, &lock_path(), &[], None).await else {
        return false;
    };
    if !held_by(&current.body, holder) {
        return false;
    }
    let revision = revision_of(&current.body);
    client
        .call_if_match(
            Method::PUT,
            &lock_path(),
            Some(&released_document(holder)),
            &revision,
        )
        .await
        .is_ok()
}

async fn acquire_as(
    client: &Client,
    holder: &str,
    ttl: Duration,
    timeout: Duration,
    trigger: &Trigger,
    observed: Option<&str>,
) -> Result<Lease, LockError> {
    let started = Instant::now();
    let acquired_at = crate::time::rfc3339(now());
    let collection_path = format!("/_api/document/{STATE_COLLECTION}");
    if let Some(revision) = observed {
        let document = lock_document(holder, ttl, &acquired_at, 0);
        match take_at(client, holder, &document, revision, ttl, trigger).await? {
            Some(mut lease) => {
                lease.undisturbed = true;
                return Ok(lease);
            }
            None => tracing::debug!(
                "the apply lock changed since this run observed it released; taking it the usual way"
            ),
        }
    }
    // The lock revision we watch, and when we first saw it (after the
    // answer that showed it: it was written no later than that).
    let mut watched: Option<(String, Instant)> = None;
    // Only the first insert can show that no lock document existed: by a
    // later one, another run may have held the lock and released it.
    let mut first_insert = observed.is_none();
    loop {
        let document = lock_document(holder, ttl, &acquired_at, 0);
        let sent = Instant::now();
        let inserted = client
            .call(Method::POST, &collection_path, &[], Some(&document))
            .await;
        let first = std::mem::replace(&mut first_insert, false);
        match inserted {
            Ok(response) => {
                let mut lease = Lease::start(
                    client,
                    holder.to_string(),
                    revision_of(&response.body),
                    sent,
                    ttl,
                    trigger.clone(),
                );
                lease.inserted = first;
                return Ok(lease);
            }
            Err(err) if err.error_num() != Some(DUPLICATE_KEY) => return Err(err.into()),
            Err(_) => {}
        }
        let current = match client.call(Method::GET, &lock_path(), &[], None).await {
            Ok(response) => response.body,
            // Released between our insert and this read: try again at once.
            Err(err) if err.error_num() == Some(NOT_FOUND) => continue,
            Err(err) => return Err(err.into()),
        };
        let current_holder = current["holder"].as_str().unwrap_or("unknown");
        let revision = revision_of(&current);
        // Given back by its last holder: taken at once, unless another
        // run takes it first.
        if is_released(&current) {
            match take_at(client, holder, &document, &revision, ttl, trigger).await? {
                Some(lease) => return Ok(lease),
                None => continue,
            }
        }
        // Our own insert succeeded but its answer was lost (retried POST).
        if current_holder == holder {
            return Ok(Lease::start(
                client,
                holder.to_string(),
                revision,
                sent,
                ttl,
                trigger.clone(),
            ));
        }
        let seen = match &watched {
            Some((watched_revision, seen)) if *watched_revision == revision => *seen,
            _ => {
                let seen = Instant::now();
                watched = Some((revision.clone(), seen));
                seen
            }
        };
        // The lease's own length; a lock written by an older arangosync
        // has none and gets ours.
        let lease_ttl = current["ttlSeconds"]
            .as_u64()
            .map(Duration::from_secs)
            .unwrap_or(ttl);
        let until_stale = lease_ttl.saturating_sub(seen.elapsed());
        if until_stale.is_zero() {
            match take_at(client, holder, &document, &revision, ttl, trigger).await? {
                Some(lease) => {
                    tracing::warn!(
                        previous = current_holder,
                        unchanged_seconds = seen.elapsed().as_secs(),
                        "took over a stale apply lock (not renewed for its whole lease)"
                    );
                    return Ok(lease);
                }
                None => continue,
            }
        }
        // Give up after the timeout, unless the watched lease goes stale
        // within the second anyway.
        if started.elapsed() >= timeout && until_stale > Duration::from_secs(1) {
            return Err(LockError::Held {
                database: client.database().to_string(),
                holder: current_holder.to_string(),
                since: current["acquiredAt"].as_str().unwrap_or("?").to_string(),
                ttl: lease_ttl.as_secs(),
                unchanged: seen.elapsed().as_secs(),
                waited: started.elapsed().as_secs(),
            });
        }
        tracing::info!(
            holder = current_holder,
            "waiting for another arangosync run to release the apply lock"
        );
        let pause = Duration::from_millis(250 + u64::from(rand::random::<u16>() % 500));
        let until_timeout = timeout.saturating_sub(started.elapsed());
        let until_next = if until_timeout.is_zero() {
            until_stale
        } else {
            until_stale.min(until_timeout)
        };
        tokio::time::sleep(pause.min(until_next).max(Duration::from_millis(10))).await;
    }
}

/// Replaces the lock document at `revision` with `document` (ours): the
/// lease, or `None` when the lock changed or vanished meanwhile (another
/// run was faster).
async fn take_at(
    client: &Client,
    holder: &str,
    document: &Value,
    revision: &str,
    ttl: Duration,
    trigger: &Trigger,
) -> Result<Option<Lease>, LockError> {
    let sent = Instant::now();
    match client
        .call_if_match(Method::PUT, &lock_path(), Some(document), revision)
        .await
    {
        Ok(response) => Ok(Some(Lease::start(
            client,
            holder.to_string(),
            revision_of(&response.body),
            sent,
            ttl,
            trigger.clone(),
        ))),
        Err(err) if matches!(err.error_num(), Some(CONFLICT | NOT_FOUND)) => Ok(None),
        Err(err) => Err(err.into()),
    }
}

fn revision_of(body: &Value) -> String {
    body["_rev"].as_str().unwrap_or_default().to_string()
}

impl Lease {
    /// Starts renewing a lease whose revision `revision` was written by a
    /// request sent at `sent`.
    fn start(
        client: &Client,
        holder: String,
        revision: String,
        sent: Instant,
        ttl: Duration,
        trigger: Trigger,
    ) -> Lease {
        let (stop, stopped) = watch::channel(false);
        let (revision_tx, revision) = watch::channel(revision);
        let renewal = tokio::spawn(renew(
            client.clone(),
            holder.clone(),
            ttl,
            sent,
            revision_tx,
            stopped,
            trigger,
        ));
        Lease {
            client: client.clone(),
            holder,
            renewal,
            stop,
            revision,
            undisturbed: false,
            inserted: false,
        }
    }

    pub fn holder(&self) -> &str {
        &self.holder
    }

    /// Whether the lease replaced the very released lock the run observed
    /// before it read the schema: no other run held the lock in between,
    /// so no other run wrote.
    pub fn undisturbed(&self) -> bool {
        self.undisturbed
    }

    /// Whether the lease was taken by the run's first insert of the lock
    /// document, which therefore did not exist: no run of this version
    /// held the lock in this database before (each leaves its lock
    /// document behind, released or held). An older arangosync deletes
    /// the document when it is done, so this alone proves nothing about
    /// it; see `cli::apply` for what a first apply adds.
    pub fn inserted(&self) -> bool {
        self.inserted
    }

    /// Gives the lock back, leaving a released lock (see the module
    /// note). Failing to is not fatal: the lease expires.
    pub async fn release(self) {
        let _ = self.stop.send(true);
        let _ = self.renewal.await;
        let revision = self.revision.borrow().clone();
        match self
            .client
            .call_if_match(
                Method::PUT,
                &lock_path(),
                Some(&released_document(&self.holder)),
                &revision,
            )
            .await
        {
            Ok(_) => {}
            Err(err) if err.error_num() == Some(NOT_FOUND) => {
                tracing::warn!("the apply lock was gone before it was released");
            }
            // A renewal cut short by the release may have landed after all:
            // the lock is still ours under a newer revision.
            Err(err) if err.error_num() == Some(CONFLICT) => {
                if !release_if_ours(&self.client, &self.holder).await {
                    tracing::warn!("the apply lock was taken over before it was released");
                }
            }
            Err(err) => {
                tracing::warn!(error = %err, "could not release the apply lock; it expires on its own")
            }
        }
    }
}

/// The part of the TTL, counted on our own clock from the sending of the
/// last successful renewal, during which the holder may still write. The
/// rest is the margin for abandoning requests before another run could
/// take the lease over.
fn safe_part(ttl: Duration) -> Duration {
    ttl * 3 / 4
}

/// Renews the lease every third of the TTL until told to stop. A renewal
/// that fails, or that has not succeeded by the end of the safe part of the
/// lease, stops the apply through `trigger`.
async fn renew(
    client: Client,
    holder: String,
    ttl: Duration,
    mut confirmed: Instant,
    revision: watch::Sender<String>,
    mut stopped: watch::Receiver<bool>,
    trigger: Trigger,
) {
    let period = ttl / 3;
    let acquired_at = crate::time::rfc3339(now());
    let mut renewals = 0u64;
    loop {
        let safe_until = confirmed + safe_part(ttl);
        tokio::select! {
            _ = tokio::time::sleep_until((confirmed + period).into()) => {}
            _ = stopped.changed() => return,
        }
        renewals += 1;
        let current = revision.borrow().clone();
        let document = lock_document(&holder, ttl, &acquired_at, renewals);
        let sent = Instant::now();
        let path = lock_path();
        let call = client.call_if_match(Method::PUT, &path, Some(&document), &current);
        let outcome = tokio::select! {
            outcome = call => outcome,
            _ = tokio::time::sleep_until(safe_until.into()) => {
                tracing::error!("the apply lock could not be renewed in time; stopping before another run can take it over");
                trigger.stop(Reason::LeaseLost, safe_until);
                return;
            }
            _ = stopped.changed() => return,
        };
        match outcome {
            Ok(response) => {
                confirmed = sent;
                let _ = revision.send(revision_of(&response.body));
            }
            // A retried renewal whose first attempt landed meets its own
            // new revision: still ours.
            Err(err) if err.error_num() == Some(CONFLICT) => {
                match client.call(Method::GET, &lock_path(), &[], None).await {
                    Ok(response) if held_by(&response.body, &holder) => {
                        confirmed = sent;
                        let _ = revision.send(revision_of(&response.body));
                    }
                    _ => {
                        tracing::error!("another run took the apply lock over; stopping");
                        trigger.stop(Reason::LeaseLost, Instant::now());
                        return;
                    }
                }
            }
            Err(err) => {
                tracing::error!(error = %err, "could not renew the apply lock; stopping before another run can take it over");
                trigger.stop(Reason::LeaseLost, safe_until);
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{held_by, is_released, lock_document, released_document, Observation};
    use crate::client::ClientError;
    use serde_json::json;
    use std::time::Duration;

    #[test]
    fn a_released_lock_is_over_for_every_reader() {
        let released = released_document("host pid 1 (0000000a)");
        assert!(is_released(&released));
        assert_eq!(released["type"], "lock");
        assert_eq!(released["_key"], "lock");
        // An older arangosync reads the lease's length, or its expiry.
        assert_eq!(released["ttlSeconds"], 0);
        assert!(released["expiresAt"].as_u64() <= Some(super::now()));
        // The last holder is named, but no longer holds it.
        assert_eq!(released["holder"], "host pid 1 (0000000a)");
        assert!(!held_by(&released, "host pid 1 (0000000a)"));
        let held = lock_document("host pid 1 (0000000a)", Duration::from_secs(60), "t", 0);
        assert!(!is_released(&held));
        assert!(held_by(&held, "host pid 1 (0000000a)"));
        assert!(!held_by(&held, "other"));
    }

    #[test]
    fn only_a_released_lock_with_a_revision_is_observed() {
        let observation = Observation::default();
        assert_eq!(observation.released_revision(), None);
        let mut released = released_document("a");
        released["_rev"] = json!("_r1");
        observation.record(Ok(&released));
        assert_eq!(observation.released_revision().as_deref(), Some("_r1"));
        // Held (an older arangosync's lock has no `released` either).
        let mut held = lock_document("a", Duration::from_secs(60), "t", 0);
        held["_rev"] = json!("_r2");
        observation.record(Ok(&held));
        assert_eq!(observation.released_revision(), None);
        observation.record(Ok(&released));
        // Absent, or no answer: proves nothing.
        observation.record(Err(&ClientError::Config("404".into())));
        assert_eq!(observation.released_revision(), None);
        let mut unrevised = released_document("a");
        unrevised["_rev"] = json!("");
        observation.record(Ok(&unrevised));
        assert_eq!(observation.released_revision(), None);
    }
}
