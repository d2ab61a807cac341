x = []
y = []
for i in range(28):
    x = [x, x]
    y = [y, y]
while True:
    y in [x]
