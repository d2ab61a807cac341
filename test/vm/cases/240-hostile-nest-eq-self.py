class E:
    def __eq__(self, other):
        return [self] == [other]
print(E() == E())
