//
// SbcReport.h: the report tree builder of SbcReport.cpp, for SbcDext.cpp.
//
#ifndef SbcReport_h
#define SbcReport_h

#include <DriverKit/OSCollections.h>

#include "sbc_core.h"

// The finished attach's report as a new OSDictionary (the caller releases it).
kern_return_t SbcCopyReportTree(const sbc_attach *attach, OSDictionary **tree_out);

#endif /* SbcReport_h */
