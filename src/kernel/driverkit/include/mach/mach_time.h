/* DriverKit facsimile of <mach/mach_time.h>: the monotonic clock, which the kernel model
 * drives (virtual time against a simulated disk, real time against a real one). */
#ifndef MACH_TIME_FACSIMILE_H
#define MACH_TIME_FACSIMILE_H

#include <stdint.h>

typedef struct mach_timebase_info {
    uint32_t numer;
    uint32_t denom;
} mach_timebase_info_data_t;

uint64_t mach_absolute_time(void);
int mach_timebase_info(mach_timebase_info_data_t *info);

#endif /* MACH_TIME_FACSIMILE_H */
