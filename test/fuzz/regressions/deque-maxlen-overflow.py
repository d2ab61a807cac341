# broke: deque((), 2**63-1): maxlen + 1 overflows mp_int_t in py/objdeque.c:deque_make_new (UBSan; wraps in the kernel, then only the saturating allocation saves it)
from collections import deque
d = deque((), 2**63 - 1)
