//! Numeric judge integration tests.
