# broke: a key whose __hash__ clears the dict being stored into: py/map.c:mp_map_lookup divides by map->alloc == 0 (divide error in ring 0)
d = {}
class K:
    def __hash__(s):
        d.clear()
        return 1
    def __eq__(s, o):
        return True
d[K()] = 1
d[K()] = 2
