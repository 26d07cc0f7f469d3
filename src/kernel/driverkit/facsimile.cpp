//
// The DriverKit facsimile's implementation: plain C++ for the objects, and a forward to the
// Rust kernel model (src/kernel/) for every call that would reach the kernel. The model is
// reached through the dk_host_* functions (implemented in Rust), and drives the dext through
// the dk_* functions at the end of this file.
//

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <DriverKit/DriverKit.h>
#include <SCSIPeripheralsDriverKit/IOUserSCSIPeripheralDeviceType00.h>
#include <mach/mach_time.h>
#include <os/log.h>

#include <mutex>
#include <vector>

// A request and a response as the kernel model reads them: plain C structs, so the Rust
// side mirrors two fixed layouts instead of Apple's (whose field order is unknown).
struct dk_request {
    uint8_t cdb[16];
    uint64_t lun;
    uint32_t timeout_ms;
    uint8_t buffer_direction;
    uint8_t data_transfer_direction;
    uint8_t sense_length_requested;
    uint8_t reserved;
    uint64_t transfer_length;
    uint64_t data_buffer;
    uint64_t sense_buffer;
};
static_assert(sizeof(dk_request) == 56 && offsetof(dk_request, transfer_length) == 32, "");

struct dk_response {
    uint32_t completion_status;
    uint32_t service_response;
    uint64_t realized;
    bool sense_valid;
    uint8_t reserved[7];
};
static_assert(sizeof(dk_response) == 24 && offsetof(dk_response, sense_valid) == 16, "");

extern "C" {
kern_return_t dk_host_send_cdb(struct dk_host *host, const dk_request *request,
                               dk_response *response);
kern_return_t dk_host_report_medium_block_size(struct dk_host *host, uint64_t *block_size);
kern_return_t dk_host_suspend_services(struct dk_host *host);
kern_return_t dk_host_resume_services(struct dk_host *host);
kern_return_t dk_host_register_service(struct dk_host *host);
kern_return_t dk_host_set_properties(struct dk_host *host, const OSObject *properties);
kern_return_t dk_host_copy_properties(struct dk_host *host, bool nub, OSObject **properties);
kern_return_t dk_host_search_property(struct dk_host *host, bool nub, const char *name,
                                      bool parents, OSObject **property);
kern_return_t dk_host_call_allowed(struct dk_host *host);
void dk_host_log(const char *line, size_t length);
void dk_host_sleep_ms(uint64_t milliseconds);
uint64_t dk_host_uptime_ns(void);
}

// Objects alive on this thread, so a test can tell a leak from a clean lifecycle (an attach
// makes and releases its objects on one thread; tests run attaches on several at once).
static thread_local long gLiveObjects = 0;

// ------------------------------------------------------------ OSObject

bool OSObject::init()
{
    gLiveObjects++;
    return true;
}

void OSObject::free()
{
    gLiveObjects--;
}

void OSObject::retain() const
{
    __atomic_add_fetch(&dkRetainCount, 1, __ATOMIC_RELAXED);
}

void OSObject::release() const
{
    if (__atomic_sub_fetch(&dkRetainCount, 1, __ATOMIC_ACQ_REL) == 0) {
        OSObject *self = const_cast<OSObject *>(this);
        self->free();
        delete self;
    }
}

template <typename T> static T *Made(T *object)
{
    if (object != nullptr && !object->init()) {
        delete object;
        return nullptr;
    }
    return object;
}

// ------------------------------------------------------------ collections

struct OSDictionary::Entry {
    char *key;
    OSObject *value;
};

OSDictionary *OSDictionary::withCapacity(uint32_t capacity)
{
    OSDictionary *d = Made(new OSDictionary);
    if (d != nullptr && capacity > 0) {
        d->dkEntries = static_cast<Entry *>(calloc(capacity, sizeof(Entry)));
        d->dkCapacity = d->dkEntries ? capacity : 0;
    }
    return d;
}

bool OSDictionary::setObject(const char *key, const OSObject *object)
{
    if (key == nullptr || object == nullptr) {
        return false;
    }
    for (uint32_t i = 0; i < dkCount; i++) {
        if (strcmp(dkEntries[i].key, key) == 0) {
            object->retain();
            dkEntries[i].value->release();
            dkEntries[i].value = const_cast<OSObject *>(object);
            return true;
        }
    }
    if (dkCount == dkCapacity) {
        uint32_t capacity = dkCapacity ? dkCapacity * 2 : 4;
        Entry *grown = static_cast<Entry *>(realloc(dkEntries, capacity * sizeof(Entry)));
        if (grown == nullptr) {
            return false;
        }
        dkEntries = grown;
        dkCapacity = capacity;
    }
    char *copy = strdup(key);
    if (copy == nullptr) {
        return false;
    }
    object->retain();
    dkEntries[dkCount++] = Entry{copy, const_cast<OSObject *>(object)};
    return true;
}

