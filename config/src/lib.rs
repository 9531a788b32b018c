//! The typed site configuration of handoff: sites and their hours, agencies and their
//! officers, staff, shifts, rotations, overrides, escalation policies and transports,
//! loaded from TOML. Every error names file, line, column and key, and all of a
//! file's errors are reported together. Secrets are read from environment variables
//! that the file names, never from the file.

pub mod dashboard;
pub mod error;
pub mod load;
pub mod model;
mod raw;
pub mod validate;

pub use dashboard::{Dashboard, DashboardRole, DashboardUser, PasswordHash, UserName};
pub use error::{ConfigError, LoadError};
pub use load::{load, load_str};
pub use model::{
    ApiToken, BadMatrixRoomId, Config, MATRIX_SESSION_FILE, MatrixRoomId, MatrixTransport, Program,
    Secret, Server, Site, SmsProvider, SmsSender, SmsTransport, Transports, TwilioSettings,
    VoiceTransport,
};
pub use validate::{
    DEFAULT_MATRIX_DATA_DIR, DEFAULT_MATRIX_DEVICE_NAME, DEFAULT_PRESS_TIMEOUT,
    DEFAULT_RING_TIMEOUT, DurationError, FieldProblem, OverrideFields, parse_duration,
};
