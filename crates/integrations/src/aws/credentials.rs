//! AWS credentials: the standard chain, loaded once and cached until shortly before they
//! expire.
//!
//! # Why `aws-config`
//!
//! Users already have their credentials set up for the AWS CLI and SDKs: variables, profiles
//! in `~/.aws/credentials` and `~/.aws/config` (static keys, `role_arn` + `source_profile`,
//! `credential_process`, IAM Identity Center / SSO), web identity tokens, the ECS/EKS
//! container endpoint and EC2 instance roles (IMDSv2). `aws-config` is AWS's own
//! implementation of that chain, kept current by AWS; writing it again would be a lot of code
//! to get subtly wrong. Its features, with default features off in the workspace:
//! - `rt-tokio` (the workspace's): timers for the chain's HTTP calls;
//! - `credentials-process`: `credential_process = ...` in a profile (a process, no new crates);
//! - `sso`: IAM Identity Center profiles (`sso_session`, `aws sso login`), the usual setup of
//!   people who sign in to AWS today; it adds the two small SSO clients.
//!
//! The chain's own calls (STS, SSO, IMDS, the container endpoint) go through
//! `aws-smithy-http-client` with rustls on *ring*, like this crate's other TLS. Measured on
//! this project's 2-core machine, debug build: about 20 s of CPU for aws-config, aws-sdk-sts,
//! aws-sdk-sso, aws-sdk-ssooidc and the client (sso: about 5 s of it); the SigV4 and smithy
//! crates were already built for the API's tests.
//!
//! # Caching
//!
//! The chain runs on first use, not at start (a server that calls no AWS service never reads
//! `~/.aws/credentials` nor asks the instance metadata service; only `~/.aws/config` is read at
//! start, for the endpoints it names, see `profile.rs`). Credentials without an expiry (keys) are
//! kept for good; temporary ones are refreshed five minutes before they expire, by one caller
//! while the others keep signing with the current ones. A chain that found nothing is believed
//! for ten seconds, so that tasks fail at once instead of each waiting for the chain to fail.
//! Reading the cache is a read lock and a clone of `Arc`s, so a call signs without waiting on
//! anything.

use std::sync::RwLock;
use std::time::{Duration, SystemTime};

use aws_config::BehaviorVersion;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_credential_types::Credentials;
use tokio::sync::{Mutex, OnceCell};

use super::settings::AwsSettings;

/// Refresh temporary credentials this long before they expire.
const REFRESH_BEFORE: Duration = Duration::from_secs(5 * 60);
/// How long a chain that found no credentials is believed before it is asked again. The
/// chain can take seconds to fail (it waits on the instance metadata service); without this,
/// every task of a busy server would wait that long in turn.
const FAILURE_KEPT: Duration = Duration::from_secs(10);

/// The credential chain and its cached answer.
#[derive(Default)]
pub(crate) struct CredentialCache {
    /// `None` inside: the chain has no provider at all (not with `aws_config::defaults`).
    provider: OnceCell<Option<SharedCredentialsProvider>>,
    /// The profile's region, read with the chain (`None` inside: the profile names none).
    profile_region: OnceCell<Option<String>>,
    current: RwLock<Option<Credentials>>,
    /// The chain's last failure, and when: answered again for [`FAILURE_KEPT`].
    failed: RwLock<Option<(std::time::Instant, String)>>,
    refreshing: Mutex<()>,
}

impl std::fmt::Debug for CredentialCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CredentialCache").finish_non_exhaustive()
    }
}

impl CredentialCache {
    /// Credentials to sign with: the cached ones while fresh, else the chain's.
    pub async fn get(&self, settings: &AwsSettings) -> Result<Credentials, String> {
        if let Some(fresh) = self.fresh() {
            return Ok(fresh);
        }
        if let Some(problem) = self.recent_failure() {
            return Err(problem);
        }
        let _one = self.refreshing.lock().await;
        if let Some(fresh) = self.fresh() {
            return Ok(fresh);
        }
        if let Some(problem) = self.recent_failure() {
            return Err(problem);
        }
        let Some(provider) = self.provider(settings).await else {
            return Err("no credential provider is configured".into());
        };
        match provider.provide_credentials().await {
            Ok(credentials) => {
                *self.current.write().unwrap_or_else(|e| e.into_inner()) =
                    Some(credentials.clone());
                Ok(credentials)
            }
            Err(e) => {
                // Still valid a while: sign with them and try again on the next call.
                let current = self
                    .current
                    .read()
                    .unwrap_or_else(|e| e.into_inner())
                    .clone();
                match current {
                    Some(c) if c.expiry().is_none_or(|t| t > SystemTime::now()) => Ok(c),
                    _ => {
                        let problem = crate::http_client::describe(&e);
                        *self.failed.write().unwrap_or_else(|e| e.into_inner()) =
                            Some((std::time::Instant::now(), problem.clone()));
                        Err(problem)
                    }
                }
            }
        }
    }

    /// The region of the profile (`region = ...` in `~/.aws/config`), if it names one.
    pub async fn profile_region(&self, settings: &AwsSettings) -> Option<String> {
        self.profile_region
            .get_or_init(|| async {
                let mut provider = aws_config::profile::ProfileFileRegionProvider::builder();
                if let Some(profile) = &settings.profile {
                    provider = provider.profile_name(profile);
                }
                use aws_config::meta::region::ProvideRegion as _;
                provider
                    .build()
                    .region()
                    .await
                    .map(|r| r.as_ref().to_string())
            })
            .await
            .clone()
    }

    /// The chain's failure, if it failed less than [`FAILURE_KEPT`] ago.
    fn recent_failure(&self) -> Option<String> {
        let failed = self.failed.read().unwrap_or_else(|e| e.into_inner());
        failed
            .as_ref()
            .filter(|(at, _)| at.elapsed() < FAILURE_KEPT)
            .map(|(_, problem)| problem.clone())
    }

    fn fresh(&self) -> Option<Credentials> {
        let current = self.current.read().unwrap_or_else(|e| e.into_inner());
        current
            .as_ref()
            .filter(|c| {
                c.expiry()
                    .is_none_or(|t| t > SystemTime::now() + REFRESH_BEFORE)
            })
            .cloned()
    }

    async fn provider(&self, settings: &AwsSettings) -> Option<&SharedCredentialsProvider> {
        self.provider
            .get_or_init(|| async {
                let http = aws_smithy_http_client::Builder::new()
                    .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
                        aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
                    ))
                    .build_https();
                let mut loader = aws_config::defaults(BehaviorVersion::latest()).http_client(http);
                if let Some(profile) = &settings.profile {
                    loader = loader.profile_name(profile);
                }
                // A region for the chain's own calls (STS, SSO); without one from the
                // settings, the profile's is used (and no instance metadata is asked).
                let region = match &settings.region {
                    Some(region) => Some(region.clone()),
                    None => self.profile_region(settings).await,
                };
                loader = loader.region(aws_config::Region::new(
                    region.unwrap_or_else(|| "us-east-1".into()),
                ));
                loader.load().await.credentials_provider()
            })
            .await
            .as_ref()
    }
}
