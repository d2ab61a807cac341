// SPDX-License-Identifier: MIT
/*
 * The `kernel` Python module: its table, the facts about the running
 * kernel, meminfo() and printk(). The kernel side is in kern_*.c (kern.h
 * says why the two are apart).
 */
#include <string.h>

#include "py/runtime.h"
#include "kern.h"
#include "kmod.h"

/* The host preprocessor that scans this file for qstrs has no kernel
 * configuration; the kernel build always defines CONFIG_HZ (== HZ). */
#ifndef CONFIG_HZ
#define CONFIG_HZ 0
#endif

mp_obj_t kmod_new_name(const char *s, size_t max)
{
	char buf[64];
	size_t n;

	if (max > sizeof(buf))
		max = sizeof(buf);
	for (n = 0; n < max && s[n]; n++)
		buf[n] = (s[n] >= 0x20 && s[n] < 0x7f) ? s[n] : '?';
	return mp_obj_new_str(buf, n);
}

static mp_obj_t kmod_release(void)
{
	return mp_obj_new_str_from_cstr(kern_release());
}
static MP_DEFINE_CONST_FUN_OBJ_0(kmod_release_obj, kmod_release);

static mp_obj_t kmod_version(void)
{
	return mp_obj_new_str_from_cstr(kern_version());
}
static MP_DEFINE_CONST_FUN_OBJ_0(kmod_version_obj, kmod_version);

static mp_obj_t kmod_cpus(void)
{
	return MP_OBJ_NEW_SMALL_INT(kern_cpus());
}
static MP_DEFINE_CONST_FUN_OBJ_0(kmod_cpus_obj, kmod_cpus);

static mp_obj_t kmod_jiffies(void)
{
	return mp_obj_new_int_from_ull(kern_jiffies());
}
static MP_DEFINE_CONST_FUN_OBJ_0(kmod_jiffies_obj, kmod_jiffies);

static mp_obj_t kmod_ktime_ns(void)
{
	return mp_obj_new_int_from_ull(kern_ktime_ns());
}
static MP_DEFINE_CONST_FUN_OBJ_0(kmod_ktime_ns_obj, kmod_ktime_ns);

static void kmod_dict_u64(mp_obj_t d, qstr key, uint64_t v)
{
	mp_obj_dict_store(d, MP_OBJ_NEW_QSTR(key), mp_obj_new_int_from_ull(v));
}

static mp_obj_t kmod_meminfo(void)
{
	struct kern_meminfo m;
	mp_obj_t d = mp_obj_new_dict(6);

	kern_meminfo(&m);
	kmod_dict_u64(d, MP_QSTR_total, m.total);
	kmod_dict_u64(d, MP_QSTR_free, m.free);
	kmod_dict_u64(d, MP_QSTR_available, m.available);
	kmod_dict_u64(d, MP_QSTR_buffers, m.buffers);
	kmod_dict_u64(d, MP_QSTR_cached, m.cached);
	kmod_dict_u64(d, MP_QSTR_shared, m.shared);
	return d;
}
static MP_DEFINE_CONST_FUN_OBJ_0(kmod_meminfo_obj, kmod_meminfo);

/* The kernel's log levels by name, KERN_EMERG (0) to KERN_DEBUG (7). */
static const qstr kmod_levels[] = {
	MP_QSTR_emerg, MP_QSTR_alert, MP_QSTR_crit, MP_QSTR_err,
	MP_QSTR_warning, MP_QSTR_notice, MP_QSTR_info, MP_QSTR_debug,
};

static int kmod_level(mp_obj_t obj)
{
	qstr q;
	int i;

	if (!mp_obj_is_str(obj))
		mp_raise_TypeError(MP_ERROR_TEXT("level must be a str"));
	q = mp_obj_str_get_qstr(obj);
	if (q == MP_QSTR_warn)
		return 4;
	for (i = 0; i < (int)MP_ARRAY_SIZE(kmod_levels); i++)
		if (q == kmod_levels[i])
			return i;
	mp_raise_ValueError(MP_ERROR_TEXT("unknown log level"));
}