OSObject *OSDictionary::getObject(const char *key) const
{
    for (uint32_t i = 0; key != nullptr && i < dkCount; i++) {
        if (strcmp(dkEntries[i].key, key) == 0) {
            return dkEntries[i].value;
        }
    }
    return nullptr;
}

uint32_t OSDictionary::getCount() const { return dkCount; }
const char *OSDictionary::dkKeyAt(uint32_t i) const { return i < dkCount ? dkEntries[i].key : nullptr; }
OSObject *OSDictionary::dkObjectAt(uint32_t i) const { return i < dkCount ? dkEntries[i].value : nullptr; }

void OSDictionary::free()
{
    for (uint32_t i = 0; i < dkCount; i++) {
        ::free(dkEntries[i].key);
        dkEntries[i].value->release();
    }
    ::free(dkEntries);
    OSCollection::free();
}

OSArray *OSArray::withCapacity(uint32_t capacity)
{
    OSArray *a = Made(new OSArray);
    if (a != nullptr && capacity > 0) {
        a->dkItems = static_cast<OSObject **>(calloc(capacity, sizeof(OSObject *)));
        a->dkCapacity = a->dkItems ? capacity : 0;
    }
    return a;
}

bool OSArray::setObject(const OSObject *object)
{
    if (object == nullptr) {
        return false;
    }
    if (dkCount == dkCapacity) {
        uint32_t capacity = dkCapacity ? dkCapacity * 2 : 4;
        OSObject **grown = static_cast<OSObject **>(realloc(dkItems, capacity * sizeof(OSObject *)));
        if (grown == nullptr) {
            return false;
        }
        dkItems = grown;
        dkCapacity = capacity;
    }
    object->retain();
    dkItems[dkCount++] = const_cast<OSObject *>(object);
    return true;
}

OSObject *OSArray::getObject(uint32_t i) const { return i < dkCount ? dkItems[i] : nullptr; }
uint32_t OSArray::getCount() const { return dkCount; }

void OSArray::free()
{
    for (uint32_t i = 0; i < dkCount; i++) {
        dkItems[i]->release();
    }
    ::free(dkItems);
    OSCollection::free();
}

OSString *OSString::withCString(const char *text)
{
    if (text == nullptr) {
        return nullptr;
    }
    OSString *s = Made(new OSString);
    if (s != nullptr) {
        s->dkText = strdup(text);
        s->dkLength = s->dkText ? strlen(text) : 0;
        if (s->dkText == nullptr) {
            s->release();
            return nullptr;
        }
    }
    return s;
}

const char *OSString::getCStringNoCopy() const { return dkText; }
size_t OSString::getLength() const { return dkLength; }

void OSString::free()
{
    ::free(dkText);
    OSObject::free();
}

OSNumber *OSNumber::withNumber(uint64_t value, size_t bits)
{
    OSNumber *n = Made(new OSNumber);
    if (n != nullptr) {
        n->dkValue = bits >= 64 ? value : value & ((1ull << bits) - 1);
    }
    return n;
}

uint64_t OSNumber::unsigned64BitValue() const { return dkValue; }

bool OSBoolean::isTrue() const { return dkValue; }

// The two booleans live for the whole process, like the kernel's: never freed.
static OSBoolean *MakeBoolean(bool value)
{
    OSBoolean *b = new OSBoolean;
    b->dkValue = value;
    b->dkRetainCount = 1 << 30;
    return b;
}
OSBoolean *const kOSBooleanTrue = MakeBoolean(true);
OSBoolean *const kOSBooleanFalse = MakeBoolean(false);

OSData *OSData::withBytes(const void *bytes, size_t length)
{
    if (bytes == nullptr && length != 0) {
        return nullptr;
    }
    OSData *d = Made(new OSData);
    if (d != nullptr && length > 0) {
        d->dkBytes = static_cast<uint8_t *>(malloc(length));
        if (d->dkBytes == nullptr) {
            d->release();
            return nullptr;
        }
        memcpy(d->dkBytes, bytes, length);
        d->dkLength = length;
    }
    return d;
}

const void *OSData::getBytesNoCopy() const { return dkBytes; }
size_t OSData::getLength() const { return dkLength; }

void OSData::free()
{
    ::free(dkBytes);
    OSObject::free();
}

// ------------------------------------------------------------ memory, time, log

