# broke: list.sort with a key that resizes the list: py/objlist.c:mp_quicksort reads the freed items array
l = list(range(100))
def k(x):
    l.clear()
    l.extend(range(1000))
    return x
l.sort(key=k)
print(len(l))