/* Returns True when logged, False once the execution's budget is spent. */
static mp_obj_t kmod_printk(size_t n_args, const mp_obj_t *pos,
			    mp_map_t *kw)
{
	enum { ARG_msg, ARG_level };
	static const mp_arg_t allowed[] = {
		{ MP_QSTR_msg, MP_ARG_REQUIRED | MP_ARG_OBJ, { .u_obj = MP_OBJ_NULL } },
		{ MP_QSTR_level, MP_ARG_OBJ, { .u_obj = MP_OBJ_NEW_QSTR(MP_QSTR_info) } },
	};
	mp_arg_val_t args[MP_ARRAY_SIZE(allowed)];
	const char *msg;
	size_t len;
	int level;

	mp_arg_parse_all(n_args, pos, kw, MP_ARRAY_SIZE(allowed), allowed, args);
	if (!mp_obj_is_str(args[ARG_msg].u_obj))
		mp_raise_TypeError(MP_ERROR_TEXT("msg must be a str"));
	level = kmod_level(args[ARG_level].u_obj);
	msg = mp_obj_str_get_data(args[ARG_msg].u_obj, &len);
	return mp_obj_new_bool(kern_printk(level, msg, len) == 0);
}
static MP_DEFINE_CONST_FUN_OBJ_KW(kmod_printk_obj, 1, kmod_printk);

static const mp_rom_map_elem_t kmod_globals_table[] = {
	{ MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_kernel) },
	{ MP_ROM_QSTR(MP_QSTR_hz), MP_ROM_INT(CONFIG_HZ) },
	{ MP_ROM_QSTR(MP_QSTR_release), MP_ROM_PTR(&kmod_release_obj) },
	{ MP_ROM_QSTR(MP_QSTR_version), MP_ROM_PTR(&kmod_version_obj) },
	{ MP_ROM_QSTR(MP_QSTR_cpus), MP_ROM_PTR(&kmod_cpus_obj) },
	{ MP_ROM_QSTR(MP_QSTR_jiffies), MP_ROM_PTR(&kmod_jiffies_obj) },
	{ MP_ROM_QSTR(MP_QSTR_ktime_ns), MP_ROM_PTR(&kmod_ktime_ns_obj) },
	{ MP_ROM_QSTR(MP_QSTR_meminfo), MP_ROM_PTR(&kmod_meminfo_obj) },
	{ MP_ROM_QSTR(MP_QSTR_printk), MP_ROM_PTR(&kmod_printk_obj) },
	{ MP_ROM_QSTR(MP_QSTR_symbol), MP_ROM_PTR(&kmod_symbol_obj) },
	{ MP_ROM_QSTR(MP_QSTR_read), MP_ROM_PTR(&kmod_read_obj) },
	{ MP_ROM_QSTR(MP_QSTR_read_u8), MP_ROM_PTR(&kmod_read_u8_obj) },
	{ MP_ROM_QSTR(MP_QSTR_read_u16), MP_ROM_PTR(&kmod_read_u16_obj) },
	{ MP_ROM_QSTR(MP_QSTR_read_u32), MP_ROM_PTR(&kmod_read_u32_obj) },
	{ MP_ROM_QSTR(MP_QSTR_read_u64), MP_ROM_PTR(&kmod_read_u64_obj) },
	{ MP_ROM_QSTR(MP_QSTR_tasks), MP_ROM_PTR(&kmod_tasks_obj) },
	{ MP_ROM_QSTR(MP_QSTR_current), MP_ROM_PTR(&kmod_current_obj) },
	{ MP_ROM_QSTR(MP_QSTR_modules), MP_ROM_PTR(&kmod_modules_obj) },
	{ MP_ROM_QSTR(MP_QSTR_kprobe), MP_ROM_PTR(&kmod_kprobe_obj) },
	{ MP_ROM_QSTR(MP_QSTR_kretprobe), MP_ROM_PTR(&kmod_kretprobe_obj) },
};
static MP_DEFINE_CONST_DICT(kmod_globals, kmod_globals_table);

const mp_obj_module_t kmod_kernel_module = {
	.base = { &mp_type_module },
	.globals = (mp_obj_dict_t *)&kmod_globals,
};
MP_REGISTER_MODULE(MP_QSTR_kernel, kmod_kernel_module);
