import json
a = []
b = []
for i in range(5000):
    a = [a]
    b = [b]
r = json.dumps(a)
