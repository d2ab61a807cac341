try:
    r = exec(''.join(' ' * i + 'def f%d():\n' % i for i in range(300)) + ' ' * 300 + 'pass\n') or 'compiled'
except Exception as e:
    print(type(e).__name__)
else:
    print(repr(r)[:80])
