# broke: compiling deeply nested brackets recurses in py/compile.c (compile_atom_bracket) without a stack check
exec('x = ' + '[' * 3000 + ']' * 3000)
exec('x = ' + 'lambda: ' * 3000 + '1')
