# Reading an endless file in a loop, or line by line, ends with the time
# limit.
f = open("/dev/zero", "rb")
print(len(f.readline(100000)))
n = 0
for line in open("/dev/zero"):
    n += 1
print("escaped")
