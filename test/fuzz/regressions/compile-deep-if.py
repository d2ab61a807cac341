# broke: compiling deeply nested blocks recurses in py/compile.c without a stack check (stack guard page hit)
src = ''
for i in range(200):
    src += ' ' * i + 'if 1:\n'
src += ' ' * 200 + 'pass\n'
exec(src)
