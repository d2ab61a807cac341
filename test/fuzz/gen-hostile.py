#!/usr/bin/env python3
"""Write hostile seed scripts for the twin's fuzzer into DIR.

Each script is a small program of the kinds that break interpreters:
deep nesting, huge and negative counts, big integers, callbacks that
mutate what is being iterated, exceptions from __repr__/__eq__/__hash__,
memoryviews over resized buffers, raw-pointer typecodes. libFuzzer mutates
them from there. Deterministic (fixed seed), so the seed set is cacheable.

    gen-hostile.py DIR [COUNT]
"""
import os
import random
import sys

HUGE = ['2**62', '2**63', '2**63-1', '2**64', '-1', '-(2**62)', '2**31',
        '2**32', '2**30+1', '0', '-2**63', '10**20', '(1<<61)+3', '2**62//3']
SMALLISH = ['0', '1', '-1', '7', '255', '4096', '65535', '100000']


def huge():
    return random.choice(HUGE)


def nest(open_, close, depth, inner='1'):
    return open_ * depth + inner + close * depth


def depth():
    return random.choice([50, 200, 1000, 3000, 10000, 50000])


def g_repeat():
    seq = random.choice(["b'ab'", "'ab'", "'\\u1234'", '[1, 2]', '(1,)',
                         'bytearray(b"xy")', '[None]', "b''", "''", '()'])
    op = random.choice(['{s} * {n}', '{n} * {s}', 'x = {s}\nx *= {n}'])
    return op.format(s=seq, n=huge())


def g_format():
    w = str(eval(random.choice(HUGE + SMALLISH)))
    return random.choice([
        "'{{:>{w}}}'.format('ab')", "'{{:<{w}}}'.format(1)",
        "'{{:^{w}d}}'.format(-5)", "'%{w}s' % 'x'", "'%-{w}d' % 3",
        "'%*s' % ({w}, 'x')", "'%.*s' % ({w}, 'abc')",
        "'{{:0{w}}}'.format(7)", "'{{0:{{1}}}}'.format('a', {w})",
    ]).format(w=w)


def g_array():
    tc = random.choice('bBhHiIlLqQPO')
    n = huge()
    return random.choice([
        "import array\na = array.array('{t}', [1]) * {n}",
        "import array\na = array.array('{t}', bytes({m}))\nprint(a[0])",
        "import array\na = array.array('{t}')\na.extend(array.array('{t}', range(3)))\nm = memoryview(a)\na.extend(range(1000))\nprint(m[1])",
        "import array\na = array.array('{t}', bytearray({m}))\nprint(list(a))",
    ]).format(t=tc, n=n, m=random.choice(['8', '16', '7', '0']))


def g_struct():
    fmt = random.choice(['{n}s', '{n}x', '{n}q', '{n}P', 'O', 'P', '{n}O',
                         '<{n}h', '>{n}Q', '{n}p'])
    n = random.choice(['4611686018427387904', '2305843009213693952',
                       '18446744073709551615', '999999999999', '0', '1'])
    f = fmt.format(n=n)
    return random.choice([
        "import struct\nstruct.calcsize('{f}')",
        "import struct\nstruct.pack('{f}', b'x')",
        "import struct\nprint(struct.unpack('{f}', bytes(16)))",
        "import struct\nb = bytearray(8)\nstruct.pack_into('{f}', b, 0, 1)",
        "import struct\nprint(struct.unpack('O', struct.pack('Q', 0x4141414141414140))[0])",
        "import struct\nprint(struct.unpack_from('{f}', b'abcdefgh', {o}))",
    ]).format(f=f, o=random.choice(HUGE))


def g_deque():
    return random.choice([
        "from collections import deque\nd = deque((), {n})\nfor i in range(10): d.append(i)\nprint(d)",
        "from collections import deque\nd = deque(range(5), 3)\nfor x in d: d.append(x)",
        "from collections import deque\nd = deque(range({m}), {m})\nprint(d[{n}])",
    ]).format(n=huge(), m=random.choice(SMALLISH[1:5]))


