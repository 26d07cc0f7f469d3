/*
 * sbc_core.h: the C ABI of sbc-core, the Rust core of the sbc-dext DriverKit driver.
 *
 * This header is hand-written and authoritative: it is the one contract between the C++
 * shim (dext/) and the Rust core (core/src/ffi/). The Rust side implements exactly what is
 * declared here; the host build regenerates a Rust view of this file with bindgen and
 * proves, at compile time, that both sides agree on every size, alignment and offset.
 *
 * Conventions (after rustls-ffi):
 *  - Every fallible function returns an sbc_status. SBC_STATUS_OK is 9000; no other library
 *    uses that range, so a status can never be mistaken for a kern_return_t or an errno.
 *  - Arguments come in the order: inputs, then outputs. A byte-buffer argument is always
 *    followed by its length.
 *  - Outputs are written only when the call returns SBC_STATUS_OK. On any other status the
 *    caller's output memory is untouched.
 *  - Every pointer argument is checked: NULL gives SBC_STATUS_NULL_PARAMETER (except where a
 *    NULL is documented as meaning "none", as for sbc_completion.sense). This holds whatever
 *    the length that follows a buffer: (NULL, 0) is SBC_STATUS_NULL_PARAMETER, not an empty
 *    buffer. A NULL from a C caller is nearly always a buffer that was never obtained, and
 *    one rule for every pointer is simpler to rely on than a rule that depends on the
 *    length; an empty buffer is any non-NULL pointer with length 0.
 *  - No call allocates, blocks, sleeps or reads a clock; no call keeps a pointer after it
 *    returns.
 *  - Apple's types never cross this boundary: service response and task status travel as
 *    plain integers with the values of Apple's SCSIServiceResponse and SCSITaskStatus.
 *
 * The header is freestanding (stdint.h, stddef.h, stdbool.h only) so it compiles in the
 * DriverKit SDK, in a -nostdlib test harness and under bindgen for any target.
 */
#ifndef SBC_CORE_H
#define SBC_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- version */

/* The ABI version this header describes: major << 16 | minor << 8 | patch. A shim must
 * refuse to run with a core whose major version differs from SBC_CORE_ABI_VERSION's.
 * 0.1.1: (NULL, 0) inputs give SBC_STATUS_NULL_PARAMETER; sbc_capacity reads 0 for a
 * physical block length past the end of cut READ CAPACITY(16) data (layouts unchanged).
 * 0.2.0: the attach engine (sbc_attach_*), the property sink, the log callback.
 * 0.3.0: sbc_quirk_name (enumerating the quirks, for reading a SbcQuirks dictionary).
 * 0.4.0: SBC_ATTACH_STORAGE_SIZE 4096 (the report holds the SMART data and thresholds);
 *        the report's `smart` key.
 * 0.5.0: NVMe health through USB bridges: sbc_poll.ends_exclusive (was a reserved byte),
 *        sbc_poll.exclusive set by the engine for every bridge tunnel command (JMicron's
 *        A1h exchange too), sbc_attach_data_out; the report's smart.transport and
 *        smart.nvme; the quirks nvme-jmicron, nvme-asmedia, nvme-realtek;
 *        sbc_attach_config.usb_vendor_id / usb_product_id (were reserved bytes). */
#define SBC_CORE_ABI_VERSION 0x000500u

/* The ABI version the linked core implements (same encoding as SBC_CORE_ABI_VERSION). */
uint32_t sbc_core_abi_version(void);

/* The core's version as a NUL-terminated string with static lifetime, for logs. */
const char *sbc_core_version_string(void);

/* ---------------------------------------------------------------- status */

/* The result of every fallible call. */
typedef uint32_t sbc_status;

