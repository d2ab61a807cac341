# broke: attribute lookup over 1000 levels of mixed single/multiple inheritance recurses in py/objtype.c:mp_obj_class_lookup without a stack check (guard page hit in mp_map_lookup)
class M: pass
C = object
for i in range(1000):
    C = type('C', (C, M) if i % 2 else (C,), {})
C().nope
