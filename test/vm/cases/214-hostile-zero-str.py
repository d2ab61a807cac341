print(repr('' * 5), repr(''.join([])), repr('abc'[3:]), repr('abc'.replace('abc', '')))
print(repr('%s' % ''), repr('{}'.format('')), repr(str(b'', 'utf-8')), repr(''.center(0)))
print('a'.split('a'), ''.split(), repr(''.strip()), repr('abc'.strip('abc')), repr(''.upper()), repr(str()))
