// SPDX-License-Identifier: MIT
/*
 * open() and the file objects it returns: raw (unbuffered) streams over
 * kpython's kernel file layer, in MicroPython's stream protocol, so that
 * upstream's read/readline/readlines/write/seek/tell/close, iteration and
 * `with` apply. Two types as in CPython and ports/unix: FileIO for "b"
 * (bytes), TextIOWrapper for text (str, UTF-8).
 *
 * read() without a size is ours: it reads in large chunks (the size the
 * inode reports is a hint for the first one, never trusted: /proc and /sys
 * files say 0) and stops at the heap (MemoryError) or the time limit. So
 * are readline, readlines and iteration on regular files: they read a
 * chunk and seek back to just after the newline, where upstream's raw
 * readline reads one byte per call (kept for pipes, /proc and devices,
 * which cannot give bytes back).
 */
#include <string.h>

#include "py/builtin.h"
#include "py/objstr.h"
#include "py/mperrno.h"
#include "py/runtime.h"
#include "py/stream.h"
#include "kpy_hooks.h"
#include "kpy_mp.h"

/* A first chunk for read() sized by st_size, up to this. */
#define KPY_READ_HINT_MAX (64 * 1024 * 1024)
#define KPY_READ_MIN 16384
#define KPY_S_IFMT 0170000
#define KPY_S_IFREG 0100000

/* Bytes readline reads at a time from a regular file. */
#define KPY_LINE_CHUNK 256

typedef struct {
	mp_obj_base_t base;
	int fd;			/* slot of the kernel's table, -1: closed */
	bool regular;		/* a regular file: readline may seek back */
} kpy_file_obj_t;

const char *kpy_mp_path(mp_obj_t path)
{
	size_t len;
	const char *s = mp_obj_str_get_data(path, &len);

	if (strlen(s) != len)
		mp_raise_ValueError(MP_ERROR_TEXT("embedded null byte"));
	/* The kernel would take "" for the working directory. */
	if (!len)
		mp_raise_OSError(MP_ENOENT);
	return s;
}

/*
 * The errno for a negative kernel result, after the two results that are
 * not errors of the file: too little stack (RuntimeError, as deep
 * recursion) and a wait that ended because the script must stop (unwind).
 */
static int kpy_mp_errno(long ret)
{
	if (ret == -KPY_VFS_ESTACK)
		mp_raise_recursion_depth();
	if (ret == -ETIME)
		kpy_c_loop_hook();
	return (int)-ret;
}

long kpy_mp_check(long ret)
{
	if (ret < 0)
		mp_raise_OSError(kpy_mp_errno(ret));
	return ret;
}

static kpy_file_obj_t *kpy_file_open_self(mp_obj_t self_in)
{
	kpy_file_obj_t *self = MP_OBJ_TO_PTR(self_in);

	if (self->fd < 0)
		mp_raise_ValueError(MP_ERROR_TEXT("I/O operation on closed file."));
	return self;
}

static mp_uint_t kpy_file_read(mp_obj_t self_in, void *buf, mp_uint_t size,
			       int *errcode)
{
	kpy_file_obj_t *self = kpy_file_open_self(self_in);
	long ret;

	MICROPY_HOOK_C_LOOP
	ret = kpy_vfs_read(self->fd, buf, size);
	if (ret < 0) {
		*errcode = kpy_mp_errno(ret);
		return MP_STREAM_ERROR;
	}
	return ret;
}

static mp_uint_t kpy_file_write(mp_obj_t self_in, const void *buf,
				mp_uint_t size, int *errcode)
{
	kpy_file_obj_t *self = kpy_file_open_self(self_in);
	long ret;

	MICROPY_HOOK_C_LOOP
	ret = kpy_vfs_write(self->fd, buf, size);
	if (ret < 0) {
		*errcode = kpy_mp_errno(ret);
		return MP_STREAM_ERROR;
	}
	return ret;
}

