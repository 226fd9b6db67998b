#ifndef VMATCH_CFFTW_SHIM_H
#define VMATCH_CFFTW_SHIM_H
#include <fftw3.h>
#endif
