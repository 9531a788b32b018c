//! `handoff check-config`: the one-screen summary of a valid configuration.

use chrono::{DateTime, Utc};
use handoff_config::{Config, SmsProvider};

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
        out.push_str(&format!(
            "  site {:<12} {:<20} {:<18} policy {:<10} {state}, {next}\n",
            site.id.as_str(),
            site.name,
            schedule.tz.name(),
            site.policy.as_str(),
        ));
    }
    let sms = match config.transports.sms.as_ref().map(|s| &s.provider) {
        None => "off".to_owned(),
        Some(SmsProvider::Sandbox) => "sandbox (messages are stored, not sent)".to_owned(),
        Some(SmsProvider::Twilio(t)) => format!("twilio-compatible at {}", t.api_base),
    };
    let matrix = config.transports.matrix.as_ref().map_or_else(
        || "off".to_owned(),
        |m| format!("{} as {}", m.homeserver, m.user),
    );
    out.push_str(&format!("  SMS: {sms}\n  Matrix: {matrix}\n"));
    out
}