static mp_uint_t kpy_file_ioctl(mp_obj_t self_in, mp_uint_t request,
				uintptr_t arg, int *errcode)
{
	kpy_file_obj_t *self = MP_OBJ_TO_PTR(self_in);
	struct mp_stream_seek_t *s;
	long long pos;
	int ret;

	if (request == MP_STREAM_CLOSE) {
		if (self->fd < 0)
			return 0;
		ret = kpy_vfs_close(self->fd);
		self->fd = -1;
		if (ret < 0) {
			*errcode = kpy_mp_errno(ret);
			return MP_STREAM_ERROR;
		}
		return 0;
	}
	kpy_file_open_self(self_in);
	switch (request) {
	case MP_STREAM_SEEK:
		s = (struct mp_stream_seek_t *)arg;
		pos = kpy_vfs_seek(self->fd, s->offset, s->whence);
		if (pos < 0) {
			*errcode = kpy_mp_errno(pos);
			return MP_STREAM_ERROR;
		}
		s->offset = pos;
		return 0;
	case MP_STREAM_FLUSH:
		/* Nothing is buffered here; flush() is not fsync(). */
		return 0;
	default:
		*errcode = MP_EINVAL;
		return MP_STREAM_ERROR;
	}
}

mp_obj_t kpy_mp_readall(int fd, bool text, size_t max)
{
	struct kpy_stat st;
	size_t room = KPY_READ_MIN;
	long long hint = -1;
	vstr_t vstr;
	long n;

	if (kpy_vfs_fstat(fd, &st) == 0 &&
	    (st.mode & KPY_S_IFMT) == KPY_S_IFREG && st.size > 0) {
		hint = st.size;
		/* Room for the small read that confirms the end, too: growing
		 * a big buffer for it would copy the whole file once more. */
		room = st.size < KPY_READ_HINT_MAX ? st.size + 256 : KPY_READ_HINT_MAX;
	}
	vstr_init(&vstr, 0);
	for (;;) {
		char *p;

		MICROPY_HOOK_C_LOOP
		if (room > max - vstr.len)
			room = max - vstr.len + 1;
		p = vstr_add_len(&vstr, room);
		n = kpy_mp_check(kpy_vfs_read(fd, p, room));
		vstr.len -= room - n;
		if (n == 0)
			break;
		if (vstr.len > max)
			mp_raise_OSError(MP_EFBIG);
		if (hint >= 0 && (long long)vstr.len == hint) {
			/* All the inode said: a small read confirms the end. */
			room = 256;
			hint = -1;
			continue;
		}
		/* Grow geometrically: as much again as read so far. */
		room = vstr.len < KPY_READ_MIN ? KPY_READ_MIN : vstr.len;
		if (room > KPY_VFS_CHUNK)
			room = KPY_VFS_CHUNK;
	}
	if (text)
		return mp_obj_new_str_from_vstr(&vstr);
	return mp_obj_new_bytes_from_vstr(&vstr);
}

/* One line of a regular file, at most max bytes (max < 0: no limit). */
static mp_obj_t kpy_file_readline_seek(kpy_file_obj_t *self, bool text,
				       mp_int_t max)
{
	vstr_t vstr;

	vstr_init(&vstr, KPY_LINE_CHUNK);
	for (;;) {
		size_t want = KPY_LINE_CHUNK;
		const char *nl;
		char *p;
		long n;

		MICROPY_HOOK_C_LOOP
		if (max >= 0 && want > (size_t)max - vstr.len)
			want = (size_t)max - vstr.len;
		if (!want)
			break;
		p = vstr_add_len(&vstr, want);
		n = kpy_mp_check(kpy_vfs_read(self->fd, p, want));
		nl = memchr(p, '\n', n);
		if (nl) {
			long excess = n - (nl - p + 1);

			vstr.len -= want - n + excess;
			if (excess)
				kpy_mp_check(kpy_vfs_seek(self->fd, -excess,
							  KPY_SEEK_CUR));
			break;
		}
		vstr.len -= want - n;
		if (n == 0)
			break;
	}
	if (text)
		return mp_obj_new_str_from_vstr(&vstr);
	return mp_obj_new_bytes_from_vstr(&vstr);
}

