//
// SbcDext.cpp: the thin C++ shim between DriverKit and the Rust core.
//
// What it does, and nothing more:
//  - UserDetermineDeviceCharacteristics drives the core's attach engine (core/include/
//    sbc_core.h, section "attach"): for each command the engine asks for, it fills
//    SCSIType00OutParameters, calls UserSendCDB and hands the completion back; for each wait
//    it sleeps; when the engine is done it publishes the report as the "SBC Device
//    Characteristics" property and answers with the engine's verdict.
//  - It logs every failing call with its kern_return_t and returns early (Karabiner-DriverKit
//    style), and it guards each fact docs/driverkit.md marks unknown that it relies on.
// It makes no SCSI decision: which command, what a completion means, which quirk applies,
// and whether to serve the unit are the core's.
//
// Clock: the engine is given the monotonic uptime clock in milliseconds (mach_absolute_time
// converted with mach_timebase_info; it does not jump and does not count sleep), read
// before each poll and after each command, so its time budget bounds the attach in real
// time (docs/driverkit.md §Shim conventions).
//

#include <os/log.h>
#include <mach/mach_time.h>
#include <DriverKit/IOLib.h>
#include <DriverKit/IOBufferMemoryDescriptor.h>
#include <DriverKit/OSCollections.h>
#include <SCSIPeripheralsDriverKit/IOUserSCSIPeripheralDeviceType00.h>

#include "SbcDext.h"
#include "SbcReport.h"
#include "sbc_core.h"

#define LOG_PREFIX "sbc-dext: "
#define SbcLog(fmt, ...) os_log(OS_LOG_DEFAULT, LOG_PREFIX fmt, ##__VA_ARGS__)

// The largest data transfer the engine asks for, and the sense buffer DriverKit allows
// (docs/driverkit.md §Sense length: more than 22 bytes makes UserSendCDB fail).
static const uint64_t kDataCapacity = SBC_ATTACH_MAX_TRANSFER_LENGTH;
static const uint64_t kSenseCapacity = SBC_SENSE_MAX_LENGTH;

// The property under which the report is published (ioreg -l shows it on this service).
static const char kReportProperty[] = "SBC Device Characteristics";
static const char kSmartProperty[] = "SBC SMART";

// Apple's request and response structs never cross the C ABI; their layout is unknown
// until the first Mac build (docs/driverkit.md §Unknowns, 2). The fields this shim fills
// must exist with these widths: a changed SDK fails the build here, not at run time.
static_assert(sizeof(((SCSIType00OutParameters *)nullptr)->fCommandDescriptorBlock) == 16,
              "the CDB field is 16 bytes (docs/driverkit.md §CDB)");
static_assert(sizeof(((SCSIType00OutParameters *)nullptr)->fTimeoutDuration) == 4,
              "fTimeoutDuration is 32 bits of milliseconds");
// The service response and task status values the core uses are the kernel's; DriverKit's
// are presumed equal (docs/driverkit.md §Unknowns, 8): checked against the SDK's constants.
static_assert(unsigned(kSCSIServiceResponse_TASK_COMPLETE) == SBC_SERVICE_RESPONSE_TASK_COMPLETE,
              "");
static_assert(unsigned(kSCSIServiceResponse_SERVICE_DELIVERY_OR_TARGET_FAILURE) ==
                  SBC_SERVICE_RESPONSE_SERVICE_DELIVERY_OR_TARGET_FAILURE,
              "");
static_assert(unsigned(kSCSITaskStatus_CHECK_CONDITION) == SBC_TASK_STATUS_CHECK_CONDITION, "");
static_assert(unsigned(kSCSITaskStatus_DeviceNotPresent) == SBC_TASK_STATUS_DEVICE_NOT_PRESENT, "");
static_assert(kSCSIDataTransfer_FromTargetToInitiator == 2 &&
                  kSCSIDataTransfer_FromInitiatorToTarget == 1,
              "kSCSIDataTransfer_* as docs/driverkit.md §Data direction");
static_assert(sizeof(sbc_attach_storage) == SBC_ATTACH_STORAGE_SIZE &&
                  alignof(sbc_attach_storage) >= SBC_ATTACH_STORAGE_ALIGN,
              "the engine's storage as the core expects it");