enum sbc_status_code {
  /* Success: outputs were written. */
  SBC_STATUS_OK = 9000,
  /* A required pointer argument was NULL. */
  SBC_STATUS_NULL_PARAMETER = 9001,
  /* An argument is outside what the command or field can carry (e.g. an LBA that does not
   * fit READ(10)): nothing was built. */
  SBC_STATUS_INVALID_ARGUMENT = 9002,
  /* A caller-provided output buffer is too small. */
  SBC_STATUS_INSUFFICIENT_SIZE = 9003,
  /* A response is shorter than its format's fixed header: nothing could be decoded. */
  SBC_STATUS_TRUNCATED = 9004,
  /* A response is not an instance of the format asked for. */
  SBC_STATUS_MALFORMED = 9005,
  /* The completion contradicts the command: the device reported more bytes transferred
   * than were requested, or data for a command that had none. */
  SBC_STATUS_INCONSISTENT_COMPLETION = 9006,
  /* A call was made in a state that does not allow it (reserved for stateful APIs). */
  SBC_STATUS_BAD_STATE = 9007
};

/* A short, static, NUL-terminated name for a status ("SBC_STATUS_OK", ...); unknown values
 * give "SBC_STATUS_UNKNOWN". Never NULL. */
const char *sbc_status_name(sbc_status status);

/* ---------------------------------------------------------------- commands */

/* Direction of a command's data phase. These are sbc-core's own numbers; the shim maps them
 * to Apple's fBufferDirection (kIOMemoryDirection*) and fDataTransferDirection
 * (kSCSIDataTransfer_*), whose numbering differs (docs/driverkit.md §Data direction). */
typedef uint8_t sbc_direction;
enum sbc_direction_code {
  SBC_DIRECTION_NONE = 0, /* no data phase */
  SBC_DIRECTION_IN = 1,   /* data-in: device to host (READ, INQUIRY) */
  SBC_DIRECTION_OUT = 2   /* data-out: host to device (WRITE, MODE SELECT) */
};

/* Longest CDB: Apple's SCSICommandDescriptorBlock is 16 bytes. */
#define SBC_CDB_MAX_LENGTH 16u

/* The timeout sbc-core gives commands when nothing more specific applies, in milliseconds
 * (30 s, as Linux sd's SD_TIMEOUT and the public dexts). */
#define SBC_DEFAULT_TIMEOUT_MS 30000u

/* One command, ready for UserSendCDB. 32 bytes. */
typedef struct sbc_command {
  uint8_t cdb[SBC_CDB_MAX_LENGTH]; /* the CDB, zero-padded to 16 bytes */
  uint8_t cdb_length;              /* 6, 10, 12 or 16 */
  sbc_direction direction;         /* an sbc_direction_code */
  uint8_t reserved[2];             /* zero */
  uint32_t timeout_ms;             /* for fTimeoutDuration */
  uint64_t transfer_length;        /* bytes, for fRequestedByteCountOfTransfer */
} sbc_command;

/* ---------------------------------------------------------------- completions */

/* SCSIServiceResponse values (Apple's SCSITask.h, values [K], presumed identical in
 * DriverKit [I]; docs/driverkit.md §Service response and task status). */
enum sbc_service_response_code {
  SBC_SERVICE_RESPONSE_REQUEST_IN_PROCESS = 0,
  SBC_SERVICE_RESPONSE_SERVICE_DELIVERY_OR_TARGET_FAILURE = 1,
  SBC_SERVICE_RESPONSE_TASK_COMPLETE = 2,
  SBC_SERVICE_RESPONSE_LINK_COMMAND_COMPLETE = 3,
  SBC_SERVICE_RESPONSE_FUNCTION_COMPLETE = 4,
  SBC_SERVICE_RESPONSE_FUNCTION_REJECTED = 5
};

/* SCSITaskStatus values. The SAM statuses are meaningful with TASK_COMPLETE; the others
 * only with SERVICE_DELIVERY_OR_TARGET_FAILURE (they overlap numerically, so read a status
 * together with its service response). */
