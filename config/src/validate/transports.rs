//! Transports (SMS, Matrix, voice) and `[server]`: URLs, senders, the server's
//! limits, the timings of calls,
//! the Matrix transport's data directory and saved session, and secrets read from
//! the environment variables the file names, never from the file.

use std::ops::Range;
use std::path::{Path, PathBuf};

use handoff_dispatcher::PhoneNumber;
use handoff_dispatcher::contact::MatrixUserId;
use toml::Spanned;

use super::ranges::{
    CLIENT_TIMEOUT, DEVICE_NAME_CHARS, Limit, PRESS_TIMEOUT, RING_TIMEOUT, SENDER_RATE,
    SMS_TIMEOUT, duration_within, number_within,
};
use super::text::plain_text;
use super::values::{parse_with, required};
use super::{
    DEFAULT_CLIENT_TIMEOUT, DEFAULT_LISTEN, DEFAULT_MATRIX_DATA_DIR, DEFAULT_MATRIX_DEVICE_NAME,
    DEFAULT_PRESS_TIMEOUT, DEFAULT_RING_TIMEOUT, DEFAULT_SENDER_BURST, DEFAULT_SENDER_PER_MINUTE,
    DEFAULT_SMS_TIMEOUT, EnvLookup,
};
use crate::error::Problems;
use crate::model::{
    MATRIX_SESSION_FILE, MatrixTransport, Secret, Server, SmsProvider, SmsSender, SmsTransport,
    Transports, TwilioSettings, VoiceTransport,
};
use crate::raw::{RawMatrix, RawServer, RawTransports, RawVoice, Text};

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
            missing_env_name(p, parent, key);
        }
        return None;
    };
    let name = env_name(p, text, key)?;
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

fn missing_env_name(p: &mut Problems, parent: Range<usize>, key: &str) {
    p.push(
        parent,
        key,
        "missing: name the environment variable that holds this secret (secrets never go in the file)",
    );
}

