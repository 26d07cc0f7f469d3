/*
 * freestanding_start.c: a program with no libc, no crt and no Rust std that links
 * libsbc_core_static.a and calls through sbc_core.h. scripts/check-staticlib.sh builds it
 * with `gcc -nostdlib -static -ffreestanding`: if the archive needed anything beyond the
 * five memory functions defined below, the link would fail.
 *
 * Exit status 0 means every call returned what the header promises.
 */
#include "sbc_core.h"

/* The only symbols the archive may need from its host. Deliberately simple. */
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
int bcmp(const void *a, const void *b, size_t n);

void *memcpy(void *dst, const void *src, size_t n) {
  unsigned char *d = dst;
  const unsigned char *s = src;
  while (n--) *d++ = *s++;
  return dst;
}
void *memmove(void *dst, const void *src, size_t n) {
  unsigned char *d = dst;
  const unsigned char *s = src;
  if (d < s) {
    while (n--) *d++ = *s++;
  } else {
    while (n--) d[n] = s[n];
  }
  return dst;
}
void *memset(void *dst, int c, size_t n) {
  unsigned char *d = dst;
  while (n--) *d++ = (unsigned char)c;
  return dst;
}
int memcmp(const void *a, const void *b, size_t n) {
  const unsigned char *x = a, *y = b;
  for (; n; n--, x++, y++)
    if (*x != *y) return *x < *y ? -1 : 1;
  return 0;
}
int bcmp(const void *a, const void *b, size_t n) { return memcmp(a, b, n); }

static int run(void) {
  sbc_command cmd;
  sbc_inquiry_summary inq;
  static const unsigned char data[36] = {0x00, 0x00, 0x07, 0x02, 31, 0, 0, 0,
                                         'L', 'i', 'n', 'u', 'x', ' ', ' ', ' ',
                                         's', 'c', 's', 'i', '_', 'd', 'e', 'b',
                                         'u', 'g', ' ', ' ', ' ', ' ', ' ', ' ',
                                         '0', '1', '9', '1'};
  if (sbc_core_abi_version() != SBC_CORE_ABI_VERSION) return 1;
  if (sbc_build_inquiry(true, 0x00, 255, &cmd) != SBC_STATUS_OK) return 2;
  if (cmd.cdb[0] != 0x12 || cmd.cdb[1] != 0x01 || cmd.cdb[4] != 255 || cmd.cdb_length != 6)
    return 3;
  if (sbc_decode_inquiry(data, sizeof data, &inq) != SBC_STATUS_OK) return 4;
  if (inq.version != 7 || inq.vendor[0] != 'L' || inq.vendor[5] != '\0') return 5;
  if (sbc_decode_inquiry(data, 3, &inq) != SBC_STATUS_TRUNCATED) return 6;
  /* The attach engine in caller storage: begin, the first INQUIRY, its completion. */
  {
    static sbc_attach_storage storage;
    sbc_attach_config config = {0};
    sbc_attach *attach = 0;
    sbc_poll poll;
    sbc_completion done = {SBC_SERVICE_RESPONSE_TASK_COMPLETE, SBC_TASK_STATUS_GOOD, 36, 0, 0, 0};
    if (sbc_attach_begin(&config, 0, &storage, sizeof storage, &attach) != SBC_STATUS_OK)
      return 7;
    if (sbc_attach_poll(attach, 0, &poll) != SBC_STATUS_OK || poll.kind != SBC_POLL_COMMAND ||
        poll.command.cdb[0] != 0x12 || poll.command.transfer_length != 36)
      return 8;
    if (sbc_attach_complete(attach, &done, data, sizeof data, 1) != SBC_STATUS_OK) return 9;
    if (sbc_attach_complete(attach, &done, data, sizeof data, 1) != SBC_STATUS_BAD_STATE)
      return 10;
  }
  return 0;
}

/* The kernel enters _start with the stack 16-byte aligned, not as after a call (16n + 8), so
 * the compiler is told to realign it: the core's code may keep SSE values on the stack. */
#if defined(__x86_64__)
#define START_ALIGN __attribute__((force_align_arg_pointer))
#else
#define START_ALIGN
#endif
__attribute__((noreturn)) void _start(void);
START_ALIGN __attribute__((noreturn)) void _start(void) {
  long code = run();
#if defined(__x86_64__)
  __asm__ volatile("syscall" : : "a"(60), "D"(code) : "rcx", "r11", "memory");
#elif defined(__aarch64__)
  register long x0 __asm__("x0") = code;
  register long x8 __asm__("x8") = 93;
  __asm__ volatile("svc 0" : : "r"(x0), "r"(x8) : "memory");
#endif
  for (;;) {
  }
}
