// SPDX-License-Identifier: MIT
/*
 * kernel.kprobe(symbol, nargs=0, capacity=4096) and kernel.kretprobe(...):
 * probe objects (context managers) and their event iterators. The probe's
 * state lives in kern_probe.c, owned by the execution, not by this heap.
 */
#include <errno.h>

#include "py/objtuple.h"
#include "py/runtime.h"
#include "kern.h"
#include "kmod.h"

/* Longest single sleep in events(): the time limit is checked between. */
#define KMOD_WAIT_SLICE_NS (10 * 1000 * 1000LL)

typedef struct {
	mp_obj_base_t base;
	struct kern_probe *p;
} kmod_probe_t;

typedef struct {
	mp_obj_base_t base;
	kmod_probe_t *probe;
	uint64_t end_ns;	/* stop waiting here; UINT64_MAX: never */
	mp_int_t left;		/* events still to yield; -1: no limit */
} kmod_events_t;

static const qstr kmod_event_fields[] = {
	MP_QSTR_ts_ns, MP_QSTR_cpu, MP_QSTR_pid, MP_QSTR_comm, MP_QSTR_args,
	MP_QSTR_ret,
};

static mp_obj_t kmod_event_new(struct kern_probe *p,
			       const struct kern_event *ev)
{
	unsigned int i, nargs = kern_probe_nargs(p);
	mp_obj_t args[KERN_MAX_ARGS];
	mp_obj_t items[MP_ARRAY_SIZE(kmod_event_fields)];

	for (i = 0; i < nargs; i++)
		args[i] = mp_obj_new_int_from_ull(ev->args[i]);
	items[0] = mp_obj_new_int_from_ull(ev->ts_ns);
	items[1] = MP_OBJ_NEW_SMALL_INT(ev->cpu);
	items[2] = MP_OBJ_NEW_SMALL_INT(ev->pid);
	items[3] = kmod_new_name(ev->comm, sizeof(ev->comm));
	items[4] = mp_obj_new_tuple(nargs, args);
	/* A return value is signed: errors read as -errno. */
	items[5] = mp_obj_new_int_from_ll((int64_t)ev->ret);
	return mp_obj_new_attrtuple(kmod_event_fields,
				    kern_probe_is_ret(p) ? 6 : 5, items);
}

static mp_obj_t kmod_events_next(mp_obj_t self_in)
{
	kmod_events_t *it = MP_OBJ_TO_PTR(self_in);
	struct kern_probe *p = it->probe->p;
	struct kern_event ev;
	uint64_t now;

	int got;

	if (it->left == 0)
		return MP_OBJ_STOP_ITERATION;
	for (;;) {
		got = kern_probe_pop(p, &ev, it->end_ns);
		if (got > 0) {
			if (it->left > 0)
				it->left--;
			return kmod_event_new(p, &ev);
		}
		now = kern_ktime_ns();
		/* A probe that is not armed records nothing: do not wait. */
		if (got < 0 || !kern_probe_active(p) || now >= it->end_ns)
			return MP_OBJ_STOP_ITERATION;
		kern_probe_wait(p, it->end_ns - now < KMOD_WAIT_SLICE_NS ?
				(int64_t)(it->end_ns - now) : KMOD_WAIT_SLICE_NS);
		kpy_hal_check_abort();
	}
}

static MP_DEFINE_CONST_OBJ_TYPE(
	kmod_events_type, MP_QSTR_events, MP_TYPE_FLAG_ITER_IS_ITERNEXT,
	iter, kmod_events_next);

/*
 * events(timeout_ms=0, max=None): the events recorded until timeout_ms
 * from now, waiting for them; later ones stay buffered for the next call,
 * so a probe that fires faster than the script consumes (or fires because
 * it consumes) cannot keep one call going. 0 takes what is buffered now;
 * None waits for events until max (or the time limit).
 */