struct SbcDext_IVars {
    sbc_attach_storage storage;     // the engine: caller storage, nothing allocated
    IOService *provider;            // the nub, from Start (not retained: it outlives us)
    sbc_attach *attach;             // into storage, once begun
    sbc_poll poll;                  // the step being carried out
    IOBufferMemoryDescriptor *data; // the data buffer of every command
    IOBufferMemoryDescriptor *sense;
    uint64_t dataAddress;           // their addresses in this process, for the request
    uint64_t senseAddress;
    mach_timebase_info_data_t timebase;
    bool suspended;                 // UserSuspendServices succeeded, no UserResumeServices yet
    bool started;                   // Start has run
    bool characterized;             // UserDetermineDeviceCharacteristics has run
    bool accepted;                  // its answer
};

// ---------------------------------------------------------------- helpers (no decisions)

static uint64_t NowMs(const SbcDext_IVars *iv)
{
    uint64_t ticks = mach_absolute_time();
    return ticks / 1000000u * iv->timebase.numer / iv->timebase.denom;
}

// The core's log records, into the unified log with the same prefix.
static void LogFromCore(void *, uint32_t level, const char *message, size_t length)
{
    os_log(OS_LOG_DEFAULT, LOG_PREFIX "core[%u]: %{public}.*s", level, (int) length, message);
}

// Apple's two direction fields use different numbers (docs/driverkit.md §Data direction).
static void SetDirections(SCSIType00OutParameters *out, sbc_direction direction)
{
    switch (direction) {
    case SBC_DIRECTION_IN:
        out->fBufferDirection = kIOMemoryDirectionIn;
        out->fDataTransferDirection = kSCSIDataTransfer_FromTargetToInitiator;
        break;
    case SBC_DIRECTION_OUT:
        out->fBufferDirection = kIOMemoryDirectionOut;
        out->fDataTransferDirection = kSCSIDataTransfer_FromInitiatorToTarget;
        break;
    default:
        out->fBufferDirection = kIOMemoryDirectionNone;
        out->fDataTransferDirection = kSCSIDataTransfer_NoDataTransfer;
        break;
    }
}

static kern_return_t CreateBuffer(uint64_t direction, uint64_t capacity,
                                  IOBufferMemoryDescriptor **buffer, uint64_t *address)
{
    kern_return_t ret = IOBufferMemoryDescriptor::Create(direction, capacity, 0, buffer);
    if (ret != kIOReturnSuccess) {
        SbcLog("IOBufferMemoryDescriptor::Create(%llu) failed: 0x%x", capacity, ret);
        return ret;
    }
    IOAddressSegment segment = {};
    ret = (*buffer)->GetAddressRange(&segment);
    if (ret != kIOReturnSuccess) {
        SbcLog("GetAddressRange failed: 0x%x", ret);
        OSSafeReleaseNULL(*buffer);
        return ret;
    }
    *address = segment.address;
    return kIOReturnSuccess;
}

// ---------------------------------------------------------------- lifecycle

bool SbcDext::init()
{
    if (!super::init()) {
        SbcLog("init: super::init failed");
        return false;
    }
    ivars = IONewZero(SbcDext_IVars, 1);
    if (ivars == nullptr) {
        SbcLog("init: no memory for the IVars");
        return false;
    }
    if (sbc_core_abi_version() >> 16 != SBC_CORE_ABI_VERSION >> 16) {
        SbcLog("init: core ABI 0x%x, shim built for 0x%x", sbc_core_abi_version(),
               SBC_CORE_ABI_VERSION);
        return false;
    }
    mach_timebase_info(&ivars->timebase);
    if (ivars->timebase.denom == 0) {
        SbcLog("init: mach_timebase_info gave a zero denominator");
        return false;
    }
    // Buffers are made here, not in Start, so that characterization works whichever of
    // Start and UserDetermineDeviceCharacteristics comes first (docs/driverkit.md
    // §Unknowns, 4).
    if (CreateBuffer(kIOMemoryDirectionInOut, kDataCapacity, &ivars->data, &ivars->dataAddress) !=
            kIOReturnSuccess ||
        CreateBuffer(kIOMemoryDirectionIn, kSenseCapacity, &ivars->sense, &ivars->senseAddress) !=
            kIOReturnSuccess) {
        return false;
    }
    sbc_set_log_callback(LogFromCore, nullptr);
    SbcLog("init: core %{public}s, ABI 0x%x", sbc_core_version_string(), sbc_core_abi_version());
    return true;
}

