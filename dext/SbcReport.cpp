//
// SbcReport.cpp: the core's report, as an OSDictionary property of this service.
//
// The core walks its report through an sbc_property_sink (core/include/sbc_core.h); the
// callbacks below build the matching OSDictionary / OSArray / OSString / OSNumber /
// OSBoolean / OSData tree and nothing else. The tree's shape is the core's: the same schema
// as `sbc-dext attach --json` (docs/report-schema.md). `ioreg -l -w0 -r -c SbcDext` shows it.
//

#include <os/log.h>
#include <DriverKit/IOLib.h>
#include <DriverKit/OSCollections.h>

#include "SbcReport.h"

#define SbcLog(fmt, ...) os_log(OS_LOG_DEFAULT, "sbc-dext: " fmt, ##__VA_ARGS__)

namespace {

// Deeper than the report ever nests (root, characteristics, sat / designators, one entry).
constexpr int kMaxDepth = 8;
// Keys and strings arrive with a length; OSString wants a NUL-terminated copy.
constexpr size_t kMaxText = 256;

struct TreeBuilder {
    OSCollection *stack[kMaxDepth];
    int depth;
    OSDictionary *root;
};

// A NUL-terminated copy of text[0..length), or false when it does not fit.
bool Copy(char (&out)[kMaxText], const char *text, size_t length)
{
    if (length >= kMaxText || (text == nullptr && length != 0)) {
        return false;
    }
    if (length != 0) {
        memcpy(out, text, length);
    }
    out[length] = '\0';
    return true;
}

// Adds `object` under `key` (in a dictionary) or at the end (in an array), then releases the
// builder's reference.
sbc_status Add(TreeBuilder *tree, const char *key, size_t key_length, OSObject *object)
{
    if (object == nullptr) {
        return SBC_STATUS_INSUFFICIENT_SIZE;
    }
    sbc_status status = SBC_STATUS_OK;
    OSCollection *top = tree->depth > 0 ? tree->stack[tree->depth - 1] : nullptr;
    if (OSDictionary *dict = OSDynamicCast(OSDictionary, top)) {
        char name[kMaxText];
        if (!Copy(name, key, key_length) || !dict->setObject(name, object)) {
            status = SBC_STATUS_INVALID_ARGUMENT;
        }
    } else if (OSArray *array = OSDynamicCast(OSArray, top)) {
        if (!array->setObject(object)) {
            status = SBC_STATUS_INSUFFICIENT_SIZE;
        }
    } else {
        status = SBC_STATUS_BAD_STATE;
    }
    object->release();
    return status;
}

sbc_status Push(TreeBuilder *tree, const char *key, size_t key_length, OSCollection *collection)
{
    if (collection == nullptr) {
        return SBC_STATUS_INSUFFICIENT_SIZE;
    }
    if (tree->depth >= kMaxDepth) {
        collection->release();
        return SBC_STATUS_INSUFFICIENT_SIZE;
    }
    if (tree->depth == 0) {
        // The root: kept, not added anywhere.
        tree->root = OSDynamicCast(OSDictionary, collection);
        if (tree->root == nullptr) {
            collection->release();
            return SBC_STATUS_BAD_STATE;
        }
    } else {
        collection->retain();
        sbc_status status = Add(tree, key, key_length, collection);
        if (status != SBC_STATUS_OK) {
            collection->release();
            return status;
        }
    }
    tree->stack[tree->depth++] = collection;
    return SBC_STATUS_OK;
}

sbc_status Pop(TreeBuilder *tree)
{
    if (tree->depth <= 0) {
        return SBC_STATUS_BAD_STATE;
    }
    tree->depth--;
    if (tree->depth > 0) {
        tree->stack[tree->depth]->release();
    }
    return SBC_STATUS_OK;
}

sbc_status BeginDictionary(void *context, const char *key, size_t key_length)
{
    return Push(static_cast<TreeBuilder *>(context), key, key_length, OSDictionary::withCapacity(8));
}

sbc_status BeginArray(void *context, const char *key, size_t key_length)
{
    return Push(static_cast<TreeBuilder *>(context), key, key_length, OSArray::withCapacity(4));
}

sbc_status End(void *context)
{
    return Pop(static_cast<TreeBuilder *>(context));
}

sbc_status String(void *context, const char *key, size_t key_length, const char *value,
                  size_t value_length)
{
    char text[kMaxText];
    if (!Copy(text, value, value_length)) {
        return SBC_STATUS_INSUFFICIENT_SIZE;
    }
    return Add(static_cast<TreeBuilder *>(context), key, key_length, OSString::withCString(text));
}

sbc_status Number(void *context, const char *key, size_t key_length, uint64_t value)
{
    return Add(static_cast<TreeBuilder *>(context), key, key_length, OSNumber::withNumber(value, 64));
}

sbc_status Boolean(void *context, const char *key, size_t key_length, bool value)
{
    OSBoolean *boolean = value ? kOSBooleanTrue : kOSBooleanFalse;
    boolean->retain();
    return Add(static_cast<TreeBuilder *>(context), key, key_length, boolean);
}

sbc_status Data(void *context, const char *key, size_t key_length, const uint8_t *value,
                size_t value_length)
{
    return Add(static_cast<TreeBuilder *>(context), key, key_length,
               OSData::withBytes(value, value_length));
}

} // namespace

kern_return_t SbcCopyReportTree(const sbc_attach *attach, OSDictionary **tree_out)
{
    TreeBuilder tree = {};
    const sbc_property_sink sink = {&tree, BeginDictionary, End, BeginArray, End,
                                    String,  Number,          Boolean, Data};
    sbc_status status = sbc_attach_report(attach, &sink);
    bool complete = status == SBC_STATUS_OK && tree.depth == 0 && tree.root != nullptr;
    while (tree.depth > 0) {
        Pop(&tree); // an interrupted walk: release what is still open
    }
    if (!complete) {
        SbcLog("sbc_attach_report: %{public}s", sbc_status_name(status));
        OSSafeReleaseNULL(tree.root);
        return kIOReturnInternalError;
    }
    *tree_out = tree.root;
    return kIOReturnSuccess;
}
