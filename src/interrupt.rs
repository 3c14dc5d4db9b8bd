//! Stopping an apply early: on SIGTERM or SIGINT, or when the run can no
//! longer renew its apply lock.
//!
//! A `Stop` is a watched value: the signal listener (or the lease renewal)
//! sets it once, and `apply` checks it before every step and while waiting
//! for running ones. It carries the reason and the moment by which running
//! requests must be abandoned: a few seconds of grace after a signal, and
//! the point where the lease could pass to another run when the lock is
//! lost.

use std::time::{Duration, Instant};

use tokio::sync::watch;

/// How long requests already running may take to finish after SIGTERM or
/// SIGINT before they are abandoned.
pub const SIGNAL_GRACE: Duration = Duration::from_secs(5);

/// Why a run stops early.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// SIGTERM (Kubernetes terminating the Job): exit status 143.
    Terminate,
    /// SIGINT (Ctrl-C): exit status 130.
    Interrupt,
    /// The apply lock could not be renewed in time: writing on could race
    /// another run that takes the lease over.
    LeaseLost,
}

impl Reason {
    /// The signal's name, as people know it.
    pub fn describe(self) -> &'static str {
        match self {
            Reason::Terminate => "SIGTERM",
            Reason::Interrupt => "SIGINT",
            Reason::LeaseLost => "the loss of the apply lock",
        }
    }
}

/// The stop request: why, and when running requests are abandoned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stop {
    pub reason: Reason,
    pub abandon_at: Instant,
}

/// The sending side, held by whoever may stop the run.
#[derive(Debug, Clone)]
pub struct Trigger(watch::Sender<Option<Stop>>);

/// The receiving side, checked by the work that must stop.
#[derive(Debug, Clone)]
pub struct Interrupt(watch::Receiver<Option<Stop>>);

/// A linked trigger and interrupt, not yet stopped.
pub fn channel() -> (Trigger, Interrupt) {
    let (sender, receiver) = watch::channel(None);
    (Trigger(sender), Interrupt(receiver))
}

impl Trigger {
    /// Requests a stop. A second request only ever brings the abandon
    /// moment forward; the first reason stays.
    pub fn stop(&self, reason: Reason, abandon_at: Instant) {
        self.0.send_modify(|current| match current {
            Some(stop) => stop.abandon_at = stop.abandon_at.min(abandon_at),
            None => *current = Some(Stop { reason, abandon_at }),
        });
    }

    /// Whether a stop was requested.
    pub fn is_stopped(&self) -> bool {
        self.0.borrow().is_some()
    }

    /// A new interrupt watching this trigger.
    pub fn subscribe(&self) -> Interrupt {
        Interrupt(self.0.subscribe())
    }
}

impl Interrupt {
    /// An interrupt that never fires (for callers that cannot be stopped).
    pub fn never() -> Interrupt {
        let (sender, receiver) = watch::channel(None);
        // Keep the value readable after the sender is gone.
        drop(sender);
        Interrupt(receiver)
    }

    /// The stop request, if there is one.
    pub fn stopped(&self) -> Option<Stop> {
        *self.0.borrow()
    }

    /// Waits for a stop request (forever if none comes).
    pub async fn wait(&mut self) -> Stop {
        loop {
            if let Some(stop) = self.stopped() {
                return stop;
            }
            if self.0.changed().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }

    /// Waits until running requests must be abandoned: the stop's
    /// `abandon_at`, which a later request may bring forward.
    pub async fn abandon(&mut self) -> Stop {
        loop {
            let stop = self.wait().await;
            if stop.abandon_at <= Instant::now() {
                return stop;
            }
            let deadline = tokio::time::Instant::from_std(stop.abandon_at);
            tokio::select! {
                _ = tokio::time::sleep_until(deadline) => {}
                changed = self.0.changed() => {
                    if changed.is_err() {
                        tokio::time::sleep_until(deadline).await;
                    }
                }
            }
        }
    }
}

/// Listens for SIGTERM and SIGINT and turns the first into a stop request
/// with `SIGNAL_GRACE` for running requests. Fails only when the signal
/// handlers cannot be installed.
pub fn listen(trigger: Trigger) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut terminate = signal(SignalKind::terminate())?;
        let mut interrupt = signal(SignalKind::interrupt())?;
        tokio::spawn(async move {
            loop {
                let reason = tokio::select! {
                    _ = terminate.recv() => Reason::Terminate,
                    _ = interrupt.recv() => Reason::Interrupt,
                };
                if trigger.is_stopped() {
                    // A second signal: abandon running requests now.
                    tracing::warn!(signal = reason.describe(), "stopping now");
                    trigger.stop(reason, Instant::now());
                    continue;
                }
                tracing::warn!(
                    signal = reason.describe(),
                    grace_seconds = SIGNAL_GRACE.as_secs(),
                    "stopping: no new change starts; running requests get a short grace"
                );
                trigger.stop(reason, Instant::now() + SIGNAL_GRACE);
            }
        });
    }
    #[cfg(not(unix))]
    {
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                trigger.stop(Reason::Interrupt, Instant::now() + SIGNAL_GRACE);
            }
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_reason_stays_and_a_later_stop_only_brings_the_abandon_moment_forward() {
        let (trigger, interrupt) = channel();
        assert_eq!(interrupt.stopped(), None);
        let now = Instant::now();
        trigger.stop(Reason::Terminate, now + Duration::from_secs(5));
        trigger.stop(Reason::LeaseLost, now + Duration::from_secs(9));
        assert_eq!(
            interrupt.stopped(),
            Some(Stop {
                reason: Reason::Terminate,
                abandon_at: now + Duration::from_secs(5)
            })
        );
        trigger.stop(Reason::LeaseLost, now + Duration::from_secs(1));
        assert_eq!(
            interrupt
                .stopped()
                .map(|stop| (stop.reason, stop.abandon_at)),
            Some((Reason::Terminate, now + Duration::from_secs(1)))
        );
    }

    #[tokio::test]
    async fn abandon_waits_for_the_moment_a_later_stop_brought_forward() {
        let (trigger, interrupt) = channel();
        let mut waiting = interrupt.clone();
        let started = Instant::now();
        trigger.stop(Reason::Interrupt, started + Duration::from_secs(30));
        let later = trigger.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(50)).await;
            later.stop(Reason::Interrupt, Instant::now());
        });
        let stop = tokio::time::timeout(Duration::from_secs(5), waiting.abandon())
            .await
            .expect("abandon returns once the moment is brought forward");
        assert_eq!(stop.reason, Reason::Interrupt);
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[tokio::test]
    async fn never_never_stops() {
        let mut interrupt = Interrupt::never();
        assert_eq!(interrupt.stopped(), None);
        let waited = tokio::time::timeout(Duration::from_millis(50), interrupt.wait()).await;
        assert!(waited.is_err());
    }
}
