// CJSONScan is header-only (its scan is `static inline`, for Swift to inline); SwiftPM wants a
// source file in a C target.
#include "CJSONScan.h"
