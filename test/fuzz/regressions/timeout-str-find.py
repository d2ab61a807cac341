# broke: str.find with a long needle is quadratic in py/objstr.c find_subbytes with no loop hook (time limit escaped)
s = 'a' * 400000
n = 'a' * 200000 + 'b'
for i in range(100):
    s.find(n)
