t = ()
for i in range(20000):
    t = (t,)
d = {t: 1}