void *IOMallocZero(size_t size) { return calloc(1, size ? size : 1); }
void IOFree(void *address, size_t) { free(address); }
void IOSleep(uint64_t milliseconds) { dk_host_sleep_ms(milliseconds); }

uint64_t mach_absolute_time(void) { return dk_host_uptime_ns(); }

int mach_timebase_info(mach_timebase_info_data_t *info)
{
    info->numer = 1;
    info->denom = 1;
    return 0;
}

void dk_os_log(os_log_t, const char *format, ...)
{
    // Drop the unified log's privacy annotations ("%{public}s" -> "%s").
    char plain[512];
    size_t n = 0;
    for (const char *p = format; *p != '\0' && n + 1 < sizeof plain; p++) {
        if (*p == '{') {
            const char *end = strchr(p, '}');
            if (end != nullptr) {
                p = end;
                continue;
            }
        }
        plain[n++] = *p;
    }
    plain[n] = '\0';
    char line[512];
    va_list args;
    va_start(args, format);
    int length = vsnprintf(line, sizeof line, plain, args);
    va_end(args);
    if (length < 0) {
        return;
    }
    size_t used = static_cast<size_t>(length) < sizeof line ? static_cast<size_t>(length) : sizeof line - 1;
    dk_host_log(line, used);
}

// ------------------------------------------------------------ memory descriptors

// Every live IOBufferMemoryDescriptor's range: the model checks the addresses a request
// carries against them (a dext may only hand the framework memory it got this way,
// docs/driverkit.md §Unknowns, 6).
static std::mutex gBuffersLock;
static std::vector<IOBufferMemoryDescriptor *> gBuffers;

static void TrackBuffer(IOBufferMemoryDescriptor *m, bool live)
{
    std::lock_guard<std::mutex> hold(gBuffersLock);
    if (live) {
        gBuffers.push_back(m);
        return;
    }
    for (size_t i = 0; i < gBuffers.size(); i++) {
        if (gBuffers[i] == m) {
            gBuffers.erase(gBuffers.begin() + static_cast<long>(i));
            return;
        }
    }
}

kern_return_t IOBufferMemoryDescriptor::Create(uint64_t, uint64_t capacity, uint64_t,
                                               IOBufferMemoryDescriptor **memory)
{
    if (memory == nullptr || capacity == 0) {
        return kIOReturnBadArgument;
    }
    IOBufferMemoryDescriptor *m = Made(new IOBufferMemoryDescriptor);
    if (m == nullptr) {
        return kIOReturnNoMemory;
    }
    m->dkBytes = static_cast<uint8_t *>(calloc(1, capacity));
    if (m->dkBytes == nullptr) {
        m->release();
        return kIOReturnNoMemory;
    }
    m->dkCapacity = capacity;
    m->dkLength = capacity;
    TrackBuffer(m, true);
    *memory = m;
    return kIOReturnSuccess;
}

kern_return_t IOBufferMemoryDescriptor::GetAddressRange(IOAddressSegment *range)
{
    if (range == nullptr) {
        return kIOReturnBadArgument;
    }
    range->address = reinterpret_cast<uint64_t>(dkBytes);
    range->length = dkLength;
    return kIOReturnSuccess;
}

kern_return_t IOBufferMemoryDescriptor::SetLength(uint64_t length)
{
    if (length > dkCapacity) {
        return kIOReturnBadArgument;
    }
    dkLength = length;
    return kIOReturnSuccess;
}

void IOBufferMemoryDescriptor::free()
{
    TrackBuffer(this, false);
    ::free(dkBytes);
    OSObject::free();
}

// ------------------------------------------------------------ services

bool IOService::init() { return OSObject::init(); }
void IOService::free() { OSObject::free(); }
kern_return_t IOService::Start_Impl(IOService *) { return kIOReturnSuccess; }
kern_return_t IOService::Stop_Impl(IOService *) { return kIOReturnSuccess; }

kern_return_t IOService::Start(IOService *provider, OSDispatchMethod supermethod)
{
    return supermethod ? IOService::Start_Impl(provider) : Start_Impl(provider);
}

kern_return_t IOService::Stop(IOService *provider, OSDispatchMethod supermethod)
{
    return supermethod ? IOService::Stop_Impl(provider) : Stop_Impl(provider);
}

kern_return_t IOService::RegisterService() { return dk_host_register_service(dkHost); }

kern_return_t IOService::SetProperties(OSDictionary *properties)
{
    if (properties == nullptr) {
        return kIOReturnBadArgument;
    }
    return dk_host_set_properties(dkHost, properties);
}

