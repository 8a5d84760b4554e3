//! Parsing the endpoint URL once, so that every request reuses the parsed form.

use hyper::Uri;

use crate::ClientError;

/// A Step Functions endpoint: `http://host:port` with an optional path (default `/`).
#[derive(Debug, Clone)]
pub struct Endpoint {
    uri: Uri,
}

impl Endpoint {
    /// Parses `url`. `https://` is refused with a clear message rather than failing later at
    /// connection time with an obscure one.
    pub fn parse(url: &str) -> Result<Endpoint, ClientError> {
        let invalid = |reason: &str| ClientError::InvalidEndpoint {
            url: url.to_string(),
            reason: reason.to_string(),
        };
        let uri: Uri = url.trim().parse().map_err(|e| invalid(&format!("{e}")))?;
        match uri.scheme_str() {
            Some("http") => {}
            Some("https") => return Err(ClientError::TlsNotSupported(url.to_string())),
            Some(other) => {
                return Err(invalid(&format!(
                    "unsupported scheme {other:?}, use http://"
                )))
            }
            None => return Err(invalid("no scheme, expected http://host:port")),
        }
        let authority = uri
            .authority()
            .ok_or_else(|| invalid("no host, expected http://host:port"))?
            .clone();
        let path = match uri.path() {
            "" => "/",
            p => p,
        };
        let uri = Uri::builder()
            .scheme("http")
            .authority(authority)
            .path_and_query(path)
            .build()
            .map_err(|e| invalid(&format!("{e}")))?;
        Ok(Endpoint { uri })
    }

    /// The URI every request is posted to.
    pub fn uri(&self) -> &Uri {
        &self.uri
    }
}

impl std::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.uri)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_gets_a_root_path() {
        let e = Endpoint::parse("http://127.0.0.1:8083").expect("valid");
        assert_eq!(e.uri().to_string(), "http://127.0.0.1:8083/");
    }

    #[test]
    fn a_path_is_kept() {
        let e = Endpoint::parse("http://localhost:1/sfn").expect("valid");
        assert_eq!(e.uri().path(), "/sfn");
    }

    #[test]
    fn https_says_tls_is_not_supported() {
        let err = Endpoint::parse("https://states.us-east-1.amazonaws.com").expect_err("https");
        assert!(matches!(err, ClientError::TlsNotSupported(_)));
        assert!(err.to_string().contains("TLS is not supported"), "{err}");
    }

    #[test]
    fn garbage_is_refused() {
        for url in ["", "127.0.0.1:8083", "ftp://x", "http://"] {
            assert!(Endpoint::parse(url).is_err(), "{url:?} should be refused");
        }
    }
}
