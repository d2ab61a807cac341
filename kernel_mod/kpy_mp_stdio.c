// SPDX-License-Identifier: MIT
/*
 * sys.stdin, sys.stdout and sys.stderr (MICROPY_PY_SYS_STDFILES), which
 * print(..., file=f) needs. Both outputs are the script's output (what
 * the caller reads back and the kernel log mirrors); stdin is empty: a
 * script's input is the exec file's text, which is the script itself.
 */
#include "py/mperrno.h"
#include "py/mphal.h"
#include "py/runtime.h"
#include "py/stream.h"

typedef struct {
	mp_obj_base_t base;
	int fd;
} kpy_stdio_obj_t;

static mp_uint_t kpy_stdio_read(mp_obj_t self_in, void *buf, mp_uint_t size,
				int *errcode)
{
	return 0;
}

static mp_uint_t kpy_stdio_write(mp_obj_t self_in, const void *buf,
				 mp_uint_t size, int *errcode)
{
	kpy_stdio_obj_t *self = MP_OBJ_TO_PTR(self_in);

	if (self->fd == 0) {
		*errcode = MP_EBADF;
		return MP_STREAM_ERROR;
	}
	mp_hal_stdout_tx_strn(buf, size);
	return size;
}

static mp_uint_t kpy_stdio_ioctl(mp_obj_t self_in, mp_uint_t request,
				 uintptr_t arg, int *errcode)
{
	if (request == MP_STREAM_FLUSH || request == MP_STREAM_CLOSE)
		return 0;
	*errcode = MP_EINVAL;
	return MP_STREAM_ERROR;
}

static void kpy_stdio_print(const mp_print_t *print, mp_obj_t self_in,
			    mp_print_kind_t kind)
{
	kpy_stdio_obj_t *self = MP_OBJ_TO_PTR(self_in);

	mp_printf(print, "<io.TextIOWrapper %d>", self->fd);
}

static mp_obj_t kpy_stdio_fileno(mp_obj_t self_in)
{
	kpy_stdio_obj_t *self = MP_OBJ_TO_PTR(self_in);

	return MP_OBJ_NEW_SMALL_INT(self->fd);
}
static MP_DEFINE_CONST_FUN_OBJ_1(kpy_stdio_fileno_obj, kpy_stdio_fileno);

static const mp_rom_map_elem_t kpy_stdio_locals_table[] = {
	{ MP_ROM_QSTR(MP_QSTR_fileno), MP_ROM_PTR(&kpy_stdio_fileno_obj) },
	{ MP_ROM_QSTR(MP_QSTR_read), MP_ROM_PTR(&mp_stream_read_obj) },
	{ MP_ROM_QSTR(MP_QSTR_readline), MP_ROM_PTR(&mp_stream_unbuffered_readline_obj) },
	{ MP_ROM_QSTR(MP_QSTR_write), MP_ROM_PTR(&mp_stream_write_obj) },
	{ MP_ROM_QSTR(MP_QSTR_flush), MP_ROM_PTR(&mp_stream_flush_obj) },
};
static MP_DEFINE_CONST_DICT(kpy_stdio_locals, kpy_stdio_locals_table);

static const mp_stream_p_t kpy_stdio_stream = {
	.read = kpy_stdio_read,
	.write = kpy_stdio_write,
	.ioctl = kpy_stdio_ioctl,
	.is_text = true,
};

MP_DEFINE_CONST_OBJ_TYPE(kpy_type_stdio, MP_QSTR_TextIOWrapper,
			 MP_TYPE_FLAG_ITER_IS_STREAM,
			 print, kpy_stdio_print,
			 protocol, &kpy_stdio_stream,
			 locals_dict, &kpy_stdio_locals);

const kpy_stdio_obj_t mp_sys_stdin_obj = { { &kpy_type_stdio }, 0 };
const kpy_stdio_obj_t mp_sys_stdout_obj = { { &kpy_type_stdio }, 1 };
const kpy_stdio_obj_t mp_sys_stderr_obj = { { &kpy_type_stdio }, 2 };
