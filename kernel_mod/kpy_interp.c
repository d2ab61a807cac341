// SPDX-License-Identifier: MIT
/*
 * One execution: a fresh interpreter on the preallocated heap, the script
 * compiled and run, every entry wrapped in nlr_push, torn down again.
 *
 * A fresh interpreter per execution means nothing a script does (rebinding
 * builtins, filling the heap, leaving a generator half-run) can affect the
 * next one.
 */
#include <linux/compiler.h>
#include <linux/sched/task_stack.h>

#include "py/compile.h"
#include "py/cstack.h"
#include "py/gc.h"
#include "py/lexer.h"
#include "py/nlr.h"
#include "py/objexcept.h"
#include "py/pystack.h"
#include "py/runtime.h"
#include "kpy.h"
#include "kpy_mp.h"

struct kpy_script {
	const char *src;
	size_t len;
};

typedef void (*kpy_protected_fn)(void *arg);

/*
 * Run fn under an nlr handler that is also the VM-abort target, so both an
 * exception and an abort requested by kpy_vm_hook() land here.
 * Returns NULL when fn returned, the raised object when it raised, or
 * ERR_PTR(-EINTR) when the VM was aborted.
 */
static void *kpy_protected_call(kpy_protected_fn fn, void *arg)
{
	nlr_buf_t nlr;
	void *ret = NULL;

	nlr_set_abort(&nlr);
	if (nlr_push(&nlr) == 0) {
		fn(arg);
		nlr_pop();
	} else {
		ret = nlr.ret_val ? nlr.ret_val : ERR_PTR(-EINTR);
	}
	nlr_set_abort(NULL);
	return ret;
}

static void kpy_compile_and_run(void *arg)
{
	struct kpy_script *script = arg;
	mp_lexer_t *lex;
	mp_parse_tree_t tree;
	mp_obj_t module_fun;

	kpy_mp_sys_path_init(kpy_sys_path);
	lex = mp_lexer_new_from_str_len(MP_QSTR__lt_stdin_gt_, script->src,
					script->len, 0);
	tree = mp_parse(lex, MP_PARSE_FILE_INPUT);
	module_fun = mp_compile(&tree, MP_QSTR__lt_stdin_gt_, false);
	mp_call_function_0(module_fun);
}

static void kpy_print_exception(void *exc)
{
	mp_obj_print_exception(&mp_plat_print, MP_OBJ_FROM_PTR(exc));
}

static void kpy_print_exit_message(void *code)
{
	mp_obj_print_helper(&mp_plat_print, MP_OBJ_FROM_PTR(code), PRINT_STR);
	mp_print_str(&mp_plat_print, "\n");
}

/* Print what a caller of print_fn needs to see; user code may run. */
static enum kpy_status kpy_print_protected(kpy_protected_fn print_fn,
					   void *arg)
{
	static const char lost[] = "kpython: the exception could not be printed\n";
	void *again = kpy_protected_call(print_fn, arg);

	if (!again)
		return KPY_RAISED;
	kpy_hal_print(lost, sizeof(lost) - 1);
	return IS_ERR(again) ? kpy_hal_abort_reason() : KPY_RAISED;
}

/*
 * SystemExit ends a script as in CPython: no code or 0 is success, another
 * integer a silent failure, anything else is printed.
 */
static enum kpy_status kpy_report_exit(mp_obj_t exc)
{
	mp_obj_t code = mp_obj_exception_get_value(exc);

	if (code == mp_const_none || code == MP_OBJ_NEW_SMALL_INT(0))
		return KPY_OK;
	if (mp_obj_is_int(code))
		return KPY_RAISED;
	return kpy_print_protected(kpy_print_exit_message, MP_OBJ_TO_PTR(code));
}

static enum kpy_status kpy_report_abort(void)
{
	enum kpy_status reason = kpy_hal_abort_reason();

	if (reason == KPY_TIMEOUT)
		mp_printf(&mp_plat_print,
			  "kpython: interrupted: time limit of %u ms exceeded\n",
			  kpy_timeout_ms);
	else
		mp_printf(&mp_plat_print, "kpython: interrupted: fatal signal\n");
	return reason == KPY_OK ? KPY_KILLED : reason;
}

/* Turn how the script ended into a status, printing what the caller sees. */
static enum kpy_status kpy_report(void *raised)
{
	mp_obj_t exc = MP_OBJ_FROM_PTR(raised);

	if (!raised)
		return KPY_OK;
	if (IS_ERR(raised))
		return kpy_report_abort();
	if (mp_obj_is_subclass_fast(MP_OBJ_FROM_PTR(mp_obj_get_type(exc)),
				    MP_OBJ_FROM_PTR(&mp_type_SystemExit)))
		return kpy_report_exit(exc);
	/* Printing runs user __repr__ code, which may raise or loop too. */
	return kpy_print_protected(kpy_print_exception, raised);
}

/*
 * The Python stack's share of the heap: deep enough for CPython's default
 * recursion limit (1000 calls of a small function need ~130 KiB) with
 * the default heap of 2 MiB.
 */
static size_t kpy_pystack_size(size_t heap_size)
{
	return (heap_size / 8) & ~(size_t)15;
}

/*
 * noinline: the frame address bounds the stack region the GC scans and the
 * stack check measures from, so it must be this function's own frame.
 */
noinline enum kpy_status kpy_interpret(void *heap, size_t heap_size,
				       const char *src, size_t len)
{
	struct kpy_script script = { .src = src, .len = len };
	char *top = __builtin_frame_address(0);
	unsigned long room = kpy_stack_remaining((unsigned long)top);
	enum kpy_status status;
	unsigned long mark;
	size_t pystack;

	if (room <= kpy_stack_headroom + PAGE_SIZE) {
		kpy_hal_print("kpython: not enough kernel stack\n", 33);
		return KPY_NOMEM;
	}
	/* From here to mp_deinit() the interpreter runs: in an FPU section. */
	kpy_fpu_begin();
	mp_cstack_init_with_top(top, room - kpy_stack_headroom);
	/* An eighth of the heap holds Python frames (kpy_pystack_size()). */
	pystack = kpy_pystack_size(heap_size);
	mp_pystack_init(heap, (char *)heap + pystack);
	gc_init((char *)heap + pystack, (char *)heap + heap_size);
	mp_init();
	/* mp_init() keeps an abort that came too late for the last script. */
	MP_STATE_VM(vm_abort) = false;
	mark = kpy_stack_watch_begin();
	status = kpy_report(kpy_protected_call(kpy_compile_and_run, &script));
	kpy_stack_watch_end(mark);
	mp_deinit();
	kpy_fpu_end();
	return status;
}