kern_return_t IOService::CopyProperties(OSDictionary **properties)
{
    if (properties == nullptr) {
        return kIOReturnBadArgument;
    }
    OSObject *copy = nullptr;
    kern_return_t ret = dk_host_copy_properties(dkHost, dkIsNub, &copy);
    if (ret == kIOReturnSuccess) {
        *properties = OSDynamicCast(OSDictionary, copy);
        if (*properties == nullptr) {
            OSSafeReleaseNULL(copy);
            return kIOReturnError;
        }
    }
    return ret;
}

kern_return_t IOService::SearchProperty(IOPropertyName name, IORegistryPlaneName plane,
                                        uint64_t options, OSContainer **property)
{
    if (name == nullptr || property == nullptr) {
        return kIOReturnBadArgument;
    }
    bool parents = (options & kIOServiceSearchPropertyParents) != 0;
    if (parents && (plane == nullptr || strcmp(plane, kIOServicePlane) != 0)) {
        return kIOReturnBadArgument;
    }
    return dk_host_search_property(dkHost, dkIsNub, name, parents, property);
}

bool IOUserSCSIPeripheralDeviceType00::init() { return IOService::init(); }
void IOUserSCSIPeripheralDeviceType00::free() { IOService::free(); }

kern_return_t IOUserSCSIPeripheralDeviceType00::Start_Impl(IOService *provider)
{
    return IOService::Start_Impl(provider);
}

kern_return_t IOUserSCSIPeripheralDeviceType00::Stop_Impl(IOService *provider)
{
    return IOService::Stop_Impl(provider);
}

kern_return_t IOUserSCSIPeripheralDeviceType00::UserDetermineDeviceCharacteristics_Impl(bool *)
{
    return kIOReturnUnsupported;
}

kern_return_t IOUserSCSIPeripheralDeviceType00::UserDetermineDeviceCharacteristics(
    bool *result, OSDispatchMethod supermethod)
{
    return supermethod
               ? IOUserSCSIPeripheralDeviceType00::UserDetermineDeviceCharacteristics_Impl(result)
               : UserDetermineDeviceCharacteristics_Impl(result);
}

// The framework's calls: each is first allowed (or not) by the model, which knows whether
// the personality made this a SCSI peripheral driver at all (docs/driverkit.md §Known
// failure modes: with IOClass = IOUserService every one returns kIOReturnUnsupported).
kern_return_t IOUserSCSIPeripheralDeviceType00::UserSendCDB(SCSIType00OutParameters command,
                                                            SCSIType00InParameters *response)
{
    kern_return_t allowed = dk_host_call_allowed(dkHost);
    if (allowed != kIOReturnSuccess) {
        return allowed;
    }
    if (response == nullptr) {
        return kIOReturnBadArgument;
    }
    dk_request request = {};
    memcpy(request.cdb, command.fCommandDescriptorBlock, sizeof request.cdb);
    request.lun = command.fLogicalUnitNumber;
    request.timeout_ms = command.fTimeoutDuration;
    request.buffer_direction = command.fBufferDirection;
    request.data_transfer_direction = command.fDataTransferDirection;
    request.sense_length_requested = command.fSenseLengthRequested;
    request.transfer_length = command.fRequestedByteCountOfTransfer;
    request.data_buffer = command.fDataBufferAddr;
    request.sense_buffer = command.fSenseBufferAddr;
    dk_response answer = {};
    kern_return_t ret = dk_host_send_cdb(dkHost, &request, &answer);
    if (ret == kIOReturnSuccess) {
        response->fCompletionStatus = static_cast<SCSITaskStatus>(answer.completion_status);
        response->fServiceResponse = static_cast<SCSIServiceResponse>(answer.service_response);
        response->fRealizedByteCountOfTransfer = answer.realized;
        response->fSenseDataValid = answer.sense_valid;
    }
    return ret;
}

kern_return_t IOUserSCSIPeripheralDeviceType00::UserReportMediumBlockSize(uint64_t *blockSize)
{
    kern_return_t allowed = dk_host_call_allowed(dkHost);
    if (allowed != kIOReturnSuccess) {
        return allowed;
    }
    return blockSize ? dk_host_report_medium_block_size(dkHost, blockSize) : kIOReturnBadArgument;
}

kern_return_t IOUserSCSIPeripheralDeviceType00::UserSuspendServices()
{
    kern_return_t allowed = dk_host_call_allowed(dkHost);
    return allowed != kIOReturnSuccess ? allowed : dk_host_suspend_services(dkHost);
}

