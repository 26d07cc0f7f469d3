//! How a command ended, in the terms the transport reports it.
//!
//! Apple's `UserSendCDB` reports a `SCSIServiceResponse` and a `SCSITaskStatus`
//! (driverkit-facts.md §2.3: values from the kernel's `SCSITask.h` [K], presumed identical in
//! DriverKit [I]). sbc-core uses the same numbers, so the shim passes them through untouched.
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
