/* SPDX-License-Identifier: MIT */
/* libc shim: <float.h> from the compiler's predefined macros. */
#ifndef KPY_SHIM_FLOAT_H
#define KPY_SHIM_FLOAT_H

#define FLT_EVAL_METHOD	__FLT_EVAL_METHOD__
#define DBL_EPSILON	__DBL_EPSILON__
#define DBL_MAX		__DBL_MAX__
#define DBL_MIN		__DBL_MIN__
#define DBL_MANT_DIG	__DBL_MANT_DIG__
#define DBL_DIG		__DBL_DIG__
#define FLT_EPSILON	__FLT_EPSILON__
#define FLT_MAX		__FLT_MAX__
#define FLT_MIN		__FLT_MIN__

#endif
