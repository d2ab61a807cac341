a = []
b = []
for i in range(5000):
    a = [a]
    b = [b]
print(a)
