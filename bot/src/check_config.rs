//! `handoff check-config`: the one-screen summary of a valid configuration.

use chrono::{DateTime, Utc};
use handoff_config::{Config, MatrixTransport, SmsProvider};

use crate::on_duty::human;

pub fn summary(config: &Config, now: DateTime<Utc>) -> String {
    let mut out = format!(
        "{} is valid: {}\n  {} sites, {} people, {} agencies, {} officers, {} escalation policies\n",
        config.source.display(),
        config.program.name,
        config.sites.len(),
        config.roster.people.len(),
        config.roster.agencies.len(),
        config.roster.officers.len(),
        config.policies.len(),
    );
    for site in &config.sites {
        let schedule = &site.schedule;
        let state = if schedule.is_open(now) {
            "open now"
        } else {
            "closed now"
        };
        let next = schedule.next_opening(now).map_or_else(
            || "never opens".to_owned(),
            |t| format!("next opening {}", human(t.to_utc(), schedule.tz)),
        );
        let policy = match &site.after_hours_policy {
            Some(night) => format!("{} (closed: {night})", site.policy),
            None => site.policy.to_string(),
        };
        out.push_str(&format!(
            "  site {:<12} {:<20} {:<18} policy {policy:<10} {state}, {next}\n",
            site.id.as_str(),
            site.name,
            schedule.tz.name(),
        ));
        for center in &site.centers {
            out.push_str(&center_line(center, now));
        }
    }
    let sms = match config.transports.sms.as_ref().map(|s| &s.provider) {
        None => "off".to_owned(),
        Some(SmsProvider::Sandbox) => "sandbox (messages are stored, not sent)".to_owned(),
        Some(SmsProvider::Twilio(t)) => format!("twilio-compatible at {}", t.api_base),
    };
    let matrix = config
        .transports
        .matrix
        .as_ref()
        .map_or_else(|| "off".to_owned(), matrix_summary);
    out.push_str(&format!(
        "  API: {}\n  SMS: {sms}\n  Matrix: {matrix}\n",
        api_summary(config)
    ));
    out
}

/// A diversion center under its site: open or not, its capacity and its staff
/// (or that its drop-offs go to supervisors).
fn center_line(center: &handoff_dispatcher::center::Center, now: DateTime<Utc>) -> String {
    let state = if center.is_open(now) {
        "open now".to_owned()
    } else {
        center.hours.next_opening(now).map_or_else(
            || "closed now, never opens".to_owned(),
            |t| {
                format!(
                    "closed now, next opening {}",
                    human(t.to_utc(), center.hours.tz)
                )
            },
        )
    };
    let capacity = center
        .capacity
        .map_or_else(|| "no capacity set".to_owned(), |n| format!("capacity {n}"));
    let staff = if center.staff.is_empty() {
        "no staff: supervisors are told".to_owned()
    } else {
        let ids: Vec<&str> = center.staff.iter().map(|p| p.as_str()).collect();
        format!("staff {}", ids.join(", "))
    };
    format!(
        "    center {:<10} {:<20} {state}; {capacity}; {staff}\n",
        center.id.as_str(),
        center.name
    )
}

