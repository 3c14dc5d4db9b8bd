//! One apply at a time per database: a lease in arangosync's state
//! collection.
//!
//! The lock is the document `_arangosync/lock` with the holder's identity
//! and an expiry time. Taking it is an insert that fails on a duplicate key;
//! taking over an expired lease is a replace guarded by the lease's `_rev`,
//! so of two runs racing for a stale lock exactly one wins. A crashed run's
//! lease simply expires. While applying, the holder renews the lease.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::Method;
use serde_json::{json, Value};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::client::{Client, ClientError};
use crate::ownership::STATE_COLLECTION;

const LOCK_KEY: &str = "lock";
const DUPLICATE_KEY: u64 = 1210;
const CONFLICT: u64 = 1200;
const NOT_FOUND: u64 = 1202;

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("another arangosync run holds the lock on database \"{database}\": {holder}, since {since}, lease until {until}; waited {waited}s (raise --lock-timeout to wait longer)")]
    Held {
        database: String,
        holder: String,
        since: String,
        until: String,
        waited: u64,
    },
    #[error("taking the apply lock: {0}")]
    Client(#[from] ClientError),
}

/// A held lease; `release` gives it back.
pub struct Lease {
    client: Client,
    holder: String,
    renewal: JoinHandle<()>,
    stop: watch::Sender<bool>,
    revision: watch::Receiver<String>,
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

fn lock_document(holder: &str, ttl: Duration) -> Value {
    let now = now();
    json!({
        "_key": LOCK_KEY,
        "type": "lock",
        "holder": holder,
        "acquiredAt": crate::time::rfc3339(now),
        "expiresAt": now + ttl.as_secs(),
    })
}

fn lock_path() -> String {
    format!("/_api/document/{STATE_COLLECTION}/{LOCK_KEY}")
}

/// Takes the lock, waiting up to `timeout` for another holder.
pub async fn acquire(
    client: &Client,
    ttl: Duration,
    timeout: Duration,
) -> Result<Lease, LockError> {
    let holder = holder_identity();
    let started = std::time::Instant::now();
    let collection_path = format!("/_api/document/{STATE_COLLECTION}");
    loop {
        let document = lock_document(&holder, ttl);
        match client
            .call(Method::POST, &collection_path, &[], Some(&document))
            .await
        {
            Ok(response) => {
                return Ok(Lease::start(
                    client,
                    holder,
                    revision_of(&response.body),
                    ttl,
                ))
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
        // Our own insert succeeded but its answer was lost (retried POST).
        if current_holder == holder {
            return Ok(Lease::start(client, holder, revision_of(&current), ttl));
        }
        let expires_at = current["expiresAt"].as_u64().unwrap_or(0);
        if expires_at <= now() {
            let revision = revision_of(&current);
            match client
                .call_if_match(Method::PUT, &lock_path(), Some(&document), &revision)
                .await
            {
                Ok(response) => {
                    tracing::warn!(previous = current_holder, "took over an expired apply lock");
                    return Ok(Lease::start(
                        client,
                        holder,
                        revision_of(&response.body),
                        ttl,
                    ));
                }
                Err(err) if matches!(err.error_num(), Some(CONFLICT | NOT_FOUND)) => continue,
                Err(err) => return Err(err.into()),
            }
        }
        if started.elapsed() >= timeout {
            return Err(LockError::Held {
                database: client.database().to_string(),
                holder: current_holder.to_string(),
                since: current["acquiredAt"].as_str().unwrap_or("?").to_string(),
                until: crate::time::rfc3339(expires_at),
                waited: started.elapsed().as_secs(),
            });
        }
        tracing::info!(
            holder = current_holder,
            "waiting for another arangosync run to release the apply lock"
        );
        let pause = Duration::from_millis(250 + u64::from(rand::random::<u16>() % 500));
        tokio::time::sleep(
            pause.min(
                timeout
                    .saturating_sub(started.elapsed())
                    .max(Duration::from_millis(10)),
            ),
        )
        .await;
    }
}

fn revision_of(body: &Value) -> String {
    body["_rev"].as_str().unwrap_or_default().to_string()
}

impl Lease {
    fn start(client: &Client, holder: String, revision: String, ttl: Duration) -> Lease {
        let (stop, mut stopped) = watch::channel(false);
        let (revision_tx, revision) = watch::channel(revision);
        let renew_client = client.clone();
        let renew_holder = holder.clone();
        let renewal = tokio::spawn(async move {
            let period = (ttl / 3).max(Duration::from_secs(1));
            loop {
                tokio::select! {
                    _ = tokio::time::sleep(period) => {}
                    _ = stopped.changed() => return,
                }
                let current = revision_tx.borrow().clone();
                let document = lock_document(&renew_holder, ttl);
                match renew_client
                    .call_if_match(Method::PUT, &lock_path(), Some(&document), &current)
                    .await
                {
                    Ok(response) => {
                        let _ = revision_tx.send(revision_of(&response.body));
                    }
                    Err(err) => {
                        tracing::error!(error = %err, "could not renew the apply lock; another run may take it over")
                    }
                }
            }
        });
        Lease {
            client: client.clone(),
            holder,
            renewal,
            stop,
            revision,
        }
    }

    pub fn holder(&self) -> &str {
        &self.holder
    }

    /// Gives the lock back. Failing to is not fatal: the lease expires.
    pub async fn release(self) {
        let _ = self.stop.send(true);
        let _ = self.renewal.await;
        let revision = self.revision.borrow().clone();
        match self
            .client
            .call_if_match(Method::DELETE, &lock_path(), None, &revision)
            .await
        {
            Ok(_) => {}
            Err(err) if matches!(err.error_num(), Some(CONFLICT | NOT_FOUND)) => {
                tracing::warn!("the apply lock was taken over before it was released");
            }
            Err(err) => {
                tracing::warn!(error = %err, "could not release the apply lock; it expires on its own")
            }
        }
    }
}
