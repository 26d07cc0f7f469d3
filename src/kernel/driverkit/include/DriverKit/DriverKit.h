/*
 * The DriverKit facsimile: the part of Apple's DriverKit and SCSIPeripheralsDriverKit API
 * that dext/ uses, declared as documented (docs/driverkit.md), so that the unmodified shim
 * compiles with g++ on Linux and runs against the kernel model (src/kernel/).
 *
 * Only what the shim calls is here. Where Apple's documentation gives a signature, it is
 * copied in shape; where the SDK header is not public (docs/driverkit.md §Unknowns), the
 * shape is the documented one and the difference, if any, shows on the first Mac build.
 * The implementation (src/kernel/driverkit/facsimile.cpp) forwards every call that reaches
 * the "kernel" to the Rust kernel model through the dk_host_* functions at the end.
 */
#ifndef DRIVERKIT_FACSIMILE_H
#define DRIVERKIT_FACSIMILE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* ------------------------------------------------------------ kern_return_t */

typedef int kern_return_t;
#define kIOReturnSuccess 0
#define kIOReturnError ((kern_return_t) 0xe00002bc)
#define kIOReturnNoMemory ((kern_return_t) 0xe00002bd)
#define kIOReturnBadArgument ((kern_return_t) 0xe00002c2)
#define kIOReturnNotPrivileged ((kern_return_t) 0xe00002c1)
#define kIOReturnUnsupported ((kern_return_t) 0xe00002c7)
#define kIOReturnExclusiveAccess ((kern_return_t) 0xe00002c5)
#define kIOReturnInternalError ((kern_return_t) 0xe00002c9)
#define kIOReturnNotFound ((kern_return_t) 0xe00002f0)
#define kIOReturnNoDevice ((kern_return_t) 0xe00002c0)
#define kIOReturnNotReady ((kern_return_t) 0xe00002d8)

/* ------------------------------------------------------------ objects */

typedef void *OSDispatchMethod;
/* Start(provider, SUPERDISPATCH): run the kernel superclass's implementation. */
#define SUPERDISPATCH ((OSDispatchMethod) 1)
/* IMPL(Class, Method): the dext's implementation of a kernel-dispatched method; the
 * parameter list comes from Class_Method_Args, which iig generates. */
#define IMPL(class_, method) class_::method##_Impl(class_##_##method##_Args)
/* Methods that run only in the dext process: nothing to generate. */
#define LOCALONLY

class OSObject;
class OSDictionary;
class OSArray;
class OSCollection;

/* The kinds OSDynamicCast can tell apart without RTTI. */
enum DkKind { kDkObject, kDkService, kDkDictionary, kDkArray, kDkString, kDkNumber, kDkBoolean,
              kDkData, kDkMemory };

class OSObject {
public:
    virtual bool init();
    virtual void free();
    void retain() const;
    void release() const;
    virtual DkKind dkKind() const { return kDkObject; }
    virtual ~OSObject() {}
    mutable int dkRetainCount = 1;
};

#define OSDynamicCast(type, object) (type::dkCast(object))
#define OSSafeReleaseNULL(p) do { if (p) { (p)->release(); (p) = nullptr; } } while (0)

class OSCollection : public OSObject {
public:
    static OSCollection *dkCast(const OSObject *o)
    {
        return o && (o->dkKind() == kDkDictionary || o->dkKind() == kDkArray)
                   ? (OSCollection *) o : nullptr;
    }
};

/* ------------------------------------------------------------ collections (OSCollections.h) */

class OSDictionary : public OSCollection {
public:
    static OSDictionary *withCapacity(uint32_t capacity);
    bool setObject(const char *key, const OSObject *object);
    OSObject *getObject(const char *key) const;
    uint32_t getCount() const;
    DkKind dkKind() const override { return kDkDictionary; }
    static OSDictionary *dkCast(const OSObject *o)
    {
        return o && o->dkKind() == kDkDictionary ? (OSDictionary *) o : nullptr;
    }
    void free() override;
    /* Facsimile only (the kernel model walks a dictionary through these). */
    const char *dkKeyAt(uint32_t index) const;
    OSObject *dkObjectAt(uint32_t index) const;
    struct Entry;
    Entry *dkEntries = nullptr;
    uint32_t dkCount = 0;
    uint32_t dkCapacity = 0;
};

class OSArray : public OSCollection {
public:
    static OSArray *withCapacity(uint32_t capacity);
    bool setObject(const OSObject *object);
    OSObject *getObject(uint32_t index) const;
    uint32_t getCount() const;
    DkKind dkKind() const override { return kDkArray; }
    static OSArray *dkCast(const OSObject *o)
    {
        return o && o->dkKind() == kDkArray ? (OSArray *) o : nullptr;
    }
    void free() override;
    OSObject **dkItems = nullptr;
    uint32_t dkCount = 0;
    uint32_t dkCapacity = 0;
};

