/* SPDX-License-Identifier: MIT */
/*
 * libc shim: the C99 <math.h> that MicroPython's floats, math and cmath
 * need. Classification and constants are the compiler's builtins; the
 * functions are MicroPython's own double-precision libm (lib/libm_dbl),
 * compiled into the module. Only FPU-enabled objects include this.
 */
#ifndef KPY_SHIM_MATH_H
#define KPY_SHIM_MATH_H

/* FLT_EVAL_METHOD is 0 with SSE2: no wider evaluation types. */
typedef float float_t;
typedef double double_t;

#define NAN		__builtin_nanf("")
#define INFINITY	__builtin_inff()
#define HUGE_VAL	__builtin_huge_val()
#define HUGE_VALF	__builtin_huge_valf()

#define FP_NAN		0
#define FP_INFINITE	1
#define FP_ZERO		2
#define FP_SUBNORMAL	3
#define FP_NORMAL	4
#define fpclassify(x) \
	__builtin_fpclassify(FP_NAN, FP_INFINITE, FP_NORMAL, FP_SUBNORMAL, \
			     FP_ZERO, x)
#define isnan(x)	__builtin_isnan(x)
#define isinf(x)	__builtin_isinf(x)
#define isfinite(x)	__builtin_isfinite(x)
#define signbit(x)	__builtin_signbit(x)

/* No libm function sets errno here (math_errhandling is 0). */
#define fabs(x)		__builtin_fabs(x)
#define nan(s)		__builtin_nan(s)
/*
 * lib/libm_dbl defines copysign() only without NDEBUG and otherwise counts
 * on the compiler's builtin, which -ffreestanding (arm64's CC_FLAGS_FPU on
 * 6.12, for <arm_neon.h>) turns into a call: name the builtin.
 */
#define copysign(x, y)	__builtin_copysign(x, y)

double acos(double x);
double acosh(double x);
double asin(double x);
double asinh(double x);
double atan(double x);
double atan2(double y, double x);
double atanh(double x);
double ceil(double x);
double cos(double x);
double cosh(double x);
double erf(double x);
double erfc(double x);
double exp(double x);
double expm1(double x);
double floor(double x);
double fmod(double x, double y);
double frexp(double x, int *e);
double ldexp(double x, int e);
double lgamma(double x);
double log(double x);
double log10(double x);
double log2(double x);
double log1p(double x);
double modf(double x, double *ip);
double nearbyint(double x);
double pow(double x, double y);
double rint(double x);
double round(double x);
double scalbn(double x, int n);
double sin(double x);
double sinh(double x);
double sqrt(double x);
double tan(double x);
double tanh(double x);
double tgamma(double x);
double trunc(double x);

#endif
