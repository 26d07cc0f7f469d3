/* DriverKit facsimile of <os/log.h>: os_log with the unified log's {public}/{private}
 * annotations, delivered to the kernel model's log stream. */
#ifndef OS_LOG_FACSIMILE_H
#define OS_LOG_FACSIMILE_H

typedef struct dk_os_log_s *os_log_t;
#define OS_LOG_DEFAULT ((os_log_t) 0)

/* Not format-checked: the {public} annotations are not printf syntax. */
void dk_os_log(os_log_t log, const char *format, ...);
#define os_log(log, format, ...) dk_os_log((log), (format), ##__VA_ARGS__)

#endif /* OS_LOG_FACSIMILE_H */
