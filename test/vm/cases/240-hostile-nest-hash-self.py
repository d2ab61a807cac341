class H:
    def __hash__(self):
        return hash((self,))
print(hash(H()))
