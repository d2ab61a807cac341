# Reading an endless file line by line in a loop ends with the time limit.
# (One unbounded line of /dev/zero ends in MemoryError or the time limit,
# whichever comes first on the machine: not a stable case.)
f = open("/dev/zero", "rb")
print(len(f.readline(10000)))
while True:
    f.readline(4096)
print("escaped")
