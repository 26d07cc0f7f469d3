/*
 * abi_test.c: calls every function of core/include/sbc_core.h through the header, as the
 * C++ shim will, and checks the results against the SPC/SBC layouts by hand.
 *
 * Built by build.rs with the cc crate (-std=c11 -Wall -Wextra -Werror -pedantic) and run
 * from tests/abi_c.rs. Returns the number of failed checks; each failure prints one line.
 */
#include "sbc_core.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

static int failures;

#define CHECK(cond)                                                                   \
  do {                                                                                \
    if (!(cond)) {                                                                    \
      fprintf(stderr, "abi_test.c:%d: check failed: %s\n", __LINE__, #cond);          \
      failures++;                                                                     \
    }                                                                                 \
  } while (0)

static void test_version(void) {
  CHECK(sbc_core_abi_version() == SBC_CORE_ABI_VERSION);
  CHECK(sbc_core_version_string() != NULL);
  CHECK(strlen(sbc_core_version_string()) > 0);
  CHECK(strcmp(sbc_status_name(SBC_STATUS_OK), "SBC_STATUS_OK") == 0);
  CHECK(strcmp(sbc_status_name(SBC_STATUS_INCONSISTENT_COMPLETION),
               "SBC_STATUS_INCONSISTENT_COMPLETION") == 0);
  CHECK(strcmp(sbc_status_name(12345), "SBC_STATUS_UNKNOWN") == 0);
}

static void test_builders(void) {
  sbc_command cmd;

  memset(&cmd, 0xAA, sizeof cmd);
  CHECK(sbc_build_test_unit_ready(&cmd) == SBC_STATUS_OK);
  CHECK(cmd.cdb_length == 6);
  CHECK(cmd.direction == SBC_DIRECTION_NONE);
  CHECK(cmd.transfer_length == 0);
  CHECK(cmd.timeout_ms == SBC_DEFAULT_TIMEOUT_MS);
  {
    static const uint8_t tur[16] = {0};
    CHECK(memcmp(cmd.cdb, tur, 16) == 0);
  }

  /* INQUIRY, VPD page 0x83, 252 bytes: SPC-5 table 148. */
  CHECK(sbc_build_inquiry(true, 0x83, 252, &cmd) == SBC_STATUS_OK);
  {
    static const uint8_t inq[16] = {0x12, 0x01, 0x83, 0x00, 0xFC, 0x00};
    CHECK(memcmp(cmd.cdb, inq, 16) == 0);
  }
  CHECK(cmd.cdb_length == 6 && cmd.direction == SBC_DIRECTION_IN && cmd.transfer_length == 252);

  /* EVPD=0 with a page code is refused, and the output is left alone. */
  memset(&cmd, 0x5A, sizeof cmd);
  CHECK(sbc_build_inquiry(false, 0x80, 36, &cmd) == SBC_STATUS_INVALID_ARGUMENT);
  CHECK(cmd.cdb[0] == 0x5A && cmd.cdb_length == 0x5A);

  /* READ CAPACITY(10): SBC-4 table 117. */
  CHECK(sbc_build_read_capacity_10(&cmd) == SBC_STATUS_OK);
  CHECK(cmd.cdb[0] == 0x25 && cmd.cdb_length == 10 && cmd.transfer_length == 8);

  /* READ CAPACITY(16): SERVICE ACTION IN(16) 0x9E / 0x10, SBC-4 table 119. */
  CHECK(sbc_build_read_capacity_16(32, &cmd) == SBC_STATUS_OK);
  {
    static const uint8_t rc16[16] = {0x9E, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0};
    CHECK(memcmp(cmd.cdb, rc16, 16) == 0);
  }
  CHECK(cmd.cdb_length == 16 && cmd.direction == SBC_DIRECTION_IN && cmd.transfer_length == 32);

  /* REQUEST SENSE, DESC=1, 22 bytes: SPC-5 table 205. */
  CHECK(sbc_build_request_sense(true, SBC_SENSE_MAX_LENGTH, &cmd) == SBC_STATUS_OK);
  {
    static const uint8_t rs[16] = {0x03, 0x01, 0, 0, 22, 0};
    CHECK(memcmp(cmd.cdb, rs, 16) == 0);
  }

  CHECK(sbc_build_test_unit_ready(NULL) == SBC_STATUS_NULL_PARAMETER);
  CHECK(sbc_build_inquiry(false, 0, 36, NULL) == SBC_STATUS_NULL_PARAMETER);
}

static void test_completion(void) {
  sbc_command cmd;
  sbc_completion done;
  uint64_t usable = 77;

  CHECK(sbc_build_inquiry(false, 0, 96, &cmd) == SBC_STATUS_OK);
  memset(&done, 0, sizeof done);
  done.service_response = SBC_SERVICE_RESPONSE_TASK_COMPLETE;
  done.task_status = SBC_TASK_STATUS_GOOD;
  done.realized_length = 36;
  CHECK(sbc_completion_usable_length(&cmd, &done, &usable) == SBC_STATUS_OK);
  CHECK(usable == 36);

  /* More realized than requested: refused, output untouched. */
  usable = 77;
  done.realized_length = 97;
  CHECK(sbc_completion_usable_length(&cmd, &done, &usable) == SBC_STATUS_INCONSISTENT_COMPLETION);
  CHECK(usable == 77);

  /* Data for a command without a data phase. */
  CHECK(sbc_build_test_unit_ready(&cmd) == SBC_STATUS_OK);
  done.realized_length = 1;
  CHECK(sbc_completion_usable_length(&cmd, &done, &usable) == SBC_STATUS_INCONSISTENT_COMPLETION);
  CHECK(sbc_completion_usable_length(NULL, &done, &usable) == SBC_STATUS_NULL_PARAMETER);
}

static void test_decoders(void) {
  /* A standard INQUIRY response laid out by hand (SPC-5 table 150): PDT 0, RMB, SPC-4,
   * format 2, additional length 31, "ACME    " "Widget 9000     " "1.0 ". */
  static const uint8_t inq[36] = {
      0x00, 0x80, 0x06, 0x02, 31,  0x00, 0x00, 0x00, 'A', 'C', 'M', 'E', ' ', ' ', ' ', ' ',
      'W',  'i',  'd',  'g',  'e', 't',  ' ',  '9',  '0', '0', '0', ' ', ' ', ' ', ' ', ' ',
      '1',  '.',  '0',  ' '};
  sbc_inquiry_summary s;
  sbc_capacity cap;

  memset(&s, 0xEE, sizeof s);
  CHECK(sbc_decode_inquiry(inq, sizeof inq, &s) == SBC_STATUS_OK);
  CHECK(s.peripheral_qualifier == 0 && s.peripheral_device_type == 0);
  CHECK(s.removable && !s.protect && !s.truncated);
  CHECK(s.version == 6 && s.response_data_format == 2 && s.announced_length == 36);
  CHECK(strcmp(s.vendor, "ACME") == 0);
  CHECK(strcmp(s.product, "Widget 9000") == 0);
  CHECK(strcmp(s.revision, "1.0") == 0);

  /* Cut to 20 bytes: still decodes, truncated; a field the cut splits is empty, never a
   * misleading prefix. */
  CHECK(sbc_decode_inquiry(inq, 20, &s) == SBC_STATUS_OK);
  CHECK(s.truncated && strcmp(s.vendor, "ACME") == 0 && s.product[0] == '\0');
  CHECK(s.revision[0] == '\0');
  CHECK(sbc_decode_inquiry(inq, 4, &s) == SBC_STATUS_TRUNCATED);
  CHECK(sbc_decode_inquiry(NULL, 36, &s) == SBC_STATUS_NULL_PARAMETER);
  /* NULL is NULL_PARAMETER whatever the length; an empty non-NULL buffer is TRUNCATED. */
  memset(&s, 0xEE, sizeof s);
  CHECK(sbc_decode_inquiry(NULL, 0, &s) == SBC_STATUS_NULL_PARAMETER);
  CHECK(sbc_decode_inquiry(inq, 0, &s) == SBC_STATUS_TRUNCATED);
  CHECK(s.version == 0xEE);

  /* READ CAPACITY(16) of tgtd's 64 MiB LUN: LBA 131071, 512-byte blocks, LBPPBE 3,
   * LBPME|LBPRZ, lowest aligned LBA 0 (SBC-4 table 120). */
  {
    static const uint8_t rc16[32] = {0, 0, 0, 0, 0, 0x01, 0xFF, 0xFF, 0, 0, 0x02, 0x00,
                                     0x00, 0x03, 0xC0, 0x00};
    CHECK(sbc_decode_read_capacity(16, rc16, sizeof rc16, &cap) == SBC_STATUS_OK);
    CHECK(cap.block_count == 131072 && cap.logical_block_length == 512);
    CHECK(cap.physical_block_length == 4096 && cap.lowest_aligned_lba == 0);
    CHECK(cap.lbpme && cap.lbprz && cap.protection_type == 0 && !cap.use_read_capacity_16);
    CHECK(!cap.truncated);
    /* Cut after the block length: decodes, marked truncated, the rest reads 0/false,
     * the physical block length included (LBPPBE is byte 13: not reported, not guessed). */
    CHECK(sbc_decode_read_capacity(16, rc16, 12, &cap) == SBC_STATUS_OK);
    CHECK(cap.truncated && cap.block_count == 131072 && !cap.lbpme);
    CHECK(cap.logical_block_length == 512 && cap.physical_block_length == 0);
    CHECK(cap.protection_type == 0 && cap.lowest_aligned_lba == 0);
    /* Cut after byte 12 (protection), still before LBPPBE. */
    CHECK(sbc_decode_read_capacity(16, rc16, 13, &cap) == SBC_STATUS_OK);
    CHECK(cap.truncated && cap.logical_block_length == 512 && cap.physical_block_length == 0);
    /* One byte more and LBPPBE 3 is there: 512 << 3. */
    CHECK(sbc_decode_read_capacity(16, rc16, 14, &cap) == SBC_STATUS_OK);
    CHECK(cap.truncated && cap.physical_block_length == 4096 && !cap.lbpme);
  }
  /* READ CAPACITY(16) protection (SBC-4 §5.21.2): PROT_EN 0 is 0 whatever P_TYPE says;
   * PROT_EN 1 gives P_TYPE + 1, the reserved P_TYPE values 011b..111b kept as 4..8. */
  {
    uint8_t rc16[32] = {0, 0, 0, 0, 0, 0, 0x0F, 0xFF, 0, 0, 0x02, 0x08};
    unsigned p_type;
    rc16[12] = 0x0E; /* P_TYPE 111b, PROT_EN 0 */
    CHECK(sbc_decode_read_capacity(16, rc16, sizeof rc16, &cap) == SBC_STATUS_OK);
    CHECK(cap.protection_type == 0);
    for (p_type = 0; p_type < 8; p_type++) {
      rc16[12] = (uint8_t)(p_type << 1 | 1);
      memset(&cap, 0xEE, sizeof cap);
      CHECK(sbc_decode_read_capacity(16, rc16, sizeof rc16, &cap) == SBC_STATUS_OK);
      CHECK(cap.protection_type == p_type + 1 && cap.protection_type <= 8);
      CHECK(!cap.truncated && cap.logical_block_length == 520);
    }
  }
  /* The physical block length must fit its uint32_t: 2^31 << 1 = 4 GiB exactly does not
   * (MALFORMED, output untouched); 2^31 << 0 and 0xFFFFFFFF << 0 do. */
  {
    uint8_t rc16[32] = {0, 0, 0, 0, 0, 0, 0, 0xFF, 0x80, 0, 0, 0, 0, 0x01};
    memset(&cap, 0x5A, sizeof cap);
    CHECK(sbc_decode_read_capacity(16, rc16, sizeof rc16, &cap) == SBC_STATUS_MALFORMED);
    CHECK(cap.block_count == 0x5A5A5A5A5A5A5A5Aull);
    rc16[13] = 0x00;
    CHECK(sbc_decode_read_capacity(16, rc16, sizeof rc16, &cap) == SBC_STATUS_OK);
    CHECK(cap.physical_block_length == 0x80000000u && cap.block_count == 256);
    rc16[8] = rc16[9] = rc16[10] = rc16[11] = 0xFF;
    CHECK(sbc_decode_read_capacity(16, rc16, sizeof rc16, &cap) == SBC_STATUS_OK);
    CHECK(cap.physical_block_length == 0xFFFFFFFFu);
    rc16[8] = 0x00; /* 0x00FFFFFF << 8 = 0xFFFFFF00: fits */
    rc16[13] = 0x08;
    CHECK(sbc_decode_read_capacity(16, rc16, sizeof rc16, &cap) == SBC_STATUS_OK);
    CHECK(cap.physical_block_length == 0xFFFFFF00u);
    rc16[11] = 0x00;
    rc16[10] = 0x00;
    rc16[9] = 0x01; /* 0x00010000 << 0xF (the largest LBPPBE) = 2^31: fits */
    rc16[13] = 0x0F;
    CHECK(sbc_decode_read_capacity(16, rc16, sizeof rc16, &cap) == SBC_STATUS_OK);
    CHECK(cap.physical_block_length == 0x80000000u);
    rc16[9] = 0x02; /* 0x00020000 << 0xF = 2^32: does not */
    CHECK(sbc_decode_read_capacity(16, rc16, sizeof rc16, &cap) == SBC_STATUS_MALFORMED);
  }
  /* READ CAPACITY(10) saying "too big for me". */
  {
    static const uint8_t rc10[8] = {0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0x02, 0x00};
    CHECK(sbc_decode_read_capacity(10, rc10, sizeof rc10, &cap) == SBC_STATUS_OK);
    CHECK(cap.use_read_capacity_16 && cap.logical_block_length == 512);
    CHECK(sbc_decode_read_capacity(10, rc10, 7, &cap) == SBC_STATUS_TRUNCATED);
    CHECK(sbc_decode_read_capacity(12, rc10, 8, &cap) == SBC_STATUS_INVALID_ARGUMENT);
    /* NULL data is NULL_PARAMETER whatever the length, before cdb_length is looked at. */
    memset(&cap, 0x5A, sizeof cap);
    CHECK(sbc_decode_read_capacity(10, NULL, 0, &cap) == SBC_STATUS_NULL_PARAMETER);
    CHECK(sbc_decode_read_capacity(16, NULL, 0, &cap) == SBC_STATUS_NULL_PARAMETER);
    CHECK(sbc_decode_read_capacity(12, NULL, 0, &cap) == SBC_STATUS_NULL_PARAMETER);
    CHECK(sbc_decode_read_capacity(16, NULL, 32, &cap) == SBC_STATUS_NULL_PARAMETER);
    CHECK(cap.block_count == 0x5A5A5A5A5A5A5A5Aull);
    CHECK(sbc_decode_read_capacity(16, rc10, 0, &cap) == SBC_STATUS_TRUNCATED);
  }
}

static void test_quirks(void) {
  uint32_t flag = 0, other = 0;
  CHECK(sbc_quirk_by_name("retry-hwerror", 13, &flag) == SBC_STATUS_OK && flag != 0);
  CHECK(sbc_quirk_by_name("RETRY_HWERROR", 13, &other) == SBC_STATUS_OK && other == flag);
  CHECK((flag & (flag - 1)) == 0); /* one flag, one bit */
  other = 77;
  CHECK(sbc_quirk_by_name("retry-hwerrorX", 14, &other) == SBC_STATUS_INVALID_ARGUMENT);
  CHECK(other == 77);
  CHECK(sbc_quirk_by_name("no-vpd", 3, &other) == SBC_STATUS_INVALID_ARGUMENT); /* "no-" */
  CHECK(sbc_quirk_by_name(NULL, 3, &other) == SBC_STATUS_NULL_PARAMETER);
  /* NULL is NULL_PARAMETER whatever the length; the empty name is an unknown name. */
  CHECK(sbc_quirk_by_name(NULL, 0, &other) == SBC_STATUS_NULL_PARAMETER);
  CHECK(sbc_quirk_by_name("", 0, &other) == SBC_STATUS_INVALID_ARGUMENT);
  CHECK(other == 77);
}

/* ---------------------------------------------------------------- attach */

_Static_assert(sizeof(sbc_attach_storage) == SBC_ATTACH_STORAGE_SIZE, "storage size");
_Static_assert(_Alignof(sbc_attach_storage) == SBC_ATTACH_STORAGE_ALIGN, "storage alignment");
_Static_assert(sizeof(sbc_attach_config) == 24, "sbc_attach_config");
_Static_assert(sizeof(sbc_poll) == 48, "sbc_poll");
_Static_assert(offsetof(sbc_poll, wait_until_ms) == 8, "wait_until_ms");
_Static_assert(offsetof(sbc_poll, command) == 16, "command");
_Static_assert(sizeof(struct sbc_attach_summary) == 32, "sbc_attach_summary");

/* A tiny scripted disk (SPC-5 / SBC-4 layouts by hand): standard INQUIRY 36 bytes
 * "ACME" "Tiny Disk" "0001"; any VPD page rejected with ILLEGAL REQUEST, INVALID FIELD IN CDB;
 * TEST UNIT READY good; READ CAPACITY(16) 131072 blocks of 512 bytes; MODE SENSE(10) with
 * the Caching mode page (WCE) and DPOFUA; anything else INVALID COMMAND OPERATION CODE. */
typedef struct disk_reply {
  uint32_t task_status;
  uint64_t realized;
  uint8_t sense[18];
  uint32_t sense_length;
} disk_reply;

static unsigned disk_commands;

static disk_reply tiny_disk(const sbc_command *cmd, uint8_t *data) {
  static const uint8_t inquiry[36] = {0, 0, 0x06, 0x02, 31, 0, 0, 0,
                                      'A', 'C', 'M', 'E', ' ', ' ', ' ', ' ',
                                      'T', 'i', 'n', 'y', ' ', 'D', 'i', 's',
                                      'k', ' ', ' ', ' ', ' ', ' ', ' ', ' ',
                                      '0', '0', '0', '1'};
  static const uint8_t rc16[32] = {0, 0, 0, 0, 0, 0x01, 0xFF, 0xFF, 0, 0, 0x02, 0x00};
  static const uint8_t mode10[28] = {0, 26, 0, 0x10, 0, 0, 0, 0, 0x08, 0x12, 0x04};
  disk_reply r;
  const uint8_t *reply = NULL;
  size_t n = 0;
  memset(&r, 0, sizeof r);
  disk_commands++;
  switch (cmd->cdb[0]) {
  case 0x12:
    if (cmd->cdb[1] & 1) {
      break; /* VPD: rejected below */
    }
    reply = inquiry, n = sizeof inquiry;
    break;
  case 0x00:
    return r;
  case 0x9E:
    reply = rc16, n = sizeof rc16;
    break;
  case 0x5A:
    reply = mode10, n = sizeof mode10;
    break;
  default:
    break;
  }
  if (reply == NULL) {
    r.task_status = SBC_TASK_STATUS_CHECK_CONDITION;
    r.sense[0] = 0x70;
    r.sense[2] = 0x05; /* ILLEGAL REQUEST */
    r.sense[7] = 10;
    r.sense[12] = cmd->cdb[0] == 0x12 ? 0x24 : 0x20;
    r.sense_length = 18;
    return r;
  }
  if (n > cmd->transfer_length) {
    n = (size_t)cmd->transfer_length;
  }
  memcpy(data, reply, n);
  r.realized = n;
  return r;
}

/* Sends `poll`'s command to the tiny disk and completes it, as the shim would. */
static sbc_status send_and_complete(sbc_attach *attach, const sbc_poll *poll, uint64_t now) {
  uint8_t data[4096];
  sbc_completion done;
  disk_reply r;
  memset(data, 0, sizeof data);
  if (poll->command.transfer_length > sizeof data) {
    return SBC_STATUS_INSUFFICIENT_SIZE;
  }
  r = tiny_disk(&poll->command, data);
  memset(&done, 0, sizeof done);
  done.service_response = SBC_SERVICE_RESPONSE_TASK_COMPLETE;
  done.task_status = r.task_status;
  done.realized_length = r.realized;
  done.sense = r.sense_length ? r.sense : NULL;
  done.sense_length = r.sense_length;
  return sbc_attach_complete(attach, &done, data, (size_t)poll->command.transfer_length, now);
}

/* Polls and completes until DONE; returns the clock then, or 0 when something failed. */
static uint64_t run_to_done(sbc_attach *attach, uint64_t now) {
  unsigned steps;
  for (steps = 0; steps < 64; steps++) {
    sbc_poll poll;
    memset(&poll, 0xEE, sizeof poll);
    if (sbc_attach_poll(attach, now, &poll) != SBC_STATUS_OK) {
      return 0;
    }
    switch (poll.kind) {
    case SBC_POLL_COMMAND:
      CHECK(!poll.exclusive && poll.sense_length == 18 && poll.reserved[0] == 0);
      CHECK(poll.command.timeout_ms == SBC_DEFAULT_TIMEOUT_MS);
      now += 1;
      if (send_and_complete(attach, &poll, now) != SBC_STATUS_OK) {
        return 0;
      }
      break;
    case SBC_POLL_WAIT:
      CHECK(poll.wait_until_ms > now);
      now = poll.wait_until_ms;
      break;
    case SBC_POLL_DONE:
      CHECK(poll.command.cdb_length == 0 && poll.wait_until_ms == 0);
      return now;
    default:
      return 0;
    }
  }
  return 0;
}

/* Records by level (index 1..5), and the info records by kind. */
static unsigned log_records[6], log_sends, log_completions, log_verdicts, log_warnings;
static int log_context_ok = 1;

/* Whether `message` (not NUL-terminated) starts with `prefix`. */
static int starts_with(const char *message, size_t length, const char *prefix) {
  size_t n = strlen(prefix);
  return length >= n && memcmp(message, prefix, n) == 0;
}

/* Whether `message` has "h): " (a completion: "attach: NAME (XXh): ACTION"). */
static int is_completion(const char *message, size_t length) {
  size_t i;
  for (i = 0; i + 4 <= length; i++) {
    if (memcmp(message + i, "h): ", 4) == 0) {
      return 1;
    }
  }
  return 0;
}

static void count_log(void *context, uint32_t level, const char *message, size_t length) {
  if (context != &log_records) {
    log_context_ok = 0;
  }
  if (level < 1 || level > 5 || length > 255 || message == NULL) {
    log_context_ok = 0;
    return;
  }
  log_records[level]++;
  if (level == 3 && starts_with(message, length, "attach: send ")) {
    log_sends++;
  } else if (level == 3 && starts_with(message, length, "attach: ") &&
             is_completion(message, length)) {
    log_completions++;
  } else if (level == 3 && starts_with(message, length, "attach: accept (")) {
    log_verdicts++;
  } else if (level == 2 && starts_with(message, length, "attach: warning: ")) {
    log_warnings++;
  }
}

static void test_attach_whole(void) {
  sbc_attach_storage storage;
  sbc_attach_config config;
  sbc_attach *attach = NULL;
  struct sbc_attach_summary summary;
  bool accept = false;
  uint32_t reason = 77;
  char text[64];
  uint64_t end;

  memset(&config, 0, sizeof config);
  memset(&storage, 0xA5, sizeof storage); /* any previous contents */
  disk_commands = 0;
  memset(log_records, 0, sizeof log_records);
  log_sends = log_completions = log_verdicts = log_warnings = 0;
  CHECK(sbc_set_log_callback(count_log, &log_records) == SBC_STATUS_OK);
  CHECK(sbc_attach_begin(&config, 5000, &storage, sizeof storage, &attach) == SBC_STATUS_OK);
  CHECK(attach == (sbc_attach *)(void *)&storage);
  end = run_to_done(attach, 5000);
  CHECK(sbc_set_log_callback(NULL, NULL) == SBC_STATUS_OK);
  CHECK(end != 0);

  memset(text, 0x5A, sizeof text);
  CHECK(sbc_attach_verdict(attach, &accept, &reason, text, sizeof text) == SBC_STATUS_OK);
  CHECK(accept && reason == SBC_REFUSE_NONE && strcmp(text, "accept") == 0);
  memset(&summary, 0xEE, sizeof summary);
  CHECK(sbc_attach_summary(attach, &summary) == SBC_STATUS_OK);
  CHECK(summary.block_count == 131072 && summary.logical_block_length == 512);
  CHECK(summary.physical_block_length == 512 && summary.protection_type == 0);
  CHECK(summary.medium_present && !summary.removable && !summary.write_protected);
  CHECK(summary.commands_sent == disk_commands && disk_commands >= 5);
  CHECK(summary.reserved[0] == 0 && summary.reserved[5] == 0);

  /* The core's records reached the callback: at info (3) every command sent, each
   * completion with the policy's action, and the verdict; at warning (2) the one warning
   * (the tiny disk rejects VPD); at debug (4) that no quirk is in effect; nothing else. */
  CHECK(log_context_ok);
  CHECK(log_sends == disk_commands);
  CHECK(log_completions == disk_commands);
  CHECK(log_verdicts == 1);
  CHECK(log_records[3] == 2 * disk_commands + 1);
  CHECK(log_warnings == 1 && log_records[2] == 1);
  CHECK(log_records[4] == 1);
  CHECK(log_records[1] == 0 && log_records[5] == 0);
}

/* A property sink that checks the tree's shape as it comes: begins and ends pair up, keys
 * are NULL exactly for the root and array elements, and a few values are what the tiny disk
 * says. It can fail on purpose at call number `fail_at` (0: never). */
typedef struct tree_check {
  int depth;           /* open containers */
  char kind[16];       /* 'd' or 'a' per open container */
  unsigned begins, ends, values, calls, fail_at;
  int shape_ok;        /* every key rule held, depth never negative or past 16 */
  int result_accept;   /* "result" = "accept" at the top */
  uint64_t block_count;
} tree_check;

static int key_ok(const tree_check *t, const char *key, size_t length) {
  if (t->depth == 0 || t->kind[t->depth - 1] == 'a') {
    return key == NULL && length == 0;
  }
  return key != NULL && length > 0;
}

static int key_is(const char *key, size_t length, const char *want) {
  return key != NULL && length == strlen(want) && memcmp(key, want, length) == 0;
}

static sbc_status tree_call(tree_check *t) {
  t->calls++;
  return t->fail_at != 0 && t->calls == t->fail_at ? SBC_STATUS_INVALID_ARGUMENT
                                                     : SBC_STATUS_OK;
}

static sbc_status tree_begin(tree_check *t, const char *key, size_t length, char kind) {
  if (tree_call(t) != SBC_STATUS_OK) return SBC_STATUS_INVALID_ARGUMENT;
  if (!key_ok(t, key, length) || t->depth >= 16) t->shape_ok = 0;
  if (t->depth < 16) t->kind[t->depth] = kind;
  t->depth++;
  t->begins++;
  return SBC_STATUS_OK;
}

static sbc_status tree_end(tree_check *t, char kind) {
  if (tree_call(t) != SBC_STATUS_OK) return SBC_STATUS_INVALID_ARGUMENT;
  if (t->depth <= 0 || (t->depth <= 16 && t->kind[t->depth - 1] != kind)) t->shape_ok = 0;
  t->depth--;
  t->ends++;
  return SBC_STATUS_OK;
}

static sbc_status tree_value(tree_check *t, const char *key, size_t length) {
  if (tree_call(t) != SBC_STATUS_OK) return SBC_STATUS_INVALID_ARGUMENT;
  if (!key_ok(t, key, length) || t->depth == 0) t->shape_ok = 0;
  t->values++;
  return SBC_STATUS_OK;
}

static sbc_status sink_begin_dictionary(void *c, const char *key, size_t length) {
  return tree_begin(c, key, length, 'd');
}
static sbc_status sink_end_dictionary(void *c) { return tree_end(c, 'd'); }
static sbc_status sink_begin_array(void *c, const char *key, size_t length) {
  return tree_begin(c, key, length, 'a');
}
static sbc_status sink_end_array(void *c) { return tree_end(c, 'a'); }
static sbc_status sink_string(void *c, const char *key, size_t length, const char *value,
                              size_t value_length) {
  tree_check *t = c;
  if (t->depth == 1 && key_is(key, length, "result") && value_length == 6 &&
      memcmp(value, "accept", 6) == 0) {
    t->result_accept = 1;
  }
  return tree_value(t, key, length);
}
static sbc_status sink_number(void *c, const char *key, size_t length, uint64_t value) {
  tree_check *t = c;
  if (key_is(key, length, "block_count")) t->block_count = value;
  return tree_value(t, key, length);
}
static sbc_status sink_boolean(void *c, const char *key, size_t length, bool value) {
  (void)value;
  return tree_value(c, key, length);
}
static sbc_status sink_data(void *c, const char *key, size_t length, const uint8_t *value,
                            size_t value_length) {
  if (value == NULL && value_length != 0) ((tree_check *)c)->shape_ok = 0;
  return tree_value(c, key, length);
}

static sbc_property_sink tree_sink(tree_check *t, unsigned fail_at) {
  sbc_property_sink sink;
  memset(t, 0, sizeof *t);
  t->shape_ok = 1;
  t->fail_at = fail_at;
  sink.context = t;
  sink.begin_dictionary = sink_begin_dictionary;
  sink.end_dictionary = sink_end_dictionary;
  sink.begin_array = sink_begin_array;
  sink.end_array = sink_end_array;
  sink.string = sink_string;
  sink.number = sink_number;
  sink.boolean = sink_boolean;
  sink.data = sink_data;
  return sink;
}

static void test_attach_report(void) {
  sbc_attach_storage storage;
  sbc_attach_config config;
  sbc_attach *attach = NULL;
  sbc_property_sink sink, broken;
  tree_check t;

  memset(&config, 0, sizeof config);
  CHECK(sbc_attach_begin(&config, 0, &storage, sizeof storage, &attach) == SBC_STATUS_OK);
  sink = tree_sink(&t, 0);
  CHECK(sbc_attach_report(attach, &sink) == SBC_STATUS_BAD_STATE); /* before DONE */
  CHECK(t.calls == 0);
  CHECK(run_to_done(attach, 0) != 0);

  sink = tree_sink(&t, 0);
  CHECK(sbc_attach_report(attach, &sink) == SBC_STATUS_OK);
  CHECK(t.shape_ok && t.depth == 0 && t.begins == t.ends && t.begins >= 3);
  CHECK(t.values > 10 && t.result_accept && t.block_count == 131072);

  /* A callback's failure stops the walk and is returned. */
  sink = tree_sink(&t, 5);
  CHECK(sbc_attach_report(attach, &sink) == SBC_STATUS_INVALID_ARGUMENT);
  CHECK(t.calls == 5);

  /* NULLs: the sink, the attach, any callback; no callback runs. */
  sink = tree_sink(&t, 0);
  CHECK(sbc_attach_report(attach, NULL) == SBC_STATUS_NULL_PARAMETER);
  CHECK(sbc_attach_report(NULL, &sink) == SBC_STATUS_NULL_PARAMETER);
  broken = sink;
  broken.data = NULL;
  CHECK(sbc_attach_report(attach, &broken) == SBC_STATUS_NULL_PARAMETER);
  broken = sink;
  broken.end_dictionary = NULL;
  CHECK(sbc_attach_report(attach, &broken) == SBC_STATUS_NULL_PARAMETER);
  CHECK(t.calls == 0);
}

static void test_attach_misuse(void) {
  static sbc_attach_storage storage[2];
  sbc_attach_storage never;
  sbc_attach_config config, bad;
  sbc_attach *attach = NULL, *keep;
  sbc_poll poll, first;
  sbc_completion done;
  struct sbc_attach_summary summary;
  bool accept = false;
  uint32_t reason = 77, quirk = 0;
  char text[8];
  uint8_t data[36];
  uint64_t magic, end;

  memset(&config, 0, sizeof config);
  memset(&never, 0, sizeof never);
  memset(data, 0, sizeof data);

  /* begin: NULLs, short and misaligned storage, reserved bytes, unknown quirk bits. */
  keep = (sbc_attach *)(void *)&never;
  attach = keep;
  CHECK(sbc_attach_begin(NULL, 0, &storage[0], sizeof storage[0], &attach) ==
        SBC_STATUS_NULL_PARAMETER);
  CHECK(sbc_attach_begin(&config, 0, NULL, sizeof storage[0], &attach) ==
        SBC_STATUS_NULL_PARAMETER);
  CHECK(sbc_attach_begin(&config, 0, &storage[0], sizeof storage[0], NULL) ==
        SBC_STATUS_NULL_PARAMETER);
  CHECK(sbc_attach_begin(&config, 0, &storage[0], SBC_ATTACH_STORAGE_SIZE - 1, &attach) ==
        SBC_STATUS_INSUFFICIENT_SIZE);
  CHECK(sbc_attach_begin(&config, 0, (char *)&storage[0] + 4, SBC_ATTACH_STORAGE_SIZE,
                         &attach) == SBC_STATUS_INVALID_ARGUMENT);
  bad = config;
  bad.reserved[0] = 1;
  CHECK(sbc_attach_begin(&bad, 0, &storage[0], sizeof storage[0], &attach) ==
        SBC_STATUS_INVALID_ARGUMENT);
  /* A USB ID needs usb. */
  bad = config;
  bad.usb = false;
  bad.usb_vendor_id = 0x174c;
  bad.usb_product_id = 0x2362;
  CHECK(sbc_attach_begin(&bad, 0, &storage[0], sizeof storage[0], &attach) ==
        SBC_STATUS_INVALID_ARGUMENT);
  bad = config;
  bad.quirks_on = 0x80000000u;
  CHECK(sbc_attach_begin(&bad, 0, &storage[0], sizeof storage[0], &attach) ==
        SBC_STATUS_INVALID_ARGUMENT);
  bad = config;
  bad.quirks_off = 0xFFFFFFFFu;
  CHECK(sbc_attach_begin(&bad, 0, &storage[0], sizeof storage[0], &attach) ==
        SBC_STATUS_INVALID_ARGUMENT);
  CHECK(attach == keep);
  /* Known quirk bits are fine. */
  CHECK(sbc_quirk_by_name("no-vpd", 6, &quirk) == SBC_STATUS_OK);
  config.quirks_off = quirk;
  CHECK(sbc_attach_begin(&config, 0, &storage[0], sizeof storage[0], &attach) == SBC_STATUS_OK);

  /* Storage never begun. */
  CHECK(sbc_attach_poll((sbc_attach *)(void *)&never, 0, &poll) == SBC_STATUS_BAD_STATE);

  /* Nothing outstanding; nothing to read before DONE; NULLs. */
  memset(&done, 0, sizeof done);
  done.service_response = SBC_SERVICE_RESPONSE_TASK_COMPLETE;
  CHECK(sbc_attach_complete(attach, &done, NULL, 0, 0) == SBC_STATUS_BAD_STATE);
  CHECK(sbc_attach_verdict(attach, &accept, &reason, text, sizeof text) ==
        SBC_STATUS_BAD_STATE);
  CHECK(sbc_attach_summary(attach, &summary) == SBC_STATUS_BAD_STATE);
  CHECK(sbc_attach_poll(NULL, 0, &poll) == SBC_STATUS_NULL_PARAMETER);
  CHECK(sbc_attach_poll(attach, 0, NULL) == SBC_STATUS_NULL_PARAMETER);
  CHECK(sbc_attach_complete(NULL, &done, NULL, 0, 0) == SBC_STATUS_NULL_PARAMETER);
  CHECK(sbc_attach_complete(attach, NULL, NULL, 0, 0) == SBC_STATUS_NULL_PARAMETER);
  CHECK(sbc_attach_verdict(attach, NULL, &reason, NULL, 0) == SBC_STATUS_NULL_PARAMETER);
  CHECK(sbc_attach_summary(attach, NULL) == SBC_STATUS_NULL_PARAMETER);

  /* The first INQUIRY, outstanding: polling again gives it again. */
  CHECK(sbc_attach_poll(attach, 0, &first) == SBC_STATUS_OK);
  CHECK(first.kind == SBC_POLL_COMMAND && first.command.cdb[0] == 0x12);
  CHECK(first.command.transfer_length == 36 && first.command.direction == SBC_DIRECTION_IN);
  CHECK(sbc_attach_poll(attach, 0, &poll) == SBC_STATUS_OK);
  CHECK(memcmp(&poll, &first, sizeof poll) == 0);

  /* Completions refused, each leaving the command outstanding. */
  done.realized_length = 36;
  CHECK(sbc_attach_complete(attach, &done, data, 35, 1) == SBC_STATUS_INVALID_ARGUMENT);
  CHECK(sbc_attach_complete(attach, &done, NULL, 36, 1) == SBC_STATUS_NULL_PARAMETER);
  done.sense = data;
  done.sense_length = SBC_SENSE_MAX_LENGTH + 1;
  CHECK(sbc_attach_complete(attach, &done, data, 36, 1) == SBC_STATUS_INVALID_ARGUMENT);
  done.sense = NULL;
  done.sense_length = 4;
  CHECK(sbc_attach_complete(attach, &done, data, 36, 1) == SBC_STATUS_INVALID_ARGUMENT);
  done.sense_length = 0;
  done.reserved = 1;
  CHECK(sbc_attach_complete(attach, &done, data, 36, 1) == SBC_STATUS_INVALID_ARGUMENT);
  done.reserved = 0;
  CHECK(sbc_attach_poll(attach, 1, &poll) == SBC_STATUS_OK);
  CHECK(memcmp(&poll, &first, sizeof poll) == 0);

  /* Overwritten storage: BAD_STATE everywhere; usable again once restored. */
  magic = storage[0].opaque[0];
  storage[0].opaque[0] = ~magic;
  CHECK(sbc_attach_poll(attach, 1, &poll) == SBC_STATUS_BAD_STATE);
  CHECK(send_and_complete(attach, &first, 1) == SBC_STATUS_BAD_STATE);
  CHECK(sbc_attach_verdict(attach, &accept, &reason, text, sizeof text) ==
        SBC_STATUS_BAD_STATE);
  CHECK(sbc_attach_summary(attach, &summary) == SBC_STATUS_BAD_STATE);
  storage[0].opaque[0] = magic;
  /* A pointer into the storage that is not its start. */
  CHECK(sbc_attach_poll((sbc_attach *)(void *)&storage[0].opaque[SBC_ATTACH_STORAGE_SIZE / 8 - 1],
                        1, &poll) == SBC_STATUS_BAD_STATE);

  /* Now the real answer, then the rest of the attach. */
  CHECK(send_and_complete(attach, &first, 1) == SBC_STATUS_OK);
  CHECK(send_and_complete(attach, &first, 1) == SBC_STATUS_BAD_STATE); /* twice */
  end = run_to_done(attach, 1);
  CHECK(end != 0);
  CHECK(sbc_attach_poll(attach, end, &poll) == SBC_STATUS_BAD_STATE); /* after DONE */
  CHECK(send_and_complete(attach, &first, end) == SBC_STATUS_BAD_STATE);

  /* The verdict's text is cut to the capacity, NUL-terminated; NULL text with 0 is fine. */
  CHECK(sbc_attach_verdict(attach, &accept, &reason, NULL, 0) == SBC_STATUS_OK);
  CHECK(accept && reason == SBC_REFUSE_NONE);
  CHECK(sbc_attach_verdict(attach, &accept, &reason, NULL, 4) == SBC_STATUS_NULL_PARAMETER);
  memset(text, 0x5A, sizeof text);
  CHECK(sbc_attach_verdict(attach, &accept, &reason, text, 4) == SBC_STATUS_OK);
  CHECK(strcmp(text, "acc") == 0 && text[4] == 0x5A);
  CHECK(sbc_attach_summary(attach, &summary) == SBC_STATUS_OK);
  CHECK(summary.block_count == 131072);

  /* The time budget ends an attach with a command outstanding; its completion is late. */
  config.quirks_off = 0;
  config.time_budget_ms = 100;
  CHECK(sbc_attach_begin(&config, 0, &storage[1], sizeof storage[1], &attach) == SBC_STATUS_OK);
  CHECK(sbc_attach_poll(attach, 0, &first) == SBC_STATUS_OK && first.kind == SBC_POLL_COMMAND);
  CHECK(sbc_attach_poll(attach, 100, &poll) == SBC_STATUS_OK && poll.kind == SBC_POLL_DONE);
  CHECK(send_and_complete(attach, &first, 100) == SBC_STATUS_BAD_STATE);
  memset(text, 0, sizeof text);
  CHECK(sbc_attach_verdict(attach, &accept, &reason, text, sizeof text) == SBC_STATUS_OK);
  CHECK(!accept && reason == SBC_REFUSE_TIME_BUDGET_EXHAUSTED);
  CHECK(strcmp(text, "refuse:") == 0);
}

int sbc_abi_c_test(void);
int sbc_abi_c_test(void) {
  failures = 0;
  test_version();
  test_builders();
  test_completion();
  test_decoders();
  test_quirks();
  test_attach_whole();
  test_attach_misuse();
  test_attach_report();
  return failures;
}