def g_bigint():
    return random.choice([
        "x = {a} ** {b}\nprint(len(str(x)))",
        "print(int('9' * {d}) % 7)",
        "print((1 << {d}) // 3 % 1000)",
        "x = -(1 << {d})\nprint(x >> {d}, x & 7, x | -8, ~x % 9)",
        "print(pow(3, {d}, (1 << 127) - 1))",
        "print(int('1' * {d}, 16) % 11)",
        "print(hex(7 ** {d})[:10])",
        "print('%d' % (10 ** {d}) == str(10 ** {d}))",
        "print(divmod(-(10 ** {d}), 7 ** 50))",
        "print((1 << {d}).to_bytes({n}, 'little'))",
        "print(int.from_bytes(b'\\xff' * {d}, 'big') % 13)",
    ]).format(a=random.choice(['7', '-3', '2', '10']),
              b=random.choice(['1000', '100000', '3000000']),
              d=random.choice(['64', '1000', '100000', '2000000']), n=huge())


def g_nesting():
    d = depth()
    return random.choice([
        lambda: "x = " + nest('[', ']', d),
        lambda: "x = " + nest('(', ',)', d),
        lambda: "x = " + nest('{1:', '}', d),
        lambda: "exec(" + repr('x = ' + nest('(', ')', d)) + ")",
        lambda: "eval('" + nest('[', ']', d, '') + "')",
        lambda: "exec('f = ' + 'lambda: ' * %d + '1')" % d,
        lambda: "exec(''.join(' ' * i + 'if 1:\\n' for i in range(%d)) + ' ' * %d + 'pass')" % (d, d),
        lambda: "exec(''.join(' ' * i + 'class C%%d:\\n' %% i for i in range(%d)) + ' ' * %d + 'pass')" % (min(d, 500), min(d, 500)),
        lambda: "exec('x = ' + '[' * %d + '1' + ' for a in ()]' * %d)" % (d, d),
        lambda: "exec('x = ' + 'not ' * %d + '1')" % d,
        lambda: "exec('x = ' + '-' * %d + '1')" % d,
        lambda: "exec('x = 1' + ' + 1' * %d)" % d,
        lambda: "exec('x = ' + 'f(' * %d + ')' * %d)" % (d, d),
        lambda: "exec('x = a' + '.b' * %d)" % d,
        lambda: "exec('x = a' + '[0]' * %d)" % d,
        lambda: "compile('x = ' + '(' * %d + '1' + ')' * %d, 's', 'exec')" % (d, d),
        lambda: "import re\nre.compile('(' * %d + 'a' + ')' * %d)" % (d, d),
        lambda: "import re\nre.compile('(?:' * %d + 'a' + ')*' * %d)" % (d, d),
        lambda: "import re\nre.compile('a|' * %d + 'b')" % d,
        lambda: "import json\njson.loads('[' * %d + ']' * %d)" % (d, d),
        lambda: "import json\njson.dumps(eval('[' * %d + ']' * %d))" % (min(d, 1000), min(d, 1000)),
    ])()


def g_deep_data():
    mk = random.choice(['[x]', '(x,)', '{1: x}', '[x, x]', '{x}' if False else '(x, 1)'])
    n = random.choice([500, 2000, 8000, 20000])
    use = random.choice(['repr(x)', 'x == y', 'hash(x)', 'str(x)', 'x < y',
                         'print(x)', 'x in [y]', 'sorted([x, y])', 'max(x, y)',
                         'import json\njson.dumps(x)', '"%s" % (x,)',
                         'len(str(x))', 'x.__eq__(y)', '{x: 1}', 'set([x])'])
    return ("x = 1\ny = 1\nfor i in range(%d):\n    x = %s\n    y = %s\n%s"
            % (n, mk, mk.replace('x', 'y'), use))


def g_shared():
    n = random.choice([30, 50, 64])
    return ("x = [1]\nfor i in range(%d):\n    x = [x, x]\n%s"
            % (n, random.choice(['print(x == x[:])', 'repr(x)', 'hash(tuple(x))',
                                 'print(x < [x])', 'str(x)'])))


