//! Error names AWS raises, and the rules for matching them in `Retry` and `Catch`.

use crate::model::{Catcher, Retrier};

pub const ALL: &str = "States.ALL";
pub const RUNTIME: &str = "States.Runtime";
pub const TIMEOUT: &str = "States.Timeout";
pub const TASK_FAILED: &str = "States.TaskFailed";
pub const HEARTBEAT_TIMEOUT: &str = "States.HeartbeatTimeout";
pub const DATA_LIMIT_EXCEEDED: &str = "States.DataLimitExceeded";
pub const NO_CHOICE_MATCHED: &str = "States.NoChoiceMatched";
pub const INTRINSIC_FAILURE: &str = "States.IntrinsicFailure";
pub const QUERY_EVALUATION_ERROR: &str = "States.QueryEvaluationError";
pub const BRANCH_FAILED: &str = "States.BranchFailed";
pub const ITEM_READER_FAILED: &str = "States.ItemReaderFailed";
pub const EXCEED_TOLERATED_FAILURE_THRESHOLD: &str = "States.ExceedToleratedFailureThreshold";
pub const RESULT_WRITER_FAILED: &str = "States.ResultWriterFailed";

/// Does a list of `ErrorEquals` names match `error`?
///
/// AWS's rules: `States.Runtime` is terminal and never caught or retried; `States.ALL` matches
/// every other error except `States.DataLimitExceeded`, which only an explicit name matches;
/// `States.TaskFailed` matches every error but `States.Timeout` and those two.
pub fn error_matches(error_equals: &[String], error: &str) -> bool {
    error_matches_from(error_equals, error, false)
}

/// [`error_matches`], for an error that a task reported as its result (`from_task`): then
/// `States.DataLimitExceeded` (a result over the payload limit) is the task's failure, and
/// `States.ALL` catches it, as AWS's recorded executions show.
pub fn error_matches_from(error_equals: &[String], error: &str, from_task: bool) -> bool {
    if error == RUNTIME {
        return false;
    }
    let terminal = error == DATA_LIMIT_EXCEEDED && !from_task;
    error_equals.iter().any(|name| {
        name == error
            || (name == ALL && !terminal)
            || (name == TASK_FAILED && error != TIMEOUT && error != DATA_LIMIT_EXCEEDED)
    })
}

/// The first retrier that matches `error`, with its index.
pub fn find_retrier<'a>(retry: &'a [Retrier], error: &str) -> Option<(usize, &'a Retrier)> {
    find_retrier_from(retry, error, false)
}

/// [`find_retrier`] for an error raised as told by `from_task` (see [`error_matches_from`]).
pub fn find_retrier_from<'a>(
    retry: &'a [Retrier],
    error: &str,
    from_task: bool,
) -> Option<(usize, &'a Retrier)> {
    retry
        .iter()
        .enumerate()
        .find(|(_, r)| error_matches_from(&r.error_equals, error, from_task))
}

/// The first catcher that matches `error`.
pub fn find_catcher<'a>(catch: &'a [Catcher], error: &str) -> Option<&'a Catcher> {
    find_catcher_from(catch, error, false)
}

/// [`find_catcher`] for an error raised as told by `from_task` (see [`error_matches_from`]).
pub fn find_catcher_from<'a>(
    catch: &'a [Catcher],
    error: &str,
    from_task: bool,
) -> Option<&'a Catcher> {
    catch
        .iter()
        .find(|c| error_matches_from(&c.error_equals, error, from_task))
}

impl Retrier {
    /// The wait before retry number `attempt` (0-based), in seconds, before jitter.
    pub fn delay_seconds(&self, attempt: u32) -> f64 {
        let exp = i32::try_from(attempt).unwrap_or(i32::MAX);
        let delay = self.interval_seconds * self.backoff_rate.powi(exp);
        match self.max_delay_seconds {
            Some(max) => delay.min(max),
            None => delay,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: &[&str]) -> Vec<String> {
        n.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn runtime_is_never_matched() {
        assert!(!error_matches(&names(&[ALL]), RUNTIME));
        assert!(!error_matches(&names(&[RUNTIME]), RUNTIME));
    }

    #[test]
    fn all_matches_custom_but_not_data_limit() {
        assert!(error_matches(&names(&[ALL]), "PaymentDeclined"));
        assert!(!error_matches(&names(&[ALL]), DATA_LIMIT_EXCEEDED));
        assert!(error_matches(
            &names(&[DATA_LIMIT_EXCEEDED]),
            DATA_LIMIT_EXCEEDED
        ));
    }

    #[test]
    fn task_failed_excludes_timeout() {
        assert!(error_matches(&names(&[TASK_FAILED]), "Custom"));
        assert!(!error_matches(&names(&[TASK_FAILED]), TIMEOUT));
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let r = Retrier {
            error_equals: names(&[ALL]),
            interval_seconds: 2.0,
            max_attempts: 5,
            backoff_rate: 2.0,
            max_delay_seconds: Some(5.0),
            jitter_full: false,
        };
        assert_eq!(r.delay_seconds(0), 2.0);
        assert_eq!(r.delay_seconds(1), 4.0);
        assert_eq!(r.delay_seconds(2), 5.0);
    }
}
