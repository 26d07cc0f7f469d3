/* DriverKit facsimile: see DriverKit.h. */
#include <DriverKit/DriverKit.h>
