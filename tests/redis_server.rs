//! A private `redis-server` for one test: on 127.0.0.1, on a free port, no persistence, killed
//! when dropped.
//!
//! The binary is `$REDIS_SERVER` if set, else `redis-server` on the `PATH`. When there is none
//! and the tests run as root on a machine with `apt-get` (a fresh Debian or Ubuntu machine, or
//! CI), Debian's `redis-server` package is installed once; otherwise the tests fail with a
//! message saying how to install it. They never skip silently.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::thread::sleep;
use std::time::{Duration, Instant};

const HOW_TO_INSTALL: &str = "the Redis tests need `redis-server`: install it \
     (Debian/Ubuntu: `apt-get install redis-server`; macOS: `brew install redis`) \
     or point REDIS_SERVER at the binary";

/// A running `redis-server` owned by one test.
pub struct RedisServer {
    child: Option<Child>,
    port: u16,
    log: PathBuf,
}

impl RedisServer {
    /// Start a server on a free port and wait until it answers PING.
    pub fn start() -> Self {
        let mut last_log = PathBuf::new();
        // A port found free can be taken before redis binds it: try a few.
        for _ in 0..5 {
            let port = free_port();
            let mut server = Self {
                child: None,
                port,
                log: log_path(port),
            };
            if server.spawn() {
                return server;
            }
            last_log = server.log.clone();
        }
        panic!(
            "redis-server did not start; its log: {}\n{}",
            last_log.display(),
            std::fs::read_to_string(&last_log).unwrap_or_default()
        );
    }

    /// `redis://127.0.0.1:{port}`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// A synchronous connection for inspecting keys from the test.
    pub fn connection(&self) -> redis::Connection {
        redis::Client::open(self.url())
            .and_then(|c| c.get_connection())
            .expect("connect to the test's redis-server")
    }

    /// Kill the server (as a crash would), keeping its port for [`restart`](Self::restart).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Start the server again on the same port (empty: nothing is persisted).
    pub fn restart(&mut self) {
        self.stop();
        let deadline = Instant::now() + Duration::from_secs(30);
        while !self.spawn() {
            assert!(
                Instant::now() < deadline,
                "redis-server did not restart on port {}; its log: {}",
                self.port,
                self.log.display()
            );
            sleep(Duration::from_millis(200));
        }
    }

    /// Spawn on `self.port`; true once it answers PING, false if it exited first.
    fn spawn(&mut self) -> bool {
        let log = std::fs::File::create(&self.log).expect("create the redis-server log file");
        let child = Command::new(redis_server_binary())
            .args(["--port", &self.port.to_string()])
            .args(["--bind", "127.0.0.1"])
            .args(["--save", ""])
            .args(["--appendonly", "no"])
            .args(["--daemonize", "no"])
            .args(["--loglevel", "warning"])
            .stdin(Stdio::null())
            .stdout(Stdio::from(log.try_clone().expect("clone a file handle")))
            .stderr(Stdio::from(log))
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run redis-server: {e}; {HOW_TO_INSTALL}"));
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if ping(self.port) {
                return true;
            }
            let exited = self
                .child
                .as_mut()
                .is_some_and(|c| matches!(c.try_wait(), Ok(Some(_))));
            if exited || Instant::now() > deadline {
                self.stop();
                return false;
            }
            sleep(Duration::from_millis(25));
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_file(&self.log);
    }
}

fn log_path(port: u16) -> PathBuf {
    std::env::temp_dir().join(format!("card-redis-test-{}-{port}.log", std::process::id()))
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("bind 127.0.0.1:0")
}

/// True if a Redis on `port` answers PING with PONG.
fn ping(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(1)));
    if stream.write_all(b"PING\r\n").is_err() {
        return false;
    }
    let mut answer = [0u8; 7];
    stream.read_exact(&mut answer).is_ok() && &answer == b"+PONG\r\n"
}

/// The `redis-server` to run, installed from Debian's packages if missing and allowed.
fn redis_server_binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        if let Some(path) = std::env::var_os("REDIS_SERVER") {
            return PathBuf::from(path);
        }
        if let Some(path) = find_program("redis-server") {
            return path;
        }
        install_from_debian_packages();
        find_program("redis-server").unwrap_or_else(|| panic!("{HOW_TO_INSTALL}"))
    })
}

fn find_program(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/bin"), PathBuf::from("/usr/sbin")])
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| out.status.success() && out.stdout.trim_ascii() == b"0")
}

/// `apt-get install redis-server`, when running as root with apt; otherwise a clear failure.
fn install_from_debian_packages() {
    if !is_root() || find_program("apt-get").is_none() {
        panic!("redis-server not found, and it can be installed here only by root with apt-get; {HOW_TO_INSTALL}");
    }
    eprintln!("redis-server not found: installing Debian's redis-server package");
    let apt = |args: &[&str]| {
        let status = Command::new("apt-get")
            .args(["-o", "DPkg::Lock::Timeout=300", "-q", "-y"])
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .stdin(Stdio::null())
            .status()
            .unwrap_or_else(|e| panic!("cannot run apt-get: {e}; {HOW_TO_INSTALL}"));
        assert!(
            status.success(),
            "apt-get {args:?} failed ({status}); {HOW_TO_INSTALL}"
        );
    };
    apt(&["update"]);
    apt(&["install", "--no-install-recommends", "redis-server"]);
}
