//! Endpoints named in the AWS config file, as every AWS SDK reads them ("Service-specific
//! endpoints" in the AWS SDKs and Tools Reference Guide):
//!
//! ```ini
//! [profile dev]
//! endpoint_url = http://localhost:4566      # every service
//! services = local-moto
//!
//! [services local-moto]
//! dynamodb =
//!   endpoint_url = http://localhost:8000    # this service only
//! ```
//!
//! plus the profile's `ignore_configured_endpoint_urls = true`. The file is read with aws-config's
//! own loader, so its location (`AWS_CONFIG_FILE`, `~/.aws/config`), syntax and profile selection
//! are exactly the SDKs'; Switchback only picks these keys out. It is read once, when the
//! integrations start, like the rest of the settings.

use std::borrow::Cow;

use aws_config::profile::ProfileSet;
use aws_runtime::env_config::file::EnvConfigFiles;
use aws_runtime::env_config::property::PropertiesKey;
use aws_types::os_shim_internal::{Env as SdkEnv, Fs};
use futures::FutureExt as _;

use super::settings::Env;

/// The variables aws-config's loader reads to find the config file and the profile.
const LOCATING_VARIABLES: [&str; 6] = [
    "HOME",
    "USERPROFILE",
    "HOMEDRIVE",
    "HOMEPATH",
    "AWS_CONFIG_FILE",
    "AWS_PROFILE",
];

/// What the selected profile says about endpoints.
#[derive(Debug, Default)]
pub(crate) struct ProfileEndpoints {
    /// `ignore_configured_endpoint_urls`, when the profile sets it (`true` or `false`).
    pub ignore_configured: Option<bool>,
    /// The endpoints it names, most binding first: the services' (by config key), then the
    /// profile's own (`None`), each with where it was named, for messages.
    pub endpoints: Vec<(Option<&'static str>, String, String)>,
}

/// Reads the selected profile (`profile`, else `AWS_PROFILE`, else `default`) from the AWS
/// config file through `fs`. `keys` are the service keys to look for. A file that cannot be
/// read or parsed names no endpoint (the credential chain reports it when credentials are
/// needed); it is logged.
pub(crate) fn read(
    env: Env<'_>,
    fs: &Fs,
    profile: Option<&str>,
    keys: impl Iterator<Item = &'static str>,
) -> ProfileEndpoints {
    let Some(profiles) = load(env, fs, profile) else {
        return ProfileEndpoints::default();
    };
    let profile_name = profiles.selected_profile().to_string();
    let ignore_configured = profiles
        .get("ignore_configured_endpoint_urls")
        .map(|v| v.trim().eq_ignore_ascii_case("true"));
    let mut endpoints = Vec::new();
    if let Some(section) = profiles.get("services") {
        for key in keys {
            // AWS's config files write the key with `_` (`secrets_manager`); the Rust SDK also
            // looks for `-`.
            let url = [key.to_string(), key.replace('_', "-")]
                .into_iter()
                .find_map(|name| service_endpoint(&profiles, section, &name));
            if let Some(url) = url {
                endpoints.push((
                    Some(key),
                    url,
                    format!("[services {section}] {key}.endpoint_url in the AWS config file"),
                ));
            }
        }
    }
    if let Some(url) = profiles.get("endpoint_url") {
        endpoints.push((
            None,
            url.to_string(),
            format!("endpoint_url of profile {profile_name:?} in the AWS config file"),
        ));
    }
    ProfileEndpoints {
        ignore_configured,
        endpoints,
    }
}

/// `<name> = \n  endpoint_url = URL` in the `[services <section>]` section.
fn service_endpoint(profiles: &ProfileSet, section: &str, name: &str) -> Option<String> {
    let key = PropertiesKey::builder()
        .section_key("services")
        .section_name(section)
        .property_name(name)
        .sub_property_name("endpoint_url")
        .build()
        .ok()?;
    profiles.other_sections().get(&key).cloned()
}

/// The parsed files, or `None` (logged) when they cannot be read.
fn load(env: Env<'_>, fs: &Fs, profile: Option<&str>) -> Option<ProfileSet> {
    let vars: Vec<(&str, String)> = LOCATING_VARIABLES
        .iter()
        .filter_map(|name| env(name).map(|value| (*name, value)))
        .collect();
    let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let sdk_env = SdkEnv::from_slice(&vars);
    // The config file only: endpoints live there, and the credentials file is the chain's to
    // read, when credentials are first needed.
    let files = EnvConfigFiles::builder()
        .include_default_config_file(true)
        .build();
    let selected = profile.map(|p| Cow::Owned(p.to_string()));
    // The loader is async only in name: it reads the files with std::fs, so it is ready at
    // once (an in-memory `Fs` in tests is too).
    match aws_config::profile::load(fs, &sdk_env, &files, selected).now_or_never() {
        Some(Ok(profiles)) => Some(profiles),
        Some(Err(e)) => {
            tracing::warn!(error = %e, "the AWS config file could not be read; endpoints named there are not used");
            None
        }
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_config(config: &str, profile: Option<&str>) -> ProfileEndpoints {
        let fs = Fs::from_slice(&[("/home/me/.aws/config", config)]);
        let env = |name: &str| (name == "HOME").then(|| "/home/me".to_string());
        read(
            &env,
            &fs,
            profile,
            ["sqs", "dynamodb", "secrets_manager"].into_iter(),
        )
    }

    #[test]
    fn the_profiles_and_its_services_endpoints() {
        let config = "[default]\nendpoint_url = http://localhost:4566\nservices = local\n\n\
                      [services local]\ndynamodb =\n  endpoint_url = http://localhost:8000\n\
                      secrets_manager =\n  endpoint_url = http://localhost:9000\n\n\
                      [profile other]\nendpoint_url = http://other:1\n";
        let found = read_config(config, None);
        let urls: Vec<_> = found
            .endpoints
            .iter()
            .map(|(key, url, _)| (*key, url.as_str()))
            .collect();
        assert_eq!(
            urls,
            vec![
                (Some("dynamodb"), "http://localhost:8000"),
                (Some("secrets_manager"), "http://localhost:9000"),
                (None, "http://localhost:4566"),
            ]
        );
        assert!(found.endpoints[0]
            .2
            .contains("[services local] dynamodb.endpoint_url"));
        assert_eq!(found.ignore_configured, None);

        let other = read_config(config, Some("other"));
        assert_eq!(other.endpoints.len(), 1);
        assert_eq!(other.endpoints[0].1, "http://other:1");
        assert!(other.endpoints[0].2.contains("\"other\""));
    }

    #[test]
    fn ignore_and_missing_files() {
        let found = read_config(
            "[default]\nendpoint_url = http://x:1\nignore_configured_endpoint_urls = true\n",
            None,
        );
        assert_eq!(found.ignore_configured, Some(true));
        let none = read(
            &|_| Some("/nowhere".to_string()),
            &Fs::from_slice(&[]),
            None,
            ["sqs"].into_iter(),
        );
        assert!(none.endpoints.is_empty() && none.ignore_configured.is_none());
        let unknown_profile = read_config("[default]\nendpoint_url = http://x:1\n", Some("nope"));
        assert!(unknown_profile.endpoints.is_empty());
    }
}