def g_classes():
    return random.choice([
        "C = object\nfor i in range(%d):\n    C = type('C', (C,), {})\nC().nope" % depth(),
        "class M: pass\nC = object\nfor i in range(%d):\n    C = type('C', (C, M) if i %% 2 else (C,), {})\nC().nope" % depth(),
        "bases = tuple(type('B%%d' %% i, (), {}) for i in range(%d))\nC = type('C', bases, {})\nC().x" % depth(),
        "class A: pass\nL = [A]\nfor i in range(%d):\n    B = type('B', (L[-1],), {})\n    C = type('C', (L[-1],), {})\n    L.append(type('D', (B, C), {}))\nL[-1]().nope" % random.choice([20, 40, 60]),
        "class E(Exception): pass\nfor i in range(%d):\n    E = type('E', (E,), {})\ntry:\n    raise E\nexcept E: pass" % depth(),
        "class C:\n    def __getattr__(s, n): return getattr(s, n + 'x')\nC().a",
        "class C:\n    def __iter__(s): return iter(s)\nlist(C())",
    ])


def g_mutate():
    return random.choice([
        "l = list(range(100))\ndef k(x):\n    l.clear()\n    l.extend(range(%s))\n    return x\nl.sort(key=k)" % random.choice(SMALLISH[1:]),
        "class X:\n    def __init__(s, v): s.v = v\n    def __lt__(s, o):\n        L.append(X(0))\n        L.pop(0)\n        return s.v < o.v\nL = [X(i) for i in range(50)]\nL.sort()",
        "class X:\n    def __lt__(s, o):\n        L.clear()\n        return True\nL = [X() for i in range(50)]\nL.sort(reverse=True)",
        "l = list(range(10))\nfor x in l:\n    l.append(x)\n    if len(l) > 100000: break",
        "d = {i: i for i in range(10)}\nfor k in d:\n    d[k + 100] = 1",
        "s = set(range(10))\nfor x in s:\n    s.add(x + 100)",
        "import re\nkept = []\ndef cb(m):\n    kept.append(m)\n    return ''\nre.sub('(a)', cb, 'aaaa')\ndef f(n):\n    return f(n - 1) if n else [0] * 200\nf(30)\nfor m in kept: print(m.group(1), m.span())",
        "import re\ndef cb(m):\n    return cb.s * 2\ncb.s = 'x'\nprint(len(re.sub('a', cb, 'a' * %s)))" % random.choice(SMALLISH[2:]),
        "import re\nr = re.compile('(a)(b)?')\nm = r.match('a')\nprint(m.group(%s))" % huge(),
        "import re\nprint(re.sub('(a)', '\\\\%s', 'a'))" % random.choice(['9', '99', '0', '1']),
        "b = bytearray(16)\nm = memoryview(b)\nb.extend(bytes(%s))\nm[0] = 1\nprint(m[15])" % random.choice(['100000', '16', '4096']),
        "b = bytearray(4096)\nm = memoryview(b)[10:20]\nb[:] = b''\nprint(m[5])\nm[5] = 3",
        "b = bytearray(100)\nm = memoryview(b)\ndel b[:]\nb += bytes(50000)\nprint(bytes(m[:4]))",
        "import array\na = array.array('i', range(8))\nm = memoryview(a)\na.extend(range(%s))\nm[1] = 5" % random.choice(['1000', '100000']),
        "l = [3, 1, 2]\nprint(sorted(l, key=lambda x: l.append(x) or x))",
        "it = iter(range(10))\nl = list(zip(it, it, it))\nprint(min(l, key=lambda x: l.clear() or 0))",
        "d = {}\nclass K:\n    def __hash__(s): d.clear(); return 1\n    def __eq__(s, o): d[1] = 2; return True\nd[K()] = 1\nd[K()] = 2",
        "l = [1, 2, 3]\nclass E:\n    def __eq__(s, o):\n        l.clear()\n        return False\nprint(E() in l, l.index(1) if l else 0)\nl = [E(), E(), E()]\nl.remove(1)",
    ])


