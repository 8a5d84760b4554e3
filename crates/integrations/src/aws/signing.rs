//! SigV4: every request to an AWS service is signed with AWS's own implementation
//! (`aws-sigv4`), in headers, over the payload's SHA-256.
//!
//! Signing is the only per-call cryptography: the signing key is derived per request (four
//! HMACs) and the body hashed once; a few microseconds beside a network round trip. Nothing is
//! signed ahead, since the signature covers the request time.

use std::time::SystemTime;

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    sign, PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest, SigningSettings,
    UriPathNormalizationMode,
};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;

/// How a service wants its requests signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SigningStyle {
    /// SigV4 as most services take it.
    Standard,
    /// S3's variant: the path encoded once and not normalised (object keys keep their
    /// `//` and `..`), and the payload's hash sent in `x-amz-content-sha256`.
    S3,
}

/// Signs `request` (its method, URI, headers and `body`) for `service` in `region`, adding the
/// `Authorization`, `X-Amz-Date` and (for temporary credentials) `X-Amz-Security-Token`
/// headers.
pub(crate) fn sign_request<B>(
    request: &mut http::Request<B>,
    body: &[u8],
    credentials: &Credentials,
    service: &str,
    region: &str,
    style: SigningStyle,
) -> Result<(), String> {
    let identity: Identity = credentials.clone().into();
    let mut settings = SigningSettings::default();
    if style == SigningStyle::S3 {
        settings.percent_encoding_mode = PercentEncodingMode::Single;
        settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
        settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    }
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(service)
        .time(SystemTime::now())
        .settings(settings)
        .build()
        .map_err(|e| format!("could not sign the request: {e}"))?
        .into();
    let mut headers = Vec::with_capacity(request.headers().len());
    for (name, value) in request.headers() {
        let value = value
            .to_str()
            .map_err(|_| format!("the header {name} is not text and cannot be signed"))?;
        headers.push((name.as_str(), value));
    }
    let uri = request.uri().to_string();
    let signable = SignableRequest::new(
        request.method().as_str(),
        uri.as_str(),
        headers.into_iter(),
        SignableBody::Bytes(body),
    )
    .map_err(|e| format!("could not sign the request: {e}"))?;
    let (instructions, _signature) = sign(signable, &params)
        .map_err(|e| format!("could not sign the request: {e}"))?
        .into_parts();
    instructions.apply_to_request_http1x(request);
    Ok(())
}
