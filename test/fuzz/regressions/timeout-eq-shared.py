# broke: == on lists full of shared references runs in C (py/sequence.c mp_seq_cmp_objs) with no loop hook (time limit escaped)
x = [1]
for i in range(60):
    x = [x, x]
y = [1]
for i in range(60):
    y = [y, y]
print(x == y)