static mp_obj_t kpy_file_readline(size_t n_args, const mp_obj_t *args)
{
	kpy_file_obj_t *self = kpy_file_open_self(args[0]);
	mp_int_t max = -1;

	if (!self->regular)
		return mp_call_function_n_kw(
			MP_OBJ_FROM_PTR(&mp_stream_unbuffered_readline_obj),
			n_args, 0, args);
	if (n_args > 1 && args[1] != mp_const_none)
		max = mp_obj_get_int(args[1]);
	return kpy_file_readline_seek(self, mp_get_stream(args[0])->is_text, max);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(kpy_file_readline_obj, 1, 2,
					   kpy_file_readline);

static mp_obj_t kpy_file_iternext(mp_obj_t self_in)
{
	mp_obj_t line = kpy_file_readline(1, &self_in);

	return mp_obj_is_true(line) ? line : MP_OBJ_STOP_ITERATION;
}

static mp_obj_t kpy_file_readlines(mp_obj_t self_in)
{
	mp_obj_t lines = mp_obj_new_list(0, NULL);
	mp_obj_t line;

	while ((line = kpy_file_iternext(self_in)) != MP_OBJ_STOP_ITERATION)
		mp_obj_list_append(lines, line);
	return lines;
}
static MP_DEFINE_CONST_FUN_OBJ_1(kpy_file_readlines_obj, kpy_file_readlines);

/* read([size]): all of it for no size, None or a negative one. */
static mp_obj_t kpy_file_read_method(size_t n_args, const mp_obj_t *args)
{
	kpy_file_obj_t *self = kpy_file_open_self(args[0]);
	const mp_stream_p_t *stream = mp_get_stream(args[0]);

	if (n_args == 1 || args[1] == mp_const_none ||
	    mp_obj_get_int(args[1]) < 0)
		return kpy_mp_readall(self->fd, stream->is_text, (size_t)-1 / 2);
	return mp_call_function_n_kw(MP_OBJ_FROM_PTR(&mp_stream_read_obj),
				     n_args, 0, args);
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(kpy_file_read_obj, 1, 2,
					   kpy_file_read_method);

static mp_obj_t kpy_file_fileno(mp_obj_t self_in)
{
	return MP_OBJ_NEW_SMALL_INT(kpy_file_open_self(self_in)->fd);
}
static MP_DEFINE_CONST_FUN_OBJ_1(kpy_file_fileno_obj, kpy_file_fileno);

static void kpy_file_print(const mp_print_t *print, mp_obj_t self_in,
			   mp_print_kind_t kind)
{
	kpy_file_obj_t *self = MP_OBJ_TO_PTR(self_in);

	mp_printf(print, "<io.%q %d>", mp_obj_get_type(self_in)->name, self->fd);
}

static const mp_rom_map_elem_t kpy_file_locals_table[] = {
	{ MP_ROM_QSTR(MP_QSTR_read), MP_ROM_PTR(&kpy_file_read_obj) },
	{ MP_ROM_QSTR(MP_QSTR_readinto), MP_ROM_PTR(&mp_stream_readinto_obj) },
	{ MP_ROM_QSTR(MP_QSTR_readline), MP_ROM_PTR(&kpy_file_readline_obj) },
	{ MP_ROM_QSTR(MP_QSTR_readlines), MP_ROM_PTR(&kpy_file_readlines_obj) },
	{ MP_ROM_QSTR(MP_QSTR_write), MP_ROM_PTR(&mp_stream_write_obj) },
	{ MP_ROM_QSTR(MP_QSTR_seek), MP_ROM_PTR(&mp_stream_seek_obj) },
	{ MP_ROM_QSTR(MP_QSTR_tell), MP_ROM_PTR(&mp_stream_tell_obj) },
	{ MP_ROM_QSTR(MP_QSTR_flush), MP_ROM_PTR(&mp_stream_flush_obj) },
	{ MP_ROM_QSTR(MP_QSTR_close), MP_ROM_PTR(&mp_stream_close_obj) },
	{ MP_ROM_QSTR(MP_QSTR_fileno), MP_ROM_PTR(&kpy_file_fileno_obj) },
	{ MP_ROM_QSTR(MP_QSTR___enter__), MP_ROM_PTR(&mp_identity_obj) },
	{ MP_ROM_QSTR(MP_QSTR___exit__), MP_ROM_PTR(&mp_stream___exit___obj) },
};
static MP_DEFINE_CONST_DICT(kpy_file_locals, kpy_file_locals_table);

static const mp_stream_p_t kpy_fileio_stream = {
	.read = kpy_file_read,
	.write = kpy_file_write,
	.ioctl = kpy_file_ioctl,
};

static const mp_stream_p_t kpy_textio_stream = {
	.read = kpy_file_read,
	.write = kpy_file_write,
	.ioctl = kpy_file_ioctl,
	.is_text = true,
};

MP_DEFINE_CONST_OBJ_TYPE(kpy_type_fileio, MP_QSTR_FileIO,
			 MP_TYPE_FLAG_ITER_IS_ITERNEXT,
			 iter, kpy_file_iternext,
			 print, kpy_file_print,
			 protocol, &kpy_fileio_stream,
			 locals_dict, &kpy_file_locals);

MP_DEFINE_CONST_OBJ_TYPE(kpy_type_textio, MP_QSTR_TextIOWrapper,
			 MP_TYPE_FLAG_ITER_IS_ITERNEXT,
			 iter, kpy_file_iternext,
			 print, kpy_file_print,
			 protocol, &kpy_textio_stream,
			 locals_dict, &kpy_file_locals);

/* Python's mode string as the kernel side's flags; ValueError if invalid. */
static unsigned int kpy_open_how(const char *mode, bool *text)
{
	unsigned int how = 0, base = 0;
	bool binary = false, plus = false;
	const char *m;

	*text = true;
	for (m = mode; *m; m++) {
		switch (*m) {
		case 'r':
		case 'w':
		case 'a':
		case 'x':
			if (base)
				goto invalid;
			base = *m;
			break;
		case '+':
			if (plus)
				goto invalid;
			plus = true;
			break;
		case 'b':
			if (binary || !*text)
				goto invalid;
			binary = true;
			*text = false;
			break;
		case 't':
			if (!*text || binary)
				goto invalid;
			binary = true;	/* seen: neither may repeat */
			break;
		default:
			goto invalid;
		}
	}
	switch (base) {
	case 'r':
		how = KPY_OPEN_READ;
		break;
	case 'w':
		how = KPY_OPEN_WRITE | KPY_OPEN_CREATE | KPY_OPEN_TRUNC;
		break;
	case 'a':
		how = KPY_OPEN_WRITE | KPY_OPEN_CREATE | KPY_OPEN_APPEND;
		break;
	case 'x':
		how = KPY_OPEN_WRITE | KPY_OPEN_CREATE | KPY_OPEN_EXCL;
		break;
	default:
		goto invalid;
	}
	if (plus)
		how |= KPY_OPEN_READ | KPY_OPEN_WRITE;
	return how;
invalid:
	mp_raise_msg_varg(&mp_type_ValueError, MP_ERROR_TEXT("invalid mode: '%s'"),
			  mode);
}

mp_obj_t mp_builtin_open(size_t n_args, const mp_obj_t *args, mp_map_t *kwargs)
{
	enum { ARG_file, ARG_mode, ARG_buffering, ARG_encoding };
	static const mp_arg_t allowed[] = {
		{ MP_QSTR_file, MP_ARG_OBJ | MP_ARG_REQUIRED, { .u_rom_obj = MP_ROM_NONE } },
		{ MP_QSTR_mode, MP_ARG_OBJ, { .u_rom_obj = MP_ROM_QSTR(MP_QSTR_r) } },
		{ MP_QSTR_buffering, MP_ARG_INT, { .u_int = -1 } },
		{ MP_QSTR_encoding, MP_ARG_OBJ, { .u_rom_obj = MP_ROM_NONE } },
	};
	mp_arg_val_t a[MP_ARRAY_SIZE(allowed)];
	struct kpy_stat st;
	kpy_file_obj_t *f;
	const char *path;
	unsigned int how;
	bool text;
	int fd;

	mp_arg_parse_all(n_args, args, kwargs, MP_ARRAY_SIZE(allowed), allowed, a);
	if (!mp_obj_is_str_or_bytes(a[ARG_file].u_obj))
		mp_raise_TypeError(MP_ERROR_TEXT("expected a str or bytes path"));
	path = kpy_mp_path(a[ARG_file].u_obj);
	how = kpy_open_how(mp_obj_str_get_str(a[ARG_mode].u_obj), &text);
	if (a[ARG_encoding].u_obj != mp_const_none) {
		const char *enc = mp_obj_str_get_str(a[ARG_encoding].u_obj);

		if (!text)
			mp_raise_ValueError(MP_ERROR_TEXT("binary mode doesn't take an encoding argument"));
		if (strcmp(enc, "utf-8") && strcmp(enc, "utf8") &&
		    strcmp(enc, "UTF-8"))
			mp_raise_ValueError(MP_ERROR_TEXT("only UTF-8 is supported"));
	}
	/* The object first: a MemoryError then cannot leave a file open. */
	f = mp_obj_malloc(kpy_file_obj_t, text ? &kpy_type_textio : &kpy_type_fileio);
	f->fd = -1;
	fd = kpy_mp_check(kpy_vfs_open(path, how));
	f->fd = fd;
	f->regular = kpy_vfs_fstat(fd, &st) == 0 &&
		     (st.mode & KPY_S_IFMT) == KPY_S_IFREG;
	return MP_OBJ_FROM_PTR(f);
}
MP_DEFINE_CONST_FUN_OBJ_KW(mp_builtin_open_obj, 1, mp_builtin_open);
