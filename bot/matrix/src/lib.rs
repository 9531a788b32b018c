//! The Matrix transport.
#![recursion_limit = "256"]
