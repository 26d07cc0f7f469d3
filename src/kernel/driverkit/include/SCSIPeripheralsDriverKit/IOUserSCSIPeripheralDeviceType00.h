/*
 * DriverKit facsimile of SCSIPeripheralsDriverKit's IOUserSCSIPeripheralDeviceType00 and the
 * structs and constants its methods take (docs/driverkit.md §The class, §Request and
 * response structs, §Data direction, §Service response and task status). Field names and
 * widths are the documented ones; the field order of Apple's structs is unknown
 * (docs/driverkit.md §Layout unknowns) and nothing here depends on it.
 */
#ifndef SCSIPERIPHERALSDRIVERKIT_FACSIMILE_H
#define SCSIPERIPHERALSDRIVERKIT_FACSIMILE_H

#include <DriverKit/DriverKit.h>

typedef uint8_t SCSICommandDescriptorBlock[16];

typedef enum SCSIServiceResponse : unsigned int {
    kSCSIServiceResponse_Request_In_Process = 0,
    kSCSIServiceResponse_SERVICE_DELIVERY_OR_TARGET_FAILURE = 1,
    kSCSIServiceResponse_TASK_COMPLETE = 2,
    kSCSIServiceResponse_LINK_COMMAND_COMPLETE = 3,
    kSCSIServiceResponse_FUNCTION_COMPLETE = 4,
    kSCSIServiceResponse_FUNCTION_REJECTED = 5,
} SCSIServiceResponse;

typedef enum SCSITaskStatus : unsigned int {
    kSCSITaskStatus_GOOD = 0x00,
    kSCSITaskStatus_CHECK_CONDITION = 0x02,
    kSCSITaskStatus_CONDITION_MET = 0x04,
    kSCSITaskStatus_BUSY = 0x08,
    kSCSITaskStatus_INTERMEDIATE = 0x10,
    kSCSITaskStatus_INTERMEDIATE_CONDITION_MET = 0x14,
    kSCSITaskStatus_RESERVATION_CONFLICT = 0x18,
    kSCSITaskStatus_TASK_SET_FULL = 0x28,
    kSCSITaskStatus_ACA_ACTIVE = 0x30,
    kSCSITaskStatus_TaskTimeoutOccurred = 0x01,
    kSCSITaskStatus_ProtocolTimeoutOccurred = 0x02,
    kSCSITaskStatus_DeviceNotResponding = 0x03,
    kSCSITaskStatus_DeviceNotPresent = 0x04,
    kSCSITaskStatus_DeliveryFailure = 0x05,
    kSCSITaskStatus_No_Status = 0xFF,
} SCSITaskStatus;

enum {
    kSCSIDataTransfer_NoDataTransfer = 0x00,
    kSCSIDataTransfer_FromInitiatorToTarget = 0x01,
    kSCSIDataTransfer_FromTargetToInitiator = 0x02,
};

struct SCSIDeviceOutParameters {
    uint64_t fLogicalUnitNumber;
    uint32_t fTimeoutDuration;
    SCSICommandDescriptorBlock fCommandDescriptorBlock;
    uint64_t fRequestedByteCountOfTransfer;
    uint8_t fBufferDirection;
    uint8_t fDataTransferDirection;
    uint8_t fSenseLengthRequested;
    uint64_t fDataBufferAddr;
    uint64_t fSenseBufferAddr;
    uint8_t reserved[9];
};

struct SCSIDeviceInParameters {
    SCSITaskStatus fCompletionStatus;
    SCSIServiceResponse fServiceResponse;
    uint64_t fRealizedByteCountOfTransfer;
    bool fSenseDataValid;
    uint8_t reserved[11];
};

struct SCSIType00OutParameters : SCSIDeviceOutParameters {};
struct SCSIType00InParameters : SCSIDeviceInParameters {};

class IOUserSCSIPeripheralDeviceType00 : public IOService {
public:
    bool init() override;
    void free() override;
    kern_return_t Start_Impl(IOService *provider) override;
    kern_return_t Stop_Impl(IOService *provider) override;
    /* Kernel -> dext, at enumeration. */
    virtual kern_return_t UserDetermineDeviceCharacteristics_Impl(bool *result);
    kern_return_t UserDetermineDeviceCharacteristics(bool *result,
                                                     OSDispatchMethod supermethod = nullptr);
    /* Dext -> kernel. */
    kern_return_t UserSendCDB(SCSIType00OutParameters command, SCSIType00InParameters *response);
    kern_return_t UserReportMediumBlockSize(uint64_t *blockSize);
    kern_return_t UserSuspendServices();
    kern_return_t UserResumeServices();
};

#endif /* SCSIPERIPHERALSDRIVERKIT_FACSIMILE_H */
