x = []
y = []
for i in range(40):
    x = [x, x]
    y = [y, y]
while True:
    y in [x]
