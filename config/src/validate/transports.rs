//! Transports (SMS, Matrix) and `[server]`: URLs, senders, and secrets read from the
//! environment variables the file names, never from the file.

use std::ops::Range;

use handoff_dispatcher::PhoneNumber;
use handoff_dispatcher::contact::MatrixUserId;
use toml::Spanned;

use super::text::plain_text;
use super::values::{parse_with, required};
use super::{DEFAULT_LISTEN, EnvLookup};
use crate::error::Problems;
use crate::model::{
    MatrixTransport, Secret, Server, SmsProvider, SmsSender, SmsTransport, Transports,
    TwilioSettings,
};
use crate::raw::{RawServer, RawTransports, Text};

pub(super) fn env_secret(
    p: &mut Problems,
    text: Option<&Text>,
    parent: Range<usize>,
    key: &str,
    enabled: bool,
    env: EnvLookup<'_>,
) -> Option<(String, Secret)> {
    let Some(text) = text else {
        if enabled {
            p.push(parent, key, "missing: name the environment variable that holds this secret (secrets never go in the file)");
        }
        return None;
    };
    let name = text.get_ref().trim().to_owned();
    let valid_name =
        !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid_name {
        p.push(
            text.span(),
            key,
            format!("`{name}` is not an environment variable name"),
        );
        return None;
    }
    match env(&name) {
        Some(value) if !value.is_empty() => Some((name, Secret::new(value))),
        _ if enabled => {
            p.push(
                text.span(),
                key,
                format!("the environment variable {name} is not set"),
            );
            None
        }
        _ => None,
    }
}

pub(super) fn url(p: &mut Problems, text: &Text, key: &str) -> Option<String> {
    let value = text.get_ref().trim().trim_end_matches('/');
    let scheme_ok = value.starts_with("https://") || value.starts_with("http://");
    if scheme_ok && value.len() > "https://".len() && !value.contains(char::is_whitespace) {
        Some(value.to_owned())
    } else {
        p.push(
            text.span(),
            key,
            format!("`{}` is not an http(s) URL", text.get_ref()),
        );
        None
    }
}

pub(super) fn transports(p: &mut Problems, raw: &RawTransports, env: EnvLookup<'_>) -> Transports {
    let mut out = Transports::default();
    if let Some(sms) = &raw.sms {
        let s = sms.get_ref();
        let enabled = s.enabled.as_ref().is_none_or(|e| *e.get_ref());
        let provider = match s.provider.as_ref().map(|t| t.get_ref().as_str()) {
            None | Some("sandbox") => Some(SmsProvider::Sandbox),
            Some("twilio") => {
                let api_base = s
                    .api_base
                    .as_ref()
                    .map_or(Some("https://api.twilio.com".to_owned()), |t| {
                        url(p, t, "transports.sms.api_base")
                    });
                let account_sid =
                    required(p, &s.account_sid, sms.span(), "transports.sms.account_sid")
                        .and_then(|t| plain_text(p, t, "transports.sms.account_sid"));
                let sender = match (&s.from, &s.messaging_service_sid) {
                    (Some(from), None) => {
                        parse_with(p, from, "transports.sms.from", PhoneNumber::parse)
                            .map(SmsSender::From)
                    }
                    (None, Some(sid)) => plain_text(p, sid, "transports.sms.messaging_service_sid")
                        .map(SmsSender::MessagingService),
                    _ => {
                        p.push(sms.span(), "transports.sms.from", "give exactly one of `from` (a phone number) or `messaging_service_sid`");
                        None
                    }
                };
                let token = env_secret(
                    p,
                    s.auth_token_env.as_ref(),
                    sms.span(),
                    "transports.sms.auth_token_env",
                    enabled,
                    env,
                );
                match (api_base, account_sid, sender, token) {
                    (
                        Some(api_base),
                        Some(account_sid),
                        Some(sender),
                        Some((auth_token_env, auth_token)),
                    ) => Some(SmsProvider::Twilio(TwilioSettings {
                        api_base,
                        account_sid,
                        sender,
                        auth_token_env,
                        auth_token,
                    })),
                    _ => None,
                }
            }
            Some(other) => {
                if let Some(t) = &s.provider {
                    p.push(
                        t.span(),
                        "transports.sms.provider",
                        format!("`{other}` is not a provider: expected sandbox or twilio"),
                    );
                }
                None
            }
        };
        if enabled && let Some(provider) = provider {
            out.sms = Some(SmsTransport { provider });
        }
    }
    if let Some(matrix) = &raw.matrix {
        let m = matrix.get_ref();
        let enabled = m.enabled.as_ref().is_none_or(|e| *e.get_ref());
        let homeserver = required(
            p,
            &m.homeserver,
            matrix.span(),
            "transports.matrix.homeserver",
        )
        .and_then(|t| url(p, t, "transports.matrix.homeserver"));
        let user = required(p, &m.user, matrix.span(), "transports.matrix.user")
            .and_then(|t| parse_with(p, t, "transports.matrix.user", MatrixUserId::parse));
        let password = env_secret(
            p,
            m.password_env.as_ref(),
            matrix.span(),
            "transports.matrix.password_env",
            enabled,
            env,
        );
        if enabled
            && let (Some(homeserver), Some(user), Some((password_env, password))) =
                (homeserver, user, password)
        {
            out.matrix = Some(MatrixTransport {
                homeserver,
                user,
                password_env,
                password,
            });
        }
    }
    out
}

