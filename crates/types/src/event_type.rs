//! The names of history events: AWS's `HistoryEventType`, and the name of each one's
//! `*EventDetails` member.
//!
//! This is the one place where event types are spelled. Every other module (the engine
//! that writes events, the runtime that replays them, the API and the console that read
//! them) uses [`EventType`] and [`StateType`], so a misspelt event type is a compile error,
//! not a state the console silently fails to colour.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::status::ExecutionStatus;

/// `Some("member")`, or `None` for an event type declared without details.
macro_rules! details_key {
    () => {
        None
    };
    ($details:ident) => {
        Some(stringify!($details))
    };
}

/// Declares [`EventType`] from a list of `Name => detailsMember` (or `Name` alone for an
/// event without details), so that a name and its details member are written once.
macro_rules! event_types {
    ($($name:ident $(=> $details:ident)?,)*) => {
        /// The type of a history event, as AWS names it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[allow(missing_docs)] // each variant is AWS's event type of the same name
        pub enum EventType {
            $($name,)*
        }

        impl EventType {
            /// Every event type.
            pub const ALL: &'static [EventType] = &[$(EventType::$name,)*];

            /// AWS's spelling, e.g. `TaskStateEntered`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(EventType::$name => stringify!($name),)*
                }
            }

            /// The member that holds the event's details, e.g. `stateEnteredEventDetails`;
            /// `None` for events that have none (`ParallelStateStarted`, ...).
            pub fn details_key(self) -> Option<&'static str> {
                match self {
                    $(EventType::$name => details_key!($($details)?),)*
                }
            }
        }
    };
}

event_types! {
    ActivityFailed => activityFailedEventDetails,
    ActivityScheduleFailed => activityScheduleFailedEventDetails,
    ActivityScheduled => activityScheduledEventDetails,
    ActivityStarted => activityStartedEventDetails,
    ActivitySucceeded => activitySucceededEventDetails,
    ActivityTimedOut => activityTimedOutEventDetails,
    ChoiceStateEntered => stateEnteredEventDetails,
    ChoiceStateExited => stateExitedEventDetails,
    EvaluationFailed => evaluationFailedEventDetails,
    ExecutionAborted => executionAbortedEventDetails,
    ExecutionFailed => executionFailedEventDetails,
    ExecutionRedriven => executionRedrivenEventDetails,
    ExecutionStarted => executionStartedEventDetails,
    ExecutionSucceeded => executionSucceededEventDetails,
    ExecutionTimedOut => executionTimedOutEventDetails,
    FailStateEntered => stateEnteredEventDetails,
    LambdaFunctionFailed => lambdaFunctionFailedEventDetails,
    LambdaFunctionScheduleFailed => lambdaFunctionScheduleFailedEventDetails,
    LambdaFunctionScheduled => lambdaFunctionScheduledEventDetails,
    LambdaFunctionStartFailed => lambdaFunctionStartFailedEventDetails,
    LambdaFunctionStarted,
    LambdaFunctionSucceeded => lambdaFunctionSucceededEventDetails,
    LambdaFunctionTimedOut => lambdaFunctionTimedOutEventDetails,
    MapIterationAborted => mapIterationAbortedEventDetails,
    MapIterationFailed => mapIterationFailedEventDetails,
    MapIterationStarted => mapIterationStartedEventDetails,
    MapIterationSucceeded => mapIterationSucceededEventDetails,
    MapRunAborted,
    MapRunFailed => mapRunFailedEventDetails,
    MapRunRedriven => mapRunRedrivenEventDetails,
    MapRunStarted => mapRunStartedEventDetails,
    MapRunSucceeded,
    MapStateAborted,
    MapStateEntered => stateEnteredEventDetails,
    MapStateExited => stateExitedEventDetails,
    MapStateFailed,
    MapStateStarted => mapStateStartedEventDetails,
    MapStateSucceeded,
    ParallelStateAborted,
    ParallelStateEntered => stateEnteredEventDetails,
    ParallelStateExited => stateExitedEventDetails,
    ParallelStateFailed,
    ParallelStateStarted,
    ParallelStateSucceeded,
    PassStateEntered => stateEnteredEventDetails,
    PassStateExited => stateExitedEventDetails,
    SucceedStateEntered => stateEnteredEventDetails,
    SucceedStateExited => stateExitedEventDetails,
    TaskFailed => taskFailedEventDetails,
    TaskScheduled => taskScheduledEventDetails,
    TaskStartFailed => taskStartFailedEventDetails,
    TaskStarted => taskStartedEventDetails,
    TaskStateAborted,
    TaskStateEntered => stateEnteredEventDetails,
    TaskStateExited => stateExitedEventDetails,
    TaskSubmitFailed => taskSubmitFailedEventDetails,
    TaskSubmitted => taskSubmittedEventDetails,
    TaskSucceeded => taskSucceededEventDetails,
    TaskTimedOut => taskTimedOutEventDetails,
    WaitStateAborted,
    WaitStateEntered => stateEnteredEventDetails,
    WaitStateExited => stateExitedEventDetails,
}