enum sbc_task_status_code {
  SBC_TASK_STATUS_GOOD = 0x00,
  SBC_TASK_STATUS_CHECK_CONDITION = 0x02,
  SBC_TASK_STATUS_CONDITION_MET = 0x04,
  SBC_TASK_STATUS_BUSY = 0x08,
  SBC_TASK_STATUS_INTERMEDIATE = 0x10,
  SBC_TASK_STATUS_INTERMEDIATE_CONDITION_MET = 0x14,
  SBC_TASK_STATUS_RESERVATION_CONFLICT = 0x18,
  SBC_TASK_STATUS_TASK_SET_FULL = 0x28,
  SBC_TASK_STATUS_ACA_ACTIVE = 0x30,
  /* delivery failures */
  SBC_TASK_STATUS_TASK_TIMEOUT_OCCURRED = 0x01,
  SBC_TASK_STATUS_PROTOCOL_TIMEOUT_OCCURRED = 0x02,
  SBC_TASK_STATUS_DEVICE_NOT_RESPONDING = 0x03,
  SBC_TASK_STATUS_DEVICE_NOT_PRESENT = 0x04,
  SBC_TASK_STATUS_DELIVERY_FAILURE = 0x05,
  SBC_TASK_STATUS_NO_STATUS = 0xFF
};

/* The most sense bytes UserSendCDB returns: 18 for fixed format, 22 for ATA PASS-THROUGH
 * (Apple's UserSendCDB documentation [A]; docs/driverkit.md §Sense length). */
#define SBC_SENSE_MAX_LENGTH 22u

/* How one command ended, as the shim read it from SCSIType00InParameters. 32 bytes on
 * LP64 targets. */
typedef struct sbc_completion {
  uint32_t service_response; /* an sbc_service_response_code */
  uint32_t task_status;      /* an sbc_task_status_code */
  uint64_t realized_length;  /* fRealizedByteCountOfTransfer */
  const uint8_t *sense;      /* sense bytes, or NULL when fSenseDataValid was false */
  uint32_t sense_length;     /* bytes valid at sense; 0 when sense is NULL */
  uint32_t reserved;         /* zero */
} sbc_completion;

/* The number of data bytes of `command`'s transfer that are usable after `completion`:
 * the realized count, checked against the requested length. A realized count larger than
 * requested, or a non-zero count for a command without a data phase, gives
 * SBC_STATUS_INCONSISTENT_COMPLETION (never an underflow or an over-read). */
sbc_status sbc_completion_usable_length(const sbc_command *command,
                                        const sbc_completion *completion,
                                        uint64_t *usable_length_out);

/* ---------------------------------------------------------------- builders */

/* TEST UNIT READY (SPC-5 §6.47). */
sbc_status sbc_build_test_unit_ready(sbc_command *command_out);

/* INQUIRY (SPC-5 §6.7): the standard data when `evpd` is false (then `page_code` must be 0),
 * else the VPD page `page_code`. */
sbc_status sbc_build_inquiry(bool evpd, uint8_t page_code, uint16_t allocation_length,
                             sbc_command *command_out);

/* READ CAPACITY(10) (SBC-4 §5.20). */
sbc_status sbc_build_read_capacity_10(sbc_command *command_out);

/* READ CAPACITY(16) (SBC-4 §5.21). */
sbc_status sbc_build_read_capacity_16(uint32_t allocation_length, sbc_command *command_out);

/* REQUEST SENSE (SPC-5 §6.39). */
sbc_status sbc_build_request_sense(bool descriptor_format, uint8_t allocation_length,
                                   sbc_command *command_out);

/* ---------------------------------------------------------------- decoders */

/* The standard INQUIRY facts the shim may need before the core has characterized the unit.
 * Text fields are trimmed of space and NUL padding, NUL-terminated, and hold the device's
 * bytes as sent (not necessarily printable). A field the end of the data cuts through is
 * empty (never a misleading prefix); `truncated` says the data was cut. */
