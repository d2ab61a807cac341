/*
 * Stand-in for kernel_mod/kpy_interp.c and kpy_run.c: one execution on a
 * fresh interpreter, every entry wrapped in nlr_push, the stack check's
 * limit computed from the stack that really remains minus the headroom,
 * an eighth of the 2 MiB heap for Python frames. Keep it in step with
 * kpy_interp.c: the twin is only worth what it shares with the kernel.
 */
#include <stdint.h>
#include <stdlib.h>

#include "py/compile.h"
#include "py/cstack.h"
#include "py/gc.h"
#include "py/lexer.h"
#include "py/nlr.h"
#include "py/objexcept.h"
#include "py/pystack.h"
#include "py/runtime.h"
#include "twin.h"

/* kpy_protected_call()'s result when the VM was aborted (ERR_PTR(-EINTR)). */
#define TWIN_ABORTED ((void *)(uintptr_t)-4)

struct twin_script {
	const char *src;
	size_t len;
};

typedef void (*twin_protected_fn)(void *arg);

static void *twin_protected_call(twin_protected_fn fn, void *arg)
{
	nlr_buf_t nlr;
	void *ret = NULL;

	nlr_set_abort(&nlr);
	if (nlr_push(&nlr) == 0) {
		fn(arg);
		nlr_pop();
	} else {
		ret = nlr.ret_val ? nlr.ret_val : TWIN_ABORTED;
	}
	nlr_set_abort(NULL);
	return ret;
}

static void twin_compile_and_run(void *arg)
{
	struct twin_script *script = arg;
	mp_lexer_t *lex;
	mp_parse_tree_t tree;
	mp_obj_t module_fun;

	lex = mp_lexer_new_from_str_len(MP_QSTR__lt_stdin_gt_, script->src,
					script->len, 0);
	tree = mp_parse(lex, MP_PARSE_FILE_INPUT);
	module_fun = mp_compile(&tree, MP_QSTR__lt_stdin_gt_, false);
	mp_call_function_0(module_fun);
}

static void twin_print_exception(void *exc)
{
	mp_obj_print_exception(&mp_plat_print, MP_OBJ_FROM_PTR(exc));
}

static void twin_print_exit_message(void *code)
{
	mp_obj_print_helper(&mp_plat_print, MP_OBJ_FROM_PTR(code), PRINT_STR);
	mp_print_str(&mp_plat_print, "\n");
}

static enum twin_status twin_print_protected(twin_protected_fn print_fn,
					     void *arg)
{
	static const char lost[] = "kpython: the exception could not be printed\n";
	void *again = twin_protected_call(print_fn, arg);

	if (!again)
		return TWIN_RAISED;
	twin_hal_print(lost, sizeof(lost) - 1);
	return again == TWIN_ABORTED ? twin_hal_abort_reason() : TWIN_RAISED;
}

static enum twin_status twin_report_exit(mp_obj_t exc)
{
	mp_obj_t code = mp_obj_exception_get_value(exc);

	if (code == mp_const_none || code == MP_OBJ_NEW_SMALL_INT(0))
		return TWIN_OK;
	if (mp_obj_is_int(code))
		return TWIN_RAISED;
	return twin_print_protected(twin_print_exit_message, MP_OBJ_TO_PTR(code));
}

static enum twin_status twin_report_abort(void)
{
	enum twin_status reason = twin_hal_abort_reason();

	if (reason == TWIN_TIMEOUT)
		mp_printf(&mp_plat_print,
			  "kpython: interrupted: time limit of %u ms exceeded\n",
			  twin_timeout_ms);
	return reason == TWIN_OK ? TWIN_KILLED : reason;
}

static enum twin_status twin_report(void *raised)
{
	mp_obj_t exc = MP_OBJ_FROM_PTR(raised);

	if (!raised)
		return TWIN_OK;
	if (raised == TWIN_ABORTED)
		return twin_report_abort();
	if (mp_obj_is_subclass_fast(MP_OBJ_FROM_PTR(mp_obj_get_type(exc)),
				    MP_OBJ_FROM_PTR(&mp_type_SystemExit)))
		return twin_report_exit(exc);
	return twin_print_protected(twin_print_exception, raised);
}

static size_t twin_pystack_size(size_t heap_size)
{
	return (heap_size / 8) & ~(size_t)15;
}

__attribute__((noinline))
enum twin_status twin_interpret(void *heap, size_t heap_size,
				const char *src, size_t len)
{
	struct twin_script script = { .src = src, .len = len };
	char *top = __builtin_frame_address(0);
	unsigned long room = twin_stack_remaining((unsigned long)top);
	enum twin_status status;
	size_t pystack;

	if (room <= TWIN_STACK_HEADROOM + TWIN_PAGE_SIZE) {
		twin_hal_print("kpython: not enough kernel stack\n", 33);
		return TWIN_NOMEM;
	}
	mp_cstack_init_with_top(top, room - TWIN_STACK_HEADROOM);
	pystack = twin_pystack_size(heap_size);
	mp_pystack_init(heap, (char *)heap + pystack);
	gc_init((char *)heap + pystack, (char *)heap + heap_size);
	mp_init();
	MP_STATE_VM(vm_abort) = false;
	status = twin_report(twin_protected_call(twin_compile_and_run, &script));
	mp_deinit();
	return status;
}

struct twin_job {
	const char *src;
	size_t len;
	enum twin_status status;
};

static void *twin_heap;

static void twin_job_run(void *arg)
{
	struct twin_job *job = arg;

	job->status = twin_interpret(twin_heap, TWIN_HEAP_SIZE, job->src,
				     job->len);
}

/* kpy_run(): the one preallocated heap, reused by every execution. */
enum twin_status twin_run(const char *src, size_t len)
{
	struct twin_job job = { .src = src, .len = len };

	if (!twin_heap) {
		twin_heap = aligned_alloc(4096, TWIN_HEAP_SIZE);
		if (!twin_heap)
			abort();
	}
	twin_heap_reset(twin_heap, TWIN_HEAP_SIZE);
	twin_hal_begin();
	twin_on_small_stack(twin_job_run, &job);
	twin_hal_end();
	return job.status;
}

const char *twin_status_name(enum twin_status s)
{
	static const char *const names[] = {
		[TWIN_OK] = "ok", [TWIN_RAISED] = "raised",
		[TWIN_TIMEOUT] = "timeout", [TWIN_KILLED] = "killed",
		[TWIN_NOMEM] = "nomem",
	};
	return s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}
