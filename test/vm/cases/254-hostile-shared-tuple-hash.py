t = ()
for i in range(40):
    t = (t, t)
while True:
    hash(t)
