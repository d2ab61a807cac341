while True:
    sorted(range(50000))
