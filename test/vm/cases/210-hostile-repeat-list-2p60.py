[None] * 2 ** 60
