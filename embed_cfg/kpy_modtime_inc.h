/*
 * Included into extmod/modtime.c (MICROPY_PY_TIME_INCLUDEFILE), so it is
 * interpreter code: compiled with FPU flags, run inside FPU sections.
 * kernel_mod/ glue includes only kpy_modtime.h.
 */
#include "kpy_modtime.h"

/*
 * time.sleep(seconds): a negative or NaN length raises ValueError, as in
 * CPython (upstream converts it to an unsigned count of milliseconds,
 * which is undefined); a huge one is capped at 2**32 - 1 ms, which the
 * time limit interrupts anyway (mp_hal_delay_ms() in kpy_hal.c).
 */
#define MICROPY_PY_TIME_CUSTOM_SLEEP (1)
static void mp_time_sleep(mp_obj_t seconds_o)
{
	mp_float_t s = mp_obj_get_float(seconds_o);

	if (!(s >= 0))
		mp_raise_ValueError(MP_ERROR_TEXT("sleep length must be non-negative"));
	if (s > (mp_float_t)4294967.295)
		s = (mp_float_t)4294967.295;
	mp_hal_delay_ms((mp_uint_t)(s * 1000));
}