void SbcDext::free()
{
    if (ivars != nullptr) {
        OSSafeReleaseNULL(ivars->data);
        OSSafeReleaseNULL(ivars->sense);
    }
    IOSafeDeleteNULL(ivars, SbcDext_IVars, 1);
    super::free();
}

kern_return_t IMPL(SbcDext, Start)
{
    kern_return_t ret = Start(provider, SUPERDISPATCH);
    if (ret != kIOReturnSuccess) {
        SbcLog("Start: superclass Start failed: 0x%x", ret);
        return ret;
    }
    ivars->started = true;
    ivars->provider = provider;
    SbcLog("Start (characterized before Start: %{public}s)",
           ivars->characterized ? "yes" : "no");
    ret = RegisterService();
    if (ret != kIOReturnSuccess) {
        SbcLog("Start: RegisterService failed: 0x%x", ret);
        Stop(provider, SUPERDISPATCH);
        return ret;
    }
    return kIOReturnSuccess;
}

kern_return_t IMPL(SbcDext, Stop)
{
    SbcLog("Stop");
    return Stop(provider, SUPERDISPATCH);
}

// ---------------------------------------------------------------- characterization

kern_return_t IMPL(SbcDext, UserDetermineDeviceCharacteristics)
{
    if (result == nullptr) {
        SbcLog("UserDetermineDeviceCharacteristics: NULL result");
        return kIOReturnBadArgument;
    }
    *result = false;
    if (!ivars->started) {
        SbcLog("UserDetermineDeviceCharacteristics before Start");
    }
    if (ivars->characterized) {
        // Called twice: the engine is not run again; the first answer stands.
        SbcLog("UserDetermineDeviceCharacteristics again: answering %{public}s",
               ivars->accepted ? "true" : "false");
        *result = ivars->accepted;
        return kIOReturnSuccess;
    }
    bool accept = false;
    kern_return_t ret = RunAttach(&accept);
    ivars->characterized = true;
    if (ret != kIOReturnSuccess) {
        SbcLog("UserDetermineDeviceCharacteristics: attach failed: 0x%x", ret);
        return ret;
    }
    ret = PublishReport();
    if (ret != kIOReturnSuccess) {
        SbcLog("publishing the report failed: 0x%x (the verdict stands)", ret);
    }
    if (accept) {
        CheckMediumBlockSize();
    }
    ivars->accepted = accept;
    *result = accept;
    return kIOReturnSuccess;
}

// The personality's SbcQuirks dictionary, read for each quirk name the core knows (the core
// enumerates them: the shim needs no list, and DriverKit's dictionary iteration takes a
// block, which this file does not use). A value that is not a boolean is skipped; `sbc-dext
// lint` reports it, and unknown names, before a build.
static void ReadQuirks(IOService *service, sbc_attach_config *config)
{
    OSDictionary *properties = nullptr;
    kern_return_t ret = service->CopyProperties(&properties);
    if (ret != kIOReturnSuccess || properties == nullptr) {
        SbcLog("CopyProperties failed: 0x%x (no SbcQuirks read)", ret);
        return;
    }
    OSDictionary *quirks = OSDynamicCast(OSDictionary, properties->getObject("SbcQuirks"));
    for (uint32_t i = 0; quirks != nullptr; i++) {
        const char *name = nullptr;
        size_t length = 0;
        uint32_t flag = 0;
        char key[64];
        if (sbc_quirk_name(i, &name, &length, &flag) != SBC_STATUS_OK) {
            break;
        }
        if (length >= sizeof key) {
            continue;
        }
        memcpy(key, name, length);
        key[length] = '\0';
        OSObject *value = quirks->getObject(key);
        if (value == kOSBooleanTrue) {
            config->quirks_on |= flag;
        } else if (value == kOSBooleanFalse) {
            config->quirks_off |= flag;
        }
    }
    OSSafeReleaseNULL(properties);
}