def g_exc_dunder():
    meth = random.choice(['__repr__', '__str__', '__eq__', '__hash__', '__lt__',
                          '__len__', '__iter__', '__index__', '__bool__',
                          '__getitem__', '__del__', '__next__'])
    body = random.choice(['raise ValueError(s)', 'raise s', 'return s',
                          'return 10 ** 100', 'return -1', 'raise MemoryError',
                          'raise SystemExit(s)', 'return [s] * 100',
                          'return repr(s)', 'raise StopIteration'])
    use = random.choice(['print([E()])', '{E(): 1}', 'print(E() == E())',
                         'sorted([E(), E()])', 'raise ValueError(E())',
                         'raise E()', 'len(E())', 'list(E())', '[1, 2][E()]',
                         'print("%s" % E())', 'print(f"{E()}")', 'E() in {1: 2}',
                         'import sys\nsys.exit(E())', 'bytes(E())', 'hash(E())'])
    base = random.choice(['', 'Exception', 'list', 'dict', 'str', 'int', 'tuple'])
    return "class E(%s):\n    def %s(s, *a):\n        %s\n%s" % (base, meth, body, use)


def g_const_exc():
    return random.choice([
        "def g():\n    try:\n        yield 1\n    except GeneratorExit as e:\n        e.__traceback__ = None\n        raise\nx = g()\nnext(x)\nx.close()",
        "def g():\n    try:\n        yield 1\n    except BaseException as e:\n        e.args = (1,)\n        raise\nx = g()\nnext(x)\ndel x",
        "l = []\ntry:\n    while True: l.append(bytearray(1000))\nexcept MemoryError as e:\n    l = None\n    e.__traceback__ = None\n    raise",
        "try:\n    raise StopIteration\nexcept StopIteration as e:\n    e.value = 5",
        "def f():\n    try:\n        f()\n    except RuntimeError as e:\n        e.__traceback__ = None\n        raise\nf()",
    ])


def g_loops():
    return random.choice([
        "l = list(range(%s))\nl.sort()\nl.sort(reverse=True)" % random.choice(['10000', '50000']),
        "s = 'a' * 300000\nfor i in range(50):\n    s.find('a' * 150000 + 'b')",
        "s = 'ab' * 100000\nprint(s.count('ab' * 1000 + 'c'))",
        "s = 'x' * 300000\nprint(s.replace('x', 'yy')[:3])",
        "import re\nre.match('(a*)*b', 'a' * 40)",
        "import re\nre.match('(a|a)*b', 'a' * 30)",
        "import re\nre.search('(x+x+)+y', 'x' * 40)",
        "x = 7 ** 200000\nwhile True:\n    str(x)[:1]",
        "import time\ntime.sleep(%s)" % random.choice(['10', '100000', '-1', '0.5', '2**40']),
        "import time\nwhile True: time.sleep_ms(1)",
        "print(sum(range(10 ** 12)))",
        "print(max(range(10 ** 12)))",
        "print(list(range(10 ** 12)))",
        "b = bytes(range(256)) * 4000\nwhile True:\n    b.find(b'\\xfe\\xff\\x00\\x01' * 100)",
        "d = {}\nfor i in range(100000): d[i] = i\nwhile True: d.copy()",
        "l = [[]] * 100000\nwhile True: l == l[:]",
        "print(''.join(['x'] * 10 ** 7)[:2])",
        "print('x' * 10 ** 6 in 'x' * (10 ** 6 + 1))",
        "print((1 << 10 ** 7) % 7)",
        "print(len(bin(3 ** 10 ** 6)))",
    ])


GENERATORS = [g_repeat, g_format, g_array, g_struct, g_deque, g_bigint,
              g_nesting, g_deep_data, g_shared, g_classes, g_mutate,
              g_exc_dunder, g_const_exc, g_loops]


def main():
    out = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 600
    random.seed(7)
    os.makedirs(out, exist_ok=True)
    for i in range(count):
        gen = GENERATORS[i % len(GENERATORS)]
        src = gen()
        if random.random() < 0.3:
            src = "try:\n" + "".join("    " + l + "\n" for l in src.split("\n")) + \
                  "except Exception as e:\n    print(type(e), e)\n"
        with open(os.path.join(out, "gen-%04d-%s.py" % (i, gen.__name__[2:])), "w") as f:
            f.write(src + "\n")


if __name__ == "__main__":
    main()