typedef struct sbc_inquiry_summary {
  uint8_t peripheral_qualifier; /* 0 = connected */
  uint8_t peripheral_device_type; /* 0 = direct access block device */
  uint8_t version;              /* VERSION: 5 = SPC-3, 6 = SPC-4, 7 = SPC-5 */
  uint8_t response_data_format; /* 2 for every device since SCSI-3 */
  bool removable;               /* RMB */
  bool protect;                 /* PROTECT: supports protection information */
  bool truncated;               /* the response announced more bytes than were given */
  uint8_t reserved;             /* zero */
  uint32_t announced_length;    /* ADDITIONAL LENGTH + 5 */
  char vendor[9];               /* T10 VENDOR IDENTIFICATION */
  char product[17];             /* PRODUCT IDENTIFICATION */
  char revision[5];             /* PRODUCT REVISION LEVEL */
  uint8_t reserved2[1];         /* zero */
} sbc_inquiry_summary;

/* Decodes the standard INQUIRY data in `data[0..length)` (the realized bytes only). A NULL
 * `data` is SBC_STATUS_NULL_PARAMETER even when `length` is 0; a non-NULL `data` with too
 * few bytes for the fixed header (including 0) is SBC_STATUS_TRUNCATED. */
sbc_status sbc_decode_inquiry(const uint8_t *data, size_t length,
                              sbc_inquiry_summary *summary_out);

/* READ CAPACITY(10) or (16) parameter data, as one shape. */
typedef struct sbc_capacity {
  uint64_t block_count;          /* RETURNED LOGICAL BLOCK ADDRESS + 1 */
  uint32_t logical_block_length; /* bytes */
  uint32_t physical_block_length; /* bytes (logical << LBPPBE); = logical for RC10; 0 for
                                   * RC16 data cut before LBPPBE (byte 13): not reported,
                                   * and 0 says so where the logical length would be a
                                   * guess; a caller needing a value falls back itself */
  uint16_t lowest_aligned_lba;   /* RC16 only, else 0 */
  uint8_t protection_type;       /* RC16 only, else 0; see below */
  bool lbpme;                    /* logical block provisioning management enabled */
  bool lbprz;                    /* unmapped blocks read as zero */
  bool use_read_capacity_16;     /* RC10 returned 0xFFFFFFFF: the capacity needs RC16 */
  bool truncated;                /* RC16 data cut short: the fields past the cut read 0/false */
  uint8_t reserved[1];           /* zero */
} sbc_capacity;
/* protection_type is 0 when PROT_EN is 0 (no protection information), else P_TYPE + 1
 * (SBC-4 §5.21.2: P_TYPE 000b..010b are Type 1..3 protection), so 1..3 are Types 1..3 and
 * 4..8 are the reserved P_TYPE values 011b..111b, kept as the device sent them rather than
 * mapped or refused (the core keeps unknown code values as data): a shim that knows only
 * Types 1..3 should treat 4..8 as protection it cannot use. The full range is 0..8. It is
 * also 0 when the data is cut before byte 12 (`truncated` tells that case apart). */

/* Decodes READ CAPACITY data in `data[0..length)`; `cdb_length` says which command produced
 * it (10 or 16; anything else is SBC_STATUS_INVALID_ARGUMENT). A NULL `data` is
 * SBC_STATUS_NULL_PARAMETER even when `length` is 0 (checked before `cdb_length`). A capacity
 * of 2^64 blocks, or a physical block of 4 GiB (2^32 bytes) or more, does not fit its field
 * and gives SBC_STATUS_MALFORMED; the longest physical block reported is 2^32 - 1 bytes. */
sbc_status sbc_decode_read_capacity(uint8_t cdb_length, const uint8_t *data, size_t length,
                                    sbc_capacity *capacity_out);

/* ---------------------------------------------------------------- quirks */

/* The quirk flag called name[0..length) (not NUL-terminated; ASCII case and '-'/'_' are not
 * significant), as spelled in the personality's SbcQuirks dictionary and on the CLI: e.g.
 * "retry-hwerror", "no-vpd", "fix-capacity". An unknown name (including the empty name, a
 * non-NULL `name` with length 0) gives SBC_STATUS_INVALID_ARGUMENT, so the shim can log it
 * and ignore that one entry. A NULL `name` is SBC_STATUS_NULL_PARAMETER whatever `length`. */