// Whether the nub says the unit is on USB ("Protocol Characteristics" / "Physical
// Interconnect", IOStorageProtocolCharacteristics.h). Unknown before Start (no provider yet).
static bool OnUsb(IOService *provider)
{
    if (provider == nullptr) {
        SbcLog("no provider yet (characterized before Start): transport unknown");
        return false;
    }
    OSDictionary *properties = nullptr;
    kern_return_t ret = provider->CopyProperties(&properties);
    if (ret != kIOReturnSuccess || properties == nullptr) {
        SbcLog("provider CopyProperties failed: 0x%x (transport unknown)", ret);
        return false;
    }
    bool usb = false;
    OSDictionary *protocol =
        OSDynamicCast(OSDictionary, properties->getObject("Protocol Characteristics"));
    OSString *interconnect =
        protocol ? OSDynamicCast(OSString, protocol->getObject("Physical Interconnect")) : nullptr;
    if (interconnect != nullptr) {
        usb = strcmp(interconnect->getCStringNoCopy(), "USB") == 0;
    }
    OSSafeReleaseNULL(properties);
    return usb;
}

// One of the USB device's IDs (`idVendor`, `idProduct`), from the nearest service above
// `service` that has it: SearchProperty with kIOServiceSearchPropertyParents searches the
// service and its parents (docs/driverkit.md §USB ID). That the USB interface or device is
// an ancestor of the SCSI nub is inferred, so a miss is logged and the ID stays unknown (0).
static uint16_t UsbIdPart(IOService *service, const char *key)
{
    OSContainer *found = nullptr;
    kern_return_t ret =
        service->SearchProperty(key, kIOServicePlane, kIOServiceSearchPropertyParents, &found);
    if (ret != kIOReturnSuccess || found == nullptr) {
        SbcLog("%{public}s not found above the nub: 0x%x (USB ID unknown)", key, ret);
        return 0;
    }
    OSNumber *number = OSDynamicCast(OSNumber, found);
    uint64_t value = number != nullptr ? number->unsigned64BitValue() : 0;
    OSSafeReleaseNULL(found);
    if (value == 0 || value > 0xFFFF) {
        SbcLog("%{public}s is not a 16-bit number (USB ID unknown)", key);
        return 0;
    }
    return static_cast<uint16_t>(value);
}

// The USB vendor and product ID for the core's USB ID table; both or neither.
static void ReadUsbId(IOService *service, sbc_attach_config *config)
{
    uint16_t vendor = UsbIdPart(service, "idVendor");
    uint16_t product = UsbIdPart(service, "idProduct");
    if (vendor == 0 || product == 0) {
        return;
    }
    config->usb_vendor_id = vendor;
    config->usb_product_id = product;
}

// The attach, then services resumed whatever happened (sbc_core.h §Exclusive access: they
// are never left suspended).
kern_return_t SbcDext::RunAttach(bool *accept)
{
    kern_return_t ret = DriveAttach(accept);
    LeaveExclusive();
    return ret;
}