class OSString : public OSObject {
public:
    static OSString *withCString(const char *text);
    const char *getCStringNoCopy() const;
    size_t getLength() const;
    DkKind dkKind() const override { return kDkString; }
    static OSString *dkCast(const OSObject *o)
    {
        return o && o->dkKind() == kDkString ? (OSString *) o : nullptr;
    }
    void free() override;
    char *dkText = nullptr;
    size_t dkLength = 0;
};

class OSNumber : public OSObject {
public:
    static OSNumber *withNumber(uint64_t value, size_t numberOfBits);
    uint64_t unsigned64BitValue() const;
    DkKind dkKind() const override { return kDkNumber; }
    static OSNumber *dkCast(const OSObject *o)
    {
        return o && o->dkKind() == kDkNumber ? (OSNumber *) o : nullptr;
    }
    uint64_t dkValue = 0;
};

class OSBoolean : public OSObject {
public:
    bool isTrue() const;
    DkKind dkKind() const override { return kDkBoolean; }
    static OSBoolean *dkCast(const OSObject *o)
    {
        return o && o->dkKind() == kDkBoolean ? (OSBoolean *) o : nullptr;
    }
    bool dkValue = false;
};
extern OSBoolean *const kOSBooleanTrue;
extern OSBoolean *const kOSBooleanFalse;

class OSData : public OSObject {
public:
    static OSData *withBytes(const void *bytes, size_t length);
    const void *getBytesNoCopy() const;
    size_t getLength() const;
    DkKind dkKind() const override { return kDkData; }
    static OSData *dkCast(const OSObject *o)
    {
        return o && o->dkKind() == kDkData ? (OSData *) o : nullptr;
    }
    void free() override;
    uint8_t *dkBytes = nullptr;
    size_t dkLength = 0;
};

/* ------------------------------------------------------------ memory, time, sleep */

void *IOMallocZero(size_t size);
void IOFree(void *address, size_t size);
#define IONewZero(type, count) ((type *) IOMallocZero(sizeof(type) * (count)))
#define IOSafeDeleteNULL(p, type, count) \
    do { if (p) { IOFree((p), sizeof(type) * (count)); (p) = nullptr; } } while (0)
void IOSleep(uint64_t milliseconds);

/* ------------------------------------------------------------ memory descriptors */

enum {
    kIOMemoryDirectionNone = 0,
    kIOMemoryDirectionIn = 1,
    kIOMemoryDirectionOut = 2,
    kIOMemoryDirectionOutIn = 3,
    kIOMemoryDirectionInOut = 3,
};

struct IOAddressSegment {
    uint64_t address;
    uint64_t length;
};

class IOBufferMemoryDescriptor : public OSObject {
public:
    static kern_return_t Create(uint64_t options, uint64_t capacity, uint64_t alignment,
                                IOBufferMemoryDescriptor **memory);
    kern_return_t GetAddressRange(IOAddressSegment *range);
    kern_return_t SetLength(uint64_t length);
    DkKind dkKind() const override { return kDkMemory; }
    void free() override;
    uint8_t *dkBytes = nullptr;
    uint64_t dkCapacity = 0;
    uint64_t dkLength = 0;
};

/* ------------------------------------------------------------ services (IOService.h) */

/* DriverKit's value and collection classes derive from OSContainer; in the facsimile every
 * such class is an OSObject, which stands in for it. */
typedef OSObject OSContainer;
typedef const char *IOPropertyName;
typedef const char *IORegistryPlaneName;
#define kIOServicePlane "IOService"
/* SearchProperty: search the parent services too (the SDK's value is not relied on). */
enum { kIOServiceSearchPropertyParents = 1 };

class IOService : public OSObject {
public:
    bool init() override;
    void free() override;
    virtual kern_return_t Start_Impl(IOService *provider);
    virtual kern_return_t Stop_Impl(IOService *provider);
    kern_return_t Start(IOService *provider, OSDispatchMethod supermethod = nullptr);
    kern_return_t Stop(IOService *provider, OSDispatchMethod supermethod = nullptr);
    kern_return_t RegisterService();
    kern_return_t SetProperties(OSDictionary *properties);
    kern_return_t CopyProperties(OSDictionary **properties);
    kern_return_t SearchProperty(IOPropertyName name, IORegistryPlaneName plane, uint64_t options,
                                 OSContainer **property);
    DkKind dkKind() const override { return kDkService; }
    static IOService *dkCast(const OSObject *o)
    {
        return o && o->dkKind() == kDkService ? (IOService *) o : nullptr;
    }
    struct dk_host *dkHost = nullptr;
    bool dkIsNub = false;
};

/* ------------------------------------------------------------ the host (kernel model) */

/* The Rust kernel model, as the facsimile sees it: one per attached service. */
struct dk_host;

#endif /* DRIVERKIT_FACSIMILE_H */