pub(super) fn server(
    p: &mut Problems,
    raw: Option<&Spanned<RawServer>>,
    base_dir: &std::path::Path,
) -> Server {
    let default_listen: std::net::SocketAddr = match DEFAULT_LISTEN.parse() {
        Ok(addr) => addr,
        Err(_) => std::net::SocketAddr::from(([127, 0, 0, 1], 8080)),
    };
    let section = raw.map(Spanned::get_ref);
    let listen = section
        .and_then(|s| s.listen.as_ref())
        .map_or(default_listen, |text| {
            parse_with(p, text, "server.listen", |s| {
                s.trim()
                    .parse::<std::net::SocketAddr>()
                    .map_err(|_| format!("`{s}` is not an address and port such as 127.0.0.1:8080"))
            })
            .unwrap_or(default_listen)
        });
    let public_url = section
        .and_then(|s| s.public_url.as_ref())
        .and_then(|text| url(p, text, "server.public_url"))
        .unwrap_or_else(|| format!("http://{listen}"));
    let database = match section.and_then(|s| s.database.as_ref()) {
        None => sqlite_url(&base_dir.join("handoff.db")),
        Some(text) => {
            let value = text.get_ref().trim();
            if let Some(path) = value
                .strip_prefix("sqlite://")
                .or_else(|| value.strip_prefix("sqlite:"))
            {
                let path = std::path::Path::new(path);
                if path.is_absolute() {
                    value.to_owned()
                } else {
                    sqlite_url(&base_dir.join(path))
                }
            } else if value.starts_with("postgres://") || value.starts_with("postgresql://") {
                if value.contains('@')
                    && value
                        .split('@')
                        .next()
                        .is_some_and(|auth| auth.matches(':').count() > 1)
                {
                    p.push(
                        text.span(),
                        "server.database",
                        "a password does not belong in the file: pass the URL with --database or HANDOFF_DATABASE_URL instead",
                    );
                }
                value.to_owned()
            } else {
                p.push(
                    text.span(),
                    "server.database",
                    format!("`{value}` is not a database URL: use sqlite://PATH or postgres://..."),
                );
                sqlite_url(&base_dir.join("handoff.db"))
            }
        }
    };
    Server {
        listen,
        public_url,
        database,
    }
}

pub(super) fn sqlite_url(path: &std::path::Path) -> String {
    format!("sqlite://{}", path.display())
}
