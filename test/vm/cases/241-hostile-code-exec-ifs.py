try:
    r = exec(''.join(' ' * i + 'if 1:\n' for i in range(400)) + ' ' * 400 + 'pass\n') or 'compiled'
except Exception as e:
    print(type(e).__name__)
else:
    print(repr(r)[:80])
