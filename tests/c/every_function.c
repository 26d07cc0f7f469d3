/*
 * every_function.c: a program that references every function of sbc_core.h, so the linker
 * keeps exactly the Rust code a dext that uses the whole ABI carries. scripts/check-staticlib.sh
 * links it with --gc-sections, once with the references (-DSBC_EVERY_FUNCTION) and once
 * without, and reports the difference in `size` as the core's linked size.
 */
#include "sbc_core.h"

#ifdef SBC_EVERY_FUNCTION
typedef void (*any_function)(void);
#define F(name) (any_function) name
any_function volatile every_function[] = {
  F(sbc_core_abi_version),        F(sbc_core_version_string),  F(sbc_status_name),
  F(sbc_completion_usable_length), F(sbc_build_test_unit_ready), F(sbc_build_inquiry),
  F(sbc_build_read_capacity_10),  F(sbc_build_read_capacity_16), F(sbc_build_request_sense),
  F(sbc_decode_inquiry),          F(sbc_decode_read_capacity), F(sbc_quirk_by_name),
  F(sbc_quirk_name),              F(sbc_attach_begin),         F(sbc_attach_poll),
  F(sbc_attach_complete),         F(sbc_attach_verdict),       F(sbc_attach_summary),
  F(sbc_attach_report),           F(sbc_set_log_callback),
};
#endif

int main(void) {
#ifdef SBC_EVERY_FUNCTION
  return every_function[0] == 0;
#else
  return 0;
#endif
}