static mp_obj_t kmod_probe_events(size_t n_args, const mp_obj_t *pos,
				  mp_map_t *kw)
{
	enum { ARG_self, ARG_timeout_ms, ARG_max };
	static const mp_arg_t allowed[] = {
		{ MP_QSTR_self, MP_ARG_REQUIRED | MP_ARG_OBJ, { .u_obj = MP_OBJ_NULL } },
		{ MP_QSTR_timeout_ms, MP_ARG_OBJ, { .u_obj = MP_OBJ_NEW_SMALL_INT(0) } },
		{ MP_QSTR_max, MP_ARG_OBJ, { .u_obj = mp_const_none } },
	};
	mp_arg_val_t args[MP_ARRAY_SIZE(allowed)];
	kmod_events_t *it;
	mp_int_t timeout = -1, max = -1;

	mp_arg_parse_all(n_args, pos, kw, MP_ARRAY_SIZE(allowed), allowed, args);
	if (args[ARG_timeout_ms].u_obj != mp_const_none) {
		timeout = mp_obj_get_int(args[ARG_timeout_ms].u_obj);
		if (timeout < 0)
			mp_raise_ValueError(MP_ERROR_TEXT("timeout_ms must be >= 0"));
	}
	if (args[ARG_max].u_obj != mp_const_none) {
		max = mp_obj_get_int(args[ARG_max].u_obj);
		if (max < 0)
			mp_raise_ValueError(MP_ERROR_TEXT("max must be >= 0"));
	}
	it = mp_obj_malloc(kmod_events_t, &kmod_events_type);
	it->probe = MP_OBJ_TO_PTR(args[ARG_self].u_obj);
	it->left = max;
	it->end_ns = UINT64_MAX;
	/* 2**63 ns is 292 years: a timeout this long is none. */
	if (timeout >= 0 && timeout < 9000000000000LL)
		it->end_ns = kern_ktime_ns() + (uint64_t)timeout * 1000000;
	return MP_OBJ_FROM_PTR(it);
}
static MP_DEFINE_CONST_FUN_OBJ_KW(kmod_probe_events_obj, 1, kmod_probe_events);

static mp_obj_t kmod_probe_enter(mp_obj_t self_in)
{
	kmod_probe_t *self = MP_OBJ_TO_PTR(self_in);
	int err = kern_probe_enter(self->p);

	if (err)
		kmod_raise_errno(err);
	return self_in;
}
static MP_DEFINE_CONST_FUN_OBJ_1(kmod_probe_enter_obj, kmod_probe_enter);

static mp_obj_t kmod_probe_exit(size_t n_args, const mp_obj_t *args)
{
	kmod_probe_t *self = MP_OBJ_TO_PTR(args[0]);

	kern_probe_exit(self->p);
	return mp_const_none;	/* exceptions propagate */
}
static MP_DEFINE_CONST_FUN_OBJ_VAR_BETWEEN(kmod_probe_exit_obj, 1, 4,
					   kmod_probe_exit);

static void kmod_probe_attr(mp_obj_t self_in, qstr attr, mp_obj_t *dest)
{
	kmod_probe_t *self = MP_OBJ_TO_PTR(self_in);
	struct kern_probe *p = self->p;

	if (dest[0] != MP_OBJ_NULL)
		return;		/* read-only */
	switch (attr) {
	case MP_QSTR_hits:
		dest[0] = mp_obj_new_int_from_ull(kern_probe_hits(p));
		break;
	case MP_QSTR_dropped:
		dest[0] = mp_obj_new_int_from_ull(kern_probe_dropped(p));
		break;
	case MP_QSTR_missed:
		dest[0] = mp_obj_new_int_from_ull(kern_probe_missed(p));
		break;
	case MP_QSTR_addr:
		dest[0] = mp_obj_new_int_from_ull(kern_probe_addr(p));
		break;
	case MP_QSTR_symbol:
		dest[0] = mp_obj_new_str_from_cstr(kern_probe_symbol(p));
		break;
	case MP_QSTR_nargs:
		dest[0] = MP_OBJ_NEW_SMALL_INT(kern_probe_nargs(p));
		break;
	case MP_QSTR_active:
		dest[0] = mp_obj_new_bool(kern_probe_active(p));
		break;
	default:
		dest[1] = MP_OBJ_SENTINEL;	/* on to the methods */
	}
}

