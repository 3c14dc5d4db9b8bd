//! Listening, accepting connections and shutting down.
//!
//! `start` runs the emulator on the caller's tokio runtime; `spawn` gives it a
//! thread and runtime of its own, for synchronous tests that drive the
//! arangosync binary. Both bind before returning, so the address is usable at
//! once (port 0 picks a free port).

use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use rand::distributions::Alphanumeric;
use rand::Rng;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio_rustls::rustls;
use tokio_rustls::TlsAcceptor;

use crate::control::Stats;
use crate::profile::Profile;
use crate::service::{self, Shared};
use crate::state::Server;

/// PEM files for serving HTTPS.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub root_password: String,
    /// Secret for HS256 tokens; random when not given.
    pub jwt_secret: Option<String>,
    /// Added to every ArangoDB request (not to the control API).
    pub latency: Duration,
    /// How long after start every request is answered with 503.
    pub startup_delay: Duration,
    pub tls: Option<TlsFiles>,
    /// The version, role and startup options the emulator presents.
    pub profile: Profile,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            root_password: String::new(),
            jwt_secret: None,
            latency: Duration::ZERO,
            startup_delay: Duration::ZERO,
            tls: None,
            profile: Profile::default(),
        }
    }
}

/// An emulator serving on the current tokio runtime.
#[derive(Debug)]
pub struct RunningEmulator {
    addr: SocketAddr,
    tls: bool,
    shutdown: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl RunningEmulator {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT` (or `https://` when serving TLS).
    pub fn url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    /// Stops accepting connections and waits for the accept loop to end.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        let _ = self.task.await;
    }

    /// Resolves when the emulator stops (on shutdown or a fatal accept error).
    pub async fn wait(self) {
        let _ = self.task.await;
    }
}

pub async fn start(config: Config) -> io::Result<RunningEmulator> {
    let acceptor = match &config.tls {
        Some(files) => Some(tls_acceptor(files)?),
        None => None,
    };
    let listener = TcpListener::bind(config.listen).await?;
    let addr = listener.local_addr()?;
    let jwt_secret = config.jwt_secret.clone().unwrap_or_else(|| {
        rand::thread_rng()
            .sample_iter(&Alphanumeric)
            .take(32)
            .map(char::from)
            .collect()
    });
    let shared = Arc::new(Shared {
        server: Mutex::new(Server::with_profile(
            &config.root_password,
            config.profile.clone(),
        )),
        stats: Mutex::new(Stats::default()),
        faults: Mutex::new(None),
        jwt_secret,
        latency: config.latency,
        ready_at: Instant::now() + config.startup_delay,
    });
    let (shutdown, mut stopped) = watch::channel(false);
    let task = tokio::spawn(async move {
        loop {
            tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => {
                        tokio::spawn(serve_connection(stream, acceptor.clone(), shared.clone()));
                    }
                    // Running out of file descriptors and the like: keep serving.
                    Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
                },
                _ = stopped.changed() => break,
            }
        }
    });
    Ok(RunningEmulator {
        addr,
        tls: config.tls.is_some(),
        shutdown,
        task,
    })
}

async fn serve_connection(stream: TcpStream, acceptor: Option<TlsAcceptor>, shared: Arc<Shared>) {
    let _ = stream.set_nodelay(true);
    let reset = Arc::new(AtomicBool::new(false));
    let stream = ResettableStream {
        inner: stream,
        reset: reset.clone(),
    };
    let service = service_fn(move |request| {
        let shared = shared.clone();
        let reset = reset.clone();
        async move {
            let outcome = service::handle(shared, request).await;
            if outcome.is_err() {
                reset.store(true, Ordering::SeqCst);
            }
            outcome
        }
    });
    let builder = auto::Builder::new(TokioExecutor::new());
    // Connection errors (client went away, injected resets) end this
    // connection only; there is nobody to report them to.
    match acceptor {
        Some(acceptor) => {
            if let Ok(tls) = acceptor.accept(stream).await {
                let _ = builder.serve_connection(TokioIo::new(tls), service).await;
            }
        }
        None => {
            let _ = builder
                .serve_connection(TokioIo::new(stream), service)
                .await;
        }
    }
}

fn tls_acceptor(files: &TlsFiles) -> io::Result<TlsAcceptor> {
    let invalid = |message: String| io::Error::new(io::ErrorKind::InvalidInput, message);
    let mut cert_reader = io::BufReader::new(std::fs::File::open(&files.cert)?);
    let certs = rustls_pemfile::certs(&mut cert_reader).collect::<Result<Vec<_>, _>>()?;
    if certs.is_empty() {
        return Err(invalid(format!(
            "no certificate in {}",
            files.cert.display()
        )));
    }
    let mut key_reader = io::BufReader::new(std::fs::File::open(&files.key)?);
    let key = rustls_pemfile::private_key(&mut key_reader)?
        .ok_or_else(|| invalid(format!("no private key in {}", files.key.display())))?;
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|err| invalid(err.to_string()))?
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .map_err(|err| invalid(err.to_string()))?;
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// A TCP stream that closes with a reset (RST) instead of an orderly FIN
/// when a fault plan asked for one, so clients see "connection reset".
struct ResettableStream {
    inner: TcpStream,
    reset: Arc<AtomicBool>,
}

impl Drop for ResettableStream {
    fn drop(&mut self) {
        if self.reset.load(Ordering::SeqCst) {
            // A zero linger makes close() send RST; nothing waits on it.
            let _ = socket2::SockRef::from(&self.inner).set_linger(Some(Duration::ZERO));
        }
    }
}

impl AsyncRead for ResettableStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for ResettableStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.reset.load(Ordering::SeqCst) {
            // Skip the FIN: the drop right after sends the reset.
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// An emulator on a thread of its own; stops when dropped.
#[derive(Debug)]
pub struct BackgroundEmulator {
    url: String,
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl BackgroundEmulator {
    pub fn url(&self) -> &str {
        &self.url
    }
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for BackgroundEmulator {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Starts an emulator on its own thread and runtime.
pub fn spawn(config: Config) -> io::Result<BackgroundEmulator> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::Builder::new()
        .name("arangodb-emulator".into())
        .spawn(move || {
            runtime.block_on(async move {
                match start(config).await {
                    Ok(emulator) => {
                        let _ = ready_tx.send(Ok((emulator.url(), emulator.addr())));
                        let _ = stop_rx.await;
                        emulator.shutdown().await;
                    }
                    Err(err) => {
                        let _ = ready_tx.send(Err(err));
                    }
                }
            });
        })?;
    let (url, addr) = ready_rx
        .recv()
        .map_err(|_| io::Error::other("emulator thread ended before it was ready"))??;
    Ok(BackgroundEmulator {
        url,
        addr,
        stop: Some(stop_tx),
        thread: Some(thread),
    })
}
