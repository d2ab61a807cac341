# broke: list.remove/index whose __eq__ clears the list: py/sequence.c:mp_seq_index_obj keeps the old length and reads NULL items (NULL dereference in py/obj.c mp_obj_equal_not_equal)
class E:
    def __eq__(s, o):
        l.clear()
        return False
l = [1, 2, 3]
print(l.index(E()) if 0 else 0)
l = [E(), E(), E()]
l.remove(1)
