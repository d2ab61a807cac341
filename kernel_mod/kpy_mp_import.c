// SPDX-License-Identifier: MIT
/*
 * import from files: what MicroPython's builtinimport.c asks of a port
 * with MICROPY_ENABLE_EXTERNAL_IMPORT and no reader of its own - stat a
 * candidate path, and a lexer over a file's text. Modules are read and
 * compiled afresh in every execution (the interpreter is new each time;
 * there is no cache and no .mpy loading).
 */
#include <string.h>

#include "py/builtin.h"
#include "py/lexer.h"
#include "py/runtime.h"
#include "kpy_mp.h"

/* The exec file's own limit on a script's size (kpy_debugfs.c). */
#define KPY_MODULE_MAX (1024 * 1024)
#define KPY_S_IFMT 0170000
#define KPY_S_IFDIR 0040000
#define KPY_S_IFREG 0100000

mp_import_stat_t mp_import_stat(const char *path)
{
	struct kpy_stat st;
	long ret = kpy_vfs_stat(path, &st);

	/* Not being able to look is not finding: the search goes on. */
	if (ret == -KPY_VFS_ESTACK)
		mp_raise_recursion_depth();
	if (ret < 0)
		return MP_IMPORT_STAT_NO_EXIST;
	if ((st.mode & KPY_S_IFMT) == KPY_S_IFDIR)
		return MP_IMPORT_STAT_DIR;
	if ((st.mode & KPY_S_IFMT) == KPY_S_IFREG)
		return MP_IMPORT_STAT_FILE;
	return MP_IMPORT_STAT_NO_EXIST;
}

/* What the file holds when it is read, however it changes afterwards. */
mp_lexer_t *mp_lexer_new_from_file(qstr filename)
{
	int fd = kpy_mp_check(kpy_vfs_open(qstr_str(filename), KPY_OPEN_READ));
	nlr_buf_t nlr;
	mp_obj_t text;
	const char *s;
	size_t len;

	if (nlr_push(&nlr) == 0) {
		text = kpy_mp_readall(fd, false, KPY_MODULE_MAX);
		nlr_pop();
	} else {
		kpy_vfs_close(fd);
		nlr_jump(nlr.ret_val);
	}
	kpy_vfs_close(fd);
	s = mp_obj_str_get_data(text, &len);
	return mp_lexer_new_from_str_len(filename, s, len, 0);
}

void kpy_mp_sys_path_init(const char *list)
{
	const char *p = list, *colon;

	mp_sys_path = mp_obj_new_list(0, NULL);
	while (*p) {
		colon = strchr(p, ':');
		if (!colon)
			colon = p + strlen(p);
		if (colon > p)
			mp_obj_list_append(mp_sys_path, mp_obj_new_str(p, colon - p));
		p = *colon ? colon + 1 : colon;
	}
}