sbc_status sbc_quirk_by_name(const char *name, size_t length, uint32_t *flag_out);

/* The `index`th quirk the core knows (0, 1, 2, ...): its name as the SbcQuirks dictionary
 * spells it (UTF-8, not NUL-terminated, static lifetime) and its flag. An index past the last
 * quirk gives SBC_STATUS_INVALID_ARGUMENT, which ends an enumeration; the shim looks each name
 * up in its personality's SbcQuirks dictionary (OSDictionary::getObject), so it needs neither
 * the list of names nor a way to iterate the dictionary. */
sbc_status sbc_quirk_name(uint32_t index, const char **name_out, size_t *length_out,
                          uint32_t *flag_out);

/* ---------------------------------------------------------------- attach */

/* The characterization engine (what UserDetermineDeviceCharacteristics runs), driven by the
 * shim one step at a time: begin, then poll / complete until poll says DONE, then read the
 * verdict and the report. The core never blocks, sleeps or reads a clock: every call that
 * needs the time takes `now_ms`, a monotonic clock in milliseconds (any epoch; the shim
 * passes its own monotonic clock, docs/driverkit.md §Shim conventions).
 *
 *   sbc_attach_begin(&config, now, storage, sizeof storage)
 *   loop: sbc_attach_poll(attach, now, &poll)
 *     SBC_POLL_COMMAND: send poll.command (UserSendCDB) with a data buffer of
 *                       poll.command.transfer_length bytes (for data-out, filled by
 *                       sbc_attach_data_out) and a sense buffer of poll.sense_length
 *                       bytes, under the exclusive-access rule below; then
 *                       sbc_attach_complete(attach, &completion, data, length, now)
 *     SBC_POLL_WAIT:    sleep until poll.wait_until_ms, poll again
 *     SBC_POLL_DONE:    sbc_attach_verdict, sbc_attach_summary, sbc_attach_report
 *
 * The engine lives in caller storage: SBC_ATTACH_STORAGE_SIZE bytes aligned to
 * SBC_ATTACH_STORAGE_ALIGN (an sbc_attach_storage is both), e.g. a member of the dext's
 * IVars. Nothing is allocated. The sbc_attach pointer points into the storage, so the
 * storage must stay where it is, untouched, from sbc_attach_begin until the last call on
 * the attach; one attach is used by one thread at a time.
 *
 * Misuse never corrupts it. Each call checks all of its arguments before it changes
 * anything, and changes the attach only when it returns SBC_STATUS_OK:
 *  - a NULL pointer argument: SBC_STATUS_NULL_PARAMETER (checked first);
 *  - an `attach` that is not one sbc_attach_begin returned (storage never begun, or whose
 *    start was overwritten; a pointer that is not the start of the storage):
 *    SBC_STATUS_BAD_STATE;
 *  - a call in the wrong state (complete with no command outstanding, poll after DONE,
 *    verdict/summary/report before DONE): SBC_STATUS_BAD_STATE.
 * "DONE" means: sbc_attach_poll has given SBC_POLL_DONE.
 *
 * Exclusive access (vendor opcodes C0h..FFh need it: docs/driverkit.md §UserSendCDB; and a
 * JMicron NVMe exchange is three commands that nothing may come between). The shim keeps
 * one flag, "suspended":
 *  - before sending a COMMAND with poll.exclusive: if not suspended, UserSuspendServices;
 *    if that fails, do not send: complete the command as a delivery failure;
 *  - before sending a COMMAND without poll.exclusive: if suspended, UserResumeServices;
 *  - after completing a COMMAND with poll.ends_exclusive: if suspended, UserResumeServices;
 *  - on DONE, and on every early return: if suspended, UserResumeServices.
 * A WAIT leaves them as they are: inside an exchange it is a retry's delay, bounded by the
 * time budget. So services are never left suspended, whatever the engine abandons. */

