print("before")
x = 1
x // 0
print("not reached")
