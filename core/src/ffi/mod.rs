//! The C ABI (`include/sbc_core.h`). Placeholder: being written.
