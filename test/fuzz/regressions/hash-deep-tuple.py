# broke: hash() of a deeply nested tuple recurses in py/objtuple.c:mp_obj_tuple_unary_op without a stack check
x = ()
for i in range(8000):
    x = (x,)
print(hash(x))
