//! The one identity a Switchback server (or a `switchback run`) has: the partition, region and
//! account that its ARNs name.
//!
//! AWS derives these from the endpoint and the caller's credentials; Switchback has one of
//! each, set by configuration (`region`, `account_id`), and defaults to the values the AWS
//! documentation uses in its examples, so that ARNs copied from there name things here.

use std::fmt;

/// The partition, region and account of this server's ARNs.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Identity {
    /// The partition: `aws` (or `aws-cn`, `aws-us-gov` when configured so).
    pub partition: String,
    /// The region, e.g. `us-east-1`.
    pub region: String,
    /// The 12-digit account id.
    pub account: String,
}

impl Identity {
    /// The default partition.
    pub const DEFAULT_PARTITION: &'static str = "aws";
    /// The default region.
    pub const DEFAULT_REGION: &'static str = "us-east-1";
    /// The default account id.
    pub const DEFAULT_ACCOUNT: &'static str = "123456789012";

    /// An identity in the default partition.
    pub fn new(region: impl Into<String>, account: impl Into<String>) -> Identity {
        Identity {
            partition: Identity::DEFAULT_PARTITION.into(),
            region: region.into(),
            account: account.into(),
        }
    }

    /// The role executions run as when none is given: `arn:aws:iam::{account}:role/switchback`.
    pub fn default_role_arn(&self) -> String {
        format!(
            "arn:{}:iam::{}:role/switchback",
            self.partition, self.account
        )
    }
}

impl Default for Identity {
    fn default() -> Identity {
        Identity::new(Identity::DEFAULT_REGION, Identity::DEFAULT_ACCOUNT)
    }
}

impl fmt::Display for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.partition, self.region, self.account)
    }
}
