//! The bot's one Matrix device: logged in with the password the first time, then
//! restored from the saved session (user, device ID, access token) on every start,
//! with its encrypted SQLite store beside it, so the bot stays one device and keeps
//! its encryption keys. Everything lives in the configured data directory:
//!
//! - `session.json` (mode 0600): the session and the store's passphrase, written
//!   whole to a temporary file and renamed, so a crash never leaves half of one;
//! - `store/`: matrix-sdk's state and crypto stores, encrypted with that passphrase.
//!
//! Restoring a session does not contact the homeserver, so a saved session starts
//! even while the homeserver is down (messages then go by SMS until it is back). A
//! first login needs the homeserver, and a refused one stops start-up with the
//! homeserver's reason.

use std::path::{Path, PathBuf};

use handoff_config::MatrixTransport;
use matrix_sdk::authentication::matrix::MatrixSession;
use matrix_sdk::config::RequestConfig;
use matrix_sdk::store::RoomLoadSettings;
use matrix_sdk::{Client, SessionMeta, SessionTokens};
use serde::{Deserialize, Serialize};

/// Why the bot could not get its device.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error("cannot use the Matrix data directory {dir}: {source}")]
    DataDir {
        dir: PathBuf,
        source: std::io::Error,
    },
    #[error("the saved Matrix session {file} cannot be read: {detail} (delete it to log in again)")]
    BadSession { file: PathBuf, detail: String },
    #[error(
        "the saved Matrix session in {dir} is for {saved}, but the configuration names {configured}: \
         delete {dir} to log in as {configured}"
    )]
    OtherUser {
        dir: PathBuf,
        saved: String,
        configured: String,
    },
    #[error(
        "there is no saved Matrix session in {dir}, and {env} is not set: the first start logs in \
         with the bot's password from it"
    )]
    NoPassword { dir: PathBuf, env: String },
    #[error("the homeserver {homeserver} refused the login of {user}: {reason}")]
    Refused {
        homeserver: String,
        user: String,
        reason: String,
    },
    #[error("cannot reach the homeserver {homeserver} to log in: {reason}")]
    Unreachable { homeserver: String, reason: String },
    #[error("cannot open the Matrix store in {dir}: {reason}")]
    Store { dir: PathBuf, reason: String },
}

/// What `session.json` holds.
#[derive(Serialize, Deserialize)]
struct Saved {
    homeserver: String,
    user_id: String,
    device_id: String,
    access_token: String,
    /// Encrypts the SQLite stores. Random, made at the first login.
    passphrase: String,
}

const SESSION_FILE: &str = "session.json";

/// How long one request to the homeserver may take (a sync adds its long poll).
const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Whether `dir` holds a saved session (for `check-config` and the first start).
pub fn has_saved_session(dir: &Path) -> bool {
    dir.join(SESSION_FILE).is_file()
}

/// The bot's client, logged in: restored from `data_dir` if a session is saved
/// there, else logged in with the password and saved.
pub async fn connect(settings: &MatrixTransport) -> Result<Client, SessionError> {
    let dir = settings.data_dir.clone();
    create_private_dir(&dir)?;
    let file = dir.join(SESSION_FILE);
    if file.is_file() {
        return restore(settings, &dir, &file).await;
    }
    let password = settings
        .password
        .as_ref()
        .map(|p| p.expose().to_owned())
        .filter(|p| !p.is_empty())
        .ok_or_else(|| SessionError::NoPassword {
            dir: dir.clone(),
            env: settings.password_env.clone(),
        })?;
    login(settings, &dir, &file, &password).await
}

