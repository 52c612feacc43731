//! Project automation, run as `cargo xtask <command>`:
//!
//! * `demo`  — installs the system OpenBLAS if missing, then runs the end-to-end example on the
//!   bundled real data (`crates/parapet/examples/protection_report.rs`).
//! * `test`  — installs the system OpenBLAS if missing, then runs everything CI checks:
//!   formatting, clippy with warnings denied, documentation with warnings denied, every test
//!   (unit, integration, doc), every criterion bench once in test mode, a check of the
//!   facade's `serde` and `rayon` features, and the example.
//! * `setup` — only the OpenBLAS check and install.
//!
//! OpenBLAS is what the workspace's tests, benches and examples link as their LAPACK
//! (ndarray-linalg's `openblas-system` backend). On Debian/Ubuntu the `libopenblas-dev` package
//! is installed with apt-get (through sudo when not root); on macOS the command to run is
//! printed instead.

use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// The example `cargo xtask demo` runs.
const DEMO_EXAMPLE: &str = "protection_report";

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("demo") => ensure_openblas().and_then(|()| demo(&args[1..])),
        Some("test") => ensure_openblas().and_then(|()| test()),
        Some("setup") => ensure_openblas(),
        _ => {
            eprintln!("usage: cargo xtask <demo|test|setup>");
            eprintln!("  demo   run the end-to-end example on the bundled data");
            eprintln!("  test   run the whole test suite as CI does");
            eprintln!("  setup  install the system OpenBLAS if it is missing");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

fn cargo() -> Command {
    let mut cmd = Command::new(env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()));
    cmd.current_dir(workspace_root());
    // Threaded OpenBLAS can overflow the 2 MiB stacks of test threads (seen on an LU solve of a
    // 202×202 matrix); parapet's matrices are small, so one BLAS thread costs nothing and the
    // parallelism stays in rayon. A caller's own setting wins.
    if env::var_os("OPENBLAS_NUM_THREADS").is_none() {
        cmd.env("OPENBLAS_NUM_THREADS", "1");
    }
    cmd
}

fn run(what: &str, cmd: &mut Command) -> Result<(), String> {
    eprintln!("xtask: {what}");
    let status = cmd
        .status()
        .map_err(|e| format!("could not start {what}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{what} failed ({status})"))
    }
}

fn demo(extra: &[String]) -> Result<(), String> {
    run(
        "running the end-to-end example",
        cargo()
            .args([
                "run",
                "--release",
                "--quiet",
                "-p",
                "parapet",
                "--example",
                DEMO_EXAMPLE,
                "--",
            ])
            .args(extra),
    )
}

fn test() -> Result<(), String> {
    run(
        "cargo fmt --check",
        cargo().args(["fmt", "--all", "--", "--check"]),
    )?;
    run(
        "cargo clippy (warnings denied)",
        cargo().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]),
    )?;
    run(
        "cargo doc (warnings denied)",
        cargo()
            .args(["doc", "--workspace", "--no-deps", "--quiet"])
            .env("RUSTDOCFLAGS", "-D warnings"),
    )?;
    // `--all-targets` also builds the examples and runs every criterion bench once in test
    // mode (a smoke test, no timing), reusing the test profile's dependencies.
    run(
        "unit, integration, example and bench-smoke tests",
        cargo().args(["test", "--workspace", "--all-targets"]),
    )?;
    run("doc tests", cargo().args(["test", "--workspace", "--doc"]))?;
    // The optional features users turn on (backend features are exercised by the tests).
    run(
        "the facade with serde and rayon",
        cargo().args([
            "check",
            "--quiet",
            "-p",
            "parapet",
            "--features",
            "serde,rayon",
        ]),
    )?;
    run(
        "the end-to-end example",
        cargo().args(["run", "--quiet", "-p", "parapet", "--example", DEMO_EXAMPLE]),
    )
}

/// Library directories where a linkable `libopenblas.so` (the -dev symlink) may live.
const LIB_DIRS: &[&str] = &[
    "/usr/lib/x86_64-linux-gnu",
    "/usr/lib/aarch64-linux-gnu",
    "/usr/lib",
    "/usr/lib64",
    "/usr/local/lib",
    "/opt/homebrew/opt/openblas/lib",
    "/usr/local/opt/openblas/lib",
];

fn openblas_present() -> bool {
    LIB_DIRS.iter().any(|dir| {
        let dir = Path::new(dir);
        dir.join("libopenblas.so").exists()
            || dir.join("libopenblas.dylib").exists()
            || dir.join("openblas-pthread/libopenblas.so").exists()
            || dir.join("openblas-openmp/libopenblas.so").exists()
    })
}

fn ensure_openblas() -> Result<(), String> {
    if openblas_present() {
        return Ok(());
    }
    if cfg!(target_os = "macos") {
        return Err("OpenBLAS not found: run `brew install openblas` and set \
             PKG_CONFIG_PATH/LIBRARY_PATH to its lib directory, then retry"
            .to_owned());
    }
    if Command::new("apt-get").arg("--version").output().is_err() {
        return Err(
            "OpenBLAS not found and apt-get is not available: install your \
             distribution's OpenBLAS development package (e.g. openblas-devel) and retry"
                .to_owned(),
        );
    }
    eprintln!(
        "xtask: libopenblas-dev is missing; installing it with apt-get \
         (the LAPACK that parapet's tests, benches and examples link)"
    );
    let root = is_root();
    let apt = |args: &[&str]| {
        let mut cmd = if root {
            Command::new("apt-get")
        } else {
            let mut c = Command::new("sudo");
            c.arg("apt-get");
            c
        };
        cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        cmd
    };
    run(
        "apt-get update",
        apt(&["update", "-qq"]).stdout(std::process::Stdio::null()),
    )?;
    run(
        "apt-get install libopenblas-dev",
        apt(&[
            "install",
            "-y",
            "-qq",
            "--no-install-recommends",
            "libopenblas-dev",
        ])
        .stdout(std::process::Stdio::null()),
    )?;
    if openblas_present() {
        Ok(())
    } else {
        Err("libopenblas-dev was installed but libopenblas.so is still not found".to_owned())
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}