/// The kind of state a `*StateEntered` / `*StateExited` event is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)] // the ASL state types of the same names
pub enum StateType {
    Pass,
    Task,
    Choice,
    Wait,
    Succeed,
    Fail,
    Parallel,
    Map,
}

/// Each state type with its entered and exited event. A Fail state is never exited (AWS has
/// no `FailStateExited`): the execution or branch fails with it.
const STATE_EVENTS: [(StateType, EventType, Option<EventType>); 8] = [
    (
        StateType::Pass,
        EventType::PassStateEntered,
        Some(EventType::PassStateExited),
    ),
    (
        StateType::Task,
        EventType::TaskStateEntered,
        Some(EventType::TaskStateExited),
    ),
    (
        StateType::Choice,
        EventType::ChoiceStateEntered,
        Some(EventType::ChoiceStateExited),
    ),
    (
        StateType::Wait,
        EventType::WaitStateEntered,
        Some(EventType::WaitStateExited),
    ),
    (
        StateType::Succeed,
        EventType::SucceedStateEntered,
        Some(EventType::SucceedStateExited),
    ),
    (StateType::Fail, EventType::FailStateEntered, None),
    (
        StateType::Parallel,
        EventType::ParallelStateEntered,
        Some(EventType::ParallelStateExited),
    ),
    (
        StateType::Map,
        EventType::MapStateEntered,
        Some(EventType::MapStateExited),
    ),
];

impl StateType {
    /// The `*StateEntered` event of this type.
    pub fn entered(self) -> EventType {
        STATE_EVENTS[self as usize].1
    }

    /// The `*StateExited` event of this type (`None` for Fail, which is never exited).
    pub fn exited(self) -> Option<EventType> {
        STATE_EVENTS[self as usize].2
    }
}

/// What an event type says about a state, if anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateEvent {
    /// `<Type>StateEntered`.
    Entered(StateType),
    /// `<Type>StateExited`.
    Exited(StateType),
}

/// The phase of a Map iteration that a `MapIteration*` event records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)] // AWS's MapIteration<Phase> events
pub enum IterationPhase {
    Started,
    Succeeded,
    Failed,
    Aborted,
}

impl IterationPhase {
    /// The event that records this phase.
    pub fn event_type(self) -> EventType {
        match self {
            IterationPhase::Started => EventType::MapIterationStarted,
            IterationPhase::Succeeded => EventType::MapIterationSucceeded,
            IterationPhase::Failed => EventType::MapIterationFailed,
            IterationPhase::Aborted => EventType::MapIterationAborted,
        }
    }
}

impl EventType {
    /// Whether this event enters or exits a state, and which kind of state.
    pub fn state_event(self) -> Option<StateEvent> {
        STATE_EVENTS.iter().find_map(|(state, entered, exited)| {
            if *entered == self {
                Some(StateEvent::Entered(*state))
            } else if *exited == Some(self) {
                Some(StateEvent::Exited(*state))
            } else {
                None
            }
        })
    }

    /// The Map iteration phase a `MapIteration*` event records.
    pub fn iteration_phase(self) -> Option<IterationPhase> {
        Some(match self {
            EventType::MapIterationStarted => IterationPhase::Started,
            EventType::MapIterationSucceeded => IterationPhase::Succeeded,
            EventType::MapIterationFailed => IterationPhase::Failed,
            EventType::MapIterationAborted => IterationPhase::Aborted,
            _ => return None,
        })
    }

    /// Whether the event starts an attempt of a task (a retry follows a failure with one).
    pub fn is_task_attempt(self) -> bool {
        matches!(
            self,
            EventType::TaskScheduled
                | EventType::LambdaFunctionScheduled
                | EventType::ActivityScheduled
        )
    }

