// SPDX-License-Identifier: MIT
/*
 * The os module over kpython's kernel file layer: listdir, stat, mkdir,
 * remove/unlink, rename, rmdir and getcwd, with OSError carrying the
 * kernel's errno. Paths resolve as the caller's own syscalls would
 * (kernel_mod/kpy_vfs.c). There is no chdir: the script shares the
 * caller's fs_struct, so a chdir would move the calling process too.
 */
#include <string.h>

#include "py/objstr.h"
#include "py/objtuple.h"
#include "py/runtime.h"
#include "kpy_mp.h"

#define KPY_CWD_MAX 4096

static mp_obj_t kpy_os_listdir(size_t n_args, const mp_obj_t *args)
{
	const char *path = n_args ? kpy_mp_path(args[0]) : ".";
	bool as_bytes = n_args && mp_obj_get_type(args[0]) == &mp_type_bytes;
	const char *names, *p, *end;
	mp_obj_t list;
	long len;

	len = kpy_mp_check(kpy_vfs_listdir(path, &names));
	list = mp_obj_new_list(0, NULL);
	/* The names stay valid until the next listing: this one's loop. */
	for (p = names, end = names + len; p < end; p += strlen(p) + 1) {
		size_t n = strlen(p);

		MICROPY_HOOK_C_LOOP
		mp_obj_list_append(list, as_bytes ?
				   mp_obj_new_bytes((const byte *)p, n) :
				   mp_obj_new_str(p, n));
	}
	return list;
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(kpy_os_listdir_obj, 0, 1, kpy_os_listdir);

static const qstr kpy_stat_fields[] = {
	MP_QSTR_st_mode, MP_QSTR_st_ino, MP_QSTR_st_dev, MP_QSTR_st_nlink,
	MP_QSTR_st_uid, MP_QSTR_st_gid, MP_QSTR_st_size, MP_QSTR_st_atime,
	MP_QSTR_st_mtime, MP_QSTR_st_ctime,
};

/* CPython's os.stat_result order; indexable and with st_* attributes. */
static mp_obj_t kpy_os_stat(mp_obj_t path)
{
	struct kpy_stat st;
	mp_obj_t items[MP_ARRAY_SIZE(kpy_stat_fields)];

	kpy_mp_check(kpy_vfs_stat(kpy_mp_path(path), &st));
	items[0] = mp_obj_new_int_from_uint(st.mode);
	items[1] = mp_obj_new_int_from_ull(st.ino);
	items[2] = mp_obj_new_int_from_ull(st.dev);
	items[3] = mp_obj_new_int_from_uint(st.nlink);
	items[4] = mp_obj_new_int_from_uint(st.uid);
	items[5] = mp_obj_new_int_from_uint(st.gid);
	items[6] = mp_obj_new_int_from_ll(st.size);
	items[7] = mp_obj_new_int_from_ll(st.atime);
	items[8] = mp_obj_new_int_from_ll(st.mtime);
	items[9] = mp_obj_new_int_from_ll(st.ctime);
	return mp_obj_new_attrtuple(kpy_stat_fields, MP_ARRAY_SIZE(items), items);
}
static MP_DEFINE_CONST_FUN_OBJ_1(kpy_os_stat_obj, kpy_os_stat);

static mp_obj_t kpy_os_mkdir(size_t n_args, const mp_obj_t *args)
{
	mp_int_t mode = n_args > 1 ? mp_obj_get_int(args[1]) : 0777;

	kpy_mp_check(kpy_vfs_mkdir(kpy_mp_path(args[0]), (unsigned int)mode & 07777));
	return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(kpy_os_mkdir_obj, 1, 2, kpy_os_mkdir);

static mp_obj_t kpy_os_remove(mp_obj_t path)
{
	kpy_mp_check(kpy_vfs_unlink(kpy_mp_path(path)));
	return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(kpy_os_remove_obj, kpy_os_remove);

static mp_obj_t kpy_os_rmdir(mp_obj_t path)
{
	kpy_mp_check(kpy_vfs_rmdir(kpy_mp_path(path)));
	return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_1(kpy_os_rmdir_obj, kpy_os_rmdir);

static mp_obj_t kpy_os_rename(mp_obj_t from, mp_obj_t to)
{
	kpy_mp_check(kpy_vfs_rename(kpy_mp_path(from), kpy_mp_path(to)));
	return mp_const_none;
}
static MP_DEFINE_CONST_FUN_OBJ_2(kpy_os_rename_obj, kpy_os_rename);

static mp_obj_t kpy_os_getcwd(void)
{
	vstr_t vstr;
	long len;

	vstr_init(&vstr, KPY_CWD_MAX);
	len = kpy_mp_check(kpy_vfs_getcwd(vstr.buf, KPY_CWD_MAX));
	vstr.len = len;
	return mp_obj_new_str_from_vstr(&vstr);
}
static MP_DEFINE_CONST_FUN_OBJ_0(kpy_os_getcwd_obj, kpy_os_getcwd);

static const mp_rom_map_elem_t kpy_os_globals_table[] = {
	{ MP_ROM_QSTR(MP_QSTR___name__), MP_ROM_QSTR(MP_QSTR_os) },
	{ MP_ROM_QSTR(MP_QSTR_sep), MP_ROM_QSTR(MP_QSTR__slash_) },
	{ MP_ROM_QSTR(MP_QSTR_listdir), MP_ROM_PTR(&kpy_os_listdir_obj) },
	{ MP_ROM_QSTR(MP_QSTR_stat), MP_ROM_PTR(&kpy_os_stat_obj) },
	{ MP_ROM_QSTR(MP_QSTR_mkdir), MP_ROM_PTR(&kpy_os_mkdir_obj) },
	{ MP_ROM_QSTR(MP_QSTR_remove), MP_ROM_PTR(&kpy_os_remove_obj) },
	{ MP_ROM_QSTR(MP_QSTR_unlink), MP_ROM_PTR(&kpy_os_remove_obj) },
	{ MP_ROM_QSTR(MP_QSTR_rmdir), MP_ROM_PTR(&kpy_os_rmdir_obj) },
	{ MP_ROM_QSTR(MP_QSTR_rename), MP_ROM_PTR(&kpy_os_rename_obj) },
	{ MP_ROM_QSTR(MP_QSTR_getcwd), MP_ROM_PTR(&kpy_os_getcwd_obj) },
};
static MP_DEFINE_CONST_DICT(kpy_os_globals, kpy_os_globals_table);

const mp_obj_module_t kpy_module_os = {
	.base = { &mp_type_module },
	.globals = (mp_obj_dict_t *)&kpy_os_globals,
};

MP_REGISTER_MODULE(MP_QSTR_os, kpy_module_os);