#define SBC_ATTACH_STORAGE_SIZE 4096u
#define SBC_ATTACH_STORAGE_ALIGN 8u

/* The longest data transfer an attach asks for (one 4096-byte block of READ(10), NVMe
 * Identify Controller; VPD pages are read at most 1024 bytes): a data buffer this long fits
 * every SBC_POLL_COMMAND. */
#define SBC_ATTACH_MAX_TRANSFER_LENGTH 4096u

/* Storage for one attach; its contents are private to the core. */
typedef struct sbc_attach_storage {
  uint64_t opaque[SBC_ATTACH_STORAGE_SIZE / 8];
} sbc_attach_storage;

/* How one attach runs. A zero field takes the default named beside it. */
typedef struct sbc_attach_config {
  uint32_t quirks_on;          /* quirk flags (sbc_quirk_by_name) forced on: SbcQuirks true */
  uint32_t quirks_off;         /* quirk flags forced off: SbcQuirks false */
  uint32_t time_budget_ms;     /* 0: 120000, the whole attach */
  uint32_t command_timeout_ms; /* 0: SBC_DEFAULT_TIMEOUT_MS, each command */
  uint16_t command_budget;     /* 0: 192 commands */
  bool usb;                    /* the transport is USB: Linux's USB defaults join the quirks */
  uint8_t reserved[1];         /* zero */
  uint16_t usb_vendor_id;      /* USB idVendor of the device, 0: unknown (needs usb) */
  uint16_t usb_product_id;     /* USB idProduct, 0: unknown; a known ID joins the core's USB ID
                                * table's quirks (an NVMe bridge's tunnel) */
} sbc_attach_config;

/* What sbc_attach_poll asks for. */
enum sbc_poll_kind_code {
  SBC_POLL_COMMAND = 1, /* send `command` */
  SBC_POLL_WAIT = 2,    /* nothing to send before `wait_until_ms` */
  SBC_POLL_DONE = 3     /* the attach is over: read the verdict */
};

/* One step. 48 bytes. */
typedef struct sbc_poll {
  uint32_t kind;          /* an sbc_poll_kind_code */
  uint8_t sense_length;   /* COMMAND: fSenseLengthRequested, 18 (22 for ATA PASS-THROUGH) */
  bool exclusive;         /* COMMAND: send with services suspended (the rule above) */
  bool ends_exclusive;    /* COMMAND: resume services once it has completed */
  uint8_t reserved[1];    /* zero */
  uint64_t wait_until_ms; /* WAIT: poll again at this time (same clock as now_ms) */
  sbc_command command;    /* COMMAND: the command; zero otherwise */
} sbc_poll;

/* Starts an attach at `now_ms` in `storage[0..storage_size)`, and returns it in
 * `*attach_out` (a pointer into `storage`). `storage` shorter than SBC_ATTACH_STORAGE_SIZE is
 * SBC_STATUS_INSUFFICIENT_SIZE; not aligned to SBC_ATTACH_STORAGE_ALIGN, a non-zero
 * reserved byte in `config`, a bit in `quirks_on`/`quirks_off` that is no quirk's (take
 * flags from sbc_quirk_by_name only), or a USB ID without `usb` is
 * SBC_STATUS_INVALID_ARGUMENT. The storage's previous
 * contents are not read: beginning again in the same storage starts a new attach. Nothing is
 * sent yet. */
typedef struct sbc_attach sbc_attach;
sbc_status sbc_attach_begin(const sbc_attach_config *config, uint64_t now_ms, void *storage,
                            size_t storage_size, sbc_attach **attach_out);

/* The next step at `now_ms`. While a command is outstanding this gives the same COMMAND
 * again. After it has given DONE once, every further call is SBC_STATUS_BAD_STATE. A
 * pointer that is not an attach begun by sbc_attach_begin (its storage overwritten) is
 * SBC_STATUS_BAD_STATE. */
sbc_status sbc_attach_poll(sbc_attach *attach, uint64_t now_ms, sbc_poll *poll_out);

