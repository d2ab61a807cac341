print("fine")
def f(:
    pass