/// The name of an environment variable: ASCII letters, digits and `_`.
fn env_name(p: &mut Problems, text: &Text, key: &str) -> Option<String> {
    let name = text.get_ref().trim().to_owned();
    let valid_name =
        !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if valid_name {
        Some(name)
    } else {
        p.push(
            text.span(),
            key,
            format!("`{name}` is not an environment variable name"),
        );
        None
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

pub(super) fn transports(
    p: &mut Problems,
    raw: &RawTransports,
    base_dir: &Path,
    env: EnvLookup<'_>,
) -> Transports {
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
                let timeout = s
                    .timeout
                    .as_ref()
                    .map_or(Some(DEFAULT_SMS_TIMEOUT), |text| {
                        duration_within(p, text, "transports.sms.timeout", &SMS_TIMEOUT)
                    });
                match (api_base, account_sid, sender, token, timeout) {
                    (
                        Some(api_base),
                        Some(account_sid),
                        Some(sender),
                        Some((auth_token_env, auth_token)),
                        Some(timeout),
                    ) => Some(SmsProvider::Twilio(TwilioSettings {
                        api_base,
                        account_sid,
                        sender,
                        auth_token_env,
                        auth_token,
                        timeout,
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
    if let Some(section) = &raw.matrix {
        out.matrix = matrix(p, section, base_dir, env);
    }
    if let Some(section) = &raw.voice {
        out.voice = voice(p, section.get_ref());
    }
    out
}

/// `[transports.voice]`: each timing within its range, or its default when left
/// out. A value out of range is a problem (the defaults stand in only so the other
/// problems can still be found).
fn voice(p: &mut Problems, raw: &RawVoice) -> VoiceTransport {
    let within = |p: &mut Problems, text: &Option<Text>, key, limit: &Limit<_>, default| {
        text.as_ref()
            .map_or(Some(default), |text| duration_within(p, text, key, limit))
            .unwrap_or(default)
    };
    VoiceTransport {
        ring_timeout: within(
            p,
            &raw.ring_timeout,
            "transports.voice.ring_timeout",
            &RING_TIMEOUT,
            DEFAULT_RING_TIMEOUT,
        ),
        press_timeout: within(
            p,
            &raw.press_timeout,
            "transports.voice.press_timeout",
            &PRESS_TIMEOUT,
            DEFAULT_PRESS_TIMEOUT,
        ),
    }
}

/// `[transports.matrix]`: `None` unless it is enabled and valid.
///
/// A disabled section is checked only for the form of the values it gives: any key
/// may be left out, and neither the password nor the saved session is looked at, so
/// a file can carry the section switched off on a machine with no Matrix account.
fn matrix(
    p: &mut Problems,
    section: &Spanned<RawMatrix>,
    base_dir: &Path,
    env: EnvLookup<'_>,
) -> Option<MatrixTransport> {
    let m = section.get_ref();
    let enabled = m.enabled.as_ref().is_none_or(|e| *e.get_ref());
    // Required only while enabled; `required` would insist either way.
    let need = |p: &mut Problems, value: &Option<Text>, key: &str| {
        if enabled && value.is_none() {
            p.push(section.span(), key, "missing: this key is required");
        }
    };
    need(p, &m.homeserver, "transports.matrix.homeserver");
    let homeserver = m
        .homeserver
        .as_ref()
        .and_then(|t| url(p, t, "transports.matrix.homeserver"));
    need(p, &m.user, "transports.matrix.user");
    let user = m
        .user
        .as_ref()
        .and_then(|t| parse_with(p, t, "transports.matrix.user", MatrixUserId::parse));
    if enabled && m.password_env.is_none() {
        missing_env_name(p, section.span(), "transports.matrix.password_env");
    }
    let password_env = m
        .password_env
        .as_ref()
        .and_then(|t| env_name(p, t, "transports.matrix.password_env").map(|name| (t, name)));
    let data_dir = match &m.data_dir {
        None => Some(base_dir.join(DEFAULT_MATRIX_DATA_DIR)),
        Some(text) => data_dir(p, text, base_dir),
    };
    let device_name = match &m.device_name {
        None => Some(DEFAULT_MATRIX_DEVICE_NAME.to_owned()),
        Some(text) => device_name(p, text),
    };
    if !enabled {
        return None;
    }
    // The password is only for the first login: afterwards the saved session (the
    // device and its access token) is used, and the variable may be unset, so that
    // the password need not stay in the service's environment.
    let (password_env, password) = match (password_env, &data_dir) {
        (Some((text, name)), Some(dir)) => {
            let password = env(&name)
                .filter(|value| !value.is_empty())
                .map(Secret::new);
            if password.is_none() && !dir.join(MATRIX_SESSION_FILE).is_file() {
                p.push(
                    text.span(),
                    "transports.matrix.password_env",
                    format!(
                        "the environment variable {name} is not set, and there is no saved session in {}: the first start logs in with it",
                        dir.display()
                    ),
                );
                return None;
            }
            (name, password)
        }
        _ => return None,
    };
    Some(MatrixTransport {
        homeserver: homeserver?,
        user: user?,
        password_env,
        password,
        data_dir: data_dir?,
        device_name: device_name?,
    })
}

/// `data_dir`: a directory, resolved against `base_dir` (the configuration file's
/// directory) unless absolute, as a relative SQLite path is.
fn data_dir(p: &mut Problems, text: &Text, base_dir: &Path) -> Option<PathBuf> {
    let value = plain_text(p, text, "transports.matrix.data_dir")?;
    if value == "~" || value.starts_with("~/") {
        p.push(
            text.span(),
            "transports.matrix.data_dir",
            format!("`{value}`: `~` is not expanded here: write the full path, or one relative to this file"),
        );
        return None;
    }
    let path = Path::new(&value);
    Some(if path.is_absolute() {
        path.to_path_buf()
    } else {
        base_dir.join(path)
    })
}

/// `device_name`: plain text of 1 to 64 characters, what other Matrix users see in
/// the list of the bot's devices.
fn device_name(p: &mut Problems, text: &Text) -> Option<String> {
    let value = plain_text(p, text, "transports.matrix.device_name")?;
    let length = value.chars().count();
    if (DEVICE_NAME_CHARS.least..=DEVICE_NAME_CHARS.most).contains(&length) {
        Some(value)
    } else {
        p.push(
            text.span(),
            "transports.matrix.device_name",
            format!("must be {} (it has {length})", DEVICE_NAME_CHARS.shown),
        );
        None
    }
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
    let client_timeout =
        section
            .and_then(|s| s.client_timeout.as_ref())
            .map_or(DEFAULT_CLIENT_TIMEOUT, |text| {
                duration_within(p, text, "server.client_timeout", &CLIENT_TIMEOUT)
                    .unwrap_or(DEFAULT_CLIENT_TIMEOUT)
            });
    let mut rate = |value: Option<&Spanned<i64>>, key: &str, default: u32| {
        value.map_or(default, |value| {
            number_within(p, value, key, &SENDER_RATE).unwrap_or(default)
        })
    };
    let sender_burst = rate(
        section.and_then(|s| s.sender_burst.as_ref()),
        "server.sender_burst",
        DEFAULT_SENDER_BURST,
    );
    let sender_per_minute = rate(
        section.and_then(|s| s.sender_per_minute.as_ref()),
        "server.sender_per_minute",
        DEFAULT_SENDER_PER_MINUTE,
    );
    Server {
        listen,
        public_url,
        database,
        client_timeout,
        sender_burst,
        sender_per_minute,
    }
}

pub(super) fn sqlite_url(path: &std::path::Path) -> String {
    format!("sqlite://{}", path.display())
}
