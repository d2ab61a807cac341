# broke: == on deeply nested lists recurses in py/obj.c:mp_obj_equal_not_equal without a stack check
x = []
y = []
for i in range(8000):
    x = [x]
    y = [y]
print(x == y)