kern_return_t IOUserSCSIPeripheralDeviceType00::UserResumeServices()
{
    kern_return_t allowed = dk_host_call_allowed(dkHost);
    return allowed != kIOReturnSuccess ? allowed : dk_host_resume_services(dkHost);
}

// ------------------------------------------------------------ the model's handle on the dext

extern "C" {

long dk_live_objects(void) { return gLiveObjects; }

// Whether [address, address + length) lies inside one live IOBufferMemoryDescriptor.
bool dk_is_buffer(uint64_t address, uint64_t length)
{
    std::lock_guard<std::mutex> hold(gBuffersLock);
    for (IOBufferMemoryDescriptor *m : gBuffers) {
        uint64_t start = reinterpret_cast<uint64_t>(m->dkBytes);
        if (address >= start && length <= m->dkCapacity && address - start <= m->dkCapacity - length) {
            return true;
        }
    }
    return false;
}

IOService *dk_new_provider(void) { return Made(new IOService); }

// Binds a service to its host (the dext's user class, or the nub that is its provider);
// false when it is not an IOService.
bool dk_bind(OSObject *object, struct dk_host *host, bool nub)
{
    IOService *service = OSDynamicCast(IOService, object);
    if (service == nullptr) {
        return false;
    }
    service->dkHost = host;
    service->dkIsNub = nub;
    return true;
}

// Building a property tree from Rust (each returns a new reference, or NULL).
OSObject *dk_new_dictionary(void) { return OSDictionary::withCapacity(4); }
OSObject *dk_new_array(void) { return OSArray::withCapacity(4); }
OSObject *dk_new_string(const char *text) { return OSString::withCString(text); }
OSObject *dk_new_number(uint64_t value) { return OSNumber::withNumber(value, 64); }
OSObject *dk_new_data(const uint8_t *bytes, size_t length) { return OSData::withBytes(bytes, length); }

OSObject *dk_new_boolean(bool value)
{
    OSBoolean *b = value ? kOSBooleanTrue : kOSBooleanFalse;
    b->retain();
    return b;
}

// Adds `value` (the caller's reference is consumed) to a dictionary or an array.
bool dk_add(OSObject *collection, const char *key, OSObject *value)
{
    bool added = false;
    if (OSDictionary *d = OSDynamicCast(OSDictionary, collection)) {
        added = key != nullptr && d->setObject(key, value);
    } else if (OSArray *a = OSDynamicCast(OSArray, collection)) {
        added = a->setObject(value);
    }
    if (value != nullptr) {
        value->release();
    }
    return added;
}

bool dk_init(OSObject *object) { return object->init(); }

void dk_release(OSObject *object)
{
    if (object != nullptr) {
        object->release();
    }
}

kern_return_t dk_start(OSObject *service, IOService *provider)
{
    return static_cast<IOService *>(service)->Start_Impl(provider);
}

kern_return_t dk_stop(OSObject *service, IOService *provider)
{
    return static_cast<IOService *>(service)->Stop_Impl(provider);
}

kern_return_t dk_determine_device_characteristics(OSObject *service, bool *result)
{
    return static_cast<IOUserSCSIPeripheralDeviceType00 *>(service)
        ->UserDetermineDeviceCharacteristics_Impl(result);
}

// Walking a property tree from Rust.
uint32_t dk_kind(const OSObject *o) { return o ? static_cast<uint32_t>(o->dkKind()) : 0; }
uint32_t dk_dictionary_count(const OSObject *o) { return static_cast<const OSDictionary *>(o)->getCount(); }
const char *dk_dictionary_key(const OSObject *o, uint32_t i) { return static_cast<const OSDictionary *>(o)->dkKeyAt(i); }
const OSObject *dk_dictionary_value(const OSObject *o, uint32_t i) { return static_cast<const OSDictionary *>(o)->dkObjectAt(i); }
uint32_t dk_array_count(const OSObject *o) { return static_cast<const OSArray *>(o)->getCount(); }
const OSObject *dk_array_item(const OSObject *o, uint32_t i) { return static_cast<const OSArray *>(o)->getObject(i); }
const char *dk_string(const OSObject *o) { return static_cast<const OSString *>(o)->getCStringNoCopy(); }
uint64_t dk_number(const OSObject *o) { return static_cast<const OSNumber *>(o)->unsigned64BitValue(); }
bool dk_boolean(const OSObject *o) { return static_cast<const OSBoolean *>(o)->isTrue(); }

const uint8_t *dk_data(const OSObject *o, size_t *length)
{
    const OSData *d = static_cast<const OSData *>(o);
    *length = d->getLength();
    return static_cast<const uint8_t *>(d->getBytesNoCopy());
}

} // extern "C"