/// Which agencies may call the JSON API, and the variable each one's token is in
/// (never the token).
fn api_summary(config: &Config) -> String {
    if config.api_tokens.is_empty() {
        return "off (no agency names an api_token_env)".to_owned();
    }
    config
        .api_tokens
        .iter()
        .map(|(agency, token)| format!("{agency} (token in {})", token.env))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Where the bot logs in, where it keeps its state, and whether it will start from
/// a saved session or log in with the password (looked at now, not when the file
/// was loaded, so a session saved since is seen).
fn matrix_summary(matrix: &MatrixTransport) -> String {
    let login = if matrix.session_file().is_file() {
        "a saved session is there: the bot resumes it, no password needed".to_owned()
    } else {
        format!(
            "no saved session yet: the first start logs in with the password in {}",
            matrix.password_env
        )
    };
    format!(
        "{} as {}, device \"{}\"\n    data in {}: {login}",
        matrix.homeserver,
        matrix.user,
        matrix.device_name,
        matrix.data_dir.display(),
    )
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    const BASE: &str = r#"[program]
name = "Test LEAD"

[[escalation_policies]]
id = "standard"

[[escalation_policies.steps]]
who = "case_manager"
timeout = "5m"

[[sites]]
id = "north"
time_zone = "America/New_York"
escalation = "standard"

[[people]]
id = "dana"
name = "Dana Whitfield"
roles = ["case_manager"]
phone = "+1 412 555 0111"
"#;

    const MATRIX: &str = r#"
[transports.matrix]
homeserver = "https://matrix.example.org"
user = "@handoff:matrix.example.org"
password_env = "TEST_MATRIX_PASSWORD"
"#;

    fn summary_of(dir: &Path, text: &str, password: Option<&str>) -> String {
        let lookup = |name: &str| {
            (name == "TEST_MATRIX_PASSWORD")
                .then(|| password.map(str::to_owned))
                .flatten()
        };
        let config = handoff_config::load_str(&dir.join("handoff.toml"), text, &lookup)
            .unwrap_or_else(|e| panic!("the test file has errors:\n{e}"));
        let now = DateTime::parse_from_rfc3339("2026-11-02T12:00:00-05:00")
            .unwrap_or_else(|e| panic!("{e}"))
            .to_utc();
        summary(&config, now)
    }

    fn temp_dir() -> tempfile::TempDir {
        tempfile::tempdir().unwrap_or_else(|e| panic!("cannot make a temporary directory: {e}"))
    }

    #[test]
    fn the_api_names_each_agency_with_a_token_and_the_variable_never_the_token() {
        let dir = temp_dir();
        let shown = summary_of(dir.path(), BASE, None);
        assert!(
            shown.contains("  API: off (no agency names an api_token_env)\n"),
            "{shown}"
        );
        let agency = "\n[[agencies]]\nid = \"metro-pd\"\nname = \"Metro PD\"\nsites = [\"north\"]\napi_token_env = \"METRO_TOKEN\"\n";
        let token = "0123456789abcdef0123456789abcdef";
        let config = handoff_config::load_str(
            &dir.path().join("handoff.toml"),
            &format!("{BASE}{agency}"),
            &|name| (name == "METRO_TOKEN").then(|| token.to_owned()),
        )
        .unwrap_or_else(|e| panic!("the test file has errors:\n{e}"));
        let shown = summary(&config, DateTime::<Utc>::UNIX_EPOCH);
        assert!(
            shown.contains("  API: metro-pd (token in METRO_TOKEN)\n"),
            "{shown}"
        );
        assert!(!shown.contains(token), "{shown}");
    }

    #[test]
    fn matrix_off_is_reported_as_off() {
        let dir = temp_dir();
        let shown = summary_of(dir.path(), BASE, None);
        assert!(shown.ends_with("  Matrix: off\n"), "{shown}");
    }

    #[test]
    fn matrix_without_a_saved_session_says_the_first_start_logs_in_with_the_password() {
        let dir = temp_dir();
        let shown = summary_of(dir.path(), &format!("{BASE}{MATRIX}"), Some("hunter2"));
        let data = dir.path().join("matrix");
        let expected = format!(
            "  Matrix: https://matrix.example.org as @handoff:matrix.example.org, device \"handoff\"\n    \
             data in {}: no saved session yet: the first start logs in with the password in TEST_MATRIX_PASSWORD\n",
            data.display()
        );
        assert!(shown.ends_with(&expected), "{shown}");
        assert!(!shown.contains("hunter2"), "{shown}");
    }

    #[test]
    fn matrix_with_a_saved_session_says_it_is_resumed_without_a_password() {
        let dir = temp_dir();
        let data = dir.path().join("state/bot");
        std::fs::create_dir_all(&data).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(data.join("session.json"), "{}").unwrap_or_else(|e| panic!("{e}"));
        let text = format!(
            "{BASE}{MATRIX}data_dir = \"state/bot\"\ndevice_name = \"Three Rivers handoff\"\n"
        );
        let shown = summary_of(dir.path(), &text, None);
        let expected = format!(
            "device \"Three Rivers handoff\"\n    data in {}: a saved session is there: the bot resumes it, no password needed\n",
            data.display()
        );
        assert!(shown.ends_with(&expected), "{shown}");
    }
}
