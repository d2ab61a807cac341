# Printing in a tight loop cannot flood the kernel log: the log mirror of the
# output is rate-limited, while the caller still gets the output.
. "$KPY_LIB"
flood_case "print loop" 124 1000 'i = 0
while True:
    print("flood", i)
    i += 1'
finish
