//! How a command ended, in the terms the transport reports it.
//!
//! Apple's `UserSendCDB` reports a `SCSIServiceResponse` and a `SCSITaskStatus`
//! (docs/driverkit.md §Service response and task status: values from
//! IOSCSIArchitectureModelFamily's `SCSITask.h` \[K\], presumed identical in DriverKit
//! \[I\]). sbc-core uses the same numbers, so the shim passes them through untouched.
//! The SAM status codes (SAM-5 §5.3) and Apple's delivery-failure codes overlap numerically:
//! a task status means something only together with its service response.

crate::open_enum! {
    /// `SCSIServiceResponse`: whether the command reached the device and finished.
    pub struct ServiceResponse(u32) {
        /// Not finished yet (never a final answer).
        REQUEST_IN_PROCESS = 0 => "REQUEST IN PROCESS",
        /// The transport could not deliver the command or the device failed; the task status
        /// then holds a delivery-failure code.
        SERVICE_DELIVERY_OR_TARGET_FAILURE = 1 => "SERVICE DELIVERY OR TARGET FAILURE",
        /// The device finished the command; the task status holds its SAM status.
        TASK_COMPLETE = 2 => "TASK COMPLETE",
        LINK_COMMAND_COMPLETE = 3 => "LINK COMMAND COMPLETE",
        /// A task management function completed.
        FUNCTION_COMPLETE = 4 => "FUNCTION COMPLETE",
        /// A task management function was rejected.
        FUNCTION_REJECTED = 5 => "FUNCTION REJECTED",
    }
}

crate::open_enum! {
    /// `SCSITaskStatus` with service response TASK COMPLETE: the SAM-5 status code.
    pub struct TaskStatus(u32) {
        GOOD = 0x00 => "GOOD",
        /// Sense data describes what went wrong.
        CHECK_CONDITION = 0x02 => "CHECK CONDITION",
        CONDITION_MET = 0x04 => "CONDITION MET",
        BUSY = 0x08 => "BUSY",
        INTERMEDIATE = 0x10 => "INTERMEDIATE",
        INTERMEDIATE_CONDITION_MET = 0x14 => "INTERMEDIATE-CONDITION MET",
        RESERVATION_CONFLICT = 0x18 => "RESERVATION CONFLICT",
        TASK_SET_FULL = 0x28 => "TASK SET FULL",
        ACA_ACTIVE = 0x30 => "ACA ACTIVE",
        TASK_ABORTED = 0x40 => "TASK ABORTED",
    }
}

crate::open_enum! {
    /// `SCSITaskStatus` with service response SERVICE DELIVERY OR TARGET FAILURE: Apple's
    /// delivery-failure codes.
    pub struct DeliveryFailure(u32) {
        TASK_TIMEOUT_OCCURRED = 0x01 => "task timeout occurred",
        PROTOCOL_TIMEOUT_OCCURRED = 0x02 => "protocol timeout occurred",
        DEVICE_NOT_RESPONDING = 0x03 => "device not responding",
        DEVICE_NOT_PRESENT = 0x04 => "device not present",
        DELIVERY_FAILURE = 0x05 => "delivery failure",
        NO_STATUS = 0xFF => "no status",
    }
}

/// How one command ended, parsed once from the transport's (service response, task status)
/// pair: the two numbers mean something only together (a task status of 02h is CHECK
/// CONDITION with TASK COMPLETE and PROTOCOL TIMEOUT OCCURRED with SERVICE DELIVERY OR TARGET
/// FAILURE), so every consumer works on this type and none re-reads the pair.
///
/// [`from_wire`](Self::from_wire) and [`to_wire`](Self::to_wire) are exact inverses: no value
/// of either number is lost or changed, unknown ones included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TaskOutcome {
    /// TASK COMPLETE: the device ended the command with this SAM status (SAM-5 §5.3).
    Complete(TaskStatus),
    /// SERVICE DELIVERY OR TARGET FAILURE: the command did not get a SAM status, for this
    /// reason.
    DeliveryFailure(DeliveryFailure),
    /// Any other service response. None of them ends a command (REQUEST IN PROCESS is not
    /// final; the task management responses answer no command; other values are unknown),
    /// so a transport that reports one has broken its contract.
    Unexpected {
        /// The service response as reported.
        service_response: ServiceResponse,
        /// The task status as reported.
        task_status: u32,
    },
}

impl TaskOutcome {
    /// GOOD.
    pub const GOOD: Self = TaskOutcome::Complete(TaskStatus::GOOD);

    /// The outcome a transport's pair stands for.
    pub const fn from_wire(service_response: ServiceResponse, task_status: u32) -> Self {
        match service_response {
            ServiceResponse::TASK_COMPLETE => TaskOutcome::Complete(TaskStatus(task_status)),
            ServiceResponse::SERVICE_DELIVERY_OR_TARGET_FAILURE => {
                TaskOutcome::DeliveryFailure(DeliveryFailure(task_status))
            }
            _ => TaskOutcome::Unexpected { service_response, task_status },
        }
    }

    /// The (service response, task status) pair, as `UserSendCDB` and the C ABI carry it.
    pub const fn to_wire(self) -> (ServiceResponse, u32) {
        match self {
            TaskOutcome::Complete(status) => (ServiceResponse::TASK_COMPLETE, status.0),
            TaskOutcome::DeliveryFailure(failure) => {
                (ServiceResponse::SERVICE_DELIVERY_OR_TARGET_FAILURE, failure.0)
            }
            TaskOutcome::Unexpected { service_response, task_status } => {
                (service_response, task_status)
            }
        }
    }

    /// Whether the transport gave up waiting for the command (task or protocol timeout): the
    /// initiator spent the whole command timeout on it.
    pub const fn is_timeout(self) -> bool {
        matches!(
            self,
            TaskOutcome::DeliveryFailure(
                DeliveryFailure::TASK_TIMEOUT_OCCURRED | DeliveryFailure::PROTOCOL_TIMEOUT_OCCURRED
            )
        )
    }
}

/// `GOOD`, `CHECK CONDITION`, `delivery failure: task timeout occurred`,
/// `service response 0x07, task status 0x00`.
impl core::fmt::Display for TaskOutcome {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            TaskOutcome::Complete(status) => write!(f, "{status}"),
            TaskOutcome::DeliveryFailure(failure) => write!(f, "delivery failure: {failure}"),
            TaskOutcome::Unexpected { service_response, task_status } => {
                write!(f, "service response {service_response}, task status {task_status:#04x}")
            }
        }
    }
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn test_outcome_round_trips_every_pair() {
        let responses = (0..8u32).chain([0x100, u32::MAX]);
        for sr in responses {
            for ts in (0..=0x100u32).chain([0x0f00_0002, u32::MAX]) {
                let outcome = TaskOutcome::from_wire(ServiceResponse(sr), ts);
                assert_eq!(outcome.to_wire(), (ServiceResponse(sr), ts));
            }
        }
        assert_eq!(
            TaskOutcome::from_wire(ServiceResponse::TASK_COMPLETE, 2),
            TaskOutcome::Complete(TaskStatus::CHECK_CONDITION)
        );
        assert_eq!(
            TaskOutcome::from_wire(ServiceResponse::SERVICE_DELIVERY_OR_TARGET_FAILURE, 2),
            TaskOutcome::DeliveryFailure(DeliveryFailure::PROTOCOL_TIMEOUT_OCCURRED)
        );
    }
}
