/*
 * Stand-in for the `kernel` module (kernel_mod/kmod_*.c). The bundle
 * registers it, but its bindings call the kernel side (kern_*.c), which
 * has no user-space twin: here `import kernel` finds a module with only
 * its name, so scripts that import it still run.
 */
#include "py/obj.h"
#include "py/runtime.h"

static const mp_rom_map_elem_t twin_kernel_globals_table[] = {
	{ MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_kernel) },
};
static MP_DEFINE_CONST_DICT(twin_kernel_globals, twin_kernel_globals_table);

const mp_obj_module_t kmod_kernel_module = {
	.base = { &mp_type_module },
	.globals = (mp_obj_dict_t *)&twin_kernel_globals,
};