async fn restore(
    settings: &MatrixTransport,
    dir: &Path,
    file: &Path,
) -> Result<Client, SessionError> {
    let bad = |detail: String| SessionError::BadSession {
        file: file.to_owned(),
        detail,
    };
    let text = std::fs::read_to_string(file).map_err(|e| bad(e.to_string()))?;
    let saved: Saved = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
    if saved.user_id != settings.user.as_str() {
        return Err(SessionError::OtherUser {
            dir: dir.to_owned(),
            saved: saved.user_id,
            configured: settings.user.as_str().to_owned(),
        });
    }
    let user_id = saved
        .user_id
        .as_str()
        .try_into()
        .map_err(|e| bad(format!("user ID: {e}")))?;
    let client = build(settings, dir, &saved.passphrase).await?;
    let session = MatrixSession {
        meta: SessionMeta {
            user_id,
            device_id: saved.device_id.as_str().into(),
        },
        tokens: SessionTokens {
            access_token: saved.access_token.clone(),
            refresh_token: None,
        },
    };
    client
        .matrix_auth()
        .restore_session(session, RoomLoadSettings::default())
        .await
        .map_err(|e| SessionError::Store {
            dir: dir.to_owned(),
            reason: e.to_string(),
        })?;
    tracing::info!(user = %saved.user_id, device = %saved.device_id, "restored the saved Matrix session");
    Ok(client)
}

async fn login(
    settings: &MatrixTransport,
    dir: &Path,
    file: &Path,
    password: &str,
) -> Result<Client, SessionError> {
    let passphrase = random_passphrase();
    // A store left by a login that never saved its session belongs to no device
    // we know: start it afresh.
    let store = dir.join("store");
    if store.exists() {
        std::fs::remove_dir_all(&store).map_err(|source| SessionError::DataDir {
            dir: store.clone(),
            source,
        })?;
    }
    let client = build(settings, dir, &passphrase).await?;
    let response = client
        .matrix_auth()
        .login_username(settings.user.as_str(), password)
        .initial_device_display_name(&settings.device_name)
        .send()
        .await
        .map_err(|error| match error.as_client_api_error() {
            Some(api) => SessionError::Refused {
                homeserver: settings.homeserver.clone(),
                user: settings.user.as_str().to_owned(),
                reason: api.to_string(),
            },
            None => SessionError::Unreachable {
                homeserver: settings.homeserver.clone(),
                reason: error.to_string(),
            },
        })?;
    let saved = Saved {
        homeserver: settings.homeserver.clone(),
        user_id: response.user_id.to_string(),
        device_id: response.device_id.to_string(),
        access_token: response.access_token.clone(),
        passphrase,
    };
    save(dir, file, &saved)?;
    tracing::info!(user = %saved.user_id, device = %saved.device_id, "logged in to Matrix as a new device; session saved");
    Ok(client)
}

async fn build(
    settings: &MatrixTransport,
    dir: &Path,
    passphrase: &str,
) -> Result<Client, SessionError> {
    // No retries inside the SDK: a homeserver that does not answer must show as
    // an error at once, so the sync loop reports the outage (and messages go by
    // SMS) instead of waiting in the SDK's own backoff; the loops retry.
    let requests = RequestConfig::new()
        .disable_retry()
        .timeout(REQUEST_TIMEOUT);
    Client::builder()
        .homeserver_url(&settings.homeserver)
        .request_config(requests)
        .sqlite_store(dir.join("store"), Some(passphrase))
        .build()
        .await
        .map_err(|e| SessionError::Store {
            dir: dir.to_owned(),
            reason: e.to_string(),
        })
}

fn save(dir: &Path, file: &Path, saved: &Saved) -> Result<(), SessionError> {
    let io = |source| SessionError::DataDir {
        dir: dir.to_owned(),
        source,
    };
    let text = serde_json::to_string_pretty(saved).map_err(|e| io(std::io::Error::other(e)))?;
    let temporary = dir.join("session.json.new");
    write_private(&temporary, text.as_bytes()).map_err(io)?;
    std::fs::rename(&temporary, file).map_err(io)
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

fn create_private_dir(dir: &Path) -> Result<(), SessionError> {
    let io = |source| SessionError::DataDir {
        dir: dir.to_owned(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(io)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(io)?;
    }
    Ok(())
}

fn random_passphrase() -> String {
    (0..32)
        .map(|_| format!("{:02x}", rand::random::<u8>()))
        .collect()
}
