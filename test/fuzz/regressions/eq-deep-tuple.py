# broke: == on deeply nested tuples recurses through py/objtuple.c tuple_cmp_helper / py/sequence.c mp_seq_cmp_objs without a stack check
x = 1
y = 1
for i in range(2000):
    x = (x, 1)
    y = (y, 1)
x == y
