/*
 * abi_test.c: calls every function of core/include/sbc_core.h through the header, as the
 * C++ shim will, and checks the results against the SPC/SBC layouts by hand.
 *
 * Built by build.rs with the cc crate (-std=c11 -Wall -Wextra -Werror -pedantic) and run
 * from tests/abi_c.rs. Returns the number of failed checks; each failure prints one line.
 */
#include "sbc_core.h"

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

int sbc_abi_c_test(void);
int sbc_abi_c_test(void) {
  failures = 0;
  test_version();
  test_builders();
  test_completion();
  test_decoders();
  test_quirks();
  return failures;
}