static void kmod_probe_print(const mp_print_t *print, mp_obj_t self_in,
			     mp_print_kind_t kind)
{
	kmod_probe_t *self = MP_OBJ_TO_PTR(self_in);

	mp_printf(print, "<%s %s>",
		  kern_probe_is_ret(self->p) ? "kretprobe" : "kprobe",
		  kern_probe_symbol(self->p));
}

static const mp_rom_map_elem_t kmod_probe_locals_table[] = {
	{ MP_ROM_QSTR(MP_QSTR___enter__), MP_ROM_PTR(&kmod_probe_enter_obj) },
	{ MP_ROM_QSTR(MP_QSTR___exit__), MP_ROM_PTR(&kmod_probe_exit_obj) },
	{ MP_ROM_QSTR(MP_QSTR_close), MP_ROM_PTR(&kmod_probe_exit_obj) },
	{ MP_ROM_QSTR(MP_QSTR_events), MP_ROM_PTR(&kmod_probe_events_obj) },
};
static MP_DEFINE_CONST_DICT(kmod_probe_locals, kmod_probe_locals_table);

static MP_DEFINE_CONST_OBJ_TYPE(
	kmod_probe_type, MP_QSTR_kprobe, MP_TYPE_FLAG_NONE,
	print, kmod_probe_print,
	attr, kmod_probe_attr,
	locals_dict, &kmod_probe_locals);

static mp_obj_t kmod_probe_new(size_t n_args, const mp_obj_t *pos,
			       mp_map_t *kw, bool ret)
{
	enum { ARG_symbol, ARG_nargs, ARG_capacity };
	static const mp_arg_t allowed[] = {
		{ MP_QSTR_symbol, MP_ARG_REQUIRED | MP_ARG_OBJ, { .u_obj = MP_OBJ_NULL } },
		{ MP_QSTR_nargs, MP_ARG_INT, { .u_int = 0 } },
		{ MP_QSTR_capacity, MP_ARG_INT, { .u_int = KERN_RING_DEFAULT } },
	};
	mp_arg_val_t args[MP_ARRAY_SIZE(allowed)];
	const char *symbol;
	kmod_probe_t *self;
	int err;

	mp_arg_parse_all(n_args, pos, kw, MP_ARRAY_SIZE(allowed), allowed, args);
	symbol = kmod_get_symbol_name(args[ARG_symbol].u_obj);
	if (args[ARG_nargs].u_int < 0 || args[ARG_nargs].u_int > KERN_MAX_ARGS)
		mp_raise_ValueError(MP_ERROR_TEXT("nargs must be 0 to 6"));
	if (args[ARG_capacity].u_int < 1 ||
	    args[ARG_capacity].u_int > KERN_RING_MAX)
		mp_raise_ValueError(MP_ERROR_TEXT("capacity must be 1 to 65536"));
	/* The object first: once the probe exists, nothing here may raise. */
	self = mp_obj_malloc(kmod_probe_t, &kmod_probe_type);
	err = kern_probe_new(symbol, args[ARG_nargs].u_int, ret,
			     args[ARG_capacity].u_int, &self->p);
	if (err == -ENOMEM)
		mp_raise_type(&mp_type_MemoryError);
	if (err)
		kmod_raise_errno(err);
	return MP_OBJ_FROM_PTR(self);
}

static mp_obj_t kmod_kprobe(size_t n_args, const mp_obj_t *pos, mp_map_t *kw)
{
	return kmod_probe_new(n_args, pos, kw, false);
}
MP_DEFINE_CONST_FUN_OBJ_KW(kmod_kprobe_obj, 1, kmod_kprobe);

static mp_obj_t kmod_kretprobe(size_t n_args, const mp_obj_t *pos,
			       mp_map_t *kw)
{
	return kmod_probe_new(n_args, pos, kw, true);
}
MP_DEFINE_CONST_FUN_OBJ_KW(kmod_kretprobe_obj, 1, kmod_kretprobe);
