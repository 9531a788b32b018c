//! The real `handoff` binary, run as a process: exit codes, which stream errors go
//! to, and `--help`.

use std::process::Command;

fn handoff(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_handoff"))
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .env_remove("HANDOFF_CONFIG")
        .output()
        .unwrap_or_else(|e| panic!("cannot run the handoff binary: {e}"))
}

#[test]
fn check_config_exits_zero_on_the_example_and_prints_a_summary() {
    let out = handoff(&["check-config", "--config", "config/example.toml"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("is valid"));
}

#[test]
fn check_config_exits_two_with_errors_on_stderr_for_an_invalid_file() {
    let dir = std::env::temp_dir().join(format!("handoff-bin-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bad.toml");
    std::fs::write(&file, "[program]\nname = \"x\"\n\n[[sites]]\nid = \"a\"\ntime_zone = \"Mars/Olympus\"\nescalation = \"p\"\n").unwrap();
    let out = handoff(&["check-config", "--config", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(":6:13: sites[0].time_zone: unknown time zone `Mars/Olympus`"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_missing_file_exits_one_with_a_clear_message() {
    let out = handoff(&["check-config", "--config", "no/such/file.toml"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read no/such/file.toml"));
}

#[test]
fn help_lists_every_command() {
    let out = handoff(&["--help"]);
    let help = String::from_utf8_lossy(&out.stdout);
    for command in ["check-config", "on-duty", "schedule"] {
        assert!(help.contains(command), "{help}");
    }
}
