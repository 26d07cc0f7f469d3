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

int main() {
  sbc_command cmd{};
  return sbc_build_test_unit_ready(&cmd) == SBC_STATUS_OK && cmd.cdb_length == 6 ? 0 : 1;
}
