# broke: repr of a list full of shared references prints in C (py/objlist.c list_print) into a string grown in small gc_realloc steps (py/vstr.c) with no loop hook (time limit escaped)
x = [1]
for i in range(60):
    x = [x, x]
print(len(repr(x)))
