// header_cxx.cpp: the C++ shim's view of sbc_core.h. Compiled by tests/abi_c.rs with
// g++ -std=c++17 -Wall -Wextra -Werror -pedantic; the static_asserts pin the layout the
// shim relies on (the same numbers src/abi.rs proves for the Rust side).
#include "sbc_core.h"

#include <cstddef>

static_assert(sizeof(sbc_command) == 32, "sbc_command");
static_assert(offsetof(sbc_command, cdb_length) == 16, "cdb_length");
static_assert(offsetof(sbc_command, timeout_ms) == 20, "timeout_ms");
static_assert(offsetof(sbc_command, transfer_length) == 24, "transfer_length");
static_assert(sizeof(sbc_completion) == 8 + 8 + sizeof(void *) + 8, "sbc_completion");
static_assert(sizeof(sbc_inquiry_summary) == 44, "sbc_inquiry_summary");
static_assert(sizeof(sbc_capacity) == 24, "sbc_capacity");
static_assert(sizeof(sbc_status) == 4, "sbc_status");
static_assert(SBC_STATUS_OK == 9000, "status range");
static_assert(sizeof(sbc_attach_storage) == SBC_ATTACH_STORAGE_SIZE, "attach storage size");
static_assert(alignof(sbc_attach_storage) == SBC_ATTACH_STORAGE_ALIGN, "attach storage alignment");
static_assert(sizeof(sbc_attach_config) == 24, "sbc_attach_config");
static_assert(sizeof(sbc_poll) == 48, "sbc_poll");
static_assert(offsetof(sbc_poll, command) == 16, "sbc_poll.command");
static_assert(sizeof(struct sbc_attach_summary) == 32, "sbc_attach_summary");

int main() {
  sbc_command cmd{};
  sbc_attach_storage storage{};
  sbc_attach_config config{};
  sbc_attach *attach = nullptr;
  sbc_poll poll{};
  struct sbc_attach_summary summary {};
  if (sbc_attach_begin(&config, 0, &storage, sizeof storage, &attach) != SBC_STATUS_OK ||
      sbc_attach_poll(attach, 0, &poll) != SBC_STATUS_OK || poll.kind != SBC_POLL_COMMAND ||
      sbc_attach_summary(attach, &summary) != SBC_STATUS_BAD_STATE) {
    return 2;
  }
  return sbc_build_test_unit_ready(&cmd) == SBC_STATUS_OK && cmd.cdb_length == 6 ? 0 : 1;
}
