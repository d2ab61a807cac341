def inner(v):
    return v["key"]

def outer():
    return inner({})

print("start")
outer()
