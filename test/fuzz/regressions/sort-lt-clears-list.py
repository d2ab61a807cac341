# broke: list.sort whose __lt__ clears the list: py/objlist.c:mp_quicksort hands NULL items to mp_obj_get_type
class X:
    def __init__(s, v): s.v = v
    def __lt__(s, o):
        L.clear()
        return s.v < o.v
L = [X(i) for i in range(100)]
L.sort()
print(len(L))
