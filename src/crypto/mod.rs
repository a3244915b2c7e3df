//! RFC 3961 crypto framework.
