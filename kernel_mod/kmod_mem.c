// SPDX-License-Identifier: MIT
/*
 * kernel.symbol(), read() and read_u8/u16/u32/u64(): argument checks and
 * Python objects; kern_mem.c reads and resolves.
 */
#include <errno.h>
#include <string.h>

#include "py/objint.h"
#include "py/objstr.h"
#include "py/runtime.h"
#include "kern.h"
#include "kmod.h"

/* Not an address at all (negative, 2**64 or more) is as unmapped as any. */
uint64_t kmod_get_addr(mp_obj_t obj)
{
	if (!mp_obj_is_int(obj))
		mp_raise_TypeError(MP_ERROR_TEXT("address must be an int"));
	if (mp_obj_int_sign(obj) < 0 ||
	    mp_obj_is_true(mp_binary_op(MP_BINARY_OP_MORE, obj,
				mp_obj_new_int_from_ull(UINT64_MAX))))
		kmod_raise_errno(EFAULT);
	return mp_obj_int_get_uint_checked(obj);
}

/* kallsyms names are at most KSYM_NAME_LEN (512 since 6.1) long. */
#define KMOD_SYMBOL_MAX 511

const char *kmod_get_symbol_name(mp_obj_t obj)
{
	const char *s;
	size_t len;

	if (!mp_obj_is_str(obj))
		mp_raise_TypeError(MP_ERROR_TEXT("symbol must be a str"));
	/* str data is NUL-terminated: an embedded NUL shows as a short strlen. */
	s = mp_obj_str_get_data(obj, &len);
	if (!len || len > KMOD_SYMBOL_MAX || strlen(s) != len)
		mp_raise_ValueError(MP_ERROR_TEXT("bad symbol name"));
	return s;
}

static mp_obj_t kmod_symbol(mp_obj_t name)
{
	uint64_t addr;
	int err = kern_symbol(kmod_get_symbol_name(name), &addr);

	if (err == -ENOENT)
		return mp_const_none;
	if (err)
		kmod_raise_errno(err);
	return mp_obj_new_int_from_ull(addr);
}
MP_DEFINE_CONST_FUN_OBJ_1(kmod_symbol_obj, kmod_symbol);

static mp_obj_t kmod_read(mp_obj_t addr_in, mp_obj_t n_in)
{
	uint64_t addr = kmod_get_addr(addr_in);
	mp_int_t n = mp_obj_get_int(n_in);
	vstr_t vstr;
	int err;

	if (n < 0 || n > KERN_READ_MAX)
		mp_raise_ValueError(MP_ERROR_TEXT("n must be 0 to 1048576"));
	vstr_init_len(&vstr, n);
	err = kern_read(addr, vstr.buf, n);
	if (err) {
		vstr_clear(&vstr);
		kmod_raise_errno(err);
	}
	return mp_obj_new_bytes_from_vstr(&vstr);
}
MP_DEFINE_CONST_FUN_OBJ_2(kmod_read_obj, kmod_read);

/* Native byte order, as the kernel stores the value; no alignment needed. */
static mp_obj_t kmod_read_uint(mp_obj_t addr_in, size_t size)
{
	uint64_t addr = kmod_get_addr(addr_in), v = 0;
	union { uint8_t u8; uint16_t u16; uint32_t u32; uint64_t u64; } u;
	int err = kern_read(addr, &u, size);

	if (err)
		kmod_raise_errno(err);
	switch (size) {
	case 1: v = u.u8; break;
	case 2: v = u.u16; break;
	case 4: v = u.u32; break;
	default: v = u.u64; break;
	}
	return mp_obj_new_int_from_ull(v);
}

static mp_obj_t kmod_read_u8(mp_obj_t a) { return kmod_read_uint(a, 1); }
static mp_obj_t kmod_read_u16(mp_obj_t a) { return kmod_read_uint(a, 2); }
static mp_obj_t kmod_read_u32(mp_obj_t a) { return kmod_read_uint(a, 4); }
static mp_obj_t kmod_read_u64(mp_obj_t a) { return kmod_read_uint(a, 8); }
MP_DEFINE_CONST_FUN_OBJ_1(kmod_read_u8_obj, kmod_read_u8);
MP_DEFINE_CONST_FUN_OBJ_1(kmod_read_u16_obj, kmod_read_u16);
MP_DEFINE_CONST_FUN_OBJ_1(kmod_read_u32_obj, kmod_read_u32);
MP_DEFINE_CONST_FUN_OBJ_1(kmod_read_u64_obj, kmod_read_u64);
