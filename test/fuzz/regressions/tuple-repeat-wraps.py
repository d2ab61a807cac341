# broke: (..) * huge wraps the size in py/objtuple.c:mp_obj_tuple_binary_op, then copies past the block
x = (1, 2) * (2**62 + 1)
