//! SMS: the Twilio-compatible provider and webhooks, the command grammar, and the
//! sandbox provider that stores messages instead of sending them.

pub mod form;
pub mod grammar;
pub mod gsm7;
pub mod outbound;
pub mod provider;
pub mod sandbox;
pub mod signature;
pub mod webhook;
