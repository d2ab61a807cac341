try:
    import re
    r = re.match('(a|b)*c', 'ab' * 20000 + 'c').group(0) == 'ab' * 20000 + 'c'
except Exception as e:
    print(type(e).__name__)
else:
    print(repr(r)[:80])
