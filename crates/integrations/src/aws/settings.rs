//! Where calls to AWS services go: `[aws]` of `switchback.toml` and the AWS variables, checked
//! once when the integrations start.
//!
//! The safety rule lives here: a service is *reachable* only when the configuration names an
//! endpoint for it (its own or every service's) or says `[aws] enabled = true`. A definition
//! never chooses where a request goes, so running someone else's definition cannot send data
//! (or credentials' signatures) to AWS or anywhere else unless the user said so.
//!
//! Precedence is the AWS SDKs', with `switchback.toml` in the place of their config file: the
//! service's variable (`AWS_ENDPOINT_URL_SQS`), the global variable (`AWS_ENDPOINT_URL`), the
//! service's table (`[aws.services.sqs] endpoint_url`), the global key (`[aws] endpoint_url`),
//! the AWS config file's profile (its `services` section's `sqs = endpoint_url = ...`, then its
//! own `endpoint_url`; see [`super::profile`]), then, when enabled, AWS's public endpoint for
//! the region. `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS = true` (or the profile's
//! `ignore_configured_endpoint_urls`) drops the variables and the profile's endpoints, as it
//! does in the SDKs, and keeps `switchback.toml`'s, as they keep an endpoint given in code. An
//! endpoint named in the profile counts as configuration for the safety rule: the user wrote
//! it. The same "variable over file" holds
//! for the profile (`AWS_PROFILE`) and the region (`AWS_REGION`, `AWS_DEFAULT_REGION`), and is
//! Switchback's own rule for its settings too.

use aws_types::os_shim_internal::Fs;
use http::Uri;

use super::metadata::ResponseHeaders;
use super::profile;
use super::services::{self, Service};
use crate::config::{check_url, AwsConfig};

/// Reads a variable of the environment (a closure, so that tests give their own).
pub(crate) type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// `[aws]` and the AWS variables, checked.
#[derive(Debug, Clone)]
pub(crate) struct AwsSettings {
    /// `[aws] enabled = true`: AWS's public endpoints where none is named.
    pub enabled: bool,
    /// `AWS_PROFILE`, else `[aws] profile`.
    pub profile: Option<String>,
    /// `AWS_REGION`, `AWS_DEFAULT_REGION`, else `[aws] region`.
    pub region: Option<String>,
    /// The named endpoints, most binding first: the services' variables
    /// (`AWS_ENDPOINT_URL_<KEY>`), the global variable, the services' tables, the global key.
    /// A service key is `sqs`, `dynamodb`, `eventbridge`, ...; `None` stands for every service.
    pub endpoints: Vec<(Option<String>, Named)>,
    /// `[aws] response_headers`: which headers of an answer `SdkHttpMetadata` lists (default:
    /// those AWS's endpoint sends; see [`super::metadata`]).
    pub response_headers: ResponseHeaders,
    /// `[aws] job_poll_seconds`: how long a `.sync` job's polls are apart.
    pub job_poll: std::time::Duration,
}

impl Default for AwsSettings {
    fn default() -> AwsSettings {
        AwsSettings {
            enabled: false,
            profile: None,
            region: None,
            endpoints: Vec::new(),
            response_headers: ResponseHeaders::default(),
            job_poll: DEFAULT_JOB_POLL,
        }
    }
}

/// How long a `.sync` job's polls are apart by default.
pub(crate) const DEFAULT_JOB_POLL: std::time::Duration = std::time::Duration::from_secs(5);

/// An endpoint the configuration names, and where it was named (for messages).
#[derive(Debug, Clone)]
pub(crate) struct Named {
    /// The base URL, without a trailing `/`.
    pub url: Uri,
    pub origin: String,
}

/// Where one call goes.
#[derive(Debug, Clone)]
pub(crate) struct Endpoint<'a> {
    /// `scheme://authority/` (a path of a named endpoint is kept).
    pub url: Uri,
    /// Where it was named (`aws.endpoint_url`, `AWS_ENDPOINT_URL_SQS`, ...), or `aws.enabled`
    /// for AWS's own endpoint.
    pub origin: &'a str,
}

