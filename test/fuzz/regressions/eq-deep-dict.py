# broke: == on deeply nested dicts recurses through py/objdict.c dict_binary_op / py/obj.c mp_obj_equal without a stack check
x = 1
y = 1
for i in range(8000):
    x = {1: x}
    y = {1: y}
x in [y]