/* The outstanding COMMAND's data-out (poll.command.direction SBC_DIRECTION_OUT: the
 * 512-byte command block of a JMicron exchange): writes poll.command.transfer_length bytes
 * to data[0..capacity) and that count to *length_out; copy them into the data buffer before
 * UserSendCDB. `capacity` below the transfer length is SBC_STATUS_INSUFFICIENT_SIZE; no
 * command outstanding, one without data-out, or the attach over is SBC_STATUS_BAD_STATE.
 * Outputs are written only on SBC_STATUS_OK. */
sbc_status sbc_attach_data_out(const sbc_attach *attach, uint8_t *data, size_t capacity,
                               size_t *length_out);

/* How the outstanding command ended, at `now_ms`. `data[0..data_length)` is the command's
 * data buffer (for data-in: what the device wrote); only the first
 * sbc_completion_usable_length bytes are read, and `data_length` must be at least that many
 * (else SBC_STATUS_INVALID_ARGUMENT, nothing changes). `data` may be NULL only when
 * `data_length` is 0. A completion that contradicts the command (more bytes realized than
 * asked, or data without a data phase) is not an error here: the engine treats it as a
 * transport failure and reads no data. `completion->sense_length` above
 * SBC_SENSE_MAX_LENGTH, a NULL `sense` with a non-zero `sense_length`, or a non-zero
 * `reserved` is SBC_STATUS_INVALID_ARGUMENT. No command outstanding (none polled, already
 * completed, or the time budget ended the attach while it was out), or the attach over:
 * SBC_STATUS_BAD_STATE. */
sbc_status sbc_attach_complete(sbc_attach *attach, const sbc_completion *completion,
                               const uint8_t *data, size_t data_length, uint64_t now_ms);

/* Why an attach refused the logical unit. */
enum sbc_refuse_reason_code {
  SBC_REFUSE_NONE = 0, /* accepted */
  SBC_REFUSE_NOT_CONNECTED = 1,
  SBC_REFUSE_NOT_DIRECT_ACCESS = 2,
  SBC_REFUSE_NO_MEDIUM = 3,
  SBC_REFUSE_NOT_READY = 4,
  SBC_REFUSE_UNSUPPORTED_BLOCK_LENGTH = 5,
  SBC_REFUSE_UNSUPPORTED_PROTECTION_TYPE = 6,
  SBC_REFUSE_CAPACITY_UNKNOWN = 7,
  SBC_REFUSE_INQUIRY_FAILED = 8,
  SBC_REFUSE_DEVICE_ERROR = 9,
  SBC_REFUSE_UNIT_ATTENTION_STORM = 10,
  SBC_REFUSE_BUSY = 11,
  SBC_REFUSE_RESERVATION_CONFLICT = 12,
  SBC_REFUSE_COMMAND_FAILED = 13,
  SBC_REFUSE_TIME_BUDGET_EXHAUSTED = 14,
  SBC_REFUSE_COMMAND_BUDGET_EXHAUSTED = 15,
  SBC_REFUSE_DEVICE_GONE = 16,
  SBC_REFUSE_TRANSPORT_FAILURE = 17,
  SBC_REFUSE_INTERNAL_ERROR = 18
};

/* The verdict and, when refused, why (an sbc_refuse_reason_code; SBC_REFUSE_NONE when
 * accepted), and the same as one line of UTF-8 text, "accept" or "refuse: <why>"
 * (NUL-terminated, at most `text_capacity` bytes including the NUL; cut at a character
 * boundary if longer). Before DONE: SBC_STATUS_BAD_STATE. `text` may be NULL when
 * `text_capacity` is 0; with `text_capacity` 0 no text is written. */
sbc_status sbc_attach_verdict(const sbc_attach *attach, bool *accept_out, uint32_t *reason_out,
                              char *text, size_t text_capacity);