impl AwsSettings {
    /// Checks `[aws]` and reads the AWS variables; an error is `(field, problem)`.
    ///
    /// `fs` holds the AWS config file (`Fs::real()` but in tests), read for the profile's
    /// endpoints ([`super::profile`]).
    pub fn check(
        config: AwsConfig,
        env: Env<'_>,
        fs: &Fs,
    ) -> Result<AwsSettings, (String, String)> {
        let var = |name: &str| env(name).filter(|v| !v.trim().is_empty());
        let profile = var("AWS_PROFILE").or(config.profile.clone());
        if profile.as_deref().is_some_and(|p| p.trim().is_empty()) {
            return Err(("aws.profile".into(), "is empty".into()));
        }
        let from_profile = profile::read(env, fs, profile.as_deref(), services::known_keys());
        // The variable decides when set, else the profile: either way the configured endpoints
        // (the variables and the profile's) are ignored, and switchback.toml's kept, as the
        // SDKs keep the endpoint given in code.
        let ignore_configured = match var("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS") {
            Some(v) => v.trim().eq_ignore_ascii_case("true"),
            None => from_profile.ignore_configured.unwrap_or(false),
        };
        let endpoint_var = |name: &str| if ignore_configured { None } else { var(name) };

        let named = |url: &str, origin: String| -> Result<Named, (String, String)> {
            let base = check_url(url).map_err(|problem| (origin.clone(), problem))?;
            let url = base.parse().map_err(|e| (origin.clone(), format!("{e}")))?;
            Ok(Named { url, origin })
        };

        let mut endpoints = Vec::new();
        // The variables of every service Switchback knows, then the global one.
        for key in services::known_keys() {
            let name = services::endpoint_variable(key);
            if let Some(url) = endpoint_var(&name) {
                endpoints.push((Some(key.to_string()), named(&url, name)?));
            }
        }
        if let Some(url) = endpoint_var("AWS_ENDPOINT_URL") {
            endpoints.push((None, named(&url, "AWS_ENDPOINT_URL".into())?));
        }
        for (name, service) in &config.services {
            let field = format!("aws.services.{name}");
            let key = services::config_key(name).ok_or_else(|| {
                (
                    field.clone(),
                    format!(
                        "{name:?} is not an AWS service Switchback knows; write the service's name as in AWS's config files ({})",
                        services::known_keys().collect::<Vec<_>>().join(", ")
                    ),
                )
            })?;
            if let Some(url) = &service.endpoint_url {
                endpoints.push((
                    Some(key.to_string()),
                    named(url, format!("{field}.endpoint_url"))?,
                ));
            }
        }
        if let Some(url) = &config.endpoint_url {
            endpoints.push((None, named(url, "aws.endpoint_url".into())?));
        }
        if !ignore_configured {
            for (key, url, origin) in from_profile.endpoints {
                endpoints.push((key.map(str::to_string), named(&url, origin)?));
            }
        }
        let region = [
            ("AWS_REGION", var("AWS_REGION")),
            ("AWS_DEFAULT_REGION", var("AWS_DEFAULT_REGION")),
            ("aws.region", config.region.clone()),
        ]
        .into_iter()
        .find_map(|(origin, region)| region.map(|r| (origin, r)));
        if let Some((origin, region)) = &region {
            if !is_region(region) {
                return Err((
                    origin.to_string(),
                    format!("{region:?} is not a region name such as \"us-east-1\""),
                ));
            }
        }
        let region = region.map(|(_, region)| region);

        let response_headers = match config.response_headers.as_deref() {
            None => ResponseHeaders::default(),
            Some(text) => ResponseHeaders::parse(text).ok_or_else(|| {
                (
                    "aws.response_headers".to_string(),
                    format!(
                        "{text:?} is not a choice: write \"aws\" (SdkHttpMetadata lists the \
                         headers AWS's endpoint sends; the default) or \"endpoint\" (every \
                         header the endpoint answered with)"
                    ),
                )
            })?,
        };

        let job_poll = match config.job_poll_seconds {
            None => DEFAULT_JOB_POLL,
            Some(seconds) if seconds.is_finite() && (0.05..=3600.0).contains(&seconds) => {
                std::time::Duration::from_secs_f64(seconds)
            }
            Some(seconds) => {
                return Err((
                    "aws.job_poll_seconds".to_string(),
                    format!("{seconds} is not between 0.05 and 3600 seconds"),
                ))
            }
        };

        Ok(AwsSettings {
            enabled: config.enabled,
            profile,
            region,
            endpoints,
            response_headers,
            job_poll,
        })
    }

    /// Whether calls to `service` may go out: an endpoint is named for it, or AWS is enabled.
    pub fn reaches(&self, service: &Service) -> bool {
        self.enabled || self.named(service).is_some()
    }

    /// The endpoint named for `service`, if any.
    pub fn named(&self, service: &Service) -> Option<&Named> {
        self.endpoints
            .iter()
            .find(|(key, _)| key.as_deref().is_none_or(|k| k == service.key))
            .map(|(_, named)| named)
    }

    /// Where a call to `service` in `region` goes (`None`: nowhere, see [`reaches`]).
    ///
    /// [`reaches`]: AwsSettings::reaches
    pub fn endpoint(
        &self,
        service: &Service,
        region: &str,
        partition: &str,
    ) -> Option<Endpoint<'_>> {
        if let Some(named) = self.named(service) {
            return Some(Endpoint {
                url: named.url.clone(),
                origin: &named.origin,
            });
        }
        if !self.enabled {
            return None;
        }
        let suffix = match partition {
            "aws-cn" => "amazonaws.com.cn",
            _ => "amazonaws.com",
        };
        let url = format!("https://{}.{region}.{suffix}", service.endpoint_prefix)
            .parse()
            .ok()?;
        Some(Endpoint {
            url,
            origin: "aws.enabled",
        })
    }
}

