/* Placeholder until the shim lands: lets the build verify the toolchain and pkg-config setup. */
#include <ngtcp2/ngtcp2.h>

int hq_ngtcp2_version_number(void) { return ngtcp2_version(0)->version_num; }