/* The facts the shim acts on itself (UserReportMediumBlockSize, protection). Before DONE:
 * SBC_STATUS_BAD_STATE. 32 bytes.
 * The struct has no typedef: its tag and the function share the name, as `struct stat` and
 * stat() do (a typedef and a function of one name do not compile), so it is written
 * `struct sbc_attach_summary` in C and C++. */
struct sbc_attach_summary {
  uint64_t block_count;           /* logical blocks; 0 without a medium */
  uint32_t logical_block_length;  /* bytes; 0 when not read */
  uint32_t physical_block_length; /* bytes */
  uint16_t commands_sent;
  uint8_t protection_type;        /* 0 none, 1..3 Type 1..3 (larger values are refused) */
  bool medium_present;
  bool removable;
  bool write_protected;
  uint8_t reserved[6];            /* zero */
};
sbc_status sbc_attach_summary(const sbc_attach *attach, struct sbc_attach_summary *summary_out);

/* A property tree, written through callbacks (the registry's OSDictionary, or anything
 * else). Keys are NULL (with length 0) for array elements and the root; strings and keys
 * are UTF-8, not NUL-terminated. A callback returning anything but SBC_STATUS_OK stops the
 * walk, and that status is returned. Every callback is required. */
typedef struct sbc_property_sink {
  void *context;
  sbc_status (*begin_dictionary)(void *context, const char *key, size_t key_length);
  sbc_status (*end_dictionary)(void *context);
  sbc_status (*begin_array)(void *context, const char *key, size_t key_length);
  sbc_status (*end_array)(void *context);
  sbc_status (*string)(void *context, const char *key, size_t key_length, const char *value,
                       size_t value_length);
  sbc_status (*number)(void *context, const char *key, size_t key_length, uint64_t value);
  sbc_status (*boolean)(void *context, const char *key, size_t key_length, bool value);
  sbc_status (*data)(void *context, const char *key, size_t key_length, const uint8_t *value,
                     size_t value_length);
} sbc_property_sink;

/* The report, as the tree `sbc-dext attach --json` prints (one schema: result, reason,
 * characteristics, quirks, warnings), through `sink`: the root is a dictionary (key NULL),
 * opened first and closed last. Absent values are left out. Before DONE:
 * SBC_STATUS_BAD_STATE. A NULL `sink` or any NULL callback is SBC_STATUS_NULL_PARAMETER
 * before any callback runs. A walk stopped by a callback has called the begins of the
 * containers it was in without their ends: the sink discards what it built. A report that
 * does not fit a property tree (never expected: the core's tests walk every report shape)
 * is SBC_STATUS_MALFORMED. */
sbc_status sbc_attach_report(const sbc_attach *attach, const sbc_property_sink *sink);

/* ---------------------------------------------------------------- log */

/* Log levels of sbc_log_callback: 1 error, 2 warning, 3 info, 4 debug, 5 trace. */
typedef void (*sbc_log_callback)(void *context, uint32_t level, const char *message,
                                 size_t message_length);

/* Sends the core's log records (each command sent and how it ended, with the policy's
 * action, each warning, each detour, the quirks in effect, the verdict; and why a
 * sbc_attach_poll or sbc_attach_complete call was refused) to `callback` from now on; NULL
 * stops them. One logger for the whole process; `context` is passed back untouched. Messages
 * are one line of UTF-8, at most 255 bytes, not NUL-terminated, valid only during the call.
 * The callback runs on the thread of the sbc_* call that logs, inside that call, and must
 * not call back into the core. A record being emitted on another thread while the callback
 * is replaced may still reach the previous (callback, context) pair, never a mix of the two:
 * keep a context valid for as long as any thread may still be inside the core. The core
 * logs through Rust's `log` crate and installs the logger that calls `callback` when a
 * non-NULL callback is first set; in a process where other Rust code installed a `log`
 * logger first, the core's records go to that logger, and `callback` gets only the lines of
 * the C ABI itself (the refusals, and one line saying so). Always SBC_STATUS_OK. */
sbc_status sbc_set_log_callback(sbc_log_callback callback, void *context);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SBC_CORE_H */