    /// Whether the event ends one attempt of a task, function or activity: it succeeded,
    /// failed or timed out.
    pub fn ends_task_attempt(self) -> bool {
        matches!(
            self,
            EventType::TaskSucceeded
                | EventType::TaskFailed
                | EventType::TaskTimedOut
                | EventType::LambdaFunctionSucceeded
                | EventType::LambdaFunctionFailed
                | EventType::LambdaFunctionTimedOut
                | EventType::ActivitySucceeded
                | EventType::ActivityFailed
                | EventType::ActivityTimedOut
        )
    }

    /// Whether the event records a failure inside a state: a task, function or activity that
    /// failed or timed out, a Parallel or Map that failed, an evaluation that failed. A state
    /// stopped from outside (`*Aborted`) was cancelled, not failed; a map run's own end is
    /// recorded by its Map state.
    pub fn is_state_failure(self) -> bool {
        matches!(
            self,
            EventType::ActivityFailed
                | EventType::ActivityScheduleFailed
                | EventType::ActivityTimedOut
                | EventType::EvaluationFailed
                | EventType::LambdaFunctionFailed
                | EventType::LambdaFunctionScheduleFailed
                | EventType::LambdaFunctionStartFailed
                | EventType::LambdaFunctionTimedOut
                | EventType::MapIterationFailed
                | EventType::MapStateFailed
                | EventType::ParallelStateFailed
                | EventType::TaskFailed
                | EventType::TaskStartFailed
                | EventType::TaskSubmitFailed
                | EventType::TaskTimedOut
        )
    }

    /// The execution's status after one of its own events: started and redriven mean
    /// running (again); `None` for every other event.
    pub fn execution_status(self) -> Option<ExecutionStatus> {
        Some(match self {
            EventType::ExecutionStarted | EventType::ExecutionRedriven => ExecutionStatus::Running,
            EventType::ExecutionSucceeded => ExecutionStatus::Succeeded,
            EventType::ExecutionFailed => ExecutionStatus::Failed,
            EventType::ExecutionTimedOut => ExecutionStatus::TimedOut,
            EventType::ExecutionAborted => ExecutionStatus::Aborted,
            _ => return None,
        })
    }

    /// Whether the event ends the execution (until a redrive).
    pub fn ends_execution(self) -> bool {
        self.execution_status()
            .is_some_and(ExecutionStatus::is_closed)
    }
}

/// An event type that Switchback does not know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownEventType(pub String);

impl fmt::Display for UnknownEventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown history event type '{}'", self.0)
    }
}

impl std::error::Error for UnknownEventType {}

/// Every event type by its name, built once.
static BY_NAME: LazyLock<HashMap<&'static str, EventType>> =
    LazyLock::new(|| EventType::ALL.iter().map(|t| (t.as_str(), *t)).collect());

impl FromStr for EventType {
    type Err = UnknownEventType;

    fn from_str(s: &str) -> Result<EventType, UnknownEventType> {
        BY_NAME
            .get(s)
            .copied()
            .ok_or_else(|| UnknownEventType(s.to_string()))
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for EventType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for EventType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<EventType, D::Error> {
        let name = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        name.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_reads_back_as_its_type() {
        for t in EventType::ALL {
            assert_eq!(t.as_str().parse::<EventType>(), Ok(*t));
        }
        assert!("TaskStateEnteredd".parse::<EventType>().is_err());
    }

    #[test]
    fn state_events_map_both_ways() {
        for (state, entered, exited) in STATE_EVENTS {
            assert_eq!(STATE_EVENTS[state as usize].0, state, "table in enum order");
            assert_eq!(entered.state_event(), Some(StateEvent::Entered(state)));
            if let Some(exited) = exited {
                assert_eq!(exited.state_event(), Some(StateEvent::Exited(state)));
            }
            assert_eq!(entered.details_key(), Some("stateEnteredEventDetails"));
        }
        assert_eq!(EventType::TaskScheduled.state_event(), None);
        assert!(EventType::ExecutionTimedOut.ends_execution());
        assert!(!EventType::ExecutionRedriven.ends_execution());
        assert_eq!(
            EventType::ExecutionRedriven.execution_status(),
            Some(ExecutionStatus::Running)
        );
        assert_eq!(EventType::TaskFailed.execution_status(), None);
        assert_eq!(EventType::ParallelStateStarted.details_key(), None);
    }
}
