//! The domain model every layer above speaks: typed ids, indices and units ([`ids`]), the
//! validated dataset ([`domain`]) and the library's errors ([`error`]).

pub mod domain;
pub mod error;
pub mod ids;
