//! Bearer-token authentication: a request to the Circulate service must carry
//! `authorization: Bearer <token>` with one of the configured tokens, compared in constant
//! time; anything else is UNAUTHENTICATED. Health checks stay open so orchestrators can probe
//! the server without a token.

use subtle::ConstantTimeEq;
use tonic::{Request, Status};

/// The accepted tokens (none: authentication off).
#[derive(Clone, Default)]
pub struct Tokens(Vec<Vec<u8>>);

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Tokens({} configured)", self.0.len())
    }
}

impl Tokens {
    /// Tokens from text: one per line or comma-separated; blank lines and `#` comments
    /// skipped. Tokens shorter than 16 characters are refused as guessable.
    pub fn parse(text: &str) -> anyhow::Result<Tokens> {
        let mut tokens = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            for token in line.split(',').map(str::trim).filter(|t| !t.is_empty()) {
                if token.len() < 16 {
                    anyhow::bail!("token on line {} is shorter than 16 characters", i + 1);
                }
                tokens.push(token.as_bytes().to_vec());
            }
        }
        Ok(Tokens(tokens))
    }

    /// Whether authentication is on.
    pub fn is_enabled(&self) -> bool {
        !self.0.is_empty()
    }

    /// Whether `presented` is one of the tokens. Every token is compared, each in constant
    /// time, so the time taken says nothing about which or how much matched.
    fn accepts(&self, presented: &[u8]) -> bool {
        self.0
            .iter()
            .fold(subtle::Choice::from(0), |any, t| any | t.ct_eq(presented))
            .into()
    }

    /// The interceptor: passes a request with a valid bearer token, refuses others.
    pub fn check(&self, request: Request<()>) -> Result<Request<()>, Status> {
        if !self.is_enabled() {
            return Ok(request);
        }
        let presented = request
            .metadata()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        match presented {
            Some(token) if self.accepts(token.as_bytes()) => Ok(request),
            Some(_) => {
                super::metrics::refused("unauthenticated");
                Err(Status::unauthenticated("invalid bearer token"))
            }
            None => {
                super::metrics::refused("unauthenticated");
                Err(Status::unauthenticated(
                    "missing `authorization: Bearer <token>` metadata",
                ))
            }
        }
    }
}

/// The bearer token a request presents (the owner of its sessions and idempotency keys).
pub fn bearer(metadata: &tonic::metadata::MetadataMap) -> Option<Vec<u8>> {
    metadata
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().as_bytes().to_vec())
}

/// Whether a call presenting `presented` may use what a call with `owner` made (a session,
/// an operation); with authentication off (`owner` none) anyone may. Tokens are compared in
/// constant time.
pub fn may_use(owner: Option<&[u8]>, presented: Option<&[u8]>) -> bool {
    use subtle::ConstantTimeEq;
    match (owner, presented) {
        (None, _) => true,
        (Some(a), Some(b)) => bool::from(a.ct_eq(b)),
        (Some(_), None) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(header: Option<&str>) -> Request<()> {
        let mut r = Request::new(());
        if let Some(h) = header {
            r.metadata_mut()
                .insert("authorization", h.parse().expect("ascii"));
        }
        r
    }

    #[test]
    fn only_a_configured_bearer_token_passes() {
        let tokens = Tokens::parse(
            "# platform A\nalpha-0123456789abcdef\nbeta-0123456789abcdef, gamma-0123456789abcd\n",
        )
        .expect("valid");
        assert!(
            tokens
                .check(request(Some("Bearer beta-0123456789abcdef")))
                .is_ok()
        );
        assert!(
            tokens
                .check(request(Some("Bearer gamma-0123456789abcd")))
                .is_ok()
        );
        for bad in [
            None,
            Some("Bearer alpha"),
            Some("alpha-0123456789abcdef"),
            Some("Bearer "),
        ] {
            let e = tokens.check(request(bad)).expect_err("refused");
            assert_eq!(e.code(), tonic::Code::Unauthenticated);
        }
        assert!(
            Tokens::default().check(request(None)).is_ok(),
            "off when none"
        );
        assert!(Tokens::parse("short").is_err());
    }
}
