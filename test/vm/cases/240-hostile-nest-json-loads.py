try:
    import json
    r = json.loads('[' * 20000 + ']' * 20000) is not None
except Exception as e:
    print(type(e).__name__)
else:
    print(repr(r)[:80])
