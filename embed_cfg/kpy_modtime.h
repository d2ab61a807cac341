/* Included into extmod/modtime.c: time.time() comes from kpython's HAL
 * (kernel_mod/kpy_hal.c, wall-clock seconds). */
mp_obj_t mp_time_time_get(void);
