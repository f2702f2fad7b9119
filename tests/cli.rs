//! End-to-end tests of the `derive` binary: exit codes, formats, and several
//! processes sharing the one-thread engine.

use std::process::{Command, Output};

fn derive(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_derive"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("derive runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn scalar_warmup_is_all_proved() {
    let o = derive(&["check", "derivations/scalar-warmup.drv"]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("ok: 1 file"), "{out}");
    for line in out.lines().filter(|l| l.starts_with("    ")) {
        assert!(line.trim_start().starts_with("proved"), "{line}");
    }
}

#[test]
fn a_failing_step_exits_1() {
    let o = derive(&["check", "tests/wrong/scalar.drv"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("refuted"));
}

#[test]
fn syntax_and_kind_errors_exit_2_with_a_located_diagnostic() {
    for (file, line) in [
        ("tests/errors/unclosed-paren.drv", ":2:"),
        ("tests/errors/vector-plus-scalar.drv", ":3:"),
    ] {
        let o = derive(&["check", file]);
        assert_eq!(o.status.code(), Some(2), "{file}");
        let out = stdout(&o);
        assert!(out.contains(&format!("{file}{line}")), "{out}");
        assert!(out.contains('^'), "no underline: {out}");
    }
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(derive(&["check"]).status.code(), Some(2));
    assert_eq!(
        derive(&["check", "no/such/file.drv"]).status.code(),
        Some(2)
    );
    assert_eq!(derive(&["frobnicate"]).status.code(), Some(2));
    assert_eq!(
        derive(&["check", "--samples", "0", "derivations"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn help_explains_with_an_example() {
    let o = derive(&["check", "--help"]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(out.contains("Example"), "{out}");
    assert!(out.contains("--strict"), "{out}");
}

#[test]
fn json_is_one_valid_document_with_every_step() {
    let o = derive(&["check", "--format", "json", "derivations"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("valid JSON on stdout");
    let files = v["files"].as_array().expect("files");
    assert!(files.len() >= 4);
    let steps: usize = files
        .iter()
        .map(|f| f["steps"].as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!(v["summary"]["steps"].as_u64(), Some(steps as u64));
    assert_eq!(v["exit_code"].as_i64().map(|c| c as i32), o.status.code());
    let step = &files[0]["steps"][0];
    for key in ["location", "statement", "verdict", "symbolic", "numeric"] {
        assert!(!step[key].is_null(), "missing {key}");
    }
}

#[test]
fn json_stays_valid_with_parse_errors() {
    let o = derive(&["check", "--format", "json", "tests/errors/binary-junk.drv"]);
    assert_eq!(o.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("valid JSON");
    assert!(!v["files"][0]["diagnostics"]
        .as_array()
        .expect("list")
        .is_empty());
}

#[test]
fn same_seed_same_bytes_different_seed_same_verdicts() {
    let a = derive(&["check", "--format", "json", "--seed", "3", "derivations"]);
    let b = derive(&["check", "--format", "json", "--seed", "3", "derivations"]);
    assert_eq!(a.stdout, b.stdout);
    let c = derive(&["check", "--format", "json", "--seed", "4", "derivations"]);
    let verdicts = |o: &Output| -> Vec<String> {
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
        v["files"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|f| f["steps"].as_array().cloned().unwrap_or_default())
            .map(|s| s["verdict"].to_string())
            .collect()
    };
    assert_eq!(verdicts(&a), verdicts(&c));
}

#[test]
fn six_concurrent_processes_all_finish_with_the_same_output() {
    let children: Vec<_> = (0..6)
        .map(|_| {
            Command::new(env!("CARGO_BIN_EXE_derive"))
                .args(["check", "derivations/vector-calculus.drv"])
                .env("NO_COLOR", "1")
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("spawn")
        })
        .collect();
    let outs: Vec<Output> = children
        .into_iter()
        .map(|c| c.wait_with_output().expect("wait"))
        .collect();
    for o in &outs {
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert_eq!(o.stdout, outs[0].stdout);
        assert!(!stdout(o).contains("restricted Symbolica"));
    }
}

#[test]
fn the_licence_note_goes_to_stderr() {
    let o = Command::new(env!("CARGO_BIN_EXE_derive"))
        .args(["check", "derivations/scalar-warmup.drv"])
        .env_remove("SYMBOLICA_LICENSE")
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("restricted mode"), "{err}");
    assert!(!stdout(&o).contains("restricted"));
}