/// AWS's region names: lowercase letters, digits and hyphens (`us-east-1`, `eu-central-2`).
fn is_region(region: &str) -> bool {
    (2..=32).contains(&region.len())
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::AwsServiceConfig;
    use std::collections::BTreeMap;

    fn check(config: AwsConfig, vars: &[(&str, &str)]) -> Result<AwsSettings, (String, String)> {
        check_in(config, vars, &Fs::from_slice(&[]))
    }

    /// [`check`] with the AWS config files in `fs`.
    fn check_in(
        config: AwsConfig,
        vars: &[(&str, &str)],
        fs: &Fs,
    ) -> Result<AwsSettings, (String, String)> {
        let vars: BTreeMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        AwsSettings::check(config, &|name| vars.get(name).cloned(), fs)
    }

    fn url_of(settings: &AwsSettings, key: &str) -> Option<String> {
        let service = services::by_key(key).unwrap();
        settings
            .endpoint(service, "eu-west-1", "aws")
            .map(|e| e.url.to_string())
    }

    #[test]
    fn nothing_configured_reaches_nothing() {
        let settings = check(AwsConfig::default(), &[]).unwrap();
        for key in ["sqs", "dynamodb", "eventbridge"] {
            assert!(!settings.reaches(services::by_key(key).unwrap()));
            assert_eq!(url_of(&settings, key), None);
        }
        // Credentials and a region alone do not send anything anywhere.
        let settings = check(
            AwsConfig::default(),
            &[("AWS_ACCESS_KEY_ID", "a"), ("AWS_REGION", "us-west-2")],
        )
        .unwrap();
        assert!(!settings.reaches(services::by_key("sqs").unwrap()));
    }

    #[test]
    fn enabled_means_aws_itself() {
        let config = AwsConfig {
            enabled: true,
            ..AwsConfig::default()
        };
        let settings = check(config, &[]).unwrap();
        assert_eq!(
            url_of(&settings, "dynamodb").as_deref(),
            Some("https://dynamodb.eu-west-1.amazonaws.com/")
        );
        assert_eq!(
            url_of(&settings, "eventbridge").as_deref(),
            Some("https://events.eu-west-1.amazonaws.com/")
        );
        let sqs = services::by_key("sqs").unwrap();
        assert_eq!(
            settings
                .endpoint(sqs, "cn-north-1", "aws-cn")
                .unwrap()
                .url
                .to_string(),
            "https://sqs.cn-north-1.amazonaws.com.cn/"
        );
    }

    #[test]
    fn variables_over_the_file_and_services_over_all() {
        let mut services_config = BTreeMap::new();
        services_config.insert(
            "dynamodb".to_string(),
            AwsServiceConfig {
                endpoint_url: Some("http://127.0.0.1:8000/".into()),
            },
        );
        services_config.insert(
            "events".to_string(),
            AwsServiceConfig {
                endpoint_url: Some("http://127.0.0.1:9000".into()),
            },
        );
        let config = AwsConfig {
            endpoint_url: Some("http://127.0.0.1:5000".into()),
            services: services_config,
            ..AwsConfig::default()
        };
        let settings = check(config.clone(), &[]).unwrap();
        assert!(settings.reaches(services::by_key("sqs").unwrap()));
        assert_eq!(
            url_of(&settings, "sqs").as_deref(),
            Some("http://127.0.0.1:5000/")
        );
        assert_eq!(
            url_of(&settings, "dynamodb").as_deref(),
            Some("http://127.0.0.1:8000/")
        );
        // `events` is EventBridge's resource name; its config key is `eventbridge`.
        assert_eq!(
            url_of(&settings, "eventbridge").as_deref(),
            Some("http://127.0.0.1:9000/")
        );

        let settings = check(
            config.clone(),
            &[
                ("AWS_ENDPOINT_URL", "http://localhost:4566"),
                ("AWS_ENDPOINT_URL_DYNAMODB", "http://localhost:8001"),
            ],
        )
        .unwrap();
        assert_eq!(
            url_of(&settings, "sqs").as_deref(),
            Some("http://localhost:4566/")
        );
        assert_eq!(
            url_of(&settings, "dynamodb").as_deref(),
            Some("http://localhost:8001/")
        );
        // AWS's order puts every variable before the file: the global variable wins over
        // EventBridge's own table.
        assert_eq!(
            url_of(&settings, "eventbridge").as_deref(),
            Some("http://localhost:4566/")
        );

        // AWS_IGNORE_CONFIGURED_ENDPOINT_URLS drops the variables.
        let settings = check(
            config,
            &[
                ("AWS_ENDPOINT_URL", "http://localhost:4566"),
                ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"),
            ],
        )
        .unwrap();
        assert_eq!(
            url_of(&settings, "sqs").as_deref(),
            Some("http://127.0.0.1:5000/")
        );
    }

    #[test]
    fn a_variable_alone_names_an_endpoint() {
        let settings = check(
            AwsConfig::default(),
            &[("AWS_ENDPOINT_URL_SQS", "http://127.0.0.1:9324")],
        )
        .unwrap();
        assert!(settings.reaches(services::by_key("sqs").unwrap()));
        assert!(!settings.reaches(services::by_key("dynamodb").unwrap()));
    }

    #[test]
    fn response_headers_aws_unless_endpoint() {
        let settings = check(AwsConfig::default(), &[]).unwrap();
        assert_eq!(settings.response_headers, ResponseHeaders::Aws);
        for (text, expected) in [
            ("aws", ResponseHeaders::Aws),
            ("endpoint", ResponseHeaders::Endpoint),
        ] {
            let config = AwsConfig {
                response_headers: Some(text.into()),
                ..AwsConfig::default()
            };
            assert_eq!(check(config, &[]).unwrap().response_headers, expected);
        }
        let config = AwsConfig {
            response_headers: Some("all".into()),
            ..AwsConfig::default()
        };
        let (field, problem) = check(config, &[]).unwrap_err();
        assert_eq!(field, "aws.response_headers");
        assert!(
            problem.contains("\"all\"")
                && problem.contains("\"aws\"")
                && problem.contains("\"endpoint\""),
            "{problem}"
        );
    }

    #[test]
    fn the_profiles_endpoints_come_after_switchback_toml() {
        let file = "[profile dev]\nendpoint_url = http://profile:1\nservices = local\n\n\
                    [services local]\nsqs =\n  endpoint_url = http://profile-sqs:2\n";
        let fs = Fs::from_slice(&[("/home/me/.aws/config", file)]);
        let check_with = |config: AwsConfig, vars: &[(&str, &str)]| {
            let vars: Vec<(&str, &str)> = [("HOME", "/home/me"), ("AWS_PROFILE", "dev")]
                .into_iter()
                .chain(vars.iter().copied())
                .collect();
            check_in(config, &vars, &fs).unwrap()
        };
        // The profile alone names endpoints (and so makes the services reachable).
        let settings = check_with(AwsConfig::default(), &[]);
        assert_eq!(
            url_of(&settings, "sqs").as_deref(),
            Some("http://profile-sqs:2/")
        );
        assert_eq!(
            url_of(&settings, "dynamodb").as_deref(),
            Some("http://profile:1/")
        );
        assert!(settings
            .named(services::by_key("sqs").unwrap())
            .unwrap()
            .origin
            .contains("[services local] sqs.endpoint_url"));
        // switchback.toml's global key beats the profile's service key.
        let config = AwsConfig {
            endpoint_url: Some("http://toml:3".into()),
            ..AwsConfig::default()
        };
        let settings = check_with(config.clone(), &[]);
        assert_eq!(url_of(&settings, "sqs").as_deref(), Some("http://toml:3/"));
        // Ignoring configured endpoints drops the profile's, keeps the file's.
        let settings = check_with(
            AwsConfig::default(),
            &[("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")],
        );
        assert_eq!(url_of(&settings, "sqs"), None);
        let settings = check_with(config, &[("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")]);
        assert_eq!(url_of(&settings, "sqs").as_deref(), Some("http://toml:3/"));
    }

    #[test]
    fn mistakes_name_their_field() {
        let config = AwsConfig {
            endpoint_url: Some("localhost:4566".into()),
            ..AwsConfig::default()
        };
        let (field, problem) = check(config, &[]).unwrap_err();
        assert_eq!(field, "aws.endpoint_url");
        assert!(problem.contains("http://"), "{problem}");

        let mut services_config = BTreeMap::new();
        services_config.insert("dynamo".to_string(), AwsServiceConfig::default());
        let config = AwsConfig {
            services: services_config,
            ..AwsConfig::default()
        };
        let (field, problem) = check(config, &[]).unwrap_err();
        assert_eq!(field, "aws.services.dynamo");
        assert!(problem.contains("dynamodb"), "{problem}");

        let (field, _) =
            check(AwsConfig::default(), &[("AWS_ENDPOINT_URL_SQS", "ftp://x")]).unwrap_err();
        assert_eq!(field, "AWS_ENDPOINT_URL_SQS");

        let config = AwsConfig {
            region: Some("Europe".into()),
            ..AwsConfig::default()
        };
        assert_eq!(check(config, &[]).unwrap_err().0, "aws.region");
    }
}
