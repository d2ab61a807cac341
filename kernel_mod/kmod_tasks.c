// SPDX-License-Identifier: MIT
/*
 * kernel.tasks(), current() and modules(): lists of attribute tuples made
 * from the snapshots kern_tasks.c takes.
 */
#include <string.h>

#include "py/objtuple.h"
#include "py/runtime.h"
#include "kern.h"
#include "kmod.h"

static const qstr kmod_task_fields[] = {
	MP_QSTR_pid, MP_QSTR_tgid, MP_QSTR_ppid, MP_QSTR_comm, MP_QSTR_state,
	MP_QSTR_uid, MP_QSTR_rss, MP_QSTR_utime_ns, MP_QSTR_stime_ns,
	MP_QSTR_start_ns,
};

static const qstr kmod_module_fields[] = {
	MP_QSTR_name, MP_QSTR_size, MP_QSTR_refcount, MP_QSTR_state,
};

static mp_obj_t kmod_task_new(const struct kern_task *t)
{
	mp_obj_t items[MP_ARRAY_SIZE(kmod_task_fields)] = {
		MP_OBJ_NEW_SMALL_INT(t->pid),
		MP_OBJ_NEW_SMALL_INT(t->tgid),
		MP_OBJ_NEW_SMALL_INT(t->ppid),
		kmod_new_name(t->comm, sizeof(t->comm)),
		mp_obj_new_str(&t->state, 1),
		mp_obj_new_int_from_uint(t->uid),
		mp_obj_new_int_from_ull(t->rss),
		mp_obj_new_int_from_ull(t->utime_ns),
		mp_obj_new_int_from_ull(t->stime_ns),
		mp_obj_new_int_from_ull(t->start_ns),
	};

	return mp_obj_new_attrtuple(kmod_task_fields, MP_ARRAY_SIZE(items),
				    items);
}

/*
 * The kernel's array is copied onto the Python heap first: making the
 * objects may raise MemoryError, which must not leak the array.
 */
static void *kmod_adopt(void *arr, size_t bytes)
{
	void *copy = m_malloc_maybe(bytes ? bytes : 1);

	if (copy)
		memcpy(copy, arr, bytes);
	kern_free(arr);
	if (!copy)
		mp_raise_type(&mp_type_MemoryError);
	return copy;
}

static mp_obj_t kmod_tasks(void)
{
	struct kern_task *arr;
	size_t n, i;
	mp_obj_t list;
	int err = kern_tasks(&arr, &n);

	if (err)
		kmod_raise_errno(err);
	arr = kmod_adopt(arr, n * sizeof(*arr));
	list = mp_obj_new_list(n, NULL);
	for (i = 0; i < n; i++)
		mp_obj_list_store(list, MP_OBJ_NEW_SMALL_INT(i),
				  kmod_task_new(&arr[i]));
	return list;
}
MP_DEFINE_CONST_FUN_OBJ_0(kmod_tasks_obj, kmod_tasks);

static mp_obj_t kmod_current(void)
{
	struct kern_task t;

	kern_current(&t);
	return kmod_task_new(&t);
}
MP_DEFINE_CONST_FUN_OBJ_0(kmod_current_obj, kmod_current);

static mp_obj_t kmod_modules(void)
{
	struct kern_module *arr;
	size_t n, i;
	mp_obj_t list;
	int err = kern_modules(&arr, &n);

	if (err)
		kmod_raise_errno(err);
	arr = kmod_adopt(arr, n * sizeof(*arr));
	list = mp_obj_new_list(n, NULL);
	for (i = 0; i < n; i++) {
		mp_obj_t items[] = {
			kmod_new_name(arr[i].name, sizeof(arr[i].name)),
			mp_obj_new_int_from_ull(arr[i].size),
			MP_OBJ_NEW_SMALL_INT(arr[i].refcount),
			mp_obj_new_str_from_cstr(arr[i].state),
		};
		mp_obj_list_store(list, MP_OBJ_NEW_SMALL_INT(i),
				  mp_obj_new_attrtuple(kmod_module_fields,
						       MP_ARRAY_SIZE(items),
						       items));
	}
	return list;
}
MP_DEFINE_CONST_FUN_OBJ_0(kmod_modules_obj, kmod_modules);
