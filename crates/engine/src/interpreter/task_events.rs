//! [`TaskEvents`]: which history events record a task, by the kind of its resource.

use std::sync::Arc;

use super::Json;
use crate::history::{EventKind, TaskResource};
use crate::task::{Resource, ResourceKind};

/// Which family of history events records a task: `LambdaFunction*`, `Activity*` or `Task*`.
pub(super) enum TaskEvents {
    Lambda { arn: Arc<str> },
    Activity { arn: Arc<str> },
    Task(TaskResource),
}

impl TaskEvents {
    pub(super) fn new(resource: &Resource) -> TaskEvents {
        match resource.kind() {
            ResourceKind::Function(_) => TaskEvents::Lambda {
                arn: resource.text().clone(),
            },
            ResourceKind::Activity(_) => TaskEvents::Activity {
                arn: resource.text().clone(),
            },
            ResourceKind::Service(service) => TaskEvents::Task(TaskResource {
                resource_type: service.resource_type.clone(),
                resource: service.resource.clone(),
            }),
            ResourceKind::Other => TaskEvents::Task(TaskResource {
                resource_type: "activity".into(),
                resource: resource.text().clone(),
            }),
        }
    }

    pub(super) fn submitted(&self, output: Json) -> EventKind {
        match self {
            TaskEvents::Task(resource) => EventKind::TaskSubmitted {
                resource: resource.clone(),
                output: output.into(),
            },
            // Lambda functions and activities are never handed over; recorded as a task's.
            TaskEvents::Lambda { arn } | TaskEvents::Activity { arn } => EventKind::TaskSubmitted {
                resource: TaskResource {
                    resource_type: "activity".into(),
                    resource: arn.clone(),
                },
                output: output.into(),
            },
        }
    }

    pub(super) fn succeeded(&self, output: Json) -> EventKind {
        match self {
            TaskEvents::Lambda { .. } => EventKind::LambdaFunctionSucceeded {
                output: output.into(),
            },
            TaskEvents::Activity { .. } => EventKind::ActivitySucceeded {
                output: output.into(),
            },
            TaskEvents::Task(resource) => EventKind::TaskSucceeded {
                resource: resource.clone(),
                output: output.into(),
            },
        }
    }

    pub(super) fn failed(&self, error: String, cause: String) -> EventKind {
        let (error, cause) = (Some(error), Some(cause));
        match self {
            TaskEvents::Lambda { .. } => EventKind::LambdaFunctionFailed { error, cause },
            TaskEvents::Activity { .. } => EventKind::ActivityFailed { error, cause },
            TaskEvents::Task(resource) => EventKind::TaskFailed {
                resource: resource.clone(),
                error,
                cause,
            },
        }
    }

    pub(super) fn timed_out(&self, error: String) -> EventKind {
        let (error, cause) = (Some(error), None);
        match self {
            TaskEvents::Lambda { .. } => EventKind::LambdaFunctionTimedOut { error, cause },
            TaskEvents::Activity { .. } => EventKind::ActivityTimedOut { error, cause },
            TaskEvents::Task(resource) => EventKind::TaskTimedOut {
                resource: resource.clone(),
                error,
                cause,
            },
        }
    }
}