kern_return_t SbcDext::DriveAttach(bool *accept)
{
    sbc_attach_config config = {};
    ReadQuirks(this, &config);
    config.usb = OnUsb(ivars->provider);
    if (config.usb) {
        // OnUsb said USB, so there is a provider (the nub) to search from.
        ReadUsbId(ivars->provider, &config);
    }
    SbcLog("attach: quirks on 0x%x off 0x%x, USB %{public}s, USB ID %04x:%04x", config.quirks_on,
           config.quirks_off, config.usb ? "yes" : "no", config.usb_vendor_id,
           config.usb_product_id);
    sbc_status status = sbc_attach_begin(&config, NowMs(ivars), &ivars->storage,
                                         sizeof ivars->storage, &ivars->attach);
    if (status != SBC_STATUS_OK) {
        SbcLog("sbc_attach_begin: %{public}s", sbc_status_name(status));
        return kIOReturnInternalError;
    }
    for (;;) {
        status = sbc_attach_poll(ivars->attach, NowMs(ivars), &ivars->poll);
        if (status != SBC_STATUS_OK) {
            SbcLog("sbc_attach_poll: %{public}s", sbc_status_name(status));
            return kIOReturnInternalError;
        }
        switch (ivars->poll.kind) {
        case SBC_POLL_COMMAND: {
            kern_return_t ret = SendPolledCommand();
            if (ret != kIOReturnSuccess) {
                return ret;
            }
            break;
        }
        case SBC_POLL_WAIT: {
            // Inside an exclusive section (a retry of a JMicron step) services stay
            // suspended: the wait is the engine's, bounded by its time budget.
            uint64_t now = NowMs(ivars);
            if (ivars->poll.wait_until_ms > now) {
                IOSleep(ivars->poll.wait_until_ms - now);
            }
            break;
        }
        case SBC_POLL_DONE: {
            LeaveExclusive();
            char reason[160] = {};
            uint32_t code = 0;
            status = sbc_attach_verdict(ivars->attach, accept, &code, reason, sizeof reason);
            if (status != SBC_STATUS_OK) {
                SbcLog("sbc_attach_verdict: %{public}s", sbc_status_name(status));
                return kIOReturnInternalError;
            }
            SbcLog("verdict: %{public}s", reason);
            return kIOReturnSuccess;
        }
        default:
            SbcLog("sbc_attach_poll: unknown kind %u", ivars->poll.kind);
            return kIOReturnInternalError;
        }
    }
}

// Services suspended for an exclusive command (docs/driverkit.md §UserSuspendServices:
// vendor opcodes need it; Apple expects the volumes unmounted, and the call may fail
// while they are in use). Nothing to do when already suspended.
kern_return_t SbcDext::EnterExclusive()
{
    if (ivars->suspended) {
        return kIOReturnSuccess;
    }
    kern_return_t ret = UserSuspendServices();
    if (ret != kIOReturnSuccess) {
        SbcLog("UserSuspendServices failed: 0x%x", ret);
        return ret;
    }
    ivars->suspended = true;
    return kIOReturnSuccess;
}

// Services resumed when this shim suspended them.
void SbcDext::LeaveExclusive()
{
    if (!ivars->suspended) {
        return;
    }
    ivars->suspended = false;
    kern_return_t ret = UserResumeServices();
    if (ret != kIOReturnSuccess) {
        SbcLog("UserResumeServices failed: 0x%x", ret);
    }
}

// Sends ivars->poll.command and gives the core its completion, under the exclusive-access
// rule of sbc_core.h. A UserSendCDB that fails, or an exclusive command whose services
// could not be suspended (not a SCSI failure: the call itself), is reported to the core as
// a delivery failure, so the engine's policy decides what it means.
kern_return_t SbcDext::SendPolledCommand()
{
    const sbc_command &command = ivars->poll.command;
    if (command.transfer_length > kDataCapacity || ivars->poll.sense_length > kSenseCapacity) {
        SbcLog("a command asks for %llu data / %u sense bytes, beyond the buffers",
               command.transfer_length, ivars->poll.sense_length);
        return kIOReturnInternalError;
    }
    SCSIType00OutParameters out = {};
    SCSIType00InParameters in = {};
    memcpy(out.fCommandDescriptorBlock, command.cdb, sizeof out.fCommandDescriptorBlock);
    out.fLogicalUnitNumber = 0;
    out.fTimeoutDuration = command.timeout_ms;
    out.fRequestedByteCountOfTransfer = command.transfer_length;
    SetDirections(&out, command.direction);
    out.fDataBufferAddr = command.transfer_length > 0 ? ivars->dataAddress : 0;
    out.fSenseBufferAddr = ivars->senseAddress;
    out.fSenseLengthRequested = ivars->poll.sense_length;
    memset(reinterpret_cast<void *>(ivars->dataAddress), 0, kDataCapacity);
    memset(reinterpret_cast<void *>(ivars->senseAddress), 0, kSenseCapacity);
    if (command.direction == SBC_DIRECTION_OUT) {
        size_t written = 0;
        sbc_status status = sbc_attach_data_out(
            ivars->attach, reinterpret_cast<uint8_t *>(ivars->dataAddress), kDataCapacity,
            &written);
        if (status != SBC_STATUS_OK || written != command.transfer_length) {
            SbcLog("sbc_attach_data_out: %{public}s, %zu bytes", sbc_status_name(status), written);
            return kIOReturnInternalError;
        }
    }

    kern_return_t ret = kIOReturnSuccess;
    if (ivars->poll.exclusive) {
        ret = EnterExclusive();
    } else {
        LeaveExclusive();
    }
    if (ret == kIOReturnSuccess) {
        ret = UserSendCDB(out, &in);
        if (ret != kIOReturnSuccess) {
            SbcLog("UserSendCDB(opcode 0x%02x) failed: 0x%x", command.cdb[0], ret);
        }
    }
    if (ivars->poll.ends_exclusive) {
        LeaveExclusive();
    }
    sbc_completion completion = {};
    if (ret == kIOReturnSuccess) {
        completion.service_response = in.fServiceResponse;
        completion.task_status = in.fCompletionStatus;
        completion.realized_length = in.fRealizedByteCountOfTransfer;
        if (in.fSenseDataValid) {
            completion.sense = reinterpret_cast<const uint8_t *>(ivars->senseAddress);
            completion.sense_length = ivars->poll.sense_length;
        }
    } else {
        completion.service_response = SBC_SERVICE_RESPONSE_SERVICE_DELIVERY_OR_TARGET_FAILURE;
        completion.task_status = ret == kIOReturnNoDevice ? SBC_TASK_STATUS_DEVICE_NOT_PRESENT
                                                          : SBC_TASK_STATUS_DELIVERY_FAILURE;
    }
    sbc_status status = sbc_attach_complete(
        ivars->attach, &completion, reinterpret_cast<const uint8_t *>(ivars->dataAddress),
        kDataCapacity, NowMs(ivars));
    if (status != SBC_STATUS_OK) {
        SbcLog("sbc_attach_complete: %{public}s", sbc_status_name(status));
        return kIOReturnInternalError;
    }
    return kIOReturnSuccess;
}

// The report, as this service's "SBC Device Characteristics" property.
kern_return_t SbcDext::PublishReport()
{
    OSDictionary *tree = nullptr;
    kern_return_t ret = SbcCopyReportTree(ivars->attach, &tree);
    if (ret != kIOReturnSuccess) {
        return ret;
    }
    OSDictionary *properties = OSDictionary::withCapacity(1);
    if (properties == nullptr) {
        SbcLog("PublishReport: no memory");
        OSSafeReleaseNULL(tree);
        return kIOReturnNoMemory;
    }
    bool set = properties->setObject(kReportProperty, tree);
    // SMART over SAT, when the unit was asked: also on its own, as "SBC SMART" (the same
    // subtree, so `ioreg` shows the drive's health at a glance).
    OSObject *smart = tree->getObject("smart");
    if (set && smart != nullptr) {
        set = properties->setObject(kSmartProperty, smart);
    }
    OSSafeReleaseNULL(tree);
    if (!set) {
        SbcLog("PublishReport: setObject failed");
        OSSafeReleaseNULL(properties);
        return kIOReturnNoMemory;
    }
    ret = SetProperties(properties);
    OSSafeReleaseNULL(properties);
    if (ret != kIOReturnSuccess) {
        SbcLog("SetProperties failed: 0x%x", ret);
    }
    return ret;
}

// After an accept, the framework's block size and the core's should agree; a difference is
// logged for the bring-up (the core's comes from READ CAPACITY, the framework's from its own).
void SbcDext::CheckMediumBlockSize()
{
    struct sbc_attach_summary summary = {};
    sbc_status status = sbc_attach_summary(ivars->attach, &summary);
    if (status != SBC_STATUS_OK) {
        SbcLog("sbc_attach_summary: %{public}s", sbc_status_name(status));
        return;
    }
    if (!summary.medium_present) {
        return;
    }
    uint64_t blockSize = 0;
    kern_return_t ret = UserReportMediumBlockSize(&blockSize);
    if (ret != kIOReturnSuccess) {
        SbcLog("UserReportMediumBlockSize failed: 0x%x", ret);
        return;
    }
    if (blockSize != summary.logical_block_length) {
        SbcLog("block size: framework %llu, READ CAPACITY %u", blockSize,
               summary.logical_block_length);
    }
}
